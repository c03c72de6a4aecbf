package ai.aster.modeling;

/**
 * The keys and values of one sequence, for every layer. Owned by the model's engine thread; close it to free
 * its native memory.
 */
public final class KvCache implements AutoCloseable {

    private KvCache() {
    }

    /** Tokens held. */
    public int length() {
        throw new UnsupportedOperationException("not yet");
    }

    /** A new cache holding the first {@code n} positions of this one; this one is unchanged. */
    public KvCache copyPrefix(int n) {
        throw new UnsupportedOperationException("not yet");
    }

    /** Native memory held, in bytes (for an LRU budget). */
    public long sizeBytes() {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public void close() {
        throw new UnsupportedOperationException("not yet");
    }
}

package ai.aster.modeling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The keys and values of one sequence for every layer, in arrays sized by need (never to the model's whole context
 * up front) that grow by copying when full (never a concatenation per token). Growth follows {@link #capacityFor}
 * alone, so a caller can account the bytes a cache will hold before it grows ({@link #bytesFor}): powers of two up
 * to {@value #LINEAR_STEP} positions (equal capacities let short decodes share one padded attention), then
 * multiples of {@value #LINEAR_STEP} (at most that much unused memory per long sequence). Keys are stored
 * transposed so that attention is {@code q @ K} with no per-step transpose. Owned by the model's engine thread (not
 * thread-safe); close it to free its native memory. Closing the model closes its caches.
 */
public final class KvCache implements AutoCloseable {

    private static final int MIN_CAPACITY = 64;
    /** Beyond this many positions a cache grows linearly, by this many. */
    private static final int LINEAR_STEP = 512;

    private final Qwen3Model owner;
    private final NDManager manager;
    private final NDArray[] keys; // per layer: (kv_heads, head_dim, capacity)
    private final NDArray[] values; // per layer: (kv_heads, capacity, head_dim)
    private int length;
    private int capacity;
    private boolean closed;

    KvCache(Qwen3Model owner, NDManager parent) {
        this.owner = owner;
        this.manager = parent.newSubManager();
        int layers = owner.config().numHiddenLayers();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /** Tokens held. */
    public int length() {
        return length;
    }

    /** Positions the arrays can hold before they grow. */
    public int capacity() {
        return capacity;
    }

    /** A new cache holding the first {@code n} positions of this one; this one is unchanged. */
    public KvCache copyPrefix(int n) {
        checkOpen();
        if (n < 0 || n > length) {
            throw new IllegalArgumentException("prefix " + n + " outside 0.." + length);
        }
        KvCache copy = new KvCache(owner, owner.manager());
        if (n > 0) {
            copy.ensureCapacity(n);
            try (NDScope scope = new NDScope()) {
                for (int l = 0; l < keys.length; l++) {
                    copy.keys[l].set(new NDIndex().addAllDim(2).addSliceDim(0, n),
                            keys[l].get(new NDIndex().addAllDim(2).addSliceDim(0, n)));
                    copy.values[l].set(new NDIndex().addAllDim().addSliceDim(0, n),
                            values[l].get(new NDIndex().addAllDim().addSliceDim(0, n)));
                }
                scope.suppressNotUsedWarning();
            }
            copy.length = n;
        }
        return copy;
    }

    /** Drops positions from {@code n} on (keeps the memory), e.g. to roll back a rejected extension. */
    public void truncate(int n) {
        checkOpen();
        if (n < 0 || n > length) {
            throw new IllegalArgumentException("truncate to " + n + " outside 0.." + length);
        }
        length = n;
    }

    /** Native memory held, in bytes (for an LRU budget). */
    public long sizeBytes() {
        return bytesPerPosition(owner.config()) * capacity;
    }

    /** Positions a cache holds once it has grown to fit {@code positions} (0 for an empty one). */
    public static int capacityFor(int positions, int maxPositions) {
        if (positions <= 0) {
            return 0;
        }
        int capacity;
        if (positions <= LINEAR_STEP) {
            capacity = MIN_CAPACITY;
            while (capacity < positions) {
                capacity *= 2;
            }
        } else {
            capacity = (int) Math.min(Integer.MAX_VALUE, ((long) positions + LINEAR_STEP - 1) / LINEAR_STEP * LINEAR_STEP);
        }
        return Math.min(capacity, Math.max(positions, maxPositions));
    }

    /** Bytes one position takes over all layers: keys and values, fp32. */
    public static long bytesPerPosition(Qwen3Config c) {
        return 2L * c.numHiddenLayers() * c.numKeyValueHeads() * c.headDim() * Float.BYTES;
    }

    /** Native memory a cache of this model holds once it has grown to fit {@code positions}. */
    public static long bytesFor(Qwen3Config c, int positions) {
        return bytesPerPosition(c) * capacityFor(positions, c.maxPositionEmbeddings());
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }

    Qwen3Model owner() {
        return owner;
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("KV cache is closed");
        }
    }

    NDArray keys(int layer) {
        return keys[layer];
    }

    NDArray values(int layer) {
        return values[layer];
    }

    void advance(int tokens) {
        length += tokens;
    }

    /**
     * Makes room for {@code needed} positions ({@link #capacityFor}); arrays allocated here outlive any caller's
     * NDScope. All new arrays are allocated before any old one is replaced, so a failed allocation (out of memory)
     * leaves the cache as it was.
     */
    void ensureCapacity(int needed) {
        if (needed <= capacity) {
            return;
        }
        Qwen3Config c = owner.config();
        int newCapacity = capacityFor(needed, c.maxPositionEmbeddings());
        int kvHeads = c.numKeyValueHeads();
        int headDim = c.headDim();
        NDArray[] newKeys = new NDArray[keys.length];
        NDArray[] newValues = new NDArray[keys.length];
        try {
            for (int l = 0; l < keys.length; l++) {
                newKeys[l] = manager.zeros(new Shape(kvHeads, headDim, newCapacity), DataType.FLOAT32);
                NDScope.unregister(newKeys[l]);
                newValues[l] = manager.zeros(new Shape(kvHeads, newCapacity, headDim), DataType.FLOAT32);
                NDScope.unregister(newValues[l]);
            }
        } catch (RuntimeException | Error e) {
            for (int l = 0; l < keys.length; l++) {
                if (newKeys[l] != null) {
                    newKeys[l].close();
                }
                if (newValues[l] != null) {
                    newValues[l].close();
                }
            }
            throw e;
        }
        for (int l = 0; l < keys.length; l++) {
            if (length > 0) {
                NDArray oldK = keys[l].get(new NDIndex().addAllDim(2).addSliceDim(0, length));
                NDArray oldV = values[l].get(new NDIndex().addAllDim().addSliceDim(0, length));
                newKeys[l].set(new NDIndex().addAllDim(2).addSliceDim(0, length), oldK);
                newValues[l].set(new NDIndex().addAllDim().addSliceDim(0, length), oldV);
                oldK.close();
                oldV.close();
            }
            if (keys[l] != null) {
                keys[l].close();
                values[l].close();
            }
            keys[l] = newKeys[l];
            values[l] = newValues[l];
        }
        capacity = newCapacity;
    }
}

package ai.aster.model.engine;

import ai.aster.modeling.KvCache;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * KV entries of finished sequences, kept for prefix reuse and evicted least-recently-used under its own byte cap
 * and whenever the {@link KvCacheManager} needs their memory for running sequences. The agent loop sends every
 * turn's whole token sequence again, so a new prompt usually begins with the tokens of the previous turn's
 * sequence: its entries are copied ({@code copyPrefix}) and only the suffix is prefilled. Used by the engine thread
 * only.
 */
public final class PrefixCache {

    private final long capBytes;
    /** Access-ordered: iteration starts at the least recently used entry. */
    private final LinkedHashMap<Long, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long nextKey;
    private long usedBytes;

    private record Entry(int[] tokens, KvCache cache, long bytes) {}

    /** The entry {@code key} holds the first {@code length} tokens asked for. */
    public record Match(long key, int length) {}

    public PrefixCache(long capBytes) {
        this.capBytes = capBytes;
    }

    /** The longest cached prefix of {@code tokens}, at most {@code maxMatch} long; null when nothing matches. */
    public Match match(int[] tokens, int maxMatch) {
        Match best = null;
        for (Map.Entry<Long, Entry> e : entries.entrySet()) {
            int common = commonPrefix(e.getValue().tokens, tokens, maxMatch);
            if (common > 0 && (best == null || common > best.length())) {
                best = new Match(e.getKey(), common);
            }
        }
        return best;
    }

    /** A fresh copy of the matched entries that the caller owns; null if the entry was evicted meanwhile. */
    public KvCache copy(Match match) {
        Entry entry = entries.get(match.key()); // touch: most recently used
        return entry == null ? null : entry.cache.copyPrefix(match.length());
    }

    /**
     * Keeps a finished sequence's cache (ownership moves here). An entry whose tokens are a prefix of the new one is
     * dropped (the new one covers it); if the new tokens are a prefix of an entry, the new cache is closed instead.
     */
    public void store(int[] tokens, KvCache cache) {
        if (capBytes <= 0 || tokens.length == 0) {
            cache.close();
            return;
        }
        for (Iterator<Map.Entry<Long, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
            Entry old = it.next().getValue();
            int common = commonPrefix(old.tokens, tokens, Integer.MAX_VALUE);
            if (common == tokens.length) {
                cache.close(); // already covered by a longer or equal entry
                return;
            }
            if (common == old.tokens.length) {
                it.remove();
                usedBytes -= old.bytes;
                old.cache.close();
            }
        }
        long bytes = cache.sizeBytes();
        if (bytes > capBytes) {
            cache.close();
            return;
        }
        entries.put(nextKey++, new Entry(tokens, cache, bytes));
        usedBytes += bytes;
        evict(usedBytes - capBytes, -1);
    }

    /**
     * Frees at least {@code bytes} (as far as entries allow), least recently used first, sparing entry {@code keep}.
     *
     * @return the bytes freed
     */
    public long evict(long bytes, long keep) {
        long freed = 0;
        Iterator<Map.Entry<Long, Entry>> it = entries.entrySet().iterator();
        while (freed < bytes && it.hasNext()) {
            Map.Entry<Long, Entry> e = it.next();
            if (e.getKey() == keep) {
                continue;
            }
            it.remove();
            freed += e.getValue().bytes;
            usedBytes -= e.getValue().bytes;
            e.getValue().cache.close();
        }
        return freed;
    }

    /** Drops everything (after a weights swap the entries no longer match the model). */
    public void clear() {
        for (Entry e : entries.values()) {
            e.cache.close();
        }
        entries.clear();
        usedBytes = 0;
    }

    public long usedBytes() {
        return usedBytes;
    }

    public int size() {
        return entries.size();
    }

    private static int commonPrefix(int[] a, int[] b, int max) {
        int limit = Math.min(Math.min(a.length, b.length), max);
        int i = 0;
        while (i < limit && a[i] == b[i]) {
            i++;
        }
        return i;
    }
}

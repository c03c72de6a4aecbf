package ai.aster.model.engine;

import ai.aster.modeling.KvCache;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * KV entries of finished sequences, kept for prefix reuse and evicted least-recently-used under a byte budget.
 * The agent loop sends every turn's whole token sequence again, so a new prompt usually begins with the tokens of
 * the previous turn's sequence: its entries are copied ({@code copyPrefix}) and only the suffix is prefilled.
 * Used by the engine thread only.
 */
public final class PrefixCache {

    private final long budgetBytes;
    /** Access-ordered: iteration starts at the least recently used entry. */
    private final LinkedHashMap<Long, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long nextKey;
    private long usedBytes;

    private record Entry(int[] tokens, KvCache cache, long bytes) {}

    /** A reusable cache for a prompt: {@code matched} of its first tokens are already in {@code cache}. */
    public record Hit(KvCache cache, int matched) {}

    public PrefixCache(long budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    /**
     * The longest cached prefix of {@code prompt}, at most {@code maxMatch} tokens, as a fresh copy the caller owns;
     * null when nothing matches.
     */
    public Hit lookup(int[] prompt, int maxMatch) {
        Entry best = null;
        Long bestKey = null;
        int bestLength = 0;
        for (Map.Entry<Long, Entry> e : entries.entrySet()) {
            int common = commonPrefix(e.getValue().tokens, prompt, maxMatch);
            if (common > bestLength) {
                best = e.getValue();
                bestKey = e.getKey();
                bestLength = common;
            }
        }
        if (best == null) {
            return null;
        }
        entries.get(bestKey); // touch: most recently used
        return new Hit(best.cache.copyPrefix(bestLength), bestLength);
    }

    /**
     * Keeps a finished sequence's cache (ownership moves here). An entry whose tokens are a prefix of the new one is
     * dropped (the new one covers it); if the new tokens are a prefix of an entry, the new cache is closed instead.
     */
    public void store(int[] tokens, KvCache cache) {
        if (budgetBytes <= 0 || tokens.length == 0) {
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
        if (bytes > budgetBytes) {
            cache.close();
            return;
        }
        entries.put(nextKey++, new Entry(tokens, cache, bytes));
        usedBytes += bytes;
        evictToBudget();
    }

    private void evictToBudget() {
        Iterator<Map.Entry<Long, Entry>> it = entries.entrySet().iterator();
        while (usedBytes > budgetBytes && it.hasNext()) {
            Entry lru = it.next().getValue();
            it.remove();
            usedBytes -= lru.bytes;
            lru.cache.close();
        }
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

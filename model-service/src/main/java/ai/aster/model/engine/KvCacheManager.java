package ai.aster.model.engine;

import ai.aster.modeling.KvCache;
import java.util.function.Supplier;

/**
 * Hands out KV caches to sequences and takes them back: a fresh one, or a copy of the longest cached prefix of the
 * prompt; a finished sequence's cache goes to the {@link PrefixCache}. Only the scheduler calls it.
 */
public final class KvCacheManager {

    private final PrefixCache prefixCache;
    private volatile Supplier<KvCache> newCache;
    private long hitTokens;
    private long queriedTokens;

    public KvCacheManager(PrefixCache prefixCache, Supplier<KvCache> newCache) {
        this.prefixCache = prefixCache;
        this.newCache = newCache;
    }

    /** A cache for {@code seq}'s prompt; sets {@code seq.promptComputed} to the reused length. */
    void allocate(Sequence seq) {
        int[] prompt = seq.prompt();
        // at least the last prompt token is always computed: its logits give the first sampled token
        PrefixCache.Hit hit = prefixCache.lookup(prompt, prompt.length - 1);
        queriedTokens += prompt.length;
        if (hit == null) {
            seq.cache = newCache.get();
            seq.promptComputed = 0;
        } else {
            seq.cache = hit.cache();
            seq.promptComputed = hit.matched();
            hitTokens += hit.matched();
        }
    }

    /** Takes back a finished (or dropped) sequence's cache. */
    void release(Sequence seq) {
        if (seq.cache == null) {
            return;
        }
        if (seq.cache.length() > 0) {
            prefixCache.store(seq.cachedTokens(), seq.cache);
        } else {
            seq.cache.close();
        }
        seq.cache = null;
    }

    /** Closes a cache whose state is unknown (its forward pass failed). */
    void discard(Sequence seq) {
        if (seq.cache != null) {
            seq.cache.close();
            seq.cache = null;
        }
    }

    /** After a weights swap: old entries belong to the old weights. */
    void reset(Supplier<KvCache> newCache) {
        prefixCache.clear();
        this.newCache = newCache;
    }

    void clear() {
        prefixCache.clear();
    }

    /** Prompt tokens served from the prefix cache so far. */
    long hitTokens() {
        return hitTokens;
    }

    /** Prompt tokens looked up in the prefix cache so far (the hit rate's denominator, like vLLM's prefix_cache_queries). */
    long queriedTokens() {
        return queriedTokens;
    }

    PrefixCache prefixCache() {
        return prefixCache;
    }
}

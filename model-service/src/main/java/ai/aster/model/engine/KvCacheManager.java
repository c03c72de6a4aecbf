package ai.aster.model.engine;

import ai.aster.modeling.KvCache;
import ai.aster.modeling.Qwen3Config;
import java.util.List;
import java.util.function.Supplier;

/**
 * Owns the KV memory of the engine under one byte budget: the running sequences' caches (each accounted at the size
 * it will have after the step, {@link KvCache#bytesFor}, before it grows) plus the {@link PrefixCache}, whose
 * entries give way first. Hands out caches (a copy of the longest cached prefix, or a fresh one), makes the copies
 * of {@code n} > 1 choices (forks), and takes caches back. Only the scheduler calls it; engine thread only.
 */
public final class KvCacheManager {

    private final PrefixCache prefixCache;
    private final long budgetBytes;
    private Qwen3Config config;
    private Supplier<KvCache> newCache;
    /** Bytes reserved by running sequences (each at most its cache's size after the step being planned). */
    private long runningBytes;
    /** The prefix-cache entry a sequence being admitted will copy: spared when making room for that sequence. */
    private PrefixCache.Match pending;
    private long hitTokens;
    private long queriedTokens;

    public KvCacheManager(PrefixCache prefixCache, long budgetBytes, Qwen3Config config, Supplier<KvCache> newCache) {
        this.prefixCache = prefixCache;
        this.budgetBytes = budgetBytes;
        this.config = config;
        this.newCache = newCache;
    }

    /** Bytes a cache holding {@code positions} tokens takes. */
    long bytesFor(int positions) {
        return KvCache.bytesFor(config, positions);
    }

    long budgetBytes() {
        return budgetBytes;
    }

    /** Running caches plus the prefix cache. */
    long usedBytes() {
        return runningBytes + prefixCache.usedBytes();
    }

    /**
     * How many leading tokens of {@code seq} (not yet holding a cache) the prefix cache can supply: at most all but
     * the last, whose logits give the next token. Remembered for {@link #attach}.
     */
    int cachedPrefix(Sequence seq) {
        int[] tokens = seq.tokens();
        pending = prefixCache.match(tokens, tokens.length - 1);
        return pending == null ? 0 : pending.length();
    }

    /**
     * Reserves what the step needs: {@code seq}'s cache grown to {@code positions}, and a copy of {@code positions}
     * for each fork; all or nothing. Evicts prefix-cache entries (sparing the pending match) to make room.
     *
     * @return false when even an empty prefix cache leaves too little: the scheduler must preempt or wait
     */
    boolean reserve(Sequence seq, int positions, List<Sequence> forks) {
        long grown = bytesFor(positions);
        long need = Math.max(0, grown - seq.reservedBytes);
        for (Sequence fork : forks) {
            need += Math.max(0, grown - fork.reservedBytes);
        }
        if (need == 0) {
            return true;
        }
        long over = runningBytes + prefixCache.usedBytes() + need - budgetBytes;
        if (over > 0) {
            over -= prefixCache.evict(over, pending == null ? -1 : pending.key());
            if (over > 0 && pending != null) {
                // the entry to copy is in the way too: give it up (attach then starts from a fresh cache)
                prefixCache.evict(over, -1);
            }
            if (runningBytes + prefixCache.usedBytes() + need > budgetBytes) {
                return false;
            }
        }
        runningBytes += need;
        seq.reservedBytes = Math.max(seq.reservedBytes, grown);
        for (Sequence fork : forks) {
            fork.reservedBytes = Math.max(fork.reservedBytes, grown);
        }
        return true;
    }

    /** Gives {@code seq} its cache after {@link #cachedPrefix} and {@link #reserve}: the matched copy or a fresh one. */
    void attach(Sequence seq) {
        KvCache copy = pending == null ? null : prefixCache.copy(pending);
        // the last token is always computed (its logits give the next one): only the ones before it are looked up
        queriedTokens += Math.max(0, seq.tokens().length - 1);
        if (copy == null) {
            seq.cache = newCache.get();
            seq.computed = 0;
        } else {
            seq.cache = copy;
            seq.computed = pending.length();
            hitTokens += pending.length();
        }
        pending = null;
    }

    /** Forgets the match of a sequence that was not admitted after all. */
    void forgetPending() {
        pending = null;
    }

    /** The choices of an {@code n} > 1 request get copies of the first choice's cache once the prompt is in it. */
    void fork(Sequence primary, List<Sequence> forks) {
        for (Sequence fork : forks) {
            fork.cache = primary.cache.copyPrefix(primary.cache.length());
            fork.computed = primary.computed;
        }
    }

    /** Takes back a finished (or dropped) sequence's cache: into the prefix cache for reuse. */
    void release(Sequence seq) {
        runningBytes -= seq.reservedBytes;
        seq.reservedBytes = 0;
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

    /**
     * Frees a cache that must not be reused: its forward pass failed (its state is unknown), its sequence was
     * preempted (the memory is wanted now), or it belongs to weights that were swapped out.
     */
    void discard(Sequence seq) {
        runningBytes -= seq.reservedBytes;
        seq.reservedBytes = 0;
        if (seq.cache != null) {
            seq.cache.close();
            seq.cache = null;
        }
        seq.computed = 0;
    }

    /** After a weights swap: old entries belong to the old weights. */
    void reset(Qwen3Config config, Supplier<KvCache> newCache) {
        prefixCache.clear();
        this.config = config;
        this.newCache = newCache;
    }

    void clear() {
        prefixCache.clear();
    }

    /** Prompt tokens served from the prefix cache so far. */
    long hitTokens() {
        return hitTokens;
    }

    /** Tokens looked up in the prefix cache so far (hit rate = hits / queries). */
    long queriedTokens() {
        return queriedTokens;
    }

    PrefixCache prefixCache() {
        return prefixCache;
    }
}

package ai.aster.model.engine;

import ai.aster.modeling.KvCache;
import ai.aster.modeling.Sampler;
import java.util.ArrayList;
import java.util.List;

/**
 * One choice being decoded. Owned by the engine thread: the scheduler moves it between states, the KV cache
 * manager gives and takes its cache, the runner fills the cache and samples with its own seeded sampler, the output
 * processor appends tokens and detects stops.
 *
 * <p>Its tokens are the prompt followed by what it generated; {@code computed} of them are in the cache. A step
 * feeds the next tokens not yet computed (a prompt chunk, or the last sampled token) and samples once all are in:
 * decoding, chunked prefill and the recompute of a preempted sequence (its whole prompt + generated tokens, on
 * whatever weights are loaded now) are the same operation.
 */
public final class Sequence {

    enum Status {
        /** Choice i > 0 of a request: gets a copy of choice 0's cache once the prompt is in it. */
        WAITING_FORK,
        /** In the batch, holding a cache. */
        RUNNING,
        /** Waiting (again) for admission with no cache: everything generated so far is recomputed on admission. */
        PREEMPTED,
        FINISHED
    }

    final RequestState owner;
    final int index;
    final Sampler sampler;
    /** KV entries of the first {@code computed} tokens; null while the sequence holds no cache. */
    KvCache cache;
    /** Tokens (prompt, then generated) whose KV entries are in the cache. */
    int computed;
    /** Bytes the KV cache manager accounted to this sequence's cache. */
    long reservedBytes;
    final List<Integer> generated = new ArrayList<>();
    Status status;
    final DetokenizerState detok = new DetokenizerState();
    String finishReason;
    Object stopReason;
    long firstTokenNanos;
    long lastTokenNanos;

    Sequence(RequestState owner, int index, Sampler sampler, Status status) {
        this.owner = owner;
        this.index = index;
        this.sampler = sampler;
        this.status = status;
    }

    boolean finished() {
        return status == Status.FINISHED;
    }

    int[] prompt() {
        return owner.request.promptIds();
    }

    /** Prompt + generated. */
    int length() {
        return prompt().length + generated.size();
    }

    /** Tokens not yet in the cache: 1 while decoding, more for a prompt or a recompute. */
    int uncomputed() {
        return length() - computed;
    }

    /** Tokens {@code from} (inclusive) to {@code to} (exclusive) of prompt + generated. */
    int[] tokens(int from, int to) {
        int[] prompt = prompt();
        int[] out = new int[to - from];
        for (int i = from; i < to; i++) {
            out[i - from] = i < prompt.length ? prompt[i] : generated.get(i - prompt.length);
        }
        return out;
    }

    /** Prompt + generated. */
    int[] tokens() {
        return tokens(0, length());
    }

    /** Prompt + generated ids whose KV entries the cache holds, the key under which the prefix cache keeps it. */
    int[] cachedTokens() {
        return tokens(0, cache.length());
    }

    /** Incremental detokenizer and stop-string state of this choice (see {@link OutputProcessor}). */
    static final class DetokenizerState {
        /** Start of the token window whose decoded text was already appended. */
        int prefixOffset;
        /** End of that window. */
        int readOffset;
        /** The full decoded text so far. */
        final StringBuilder text = new StringBuilder();
        /** Characters of {@link #text} already handed out. */
        int emitted;
    }
}

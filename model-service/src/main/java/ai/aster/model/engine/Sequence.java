package ai.aster.model.engine;

import ai.aster.modeling.KvCache;
import ai.aster.modeling.Sampler;
import java.util.ArrayList;
import java.util.List;

/**
 * One choice being decoded. Owned by the engine thread: the scheduler moves it between states, the runner fills
 * its KV cache and samples with its own seeded sampler, the output processor appends tokens and detects stops.
 */
public final class Sequence {

    enum Status { WAITING_FORK, PREFILL, DECODE, FINISHED }

    final RequestState owner;
    final int index;
    final Sampler sampler;
    /** KV entries of prompt + generated tokens already fed to the model; null until admitted. */
    KvCache cache;
    /** Prompt tokens already in the cache (a prefix-cache hit counts). */
    int promptComputed;
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

    /** The last sampled token, not yet in the cache: the next decode step feeds it. */
    int lastToken() {
        return generated.get(generated.size() - 1);
    }

    /** Prompt + generated ids whose KV entries the cache holds, the key under which the prefix cache keeps it. */
    int[] cachedTokens() {
        int[] prompt = prompt();
        int length = cache.length();
        int[] tokens = new int[length];
        int fromPrompt = Math.min(prompt.length, length);
        System.arraycopy(prompt, 0, tokens, 0, fromPrompt);
        for (int i = fromPrompt; i < length; i++) {
            tokens[i] = generated.get(i - prompt.length);
        }
        return tokens;
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

package ai.aster.model.engine;

import ai.aster.modeling.Sample;
import ai.aster.modeling.TokenLogprob;
import ai.aster.modeling.Tokenizer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns sampled tokens into per-choice deltas: appends the token, detokenizes incrementally (a window of tokens,
 * so multi-byte characters split across tokens come out whole), detects stop token ids, end-of-sequence and stop
 * strings (also one split across tokens: text that could still begin a stop string is held back), and sets the
 * finish reason. Semantics follow vLLM: the stop string is cut from the text unless {@code include_stop_str} is
 * set; token ids always list every generated token, the one that completed the stop string included; the
 * end-of-sequence token and stop token ids add no text (unless {@code include_stop_str}).
 */
public final class OutputProcessor {

    private final Tokenizer tokenizer;
    private final Set<Integer> eosTokenIds;

    public OutputProcessor(Tokenizer tokenizer, Set<Integer> eosTokenIds) {
        this.tokenizer = tokenizer;
        this.eosTokenIds = eosTokenIds;
    }

    /** Appends {@code sample} to {@code seq} and returns what the client gets for it. */
    ChoiceDelta process(Sequence seq, Sample sample, long nowNanos) {
        EngineRequest request = seq.owner.request;
        int token = sample.tokenId();
        if (seq.generated.isEmpty()) {
            seq.firstTokenNanos = nowNanos;
        }
        seq.lastTokenNanos = nowNanos;
        seq.generated.add(token);
        Sequence.DetokenizerState state = seq.detok;
        int textBefore = state.text.length();

        boolean stopToken = request.stopTokenIds().contains(token);
        boolean eos = !request.ignoreEos() && eosTokenIds.contains(token);
        boolean lengthReached = seq.generated.size() >= request.maxTokens();
        if ((stopToken || eos) && !request.includeStopStr()) {
            // the token ends the choice without text; flush bytes still pending from earlier tokens
            flushPending(seq, seq.generated.size() - 1);
        } else {
            appendNewText(seq, lengthReached);
        }

        String finishReason = null;
        Object stopReason = null;
        int stopEnd = -1;
        if (stopToken) {
            finishReason = "stop";
            stopReason = token;
        } else if (eos) {
            finishReason = "stop";
        } else {
            int[] match = findStop(state.text, textBefore, request.stop());
            if (match != null) {
                String stop = request.stop().get(match[1]);
                stopEnd = request.includeStopStr() ? match[0] + stop.length() : match[0];
                state.text.setLength(stopEnd);
                finishReason = "stop";
                stopReason = stop;
            } else if (lengthReached) {
                finishReason = "length";
            }
        }

        // hand out text up to where a stop string could still begin, all of it once finished
        int releasable = state.text.length();
        if (finishReason == null) {
            releasable -= holdBack(state.text, request.stop());
        }
        String text = "";
        if (releasable > state.emitted) {
            text = state.text.substring(state.emitted, releasable);
            state.emitted = releasable;
        }

        List<ChoiceDelta.TokenLogprob> logprobs = null;
        if (request.logprobs() != null) {
            logprobs = List.of(toLogprob(sample, Math.min(textBefore, state.text.length())));
        }
        if (finishReason != null) {
            // the scheduler moves the sequence to FINISHED
            seq.finishReason = finishReason;
            seq.stopReason = stopReason;
        }
        return new ChoiceDelta(seq.index, text, List.of(token), logprobs, finishReason, stopReason);
    }

    /** Decodes the tokens since the last window; waits while the text ends in an incomplete character. */
    private void appendNewText(Sequence seq, boolean last) {
        Sequence.DetokenizerState state = seq.detok;
        int end = seq.generated.size();
        String prefix = decode(seq, state.prefixOffset, state.readOffset);
        String full = decode(seq, state.prefixOffset, end);
        if (full.length() > prefix.length() && (last || !full.endsWith("\uFFFD"))) {
            state.text.append(full, prefix.length(), full.length());
            state.prefixOffset = state.readOffset;
            state.readOffset = end;
        }
    }

    /** Appends what tokens before {@code end} still owe to the text (a choice ending on a text-less token). */
    private void flushPending(Sequence seq, int end) {
        Sequence.DetokenizerState state = seq.detok;
        if (end > state.readOffset) {
            String prefix = decode(seq, state.prefixOffset, state.readOffset);
            String full = decode(seq, state.prefixOffset, end);
            if (full.length() > prefix.length()) {
                state.text.append(full, prefix.length(), full.length());
            }
            state.prefixOffset = state.readOffset;
            state.readOffset = end;
        }
    }

    private String decode(Sequence seq, int from, int to) {
        if (to <= from) {
            return "";
        }
        int[] ids = new int[to - from];
        for (int i = from; i < to; i++) {
            ids[i - from] = seq.generated.get(i);
        }
        return tokenizer.decode(ids);
    }

    /**
     * The earliest stop string that occurs in {@code text} and ends after {@code newFrom} (new text only).
     *
     * @return {position, index of the stop string}, or null
     */
    static int[] findStop(StringBuilder text, int newFrom, List<String> stops) {
        int[] best = null;
        for (int i = 0; i < stops.size(); i++) {
            String stop = stops.get(i);
            int from = Math.max(0, newFrom - stop.length() + 1);
            int at = text.indexOf(stop, from);
            if (at >= 0 && (best == null || at < best[0])) {
                best = new int[] {at, i};
            }
        }
        return best;
    }

    /** How many trailing characters of {@code text} are a proper prefix of some stop string (kept back). */
    static int holdBack(CharSequence text, List<String> stops) {
        int hold = 0;
        for (String stop : stops) {
            int max = Math.min(stop.length() - 1, text.length());
            for (int k = max; k > hold; k--) {
                if (endsWith(text, stop, k)) {
                    hold = k;
                    break;
                }
            }
        }
        return hold;
    }

    private static boolean endsWith(CharSequence text, String stop, int k) {
        int start = text.length() - k;
        for (int i = 0; i < k; i++) {
            if (text.charAt(start + i) != stop.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private ChoiceDelta.TokenLogprob toLogprob(Sample sample, int textOffset) {
        Map<String, Double> top = null;
        if (sample.top() != null && !sample.top().isEmpty()) {
            top = new LinkedHashMap<>();
            for (TokenLogprob alt : sample.top()) {
                top.putIfAbsent(tokenizer.tokenText(alt.tokenId()), known(alt.logprob()));
            }
        }
        return new ChoiceDelta.TokenLogprob(
                tokenizer.tokenText(sample.tokenId()), known(sample.logprob()), top, textOffset);
    }

    /** A log-prob as reported: null when not finite (JSON has no NaN or infinity; 0.0 would claim certainty). */
    static Double known(double logprob) {
        return Double.isFinite(logprob) ? logprob : null;
    }
}

package ai.aster.model.service;

import ai.aster.protocol.openai.CompletionChoice;
import ai.aster.protocol.openai.CompletionLogprobs;
import ai.aster.protocol.openai.CompletionResponse;
import ai.aster.protocol.openai.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Folds the chunks of a streamed completion into the whole response, choice by choice: texts, token ids and
 * log-probs concatenated in order, the last finish reason kept. A non-streamed completion is built this way from
 * the same chunks, so both forms agree by construction.
 */
public final class CompletionAggregator {

    private final Map<Integer, ChoiceBuilder> choices = new TreeMap<>();
    private CompletionResponse first;
    private Usage usage;
    private List<Integer> promptTokenIds;
    private Long policyVersion;
    private List<Long> policyVersions;

    private static final class ChoiceBuilder {
        final StringBuilder text = new StringBuilder();
        List<Integer> tokenIds;
        List<String> tokens;
        List<Double> tokenLogprobs;
        List<Map<String, Double>> topLogprobs;
        List<Integer> textOffset;
        String finishReason;
        Object stopReason;
    }

    public void add(CompletionResponse chunk) {
        if (first == null) {
            first = chunk;
        }
        if (chunk.usage() != null) {
            usage = chunk.usage();
        }
        if (chunk.promptTokenIds() != null) {
            promptTokenIds = chunk.promptTokenIds();
        }
        if (chunk.policyVersion() != null) {
            policyVersion = chunk.policyVersion();
        }
        if (chunk.policyVersions() != null) {
            policyVersions = chunk.policyVersions();
        }
        if (chunk.choices() == null) {
            return;
        }
        for (CompletionChoice c : chunk.choices()) {
            ChoiceBuilder b = choices.computeIfAbsent(c.index(), i -> new ChoiceBuilder());
            if (c.text() != null) {
                b.text.append(c.text());
            }
            int idsBefore = b.tokenIds == null ? 0 : b.tokenIds.size();
            if (c.tokenIds() != null) {
                if (b.tokenIds == null) {
                    b.tokenIds = new ArrayList<>();
                }
                b.tokenIds.addAll(c.tokenIds());
            }
            CompletionLogprobs lp = c.logprobs();
            if (lp != null) {
                if (b.tokens == null) {
                    b.tokens = new ArrayList<>();
                    b.tokenLogprobs = new ArrayList<>();
                    b.topLogprobs = new ArrayList<>();
                    b.textOffset = new ArrayList<>();
                }
                padLogprobs(b, idsBefore);
                addAll(b.tokens, lp.tokens());
                addAll(b.tokenLogprobs, lp.tokenLogprobs());
                addAll(b.topLogprobs, lp.topLogprobs());
                addAll(b.textOffset, lp.textOffset());
            }
            if (b.tokens != null && b.tokenIds != null) {
                padLogprobs(b, b.tokenIds.size());
            }
            if (c.finishReason() != null) {
                b.finishReason = c.finishReason();
            }
            if (c.stopReason() != null) {
                b.stopReason = c.stopReason();
            }
        }
    }

    /**
     * Keeps log-probs aligned with token ids when some chunk carried ids without log-probs (an upstream engine may
     * leave them out): the missing entries are null (unknown), never a made-up value.
     */
    private static void padLogprobs(ChoiceBuilder b, int tokens) {
        boolean withTop = !b.topLogprobs.isEmpty();
        while (b.tokenLogprobs.size() < tokens) {
            b.tokens.add(null);
            b.tokenLogprobs.add(null);
            if (withTop) {
                b.topLogprobs.add(null);
            }
            b.textOffset.add(null);
        }
    }

    private static <T> void addAll(List<T> into, List<T> from) {
        if (from != null) {
            into.addAll(from);
        }
    }

    /** The whole response; usage as the stream reported it, else counted from the token ids (if any). */
    public CompletionResponse result(int fallbackPromptTokens) {
        List<CompletionChoice> out = new ArrayList<>();
        int completionTokens = 0;
        for (Map.Entry<Integer, ChoiceBuilder> e : choices.entrySet()) {
            ChoiceBuilder b = e.getValue();
            CompletionLogprobs logprobs = b.tokens == null ? null
                    : new CompletionLogprobs(b.tokens, b.tokenLogprobs,
                            b.topLogprobs.isEmpty() ? null : b.topLogprobs, b.textOffset);
            out.add(new CompletionChoice(e.getKey(), b.text.toString(), logprobs, b.finishReason, b.stopReason,
                    b.tokenIds));
            completionTokens += b.tokenIds == null ? 0 : b.tokenIds.size();
        }
        Usage u = usage != null ? usage : Usage.of(fallbackPromptTokens, completionTokens);
        return new CompletionResponse(first == null ? null : first.id(), CompletionResponse.OBJECT,
                first == null ? 0 : first.created(), first == null ? null : first.model(), out, u, promptTokenIds,
                policyVersion, policyVersions);
    }
}

package ai.aster.model.engine;

import ai.aster.modeling.Tokenizer;
import ai.aster.protocol.openai.ChatCompletionRequest;
import ai.aster.protocol.openai.CompletionRequest;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntToLongFunction;

/**
 * Validates and tokenizes requests into {@link EngineRequest}s; every refusal names the field and the limit.
 * Defaults follow vLLM: temperature 1, top_p 1, no top-k, n 1, max_tokens = what is left of the context.
 */
public final class InputProcessor {

    /** vLLM's upper bound on returned alternatives per token. */
    static final int MAX_LOGPROBS = 20;

    private final Tokenizer tokenizer;
    private final int vocabSize;
    private final int maxModelLen;
    private final int maxN;
    private final long kvBudgetBytes;
    /** KV bytes of one sequence holding that many positions. */
    private final IntToLongFunction kvBytes;

    /**
     * @param kvBudgetBytes the engine's KV budget: a request whose choices could not fit in it even alone is refused
     * @param kvBytes       the KV bytes one sequence of that many positions holds
     */
    public InputProcessor(Tokenizer tokenizer, int vocabSize, int maxModelLen, int maxN, long kvBudgetBytes,
            IntToLongFunction kvBytes) {
        this.tokenizer = tokenizer;
        this.vocabSize = vocabSize;
        this.maxModelLen = maxModelLen;
        this.maxN = maxN;
        this.kvBudgetBytes = kvBudgetBytes;
        this.kvBytes = kvBytes;
    }

    public int maxModelLen() {
        return maxModelLen;
    }

    public EngineRequest completion(String requestId, CompletionRequest r) {
        int[] prompt = promptIds(r.prompt());
        return build(requestId, prompt, r.maxTokens(), "max_tokens", r.temperature(), r.topP(), r.topK(), r.seed(),
                r.n(), r.logprobs(), r.stop(), r.stopTokenIds(), r.ignoreEos(), r.includeStopStrInOutput());
    }

    /** A chat request whose messages were rendered and tokenized to {@code prompt}. */
    public EngineRequest chat(String requestId, ChatCompletionRequest r, int[] prompt) {
        Integer maxTokens = r.maxCompletionTokens() != null ? r.maxCompletionTokens() : r.maxTokens();
        Integer logprobs = Boolean.TRUE.equals(r.logprobs())
                ? (r.topLogprobs() == null ? 0 : r.topLogprobs()) : null;
        return build(requestId, prompt, maxTokens, "max_tokens", r.temperature(), r.topP(), r.topK(), r.seed(),
                r.n(), logprobs, r.stop(), null, null, null);
    }

    private EngineRequest build(String requestId, int[] prompt, Integer maxTokens, String maxTokensParam,
            Double temperature, Double topP, Integer topK, Long seed, Integer n, Integer logprobs,
            List<String> stop, List<Integer> stopTokenIds, Boolean ignoreEos, Boolean includeStopStr) {
        if (prompt.length >= maxModelLen) {
            throw new InvalidRequestException("This model's maximum context length is " + maxModelLen
                    + " tokens. However, your prompt has " + prompt.length
                    + " tokens, which leaves no room for a completion. Please reduce the length of the prompt.",
                    "prompt");
        }
        int choices = n == null ? 1 : n;
        if (choices < 1 || choices > maxN) {
            throw new InvalidRequestException("n must be between 1 and " + maxN + " (the batch size), got " + n, "n");
        }
        if (!fitsKvBudget(prompt.length, 1, choices)) {
            throw new InvalidRequestException("This request needs " + kvBytesOf(prompt.length, 1, choices)
                    + " bytes of KV cache (" + prompt.length + " prompt tokens and 1 completion token"
                    + (choices > 1 ? ", times " + choices + " choices" : "") + "), more than the engine's KV cache "
                    + "budget of " + kvBudgetBytes + " bytes (aster.model.kv-cache-bytes). Please reduce the length "
                    + "of the prompt" + (choices > 1 ? " or n." : "."), "prompt");
        }
        int completion;
        if (maxTokens == null) {
            completion = maxModelLen - prompt.length;
            if (!fitsKvBudget(prompt.length, completion, choices)) {
                int fits = 1; // the longest completion the budget holds: fits(1) is true, fits(completion) false
                int over = completion;
                while (over - fits > 1) {
                    int mid = (fits + over) >>> 1;
                    if (fitsKvBudget(prompt.length, mid, choices)) {
                        fits = mid;
                    } else {
                        over = mid;
                    }
                }
                completion = fits;
            }
        } else {
            if (maxTokens < 1) {
                throw new InvalidRequestException("max_tokens must be at least 1, got " + maxTokens, maxTokensParam);
            }
            completion = maxTokens;
            if ((long) prompt.length + completion > maxModelLen) {
                throw new InvalidRequestException("This model's maximum context length is " + maxModelLen
                        + " tokens. However, you requested " + ((long) prompt.length + completion) + " tokens ("
                        + prompt.length + " in the prompt, " + completion
                        + " for the completion). Please reduce the length of the prompt or the completion.",
                        maxTokensParam);
            }
            if (!fitsKvBudget(prompt.length, completion, choices)) {
                throw new InvalidRequestException("This request needs up to "
                        + kvBytesOf(prompt.length, completion, choices) + " bytes of KV cache (" + prompt.length
                        + " prompt tokens and " + completion + " completion tokens"
                        + (choices > 1 ? ", times " + choices + " choices" : "") + "), more than the engine's KV "
                        + "cache budget of " + kvBudgetBytes + " bytes (aster.model.kv-cache-bytes). Please reduce "
                        + "the length of the prompt or the completion.", maxTokensParam);
            }
        }
        double t = temperature == null ? 1.0 : temperature;
        if (!(t >= 0) || Double.isInfinite(t)) {
            throw new InvalidRequestException("temperature must be a number >= 0, got " + temperature, "temperature");
        }
        double p = topP == null ? 1.0 : topP;
        if (!(p > 0 && p <= 1)) {
            throw new InvalidRequestException("top_p must be in (0, 1], got " + topP, "top_p");
        }
        int k = topK == null ? 0 : topK;
        if (k < -1) {
            throw new InvalidRequestException("top_k must be -1 (off), 0 (off) or positive, got " + topK, "top_k");
        }
        k = Math.max(k, 0);
        if (logprobs != null && (logprobs < 0 || logprobs > MAX_LOGPROBS)) {
            throw new InvalidRequestException("logprobs must be between 0 and " + MAX_LOGPROBS + ", got " + logprobs,
                    "logprobs");
        }
        List<String> stops = stop == null ? List.of() : List.copyOf(stop);
        for (String s : stops) {
            if (s == null || s.isEmpty()) {
                throw new InvalidRequestException("stop strings must not be empty", "stop");
            }
        }
        Set<Integer> stopIds = new HashSet<>();
        if (stopTokenIds != null) {
            for (Integer id : stopTokenIds) {
                if (id == null || id < 0 || id >= vocabSize) {
                    throw new InvalidRequestException("stop_token_ids must be token ids in [0, " + vocabSize
                            + "), got " + id, "stop_token_ids");
                }
                stopIds.add(id);
            }
        }
        return new EngineRequest(requestId, prompt, choices, completion, t, p, k, seed, logprobs, stops,
                Set.copyOf(stopIds), Boolean.TRUE.equals(ignoreEos), Boolean.TRUE.equals(includeStopStr));
    }

    /**
     * KV bytes of {@code choices} sequences of {@code prompt} + {@code completion} tokens at their longest: the last
     * generated token is never fed back, so the cache holds one position less.
     */
    private long kvBytesOf(int prompt, int completion, int choices) {
        return choices * kvBytes.applyAsLong(prompt + completion - 1);
    }

    private boolean fitsKvBudget(int prompt, int completion, int choices) {
        return kvBytesOf(prompt, completion, choices) <= kvBudgetBytes;
    }

    /** The prompt as token ids: a string (tokenized), an array of token ids, or a one-element array of either. */
    public int[] promptIds(JsonNode prompt) {
        if (prompt == null || prompt.isNull()) {
            throw new InvalidRequestException("prompt is required", "prompt");
        }
        if (prompt.isArray() && prompt.size() == 1 && (prompt.get(0).isTextual() || prompt.get(0).isArray())) {
            prompt = prompt.get(0);
        }
        int[] ids;
        if (prompt.isTextual()) {
            ids = tokenizer.encode(prompt.asText());
        } else if (prompt.isArray()) {
            ids = new int[prompt.size()];
            for (int i = 0; i < ids.length; i++) {
                JsonNode id = prompt.get(i);
                if (!id.canConvertToInt() || !id.isIntegralNumber()) {
                    throw new InvalidRequestException(
                            "prompt must be a string or an array of token ids (one prompt per request)", "prompt");
                }
                ids[i] = id.asInt();
                if (ids[i] < 0 || ids[i] >= vocabSize) {
                    throw new InvalidRequestException("token id " + ids[i] + " at prompt position " + i
                            + " is outside the vocabulary [0, " + vocabSize + ")", "prompt");
                }
            }
        } else {
            throw new InvalidRequestException("prompt must be a string or an array of token ids", "prompt");
        }
        if (ids.length == 0) {
            throw new InvalidRequestException("prompt must not be empty", "prompt");
        }
        return ids;
    }
}

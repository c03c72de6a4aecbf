package ai.aster.model.engine;

import java.util.List;
import java.util.Set;

/**
 * One validated, tokenized request as the engine runs it (the input processor's output).
 *
 * @param promptIds      the prompt's token ids
 * @param n              how many independent choices to sample from the same prompt
 * @param maxTokens      most tokens each choice may generate
 * @param temperature    0 = greedy
 * @param topK           0 = no top-k cut
 * @param seed           null = a fresh random seed per choice; choice i uses {@code seed + i}
 * @param logprobs       null = none; k = the chosen token's log-prob and the k most likely alternatives
 * @param stop           stop strings (not in the text unless {@code includeStopStr})
 * @param stopTokenIds   token ids that end a choice (besides end-of-sequence unless {@code ignoreEos})
 */
public record EngineRequest(
        String requestId,
        int[] promptIds,
        int n,
        int maxTokens,
        double temperature,
        double topP,
        int topK,
        Long seed,
        Integer logprobs,
        List<String> stop,
        Set<Integer> stopTokenIds,
        boolean ignoreEos,
        boolean includeStopStr) {}

package ai.aster.trainer.service;

import ai.aster.trainer.eval.Problem;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * {@code POST /v1/evals}: what to evaluate and how; every field but one of benchmark/problems is optional, with
 * the command line's defaults. Kept in the run folder as {@code job.json} (without the key) so a run can be resumed.
 *
 * @param benchmark a built-in benchmark: aime2025, aime2024, hmmt_feb2025 or aime2026 (no file paths over HTTP)
 * @param problems  or the problems themselves, {@code [{id, problem, answer}]}
 * @param endpoint  the OpenAI-compatible API to sample from (default: aster.trainer.eval.endpoint, the gateway)
 * @param apiKey    its key (default: aster.trainer.eval.api-key); never written to disk
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvalRequest(String benchmark, List<Problem> problems, Integer k, Double temperature, Double topP,
        Integer maxToolCalls, Integer maxTokens, Integer concurrency, Integer limit, String model, String endpoint,
        String apiKey) {

    EvalRequest withoutKey() {
        return new EvalRequest(benchmark, problems, k, temperature, topP, maxToolCalls, maxTokens, concurrency, limit,
                model, endpoint, null);
    }
}

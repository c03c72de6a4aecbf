package ai.aster.trainer.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * A run's result, written as {@code report.json}. Scores are fractions in [0, 1] (the markdown shows percent).
 *
 * @param benchmark            the benchmark's name or file
 * @param model                the model id the endpoint served
 * @param k                    samples per problem
 * @param samples              samples graded (problems x k when complete)
 * @param avgAtK               mean over problems of (correct samples / k): the paper's avg@k
 * @param passAtK              mean over problems of the unbiased pass@k estimate
 * @param majAtK               share of problems whose majority-vote answer is correct
 * @param meanToolCalls        code executions per sample
 * @param meanCompletionTokens generated tokens per sample
 * @param finishReasons        samples per finish reason
 * @param settings             how the samples were drawn
 * @param problems             the per-problem table, in benchmark order
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record EvalReport(String benchmark, String model, int k, int samples, double avgAtK, double passAtK,
        double majAtK, double meanToolCalls, double meanCompletionTokens, Map<String, Integer> finishReasons,
        SamplingSettings settings, List<ProblemResult> problems) {

    /**
     * One row of the per-problem table.
     *
     * @param answer          the reference answer
     * @param correct         correct samples
     * @param samples         samples drawn
     * @param majorityAnswer  the majority vote's answer; null when no sample had one
     * @param majorityCorrect whether that answer is correct
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ProblemResult(String id, String answer, int correct, int samples, double passAtK,
            String majorityAnswer, boolean majorityCorrect, double meanToolCalls, double meanCompletionTokens,
            Map<String, Integer> finishReasons) {}
}

package ai.aster.trainer.curriculum;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Map;

/**
 * One curriculum problem, as a line of the JSONL the evaluation harness ({@code ./aster eval --benchmark FILE})
 * reads: {@code id}, {@code problem}, {@code answer} (an exact integer), plus where it comes from.
 *
 * @param family its {@link Family#wireName()}
 * @param level  1 (small numbers) to 3 (the largest the issue allows)
 * @param steps  1, or 2 when the second computation needs the first one's output
 * @param split  {@code train} or {@code heldout}, a function of {@code problem} ({@link Split#of})
 * @param params the numbers in the problem by name (a, b, e, m, k, n)
 */
@JsonPropertyOrder({"id", "problem", "answer", "family", "level", "steps", "split", "params"})
public record CurriculumProblem(String id, String problem, String answer, String family, int level, int steps,
        String split, Map<String, String> params) {}

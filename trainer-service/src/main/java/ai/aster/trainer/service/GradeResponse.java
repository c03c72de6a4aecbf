package ai.aster.trainer.service;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/** One verdict: whether the prediction matches, and what was extracted from each side (symbolic form first). */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record GradeResponse(boolean correct, List<String> goldParsed, List<String> predictionParsed) {

    /** {@code POST /v1/grade/batch}'s answer: verdicts in the order of the items. */
    public record Batch(List<GradeResponse> results) {}
}

package ai.aster.trainer.service;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * {@code POST /v1/grade/batch}: many {@link GradeRequest}s in one call; an item's own options win over the batch's
 * (extraction, float_rounding, strict, allow_set_relation_comp given beside {@code items}).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record GradeBatchRequest(
        List<GradeRequest> items,
        List<String> extraction,
        Integer floatRounding,
        Boolean strict,
        Boolean allowSetRelationComp) {}

package ai.aster.trainer.service;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * {@code POST /v1/grade}: Math-Verify's {@code verify(parse(gold), parse(prediction))} with its options; absent
 * options take Math-Verify's defaults (extraction latex + expr, float_rounding 6, strict, no set/relation mixing).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record GradeRequest(
        String gold,
        String prediction,
        List<String> extraction,
        Integer floatRounding,
        Boolean strict,
        Boolean allowSetRelationComp) {}

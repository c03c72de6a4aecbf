package ai.aster.protocol.openai;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** Answer of {@code /v1/weights}: the checkpoint now served and its version. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record WeightsResponse(String path, long policyVersion, long loadMs) {}

package ai.aster.protocol.openai;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** {@code POST /v1/weights} (admin): load the checkpoint folder at {@code path}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record WeightsRequest(String path) {}

package ai.aster.protocol.openai;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/** {@code GET /v1/models}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelList(String object, List<Model> data) {

    public static ModelList of(List<Model> models) {
        return new ModelList("list", models);
    }

    /**
     * One served model. The last fields are extensions (vLLM has {@code max_model_len} too).
     *
     * @param toolProtocol  how this model calls tools: "hermes" or "markdown"
     * @param policyVersion the weights version now loaded (1 at start, +1 per hot reload)
     * @param device        where it runs, e.g. "cpu" or "gpu(0)", or "upstream" for a forwarded engine
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Model(
            String id,
            String object,
            long created,
            String ownedBy,
            Integer maxModelLen,
            String toolProtocol,
            Long policyVersion,
            String device) {}
}

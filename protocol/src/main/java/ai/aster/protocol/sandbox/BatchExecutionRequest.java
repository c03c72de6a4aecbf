package ai.aster.protocol.sandbox;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** {@code POST /v1/executions/batch}: many executions in one round trip (RL rollouts). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BatchExecutionRequest(List<ExecutionRequest> executions) {}

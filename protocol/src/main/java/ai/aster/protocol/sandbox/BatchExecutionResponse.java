package ai.aster.protocol.sandbox;

import java.util.List;

/** Answer of {@code /v1/executions/batch}: one result per execution, in request order. */
public record BatchExecutionResponse(List<ExecutionResult> results) {}

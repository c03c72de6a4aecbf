package ai.aster.trainer.train;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code POST /v1/jobs}: {@code type} ({@code sft}, {@code grpo}), its {@code config}, and optionally an {@code id}.
 * An id that names a failed or cancelled job (or {@code resume: true} with its id) continues it from its newest
 * checkpoint; without {@code config} it keeps the one it had.
 */
public record JobRequest(String type, JsonNode config, String id, Boolean resume) {}

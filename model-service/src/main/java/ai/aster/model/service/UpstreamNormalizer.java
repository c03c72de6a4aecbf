package ai.aster.model.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * Brings what upstream servers send to one contract: SSE or JSON-lines stream lines to JSON payloads, and the
 * many spellings of a finish reason to OpenAI's {@code stop} / {@code length}.
 */
public final class UpstreamNormalizer {

    /** The end marker of an OpenAI stream. */
    public static final String DONE = "[DONE]";

    private UpstreamNormalizer() {
    }

    /**
     * The JSON payload of one stream line, {@link #DONE} for the end marker, or null for lines that carry nothing
     * (blank lines, SSE comments, {@code event:}/{@code id:}/{@code retry:} fields).
     */
    public static String payload(String line) {
        String trimmed = line.strip();
        if (trimmed.isEmpty() || trimmed.startsWith(":")) {
            return null;
        }
        if (trimmed.startsWith("data:")) {
            String data = trimmed.substring(5).strip();
            return data.isEmpty() ? null : data;
        }
        if (trimmed.startsWith("event:") || trimmed.startsWith("id:") || trimmed.startsWith("retry:")) {
            return null;
        }
        return trimmed; // JSON lines
    }

    /** OpenAI's finish reason for an upstream's spelling; null stays null, unknown words pass through. */
    public static String finishReason(String reason) {
        if (reason == null) {
            return null;
        }
        return switch (reason.toLowerCase(Locale.ROOT)) {
            case "stop", "eos", "eos_token", "stop_sequence", "stop_token", "end_turn", "stopped", "end" -> "stop";
            case "length", "max_tokens", "max_length", "max_new_tokens", "model_length", "token_limit" -> "length";
            case "", "null", "none" -> null;
            default -> reason.toLowerCase(Locale.ROOT);
        };
    }

    /** Rewrites every {@code choices[].finish_reason} in place. */
    public static void normalizeChoices(JsonNode response) {
        JsonNode choices = response.get("choices");
        if (choices == null || !choices.isArray()) {
            return;
        }
        for (JsonNode choice : choices) {
            if (choice instanceof ObjectNode c && c.has("finish_reason")) {
                JsonNode value = c.get("finish_reason");
                String normalized = finishReason(value.isNull() ? null : value.asText());
                if (normalized == null) {
                    c.putNull("finish_reason");
                } else {
                    c.put("finish_reason", normalized);
                }
            }
        }
    }
}

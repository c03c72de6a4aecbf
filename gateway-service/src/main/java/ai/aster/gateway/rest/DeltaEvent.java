package ai.aster.gateway.rest;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The SSE event of one streamed text delta ({@code reasoning_content} or {@code content}) of one choice, written
 * per token without serialising a chunk object each time: the chunk around the delta is serialised once, with a
 * marker where the delta goes, and each event is that frame with the delta quoted by Jackson's own string encoder
 * in place of the marker. The bytes are the same as {@code "data: " + json.writeValueAsString(chunk) + "\n\n"}
 * (tested); a mapper configured to escape differently (non-ASCII escaping, custom escapes) gets the full
 * serialisation instead.
 */
final class DeltaEvent {

    /** Stands for the delta in the template chunk; a value no model text is compared against. */
    static final String MARK = "\u0001aster-delta\u0001";
    /** Characters whose escaping differs between mapper configurations. */
    private static final String PROBE = "a/\u00e9\u2028\u0007\t\"\\\ud83d\ude00<>&'";

    private final ObjectMapper json;
    private final Object template;
    private final String prefix; // "data: {...\"content\":" ; null when the frame cannot be reused
    private final String suffix; // "},...}\n\n"

    /** Whether {@code json} escapes strings as the plain encoder does (no non-ASCII or slash escaping configured). */
    static boolean plainEscaping(ObjectMapper json) {
        try {
            return json.writeValueAsString(PROBE).equals(quoted(PROBE));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return false;
        }
    }

    /** @param plainEscaping {@link #plainEscaping(ObjectMapper)} of {@code json} */
    DeltaEvent(ObjectMapper json, Object template, boolean plainEscaping) {
        this.json = json;
        this.template = template;
        String whole = "data: " + write(template) + "\n\n";
        String quotedMark = quoted(MARK);
        int at = whole.lastIndexOf(quotedMark);
        if (at >= 0 && plainEscaping) {
            prefix = whole.substring(0, at + 1);
            suffix = whole.substring(at + quotedMark.length() - 1);
        } else {
            prefix = null;
            suffix = null;
        }
    }

    /** The complete event ({@code data: ...\n\n}) carrying {@code delta}. */
    String event(String delta) {
        if (prefix == null) {
            return "data: " + write(template).replace(write(MARK), write(delta)) + "\n\n";
        }
        char[] quoted = JsonStringEncoder.getInstance().quoteAsString(delta);
        return new StringBuilder(prefix.length() + quoted.length + suffix.length()).append(prefix).append(quoted)
                .append(suffix).toString();
    }

    private static String quoted(String text) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + "\"";
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a chunk", e);
        }
    }
}

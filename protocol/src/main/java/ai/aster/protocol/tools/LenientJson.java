package ai.aster.protocol.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Reads the JSON a model writes inside a tool call. Strict JSON first (with raw newlines and tabs inside strings,
 * which models often emit); if that fails, invalid escapes are repaired by keeping their backslash ({@code \d}
 * becomes {@code \\d}, so the code still says {@code \d}) and the text is read again. A backslash is never dropped:
 * dropping it would silently run different code ({@code re.compile("\d+")} would match the letter d).
 */
final class LenientJson {

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS)
            .build();

    private LenientJson() {}

    static JsonNode read(String text) throws JsonProcessingException {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException strict) {
            String repaired = keepInvalidEscapes(text);
            if (repaired.equals(text)) {
                throw strict;
            }
            try {
                return JSON.readTree(repaired);
            } catch (JsonProcessingException again) {
                throw strict;
            }
        }
    }

    static com.fasterxml.jackson.databind.node.ObjectNode object() {
        return JSON.createObjectNode();
    }

    /** Doubles every backslash that does not start a valid JSON escape, so it reads back as itself. */
    static String keepInvalidEscapes(String text) {
        StringBuilder out = null;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c != '\\') {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            int valid = validEscapeLength(text, i);
            if (valid > 0) {
                if (out != null) {
                    out.append(text, i, i + valid);
                }
                i += valid - 1;
            } else {
                if (out == null) {
                    out = new StringBuilder(n + 16).append(text, 0, i);
                }
                out.append("\\\\");
            }
        }
        return out == null ? text : out.toString();
    }

    /** Length of the valid escape sequence starting at {@code at} (a backslash), or 0 when it is invalid. */
    private static int validEscapeLength(String text, int at) {
        if (at + 1 >= text.length()) {
            return 0;
        }
        return switch (text.charAt(at + 1)) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> 2;
            case 'u' -> at + 6 <= text.length() && isHex(text, at + 2, at + 6) ? 6 : 0;
            default -> 0;
        };
    }

    private static boolean isHex(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            if (Character.digit(text.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }
}

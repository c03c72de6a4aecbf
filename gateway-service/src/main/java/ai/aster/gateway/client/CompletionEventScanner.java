package ai.aster.gateway.client;

import ai.aster.protocol.openai.CompletionChoice;
import ai.aster.protocol.openai.CompletionLogprobs;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one event of the model service's completion stream ({@code data:} payload, UTF-8 JSON) into the few fields
 * the agent loop uses: per choice {@code text}, {@code token_ids}, {@code logprobs.token_logprobs},
 * {@code finish_reason}, {@code stop_reason}; and {@code policy_version} and {@code error} of the event. Every other
 * member (id, model, created, tokens, top log-probs, text offsets, usage...) is skipped without being decoded.
 * <p>Why not Jackson: this runs once per generated token on the upstream's event loop, where its CPU is taken from
 * the model service on the same machine. Jackson's data binding creates a parser, a context per nesting level, a
 * decoded {@code String} for every name and value and a boxed number per array element, then resolves the record's
 * creator; this scanner walks the bytes once, compares member names as bytes, decodes only the values kept (a
 * string without escapes is one {@code new String}), and never decodes the parts it skips. It accepts the same JSON
 * for these fields as the data binding did (any member order, whitespace, escapes, unknown members, nulls, special
 * doubles written as strings), so the loop sees the same values.
 */
final class CompletionEventScanner {

    /** What one event holds for the loop. {@code errorMessage} is non-null when the event is an error. */
    record Event(List<CompletionChoice> choices, Long policyVersion, String errorMessage) {}

    /** The event is not JSON of the expected shape. */
    static final class MalformedEventException extends Exception {
        MalformedEventException(String message) {
            super(message, null, false, false);
        }
    }

    private static final byte[] CHOICES = ascii("choices");
    private static final byte[] POLICY_VERSION = ascii("policy_version");
    private static final byte[] ERROR = ascii("error");
    private static final byte[] MESSAGE = ascii("message");
    private static final byte[] INDEX = ascii("index");
    private static final byte[] TEXT = ascii("text");
    private static final byte[] LOGPROBS = ascii("logprobs");
    private static final byte[] TOKEN_LOGPROBS = ascii("token_logprobs");
    private static final byte[] FINISH_REASON = ascii("finish_reason");
    private static final byte[] STOP_REASON = ascii("stop_reason");
    private static final byte[] TOKEN_IDS = ascii("token_ids");

    private final byte[] b;
    private final int end;
    private int i;
    // the last member name read: raw bytes [keyStart, keyEnd) when it had no escape, else keyText
    private int keyStart;
    private int keyEnd;
    private String keyText;

    private CompletionEventScanner(byte[] bytes, int from, int to) {
        this.b = bytes;
        this.i = from;
        this.end = to;
    }

    static Event scan(byte[] bytes) throws MalformedEventException {
        return new CompletionEventScanner(bytes, 0, bytes.length).event();
    }

    private Event event() throws MalformedEventException {
        List<CompletionChoice> choices = null;
        Long policyVersion = null;
        String error = null;
        expect('{');
        if (!emptyContainer('}')) {
            do {
                readKey();
                if (key(CHOICES)) {
                    choices = choices();
                } else if (key(POLICY_VERSION)) {
                    policyVersion = nullableLong();
                } else if (key(ERROR)) {
                    error = error();
                } else {
                    skipValue();
                }
            } while (nextMember('}'));
        }
        return new Event(choices, policyVersion, error);
    }

    private List<CompletionChoice> choices() throws MalformedEventException {
        if (literalNull()) {
            return null;
        }
        expect('[');
        List<CompletionChoice> list = new ArrayList<>(1);
        if (!emptyContainer(']')) {
            do {
                list.add(choice());
            } while (nextMember(']'));
        }
        return list;
    }

    private CompletionChoice choice() throws MalformedEventException {
        int index = 0;
        String text = null;
        CompletionLogprobs logprobs = null;
        String finishReason = null;
        Object stopReason = null;
        List<Integer> tokenIds = null;
        expect('{');
        if (!emptyContainer('}')) {
            do {
                readKey();
                if (key(TEXT)) {
                    text = nullableString();
                } else if (key(TOKEN_IDS)) {
                    tokenIds = ints();
                } else if (key(LOGPROBS)) {
                    logprobs = logprobs();
                } else if (key(FINISH_REASON)) {
                    finishReason = nullableString();
                } else if (key(STOP_REASON)) {
                    stopReason = scalar();
                } else if (key(INDEX)) {
                    Long n = nullableLong();
                    index = n == null ? 0 : n.intValue();
                } else {
                    skipValue();
                }
            } while (nextMember('}'));
        }
        return new CompletionChoice(index, text, logprobs, finishReason, stopReason, tokenIds);
    }

    /** Only {@code token_logprobs} is kept; a null stays null (an unknown log-prob, not 0). */
    private CompletionLogprobs logprobs() throws MalformedEventException {
        if (literalNull()) {
            return null;
        }
        List<Double> tokenLogprobs = null;
        expect('{');
        if (!emptyContainer('}')) {
            do {
                readKey();
                if (key(TOKEN_LOGPROBS)) {
                    tokenLogprobs = doubles();
                } else {
                    skipValue();
                }
            } while (nextMember('}'));
        }
        return new CompletionLogprobs(null, tokenLogprobs, null, null);
    }

    /** The error's {@code message} as text ("" when it has none), or null for {@code "error": null}. */
    private String error() throws MalformedEventException {
        if (literalNull()) {
            return null;
        }
        skipWhitespace();
        if (peek() != '{') {
            skipValue();
            return "";
        }
        String message = "";
        expect('{');
        if (!emptyContainer('}')) {
            do {
                readKey();
                if (key(MESSAGE)) {
                    Object value = scalar();
                    message = value == null ? "" : value.toString();
                } else {
                    skipValue();
                }
            } while (nextMember('}'));
        }
        return message;
    }

    private List<Integer> ints() throws MalformedEventException {
        if (literalNull()) {
            return null;
        }
        expect('[');
        List<Integer> list = new ArrayList<>(4);
        if (!emptyContainer(']')) {
            do {
                skipWhitespace();
                if (literalNull()) {
                    list.add(null);
                } else {
                    list.add(Math.toIntExact(longValue()));
                }
            } while (nextMember(']'));
        }
        return list;
    }

    private List<Double> doubles() throws MalformedEventException {
        if (literalNull()) {
            return null;
        }
        expect('[');
        List<Double> list = new ArrayList<>(4);
        if (!emptyContainer(']')) {
            do {
                skipWhitespace();
                if (literalNull()) {
                    list.add(null);
                } else if (peek() == '"') {
                    list.add(specialDouble(string()));
                } else {
                    list.add(Double.parseDouble(numberText()));
                }
            } while (nextMember(']'));
        }
        return list;
    }

    /** Non-finite doubles arrive as strings (Jackson's default when writing them). */
    private static Double specialDouble(String s) throws MalformedEventException {
        return switch (s) {
            case "NaN" -> Double.NaN;
            case "Infinity", "+Infinity", "INF" -> Double.POSITIVE_INFINITY;
            case "-Infinity", "-INF" -> Double.NEGATIVE_INFINITY;
            default -> {
                try {
                    yield Double.valueOf(s.trim());
                } catch (NumberFormatException e) {
                    throw new MalformedEventException("not a number: " + s);
                }
            }
        };
    }

    /** A string, an integer (as Integer when it fits, else Long), a decimal, a boolean or null; else skipped. */
    private Object scalar() throws MalformedEventException {
        skipWhitespace();
        byte c = peek();
        if (c == '"') {
            return string();
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            String n = numberText();
            if (n.indexOf('.') < 0 && n.indexOf('e') < 0 && n.indexOf('E') < 0) {
                long v = Long.parseLong(n);
                return v == (int) v ? (Object) (int) v : (Object) v;
            }
            return Double.valueOf(n);
        }
        if (literalNull()) {
            return null;
        }
        if (c == 't' || c == 'f') {
            return literal(c == 't' ? "true" : "false") && c == 't';
        }
        skipValue(); // objects and arrays are not used as scalars by the loop
        return null;
    }

    private Long nullableLong() throws MalformedEventException {
        return literalNull() ? null : longValue();
    }

    private String nullableString() throws MalformedEventException {
        return literalNull() ? null : string();
    }

    private long longValue() throws MalformedEventException {
        skipWhitespace();
        int start = i;
        boolean negative = i < end && b[i] == '-';
        if (negative) {
            i++;
        }
        long v = 0;
        int digits = 0;
        while (i < end && b[i] >= '0' && b[i] <= '9') {
            v = v * 10 + (b[i++] - '0');
            digits++;
        }
        if (digits == 0 || digits > 18) {
            throw new MalformedEventException("expected an integer at offset " + start);
        }
        if (i < end && (b[i] == '.' || b[i] == 'e' || b[i] == 'E')) {
            i = start;
            return (long) Double.parseDouble(numberText()); // "3.0" for an integer field, as data binding accepts
        }
        return negative ? -v : v;
    }

    private String numberText() throws MalformedEventException {
        skipWhitespace();
        int start = i;
        while (i < end) {
            byte c = b[i];
            if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
                i++;
            } else {
                break;
            }
        }
        if (i == start) {
            throw new MalformedEventException("expected a number at offset " + start);
        }
        return new String(b, start, i - start, StandardCharsets.ISO_8859_1);
    }

    /** A JSON string at the position; one {@code new String} when it has no escape. */
    private String string() throws MalformedEventException {
        expect('"');
        int start = i;
        while (i < end) {
            byte c = b[i];
            if (c == '"') {
                i++;
                return new String(b, start, i - 1 - start, StandardCharsets.UTF_8);
            }
            if (c == '\\') {
                return escapedString(start);
            }
            i++;
        }
        throw new MalformedEventException("unterminated string");
    }

    private String escapedString(int start) throws MalformedEventException {
        StringBuilder out = new StringBuilder(i - start + 16);
        int run = start; // start of the current run of unescaped bytes
        while (i < end) {
            byte c = b[i];
            if (c == '"') {
                out.append(new String(b, run, i - run, StandardCharsets.UTF_8));
                i++;
                return out.toString();
            }
            if (c != '\\') {
                i++;
                continue;
            }
            out.append(new String(b, run, i - run, StandardCharsets.UTF_8));
            if (i + 1 >= end) {
                break;
            }
            byte e = b[i + 1];
            i += 2;
            switch (e) {
                case '"' -> out.append('"');
                case '\\' -> out.append('\\');
                case '/' -> out.append('/');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (i + 4 > end) {
                        throw new MalformedEventException("truncated \\u escape");
                    }
                    int v = 0;
                    for (int k = 0; k < 4; k++) {
                        int d = Character.digit(b[i + k], 16);
                        if (d < 0) {
                            throw new MalformedEventException("invalid \\u escape at offset " + i);
                        }
                        v = v * 16 + d;
                    }
                    i += 4;
                    out.append((char) v);
                }
                default -> throw new MalformedEventException("invalid escape \\" + (char) e + " at offset " + i);
            }
            run = i;
        }
        throw new MalformedEventException("unterminated string");
    }

    /** Reads {@code "name":}, remembering the name for {@link #key}. */
    private void readKey() throws MalformedEventException {
        skipWhitespace();
        expect('"');
        int start = i;
        while (i < end && b[i] != '"' && b[i] != '\\') {
            i++;
        }
        if (i < end && b[i] == '\\') {
            i = start - 1;
            keyText = string();
            keyStart = keyEnd = -1;
        } else {
            if (i >= end) {
                throw new MalformedEventException("unterminated name");
            }
            keyStart = start;
            keyEnd = i;
            keyText = null;
            i++;
        }
        expect(':');
    }

    private boolean key(byte[] name) {
        if (keyText != null) {
            return keyText.equals(new String(name, StandardCharsets.US_ASCII));
        }
        return java.util.Arrays.equals(b, keyStart, keyEnd, name, 0, name.length);
    }

    /** Skips one value of any type without decoding it. */
    private void skipValue() throws MalformedEventException {
        skipWhitespace();
        byte c = peek();
        switch (c) {
            case '"' -> {
                i++;
                while (i < end && b[i] != '"') {
                    i += b[i] == '\\' ? 2 : 1;
                }
                if (i >= end) {
                    throw new MalformedEventException("unterminated string");
                }
                i++;
            }
            case '{', '[' -> {
                char close = c == '{' ? '}' : ']';
                i++;
                if (emptyContainer(close)) {
                    return;
                }
                do {
                    if (c == '{') {
                        readKey();
                    }
                    skipValue();
                } while (nextMember(close));
            }
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> numberText();
        }
    }

    /** After '{' or '[': true (and consumed) when the container closes at once. */
    private boolean emptyContainer(char close) throws MalformedEventException {
        skipWhitespace();
        if (peek() == close) {
            i++;
            return true;
        }
        return false;
    }

    /** After a member: true at ',' (another follows), false at the closing bracket. */
    private boolean nextMember(char close) throws MalformedEventException {
        skipWhitespace();
        byte c = peek();
        i++;
        if (c == ',') {
            return true;
        }
        if (c == close) {
            return false;
        }
        throw new MalformedEventException("expected ',' or '" + close + "' at offset " + (i - 1));
    }

    private boolean literalNull() throws MalformedEventException {
        skipWhitespace();
        if (peek() == 'n') {
            literal("null");
            return true;
        }
        return false;
    }

    private boolean literal(String word) throws MalformedEventException {
        for (int k = 0; k < word.length(); k++) {
            if (i + k >= end || b[i + k] != word.charAt(k)) {
                throw new MalformedEventException("expected " + word + " at offset " + i);
            }
        }
        i += word.length();
        return true;
    }

    private void expect(char c) throws MalformedEventException {
        skipWhitespace();
        if (peek() != c) {
            throw new MalformedEventException("expected '" + c + "' at offset " + i);
        }
        i++;
    }

    private byte peek() throws MalformedEventException {
        if (i >= end) {
            throw new MalformedEventException("unexpected end of the event");
        }
        return b[i];
    }

    private void skipWhitespace() {
        while (i < end) {
            byte c = b[i];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return;
            }
            i++;
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}

package ai.aster.sandbox.service;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One output stream of a call, kept up to a byte cap. The runner caps too; this side holds even if the code in the
 * container forges frames.
 */
final class CappedOutput {

    private final int limit;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private boolean truncated;

    CappedOutput(int limit) {
        this.limit = limit;
    }

    void append(byte[] chunk) {
        int room = limit - bytes.size();
        if (chunk.length > room) {
            truncated = true;
        }
        bytes.write(chunk, 0, Math.max(0, Math.min(room, chunk.length)));
    }

    /** Appends a line of the service's own (a note about how the call ended), beyond the cap if need be. */
    void note(String line) {
        byte[] text = (bytes.size() > 0 && !endsWithNewline() ? "\n" + line + "\n" : line + "\n")
                .getBytes(StandardCharsets.UTF_8);
        bytes.write(text, 0, text.length);
    }

    void markTruncated() {
        truncated = true;
    }

    boolean truncated() {
        return truncated;
    }

    /** The text; a character cut by the cap becomes U+FFFD rather than an exception. */
    String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private boolean endsWithNewline() {
        byte[] all = bytes.toByteArray();
        return all[all.length - 1] == '\n';
    }
}

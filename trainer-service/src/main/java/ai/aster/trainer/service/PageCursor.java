package ai.aster.trainer.service;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Optional;

/** The keyset position of a page: the last row's (created_at, id), as an opaque URL-safe string. */
public record PageCursor(Instant createdAt, String id) {

    public String encode() {
        String raw = createdAt.toString() + "\n" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor in {@code text}, or empty when it is not one this service issued. */
    public static Optional<PageCursor> decode(String text) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
            int newline = raw.indexOf('\n');
            if (newline <= 0 || newline == raw.length() - 1) {
                return Optional.empty();
            }
            return Optional.of(new PageCursor(Instant.parse(raw.substring(0, newline)), raw.substring(newline + 1)));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            return Optional.empty();
        }
    }
}

package ai.aster.protocol.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * The shared secret the internal services (sandbox, model, trainer) require from their callers
 * ({@code ASTER_INTERNAL_TOKEN}, sent as {@code Authorization: Bearer <token>}).
 *
 * <p>Comparison is constant-time over SHA-256 digests of both sides, so neither the content nor the length of the
 * expected token leaks through response timing. Each service wraps this in its own request filter.
 */
public final class InternalToken {
    /** The environment variable (and, lower-cased with dots, the config key {@code aster.internal-token}). */
    public static final String ENV = "ASTER_INTERNAL_TOKEN";
    private static final String BEARER = "Bearer ";

    private final byte[] expectedDigest;

    public InternalToken(String expected) {
        if (expected == null || expected.isBlank()) {
            throw new IllegalArgumentException("the internal token is empty: set " + ENV);
        }
        this.expectedDigest = sha256(expected.strip());
    }

    /** The {@code Authorization} header value a caller sends. */
    public static String bearer(String token) {
        return BEARER + token;
    }

    /** The token inside an {@code Authorization: Bearer ...} header, if the header has that form. */
    public static Optional<String> fromAuthorization(String header) {
        if (header == null || header.length() <= BEARER.length()
                || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.empty();
        }
        return Optional.of(header.substring(BEARER.length()).strip());
    }

    /** True when the presented token equals the expected one; constant-time in the presented token's content. */
    public boolean matches(String presented) {
        if (presented == null) {
            return false;
        }
        return MessageDigest.isEqual(expectedDigest, sha256(presented.strip()));
    }

    /** True when an {@code Authorization} header carries the expected bearer token. */
    public boolean matchesAuthorization(String header) {
        return fromAuthorization(header).map(this::matches).orElse(false);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}

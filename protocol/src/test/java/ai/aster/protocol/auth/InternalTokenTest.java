package ai.aster.protocol.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class InternalTokenTest {
    private final InternalToken token = new InternalToken("s3cret-token");

    @Test
    void acceptsOnlyTheExactBearerToken() {
        assertTrue(token.matchesAuthorization("Bearer s3cret-token"));
        assertTrue(token.matchesAuthorization("bearer s3cret-token"));
        assertFalse(token.matchesAuthorization("Bearer s3cret-toke"));
        assertFalse(token.matchesAuthorization("Bearer s3cret-token2"));
        assertFalse(token.matchesAuthorization("Basic s3cret-token"));
        assertFalse(token.matchesAuthorization("Bearer "));
        assertFalse(token.matchesAuthorization(null));
        assertFalse(token.matches(null));
        assertTrue(token.matches("s3cret-token"));
    }

    @Test
    void headerParsing() {
        assertEquals(Optional.of("abc"), InternalToken.fromAuthorization(InternalToken.bearer("abc")));
        assertEquals(Optional.empty(), InternalToken.fromAuthorization("abc"));
    }

    @Test
    void anEmptyExpectedTokenIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new InternalToken(" "));
        assertThrows(IllegalArgumentException.class, () -> new InternalToken(null));
    }
}

package ai.aster.gateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.aster.gateway.config.GatewayConfig;
import java.lang.reflect.Proxy;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Without an internal token the gateway refuses to start, with one line naming ASTER_INTERNAL_TOKEN. */
class InternalAuthTest {

    @Test
    void noTokenRefusesToStartNamingTheVariable() {
        for (Optional<String> token : java.util.List.of(Optional.<String>empty(), Optional.of("  "))) {
            InternalAuth auth = new InternalAuth(config(token));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> auth.requireAtStart(null));
            assertTrue(e.getMessage().contains("ASTER_INTERNAL_TOKEN"), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), "one line");
            assertThrows(IllegalStateException.class, auth::header);
        }
    }

    @Test
    void aTokenIsSentAsBearer() {
        InternalAuth auth = new InternalAuth(config(Optional.of(" s3cret ")));
        auth.requireAtStart(null);
        assertEquals("Bearer s3cret", auth.header());
    }

    private static GatewayConfig config(Optional<String> token) {
        return (GatewayConfig) Proxy.newProxyInstance(GatewayConfig.class.getClassLoader(),
                new Class<?>[] {GatewayConfig.class}, (proxy, method, args) -> {
                    if (method.getName().equals("internalToken")) {
                        return token;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}

package ai.aster.gateway.rest;

import ai.aster.gateway.config.GatewayConfig;
import ai.aster.gateway.service.GatewayMetrics;
import io.quarkus.runtime.Startup;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * {@code Authorization: Bearer <key>} on every {@code /v1} route, against {@code aster.gateway.api-keys} and
 * {@code ASTER_API_KEY}. With no key configured the API is open (like vLLM without {@code --api-key}); this is
 * logged loudly at start. The launcher always sets a key.
 */
@ApplicationScoped
@Startup
public class ApiKeyFilter {

    private static final Logger LOG = Logger.getLogger(ApiKeyFilter.class);

    private final List<byte[]> keys = new ArrayList<>();
    private final GatewayMetrics metrics;

    public ApiKeyFilter(GatewayConfig config, GatewayMetrics metrics) {
        this.metrics = metrics;
        config.apiKeys().ifPresent(list -> list.stream().filter(k -> !k.isBlank())
                .forEach(k -> keys.add(k.strip().getBytes(StandardCharsets.UTF_8))));
        config.apiKey().filter(k -> !k.isBlank()).ifPresent(k -> keys.add(k.strip().getBytes(StandardCharsets.UTF_8)));
        if (keys.isEmpty()) {
            LOG.warn("no API key configured (aster.gateway.api-keys / ASTER_API_KEY): the API is open to anyone");
        }
    }

    void handle(RoutingContext rc) {
        if (keys.isEmpty() || valid(rc.request().getHeader("Authorization"))) {
            rc.next();
            return;
        }
        metrics.request(401);
        ErrorResponses.send(rc, 401, ai.aster.protocol.openai.ApiError.of("invalid_request_error",
                "Missing or incorrect API key: send Authorization: Bearer <key>", null, "invalid_api_key"), null);
    }

    private boolean valid(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        for (byte[] key : keys) {
            match |= MessageDigest.isEqual(key, given); // constant time, and every key is tried
        }
        return match;
    }
}

package ai.aster.model.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.aster.model.InternalAuth;
import ai.aster.model.ModelFolderResource;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Collections;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint but health and metrics needs the internal token: 401 without it, 403 with a wrong one, in OpenAI's
 * error shape; the service listens on loopback only and refuses to start without a token.
 */
@QuarkusTest
@QuarkusTestResource(value = ModelFolderResource.class, restrictToAnnotatedClass = true)
class InternalAuthApiTest {

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> call(String method, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + path))
                .header("Content-Type", "application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        String body = path.equals("/v1/weights") ? "{\"path\": \"base\"}"
                : "{\"prompt\": \"hi\", \"max_tokens\": 1}";
        request.method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyApiEndpointNeedsTheToken() throws Exception {
        String[][] endpoints = {{"GET", "/v1/models"}, {"POST", "/v1/completions"}, {"POST", "/v1/chat/completions"},
            {"POST", "/v1/tokenize"}, {"POST", "/v1/detokenize"}, {"POST", "/v1/weights"}, {"GET", "/nowhere"}};
        for (String[] e : endpoints) {
            HttpResponse<String> missing = call(e[0], e[1], null);
            assertEquals(401, missing.statusCode(), e[1] + " without a token");
            JsonPath error = JsonPath.from(missing.body());
            assertEquals("authentication_error", error.getString("error.type"), e[1]);
            assertTrue(error.getString("error.message").contains("ASTER_INTERNAL_TOKEN"), missing.body());

            HttpResponse<String> wrong = call(e[0], e[1], "Bearer not-" + InternalAuth.TOKEN);
            assertEquals(403, wrong.statusCode(), e[1] + " with a wrong token");
            assertEquals("permission_error", JsonPath.from(wrong.body()).getString("error.type"), e[1]);
            assertEquals(403, call(e[0], e[1], "Bearer " + InternalAuth.TOKEN + "x").statusCode(), "a longer token");
            assertEquals(401, call(e[0], e[1], "Basic " + InternalAuth.TOKEN).statusCode(), "not a bearer token");
        }
        HttpResponse<String> ok = call("GET", "/v1/models", InternalAuth.HEADER);
        assertEquals(200, ok.statusCode());
        assertEquals(200, call("POST", "/v1/completions", InternalAuth.HEADER).statusCode());
    }

    @Test
    void healthAndMetricsStayOpen() throws Exception {
        assertEquals(200, call("GET", "/q/health/ready", null).statusCode());
        assertEquals(200, call("GET", "/q/health/live", null).statusCode());
        assertEquals(200, call("GET", "/q/metrics", null).statusCode());
    }

    @Test
    void itListensOnLoopbackOnly() throws Exception {
        Optional<InetAddress> external = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .filter(i -> {
                    try {
                        return i.isUp() && !i.isLoopback();
                    } catch (IOException e) {
                        return false;
                    }
                })
                .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
                .findFirst();
        Assumptions.assumeTrue(external.isPresent(), "this machine has no non-loopback IPv4 address to try");
        try (Socket loopback = new Socket()) {
            loopback.connect(new InetSocketAddress("127.0.0.1", RestAssured.port), 5000);
        }
        try (Socket socket = new Socket()) {
            assertThrows(ConnectException.class,
                    () -> socket.connect(new InetSocketAddress(external.get(), RestAssured.port), 5000),
                    "reachable on " + external.get());
        }
    }

    @Test
    void withoutATokenTheServiceRefusesToStart() {
        for (String configured : new String[] {null, "", "  "}) {
            ConfigurationException e = assertThrows(ConfigurationException.class,
                    () -> InternalTokenHolder.of(configured));
            assertTrue(e.getMessage().contains("ASTER_INTERNAL_TOKEN") && !e.getMessage().contains("\n"),
                    e.getMessage());
        }
    }
}

package ai.aster.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every endpoint but health and metrics needs the internal token; the service listens on loopback only. */
@QuarkusTest
class InternalTokenTest {

    @Test
    void withoutATokenIs401InTheOpenAiShape() {
        for (String path : List.of("/v1/executions", "/v1/executions/batch")) {
            RestAssured.given().contentType(ContentType.JSON).body("{\"code\": \"print(1)\"}").post(path)
                    .then().statusCode(401)
                    .header("WWW-Authenticate", "Bearer")
                    .body("error.type", equalTo("authentication_error"))
                    .body("error.code", equalTo("missing_token"))
                    .body("error.param", nullValue());
        }
        RestAssured.given().delete("/v1/sessions/x").then().statusCode(401);
        RestAssured.given().get("/no/such/path").then().statusCode(401);
        RestAssured.given().header("Authorization", "Basic " + SandboxApi.TOKEN).post("/v1/executions")
                .then().statusCode(401);
        // SandboxFusion's ?token= is not accepted on the ASTER API
        RestAssured.given().contentType(ContentType.JSON).body("{\"code\": \"print(1)\"}")
                .post("/v1/executions?token=" + SandboxApi.TOKEN).then().statusCode(401);
    }

    @Test
    void aWrongTokenIs403() {
        RestAssured.given().header("Authorization", "Bearer not-the-token").contentType(ContentType.JSON)
                .body("{\"code\": \"print(1)\"}").post("/v1/executions")
                .then().statusCode(403)
                .body("error.type", equalTo("permission_error"))
                .body("error.code", equalTo("invalid_token"));
    }

    @Test
    void theRightTokenRuns() {
        assertThat(SandboxApi.run("print(6 * 7)").getString("stdout")).isEqualTo("42\n");
    }

    @Test
    void healthAndMetricsStayOpen() {
        for (String path : List.of("/q/health", "/q/health/ready", "/q/health/live", "/q/metrics")) {
            assertThat(RestAssured.given().get(path).statusCode()).as(path).isIn(200, 503);
        }
        RestAssured.given().get("/q/metrics").then().statusCode(200);
    }

    @Test
    void listensOnLoopbackOnly() throws IOException {
        InetAddress outside = null;
        for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
            for (InetAddress address : nic.inetAddresses().toList()) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                    outside = address;
                }
            }
        }
        assertThat(outside).as("this test needs a non-loopback IPv4 address").isNotNull();
        try (Socket socket = new Socket()) {
            InetSocketAddress target = new InetSocketAddress(outside, RestAssured.port);
            assertThatThrownBy(() -> socket.connect(target, 5000)).isInstanceOf(ConnectException.class);
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), RestAssured.port), 5000);
        }
    }

    @Test
    void productionDefaultIsLoopbackAndNoToken() throws IOException {
        SmallRyeConfig prod = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(
                        InternalTokenTest.class.getResource("/application.properties"), 250))
                .withProfile("prod")
                .build();
        assertThat(prod.getValue("quarkus.http.host", String.class)).isEqualTo("127.0.0.1");
        assertThat(prod.getOptionalValue("aster.internal-token", String.class)).isEmpty();
    }

    @Test
    void withoutAConfiguredTokenTheServiceRefusesToStart() {
        // The filter is created at start (@Startup); Quarkus prints a ConfigurationException's message alone.
        assertThatThrownBy(() -> new ai.aster.sandbox.rest.InternalTokenFilter(Optional.empty(), null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("ASTER_INTERNAL_TOKEN")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> new ai.aster.sandbox.rest.InternalTokenFilter(Optional.of("  "), null))
                .isInstanceOf(ConfigurationException.class);
    }
}

package ai.aster.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * No collector binary is installable here (not a Debian package, no download), so this checks the structure the
 * collector itself checks at start: every component a pipeline names is defined, and the traces and metrics
 * pipelines receive OTLP on the ports the services export to.
 */
class OtelCollectorConfigTest {

    @Test
    void pipelinesReferenceDefinedComponentsAndReceiveOtlp() {
        JsonNode config = ObservabilityFiles.read(ObservabilityFiles.YAML,
                ObservabilityFiles.root().resolve("otel/collector.yaml"));
        JsonNode pipelines = config.path("service").path("pipelines");
        for (String signal : List.of("traces", "metrics")) {
            JsonNode pipeline = pipelines.path(signal);
            assertTrue(pipeline.isObject(), "no " + signal + " pipeline");
            for (String kind : List.of("receivers", "processors", "exporters")) {
                for (JsonNode name : pipeline.path(kind)) {
                    assertTrue(config.path(kind).has(name.asText()), signal + " uses undefined " + kind + " " + name);
                }
            }
            assertTrue(pipeline.path("receivers").toString().contains("\"otlp\""), signal);
        }
        for (JsonNode name : config.path("service").path("extensions")) {
            assertTrue(config.path("extensions").has(name.asText()), "undefined extension " + name);
        }
        JsonNode otlp = config.path("receivers").path("otlp").path("protocols");
        assertEquals("0.0.0.0:4317", otlp.path("grpc").path("endpoint").asText());
        assertEquals("0.0.0.0:4318", otlp.path("http").path("endpoint").asText());
    }
}

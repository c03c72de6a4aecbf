package ai.aster.gateway.support;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** The OpenTelemetry SDK on, exporting to {@link SpanCapture} only, without batching delay. */
public class TracingProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "quarkus.otel.sdk.disabled", "false",
                "quarkus.otel.exporter.otlp.enabled", "false",
                "quarkus.otel.bsp.schedule.delay", "0.05s",
                "quarkus.otel.traces.sampler", "always_on");
    }
}

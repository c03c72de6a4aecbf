package ai.aster.helm;

import static ai.aster.helm.RenderedChart.container;
import static ai.aster.helm.RenderedChart.env;
import static ai.aster.helm.RenderedChart.hasEnv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** helm/aster through Helm itself (helm-java: Helm 3 as a library): lint --strict, and template with assertions. */
class ChartTest {

    private static final Path CHART = locateChart();
    private static final String RELEASE = "aster";
    private static final List<String> SERVICES = List.of("gateway", "model", "sandbox", "trainer");

    private static Path locateChart() {
        Path dir = Path.of("").toAbsolutePath();
        Path chart = dir.resolve("aster");
        return Files.isDirectory(chart) ? chart : dir.resolve("helm/aster");
    }

    private static RenderedChart render(UnaryOperator<TemplateCommand> options) {
        TemplateCommand command = new Helm(CHART).template().withName(RELEASE).withNamespace("aster")
                .withKubeVersion("1.30.0");
        String text = options.apply(command).call();
        assertFalse(text.contains("<no value>"), "a template read an undefined value:\n" + text);
        return new RenderedChart(text);
    }

    private static RenderedChart defaults() {
        return render(c -> c);
    }

    private static RenderedChart gpuExternal() {
        return render(c -> c.withValuesFile(CHART.resolve("ci/gpu-external-values.yaml")));
    }

    private static String name(String component) {
        return RELEASE + "-" + component;
    }

    @Test
    void lintsStrictly() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertFalse(result.isFailed(), String.join("\n", result.getMessages()));
    }

    @Test
    void defaultValuesRenderEveryPart() {
        RenderedChart chart = defaults();
        for (String service : SERVICES) {
            chart.get("Deployment", name(service));
            chart.get("Service", name(service));
            chart.get("PodDisruptionBudget", name(service));
            chart.get("NetworkPolicy", name(service));
        }
        chart.get("StatefulSet", name("kafka"));
        chart.get("StatefulSet", name("postgresql"));
        chart.get("HorizontalPodAutoscaler", name("gateway"));
        chart.get("PersistentVolumeClaim", name("model") + "-weights");
        chart.get("PersistentVolumeClaim", name("checkpoints"));
        assertEquals(4, chart.ofKind("ConfigMap").stream()
                .filter(m -> "1".equals(m.path("metadata").path("labels").path("grafana_dashboard").asText())).count());
        assertTrue(chart.ofKind("ServiceMonitor").isEmpty(), "no ServiceMonitor without the operator's CRDs");
    }

    /**
     * With every value given the Secret is a release resource holding them; with any value to generate it is a
     * pre-install hook (created once, so upgrades keep generated keys), which `helm template` does not print:
     * lint --strict renders it.
     */
    @Test
    void theSecretHoldsTheGivenValuesAndGeneratedOnesAreAnInstallHook() {
        JsonNode given = gpuExternal().get("Secret", name("secrets"));
        assertTrue(given.path("metadata").path("annotations").path("helm.sh/hook").isMissingNode());
        assertEquals("sk-one,sk-two", decode(given, "api-keys"));
        assertEquals("test-internal-token", decode(given, "internal-token"));
        assertEquals("external-db-password", decode(given, "postgres-password"));
        assertTrue(defaults().find("Secret", name("secrets")).isEmpty(), "generated: a hook, not a release resource");
        RenderedChart own = render(c -> c.set("secrets.existingSecret", "mine"));
        assertTrue(own.ofKind("Secret").isEmpty());
        assertEquals("mine", env(container(own.get("Deployment", name("gateway")), "gateway"), "ASTER_INTERNAL_TOKEN")
                .path("valueFrom").path("secretKeyRef").path("name").asText());
    }

    private static String decode(JsonNode secret, String key) {
        return new String(Base64.getDecoder().decode(secret.path("data").path(key).asText()), StandardCharsets.UTF_8);
    }

    @Test
    void everyServiceGetsTheTokenProbesResourcesAndListensOnThePod() {
        RenderedChart chart = defaults();
        for (String service : SERVICES) {
            JsonNode c = container(chart.get("Deployment", name(service)), service);
            JsonNode token = env(c, "ASTER_INTERNAL_TOKEN").path("valueFrom").path("secretKeyRef");
            assertEquals(name("secrets"), token.path("name").asText(), service);
            assertEquals("internal-token", token.path("key").asText(), service);
            assertEquals("0.0.0.0", env(c, "QUARKUS_HTTP_HOST").path("value").asText(), service);
            assertEquals("/q/health/ready", c.path("readinessProbe").path("httpGet").path("path").asText(), service);
            assertEquals("/q/health/live", c.path("livenessProbe").path("httpGet").path("path").asText(), service);
            assertFalse(c.path("resources").path("requests").path("cpu").isMissingNode(), service + " cpu request");
            assertFalse(c.path("resources").path("limits").path("memory").isMissingNode(), service + " memory limit");
            assertEquals("true", env(c, "QUARKUS_OTEL_SDK_DISABLED").path("value").asText(), service);
        }
    }

    @Test
    void theGatewayIsWiredToItsDependencies() {
        JsonNode gateway = container(defaults().get("Deployment", name("gateway")), "gateway");
        assertEquals("http://aster-model:8081", env(gateway, "ASTER_GATEWAY_MODEL_SERVICE_URL").path("value").asText());
        assertEquals("http://aster-sandbox:8082", env(gateway, "ASTER_GATEWAY_SANDBOX_URL").path("value").asText());
        assertEquals("aster-kafka:9092", env(gateway, "KAFKA_BOOTSTRAP_SERVERS").path("value").asText());
        assertEquals("api-keys", env(gateway, "ASTER_GATEWAY_API_KEYS").path("valueFrom").path("secretKeyRef")
                .path("key").asText());
    }

    @Test
    void modelServiceGetsAGpuAWeightsVolumeAndALongStartupProbe() {
        JsonNode deployment = defaults().get("Deployment", name("model"));
        JsonNode model = container(deployment, "model");
        assertEquals("1", model.path("resources").path("limits").path("nvidia.com/gpu").asText());
        assertEquals("1", model.path("resources").path("requests").path("nvidia.com/gpu").asText());
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        assertEquals("true", pod.path("nodeSelector").path("nvidia.com/gpu.present").asText());
        assertEquals("nvidia.com/gpu", pod.path("tolerations").get(0).path("key").asText());
        JsonNode startup = model.path("startupProbe");
        assertTrue(startup.path("periodSeconds").asInt() * startup.path("failureThreshold").asInt() >= 600,
                "weights may take 10+ minutes to load: " + startup);
        assertEquals("/models/model", env(model, "ASTER_MODEL_PATH").path("value").asText());
        assertEquals("embedded", env(model, "ASTER_MODEL_BACKEND").path("value").asText());
        assertTrue(pod.path("volumes").toString().contains("\"claimName\":\"aster-model-weights\""), pod.path("volumes").toString());
    }

    @Test
    void theSandboxEngineIsAPrivilegedSidecarAndTheServiceIsNot() {
        JsonNode deployment = defaults().get("Deployment", name("sandbox"));
        JsonNode engine = container(deployment, "engine");
        JsonNode sandbox = container(deployment, "sandbox");
        assertTrue(engine.path("securityContext").path("privileged").asBoolean());
        assertFalse(sandbox.path("securityContext").path("privileged").asBoolean());
        assertEquals("false", sandbox.path("securityContext").path("allowPrivilegeEscalation").asText());
        assertEquals("unix:///run/engine/podman.sock", env(sandbox, "ASTER_SANDBOX_DOCKER_HOST").path("value").asText());
        assertEquals("metadata.name", env(sandbox, "ASTER_SANDBOX_INSTANCE").path("valueFrom").path("fieldRef")
                .path("fieldPath").asText());
        // the service and the engine see the IPC folder at the same path
        String ipc = env(sandbox, "ASTER_SANDBOX_IPC_DIR").path("value").asText();
        assertTrue(engine.path("volumeMounts").toString().contains("\"mountPath\":\"" + ipc + "\""));
        assertTrue(sandbox.path("volumeMounts").toString().contains("\"mountPath\":\"" + ipc + "\""));
        JsonNode init = deployment.path("spec").path("template").path("spec").path("initContainers").get(0);
        assertEquals("registry.example.com/aster/aster-sandbox:latest", init.path("image").asText());
    }

    @Test
    void onlyTheGatewayIsOpenAndSandboxesHaveNoEgress() {
        RenderedChart chart = defaults();
        JsonNode gateway = chart.get("NetworkPolicy", name("gateway")).path("spec");
        assertTrue(gateway.path("ingress").get(0).path("from").isMissingNode(), "gateway open to all: " + gateway);
        for (String internal : List.of("model", "sandbox", "trainer")) {
            JsonNode spec = chart.get("NetworkPolicy", name(internal)).path("spec");
            assertTrue(spec.path("policyTypes").toString().contains("Ingress"), internal);
            for (JsonNode rule : spec.path("ingress")) {
                assertFalse(rule.path("from").isEmpty(), internal + " has an ingress rule open to all: " + rule);
                for (JsonNode peer : rule.path("from")) {
                    assertTrue(peer.has("podSelector") || peer.has("namespaceSelector"), internal + ": " + peer);
                    assertFalse(peer.has("ipBlock"), internal + ": " + peer);
                }
            }
        }
        JsonNode sandbox = chart.get("NetworkPolicy", name("sandbox")).path("spec");
        assertTrue(sandbox.path("policyTypes").toString().contains("Egress"));
        assertTrue(sandbox.path("egress").isArray() && sandbox.path("egress").isEmpty(), "no egress rule: " + sandbox);
        // the pods the policies select are the pods the Deployments run
        for (String service : SERVICES) {
            assertEquals(chart.get("Deployment", name(service)).path("spec").path("selector").path("matchLabels"),
                    chart.get("NetworkPolicy", name(service)).path("spec").path("podSelector").path("matchLabels"), service);
        }
    }

    @Test
    void gpuAndExternalKafkaAndPostgresql() {
        RenderedChart chart = gpuExternal();
        assertTrue(chart.ofKind("StatefulSet").isEmpty(), "no bundled Kafka or PostgreSQL: " + chart.names());
        JsonNode trainer = container(chart.get("Deployment", name("trainer")), "trainer");
        assertEquals("kafka-0.kafka.data:9092,kafka-1.kafka.data:9092",
                env(trainer, "KAFKA_BOOTSTRAP_SERVERS").path("value").asText());
        assertEquals("jdbc:postgresql://pg.data.svc:5432/aster_prod?sslmode=verify-full",
                env(trainer, "QUARKUS_DATASOURCE_JDBC_URL").path("value").asText());
        assertEquals("aster_app", env(trainer, "QUARKUS_DATASOURCE_USERNAME").path("value").asText());
        assertEquals("http://" + name("gateway") + ":8080/v1",
                env(trainer, "ASTER_TRAINER_EVAL_ENDPOINT").path("value").asText());
        assertEquals("http://" + name("model") + ":8081",
                env(trainer, "ASTER_TRAINER_MODEL_ENDPOINT").path("value").asText());
        assertEquals("/checkpoints", env(trainer, "ASTER_TRAINER_CHECKPOINT_ROOT").path("value").asText());
        assertEquals("1", trainer.path("resources").path("limits").path("nvidia.com/gpu").asText());
        assertEquals("kafka-0.kafka.data:9092,kafka-1.kafka.data:9092", env(container(
                chart.get("Deployment", name("gateway")), "gateway"), "KAFKA_BOOTSTRAP_SERVERS").path("value").asText());

        JsonNode modelDeployment = chart.get("Deployment", name("model"));
        JsonNode model = container(modelDeployment, "model");
        assertEquals("2", model.path("resources").path("limits").path("nvidia.com/gpu").asText());
        assertEquals("gpu", env(model, "ASTER_MODEL_DEVICE").path("value").asText());
        assertEquals("/models/ASTER-4B", env(model, "ASTER_MODEL_PATH").path("value").asText());
        assertEquals("/checkpoints", env(model, "ASTER_MODEL_CHECKPOINT_ROOT").path("value").asText());
        JsonNode pod = modelDeployment.path("spec").path("template").path("spec");
        assertEquals("h100", pod.path("nodeSelector").path("cloud.example.com/gpu-type").asText());
        assertTrue(pod.path("volumes").toString().contains("\"claimName\":\"qwen3-4b-weights\""));
        assertTrue(chart.find("PersistentVolumeClaim", name("model") + "-weights").isEmpty(), "existing claim reused");

        JsonNode sandboxDeployment = chart.get("Deployment", name("sandbox"));
        JsonNode sandboxPod = sandboxDeployment.path("spec").path("template").path("spec");
        assertEquals(1, sandboxPod.path("containers").size(), "hostSocket: no engine sidecar");
        assertFalse(sandboxPod.toString().contains("\"privileged\":true"));
        assertTrue(sandboxPod.path("volumes").toString().contains("\"path\":\"/run/docker.sock\""));
        assertEquals("unix:///run/docker.sock",
                env(container(sandboxDeployment, "sandbox"), "ASTER_SANDBOX_DOCKER_HOST").path("value").asText());

        for (String service : SERVICES) {
            JsonNode c = container(chart.get("Deployment", name(service)), service);
            assertEquals("http://otel-collector.monitoring:4317",
                    env(c, "QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT").path("value").asText(), service);
            assertFalse(hasEnv(c, "QUARKUS_OTEL_SDK_DISABLED"), service);
        }
        // only OTLP and DNS leave a sandbox pod once traces are exported
        JsonNode egress = chart.get("NetworkPolicy", name("sandbox")).path("spec").path("egress");
        assertEquals(Set.of("4317", "4318", "53"), portsOf(egress));
        assertTrue(chart.find("NetworkPolicy", name("kafka")).isEmpty());
    }

    @Test
    void serviceMonitorScrapesEveryServiceAndPrometheusRuleCarriesTheAlerts() throws IOException {
        RenderedChart chart = gpuExternal();
        JsonNode monitor = chart.get("ServiceMonitor", RELEASE);
        assertEquals("prometheus", monitor.path("metadata").path("labels").path("release").asText());
        JsonNode endpoint = monitor.path("spec").path("endpoints").get(0);
        assertEquals("/q/metrics", endpoint.path("path").asText());
        assertEquals("http", endpoint.path("port").asText());
        assertEquals("[\"gateway\",\"model\",\"sandbox\",\"trainer\"]",
                monitor.path("spec").path("selector").path("matchExpressions").get(0).path("values").toString());
        for (String service : SERVICES) {
            assertEquals("http", chart.get("Service", name(service)).path("spec").path("ports").get(0).path("name").asText());
        }
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(
                CHART.resolve("rules/aster-alerts.yml").toFile());
        assertEquals(rules.path("groups"), chart.get("PrometheusRule", RELEASE).path("spec").path("groups"));
    }

    @Test
    void theOpenaiBackendNeedsNoGpuAndNoWeights() {
        RenderedChart chart = render(c -> c.withValuesFile(CHART.resolve("ci/openai-backend-values.yaml")));
        JsonNode deployment = chart.get("Deployment", name("model"));
        JsonNode model = container(deployment, "model");
        assertEquals("openai", env(model, "ASTER_MODEL_BACKEND").path("value").asText());
        assertEquals("http://vllm.inference:8000/v1", env(model, "ASTER_MODEL_UPSTREAM_URL").path("value").asText());
        assertEquals("upstream-api-key", env(model, "ASTER_MODEL_UPSTREAM_API_KEY").path("valueFrom")
                .path("secretKeyRef").path("key").asText());
        assertFalse(model.path("resources").toString().contains("nvidia.com/gpu"));
        assertFalse(hasEnv(model, "ASTER_MODEL_PATH"));
        assertTrue(deployment.path("spec").path("template").path("spec").path("nodeSelector").isMissingNode());
        assertTrue(chart.find("PersistentVolumeClaim", name("model") + "-weights").isEmpty());
        assertEquals("upstream-secret", decode(chart.get("Secret", name("secrets")), "upstream-api-key"));
    }

    @Test
    void badValuesFailWithAClearMessage() {
        assertRenderFails(c -> c.set("kafka.enabled", false), "kafka.external.bootstrapServers is required");
        assertRenderFails(c -> c.set("postgresql.enabled", false), "postgresql.external.host is required");
        assertRenderFails(c -> c.set("modelService.backend", "openai"), "modelService.upstream.url is required");
        // values.schema.json
        assertRenderFails(c -> c.set("gateway.replicas", 0), "replicas");
        assertRenderFails(c -> c.set("sandboxService.engine.mode", "dind"), "mode");
        assertRenderFails(c -> c.set("gatway.replicas", 3), "gatway");
    }

    private static void assertRenderFails(UnaryOperator<TemplateCommand> options, String expected) {
        Exception e = assertThrows(Exception.class, () -> render(options));
        assertTrue(String.valueOf(e.getMessage()).contains(expected), expected + " not in: " + e.getMessage());
    }

    private static Set<String> portsOf(JsonNode rules) {
        Set<String> ports = new TreeSet<>();
        for (JsonNode rule : rules) {
            for (JsonNode port : rule.path("ports")) {
                ports.add(port.path("port").asText());
            }
        }
        return ports;
    }

}

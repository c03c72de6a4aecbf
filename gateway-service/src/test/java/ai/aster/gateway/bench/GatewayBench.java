package ai.aster.gateway.bench;

import ai.aster.gateway.support.ScriptedModelServer;
import ai.aster.gateway.support.Scripts;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code ./aster bench gateway}: the gateway's own cost per turn of the agent loop (trajectory time minus the time
 * waiting for the model and the sandbox, as the gateway measures them) with upstreams that answer at once, at 1 and
 * 64 concurrent streaming requests; then 256 streaming requests held open at the same time, counting errors.
 * Baseline in the same run: one turn's worth of direct calls to the same instant upstreams (completion stream,
 * tokenize, execution), without the gateway. Runs the packaged gateway ({@code target/quarkus-app}).
 */
public final class GatewayBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "bench-key";
    private static final java.util.Map<String, AtomicInteger> ERRORS = new java.util.concurrent.ConcurrentHashMap<>();

    static {
        // the JDK server under the stand-ins otherwise waits for delayed ACKs (Nagle): 40 ms per small write
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** Waits for every worker of a phase; a worker's own failures are counted, not thrown. */
    private static void awaitAll(List<? extends Future<?>> futures) throws Exception {
        for (Future<?> f : futures) {
            f.get();
        }
    }

    /** Prints the distinct errors of the phase just finished, with their counts, and forgets them. */
    private static void printErrors() {
        ERRORS.forEach((why, n) -> System.out.println("  error x" + n + ": " + why));
        ERRORS.clear();
    }

    private static void error(String why) {
        ERRORS.computeIfAbsent(why.length() > 160 ? why.substring(0, 160) : why, k -> new AtomicInteger())
                .incrementAndGet();
    }

    public static void main(String[] args) throws Exception {
        int requestsAt1 = Integer.getInteger("bench.requests1", 300);
        int requestsAt64 = Integer.getInteger("bench.requests64", 3000);
        int held = Integer.getInteger("bench.held", 256);
        Path jar = Path.of(System.getProperty("bench.gatewayJar", "target/quarkus-app/quarkus-run.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("build the gateway first: mvn -pl gateway-service -am package -DskipTests");
        }
        try (ScriptedModelServer model = new ScriptedModelServer(); InstantSandbox sandbox = new InstantSandbox()) {
            // three turns: two tool calls, then the answer
            model.script("bench", Scripts::stateful);
            model.script("held", turn -> {
                if (turn.index() == 0) {
                    sleep(3000); // keeps every stream open at the same time
                }
                return Scripts.stateful(turn);
            });
            int port = freePort();
            Process gateway = startGateway(jar, port, model.url(), sandbox.url());
            try {
                String url = "http://127.0.0.1:" + port + "/v1/chat/completions";
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                        .version(HttpClient.Version.HTTP_1_1).executor(Executors.newVirtualThreadPerTaskExecutor())
                        .build();
                awaitReady(http, port, gateway);
                System.out.println("# gateway overhead per turn (instant scripted model + instant sandbox stand-in)");
                System.out.printf("cpus=%d, java=%s%n", Runtime.getRuntime().availableProcessors(),
                        System.getProperty("java.version"));
                run(http, url, "bench", 8, 400); // warm-up: JIT, connection pools
                baselineTurn(http, model.url(), sandbox.url(), 8, 400); // warm-up
                for (int[] phase : new int[][] {{1, requestsAt1}, {64, requestsAt64}}) {
                    Result r = run(http, url, "bench", phase[0], phase[1]);
                    Result base = baselineTurn(http, model.url(), sandbox.url(), phase[0], phase[1]);
                    System.out.printf("concurrency %3d: %d requests, %d turns, errors %d; overhead per turn p50 %.0f us,"
                                    + " p99 %.0f us; request p50 %.1f ms; baseline (direct upstream calls for one turn)"
                                    + " p50 %.0f us -> overhead/baseline %.4f%n",
                            phase[0], phase[1], r.turns, r.errors.get(), pct(r.overheadMicros, 50),
                            pct(r.overheadMicros, 99), pct(r.requestMillis, 50), pct(base.requestMillis, 50) * 1000,
                            pct(r.overheadMicros, 50) / (pct(base.requestMillis, 50) * 1000));
                    System.out.printf("                 per turn as the gateway sees its upstreams: model calls p50 %.0f us,"
                            + " sandbox calls p50 %.0f us%n", pct(r.modelMicros, 50), pct(r.toolMicros, 50));
                }
                Result h = run(http, url, "held", held, held);
                System.out.printf("held %d concurrent streams (each open >= 3 s): errors %d, completed %d, request p50 "
                        + "%.0f ms, max %.0f ms%n", held, h.errors.get(), h.requestMillis.size(), pct(h.requestMillis, 50),
                        pct(h.requestMillis, 100));
            } finally {
                gateway.destroy();
                gateway.waitFor();
            }
        }
    }

    /** Measurements of one phase. */
    private record Result(List<Double> overheadMicros, List<Double> requestMillis, AtomicInteger errors, int turns,
            List<Double> modelMicros, List<Double> toolMicros) {}

    private static Result run(HttpClient http, String url, String script, int concurrency, int requests)
            throws Exception {
        String body = "{\"model\":\"bench\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"seed\":1,"
                + "\"log_trajectory\":false,\"messages\":[{\"role\":\"user\",\"content\":\"[[script:" + script
                + "]] 2+3?\"}]}";
        List<Double> overhead = Collections.synchronizedList(new ArrayList<>());
        List<Double> modelTimes = Collections.synchronizedList(new ArrayList<>());
        List<Double> toolTimes = Collections.synchronizedList(new ArrayList<>());
        List<Double> latency = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger turns = new AtomicInteger();
        AtomicInteger next = new AtomicInteger();
        try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < concurrency; w++) {
                futures.add(workers.submit(() -> {
                    while (next.getAndIncrement() < requests) {
                        long t0 = System.nanoTime();
                        try {
                            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(url))
                                    .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                                    .timeout(Duration.ofSeconds(60))
                                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                    HttpResponse.BodyHandlers.ofInputStream());
                            JsonNode timings = readStream(response);
                            latency.add((System.nanoTime() - t0) / 1e6);
                            if (timings == null) {
                                errors.incrementAndGet();
                                continue;
                            }
                            for (JsonNode t : timings) {
                                int n = t.get("turns").asInt();
                                turns.addAndGet(n);
                                overhead.add((t.get("total_us").asDouble() - t.get("model_us").asDouble()
                                        - t.get("tool_us").asDouble()) / n);
                                modelTimes.add(t.get("model_us").asDouble() / n);
                                toolTimes.add(t.get("tool_us").asDouble() / n);
                            }
                        } catch (Exception e) {
                            error("client: " + e);
                            errors.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            awaitAll(futures);
        }
        printErrors();
        return new Result(overhead, latency, errors, turns.get(), modelTimes, toolTimes);
    }

    /** Reads an SSE response to its end; the usage chunk's timings, or null on any error. */
    private static JsonNode readStream(HttpResponse<InputStream> response) throws IOException {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            if (response.statusCode() != 200) {
                error("status " + response.statusCode() + ": " + new String(response.body().readAllBytes(),
                        StandardCharsets.UTF_8));
                return null;
            }
            JsonNode timings = null;
            boolean done = false;
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.startsWith("data: ")) {
                    continue;
                }
                String data = line.substring(6);
                if ("[DONE]".equals(data)) {
                    done = true;
                    continue;
                }
                JsonNode chunk = JSON.readTree(data);
                if (chunk.has("error")) {
                    error("error event: " + chunk.get("error").path("message").asText());
                    return null;
                }
                if (chunk.has("x_aster_timings")) {
                    timings = chunk.get("x_aster_timings");
                }
            }
            if (!done) {
                error("stream ended without [DONE]");
            }
            return done ? timings : null;
        }
    }

    /** What one turn costs without a gateway: the same three upstream calls, made directly. */
    private static Result baselineTurn(HttpClient http, String modelUrl, String sandboxUrl, int concurrency,
            int requests) throws Exception {
        String completion = "{\"prompt\":[91,91,115,99,114,105,112,116,58,98,101,110,99,104,93,93],\"stream\":true,"
                + "\"return_token_ids\":true,\"logprobs\":0,\"stop\":[\"</tool_call>\"],\"seed\":1}";
        String tokenize = "{\"prompt\":\"<|im_end|>\\n<|im_start|>user\\n<tool_response>\\n5\\n</tool_response>"
                + "<|im_end|>\\n<|im_start|>assistant\\n\"}";
        String execute = "{\"code\":\"print(5)\",\"language\":\"python\",\"session_id\":\"b\"}";
        List<Double> latency = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger next = new AtomicInteger();
        try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < concurrency; w++) {
                futures.add(workers.submit(() -> {
                    while (next.getAndIncrement() < requests) {
                        long t0 = System.nanoTime();
                        try {
                            boolean ok = post(http, modelUrl + "/v1/completions", completion)
                                    && post(http, sandboxUrl + "/v1/executions", execute)
                                    && post(http, modelUrl + "/v1/tokenize", tokenize);
                            if (!ok) {
                                error("baseline: not 200");
                                errors.incrementAndGet();
                            }
                            latency.add((System.nanoTime() - t0) / 1e6);
                        } catch (Exception e) {
                            error("baseline: " + e);
                            errors.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            awaitAll(futures);
        }
        printErrors();
        return new Result(List.of(), latency, errors, requests, List.of(), List.of());
    }

    private static boolean post(HttpClient http, String url, String body) throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        return r.statusCode() == 200;
    }

    private static Process startGateway(Path jar, int port, String modelUrl, String sandboxUrl) throws IOException {
        Path log = Files.createDirectories(Path.of("target")).resolve("bench-gateway.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        System.out.println("gateway log: " + log.toAbsolutePath());
        return new ProcessBuilder(java, "-Xmx1g", "-Dquarkus.http.port=" + port,
                "-Daster.gateway.model-service-url=" + modelUrl, "-Daster.gateway.sandbox-url=" + sandboxUrl,
                "-Daster.gateway.api-keys=" + KEY, "-Daster.gateway.publish-trajectories=false",
                "-Dquarkus.otel.sdk.disabled=true", "-Dquarkus.log.level=WARN", "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void awaitReady(HttpClient http, int port, Process gateway) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!gateway.isAlive()) {
                throw new IllegalStateException("the gateway exited at start; see target/bench-gateway.log");
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/q/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the gateway was not ready in 60 s");
    }

    private static double pct(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

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
 * {@code ./aster bench gateway}: what the gateway adds to a request, end to end as a client sees it.
 * <p>Per-turn overhead = (request time through the gateway − the same upstream calls made directly by this JVM,
 * at the same concurrency) / turns. Phase 1, instant upstreams (the tests' scripted model and an instant sandbox
 * stand-in): a streaming three-turn trajectory (two code calls, then the answer) through the gateway, against the
 * same eight upstream calls in the same order made directly (tokenize, then per turn a streamed completion whose
 * SSE is read to its end, an execution and the result's tokenize), at 1 and 64 concurrent requests. Phase 2
 * (when the model-service jar and a model folder are available): one greedy 64-token turn through the gateway
 * against the same tokenize + streamed completion made directly on model-service, at 1 stream, after both arms
 * have served {@code bench.realWarmupShort} 4-token turns and {@code bench.realWarmup} full ones. Then 256 streaming
 * requests held open together, counting errors. Runs the packaged gateway ({@code target/quarkus-app}).
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

    /** The internal token the bench's upstreams require and the gateway is started with. */
    private static final String INTERNAL_TOKEN = ScriptedModelServer.INTERNAL_TOKEN;

    /** Per real-model turn through the gateway: its model calls (as the gateway timed them), the gateway's own time
     * inside the trajectory, and the time outside it (the request in, the response out), in ms. */
    private static final List<double[]> REAL_SPLIT = Collections.synchronizedList(new ArrayList<>());

    public static void main(String[] args) throws Exception {
        int requestsAt1 = Integer.getInteger("bench.requests1", 300);
        int requestsAt64 = Integer.getInteger("bench.requests64", 3000);
        int realTurns = Integer.getInteger("bench.realTurns", 100);
        int held = Integer.getInteger("bench.held", 256);
        // a serving gateway runs warm: without enough warm-up the JIT's compile threads still compete for the cores
        // during the measured phases (300 requests after a 400-request warm-up measured 3.3 ms per turn; the
        // same gateway measured 1.7 ms over 3,000), and the direct baseline is slowed likewise
        int warmup = Integer.getInteger("bench.warmup", 4000);
        int realWarmup = Integer.getInteger("bench.realWarmup", 100);
        int realWarmupShort = Integer.getInteger("bench.realWarmupShort", 4000);
        Path jar = Path.of(System.getProperty("bench.gatewayJar", "target/quarkus-app/quarkus-run.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("build the gateway first: mvn -pl gateway-service -am package -DskipTests");
        }
        System.out.printf("cpus=%d, java=%s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1).executor(Executors.newVirtualThreadPerTaskExecutor()).build();
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
            Process gateway = startGateway(jar, port, model.url(), sandbox.url(), "instant");
            try {
                String url = "http://127.0.0.1:" + port + "/v1/chat/completions";
                awaitReady(http, port, gateway);
                System.out.println("# 1. instant upstreams: 3-turn streaming trajectory through the gateway vs the same"
                        + " 8 upstream calls made directly");
                DirectAgent direct = new DirectAgent(http, model.url(), sandbox.url());
                run(http, url, "bench", 8, warmup); // warm-up: JIT, connection pools
                direct.run(8, warmup, 3);
                for (int[] phase : new int[][] {{1, requestsAt1}, {64, requestsAt64}}) {
                    Duration cpu = cpuTime(gateway);
                    Result r = run(http, url, "bench", phase[0], phase[1]);
                    cpu = cpuTime(gateway).minus(cpu);
                    Result base = direct.run(phase[0], phase[1], 3);
                    report(phase[0], phase[1], r, base, 3);
                    System.out.printf("  the gateway process's CPU time: %.3f ms per turn (all its threads)%n",
                            cpu.toNanos() / 1e6 / phase[1] / 3);
                }
                Result h = run(http, url, "held", held, held);
                System.out.printf("held %d concurrent streams (each open >= 3 s): errors %d, completed %d, request p50 "
                        + "%.0f ms, max %.0f ms%n", held, h.errors.get(), h.requestMillis.size(),
                        pct(h.requestMillis, 50), pct(h.requestMillis, 100));
            } finally {
                gateway.destroy();
                gateway.waitFor();
            }
        }
        realModelPhase(http, jar, realTurns, realWarmupShort, realWarmup);
    }

    /** The process's CPU time so far, all threads (what the gateway takes from a machine it shares). */
    private static Duration cpuTime(Process process) {
        return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    private static void report(int concurrency, int requests, Result r, Result base, int turns) {
        double overheadP50 = (pct(r.requestMillis, 50) - pct(base.requestMillis, 50)) / turns;
        double overheadMean = (mean(r.requestMillis) - mean(base.requestMillis)) / turns;
        System.out.printf("concurrency %3d: %d requests, errors %d (direct %d); request p50 %.2f ms (direct %.2f ms),"
                        + " mean %.2f ms (direct %.2f ms) -> gateway overhead per turn p50 %.3f ms, mean %.3f ms"
                        + " (+%.0f%% of the direct time)%n",
                concurrency, requests, r.errors.get(), base.errors.get(), pct(r.requestMillis, 50),
                pct(base.requestMillis, 50), mean(r.requestMillis), mean(base.requestMillis), overheadP50,
                overheadMean, 100 * (pct(r.requestMillis, 50) / pct(base.requestMillis, 50) - 1));
    }

    /**
     * Phase 2: the real model service (its packaged jar, a random model of ModelInit's default dimensions with the
     * Qwen3 chat template), one greedy 64-token turn per request, tool calling off, through the gateway vs direct.
     */
    private static void realModelPhase(HttpClient http, Path gatewayJar, int requests, int warmupShort, int warmup)
            throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        Path modelJar = root.resolve("model-service/target/quarkus-app/quarkus-run.jar");
        Path modeling = root.resolve("modeling/target");
        if (!Files.isRegularFile(modelJar) || !Files.isDirectory(modeling.resolve("lib"))) {
            System.out.println("# 2. real model service: SKIPPED (package model-service and modeling first)");
            return;
        }
        Path modelDir = Path.of(System.getProperty("bench.modelPath", root.resolve(".aster/bench-model").toString()));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        if (!Files.isRegularFile(modelDir.resolve("config.json"))) {
            Process init = new ProcessBuilder(java, "-Dai.djl.offline=true", "-cp",
                    modeling.resolve("modeling-0.1.0-SNAPSHOT.jar") + ":" + modeling.resolve("lib") + "/*",
                    "ai.aster.modeling.ModelInit", modelDir.toString()).inheritIO().start();
            if (init.waitFor() != 0) {
                throw new IllegalStateException("ModelInit failed");
            }
        }
        int modelPort = freePort();
        Path modelLog = Path.of("target/bench-model-service.log");
        ProcessBuilder mb = new ProcessBuilder(java, "-Dai.djl.offline=true", "--enable-native-access=ALL-UNNAMED",
                "-Dquarkus.http.port=" + modelPort, "-Dquarkus.otel.sdk.disabled=true", "-Dquarkus.log.level=WARN",
                // one intra-op thread by default: the engine gets one core, the gateway and this client the other,
                // as a deployment gives the engine cores of its own. With one thread per core, OpenMP's threads
                // spin at every barrier and any other runnable thread (this client's reads in the direct arm too)
                // stalls a whole step: -Dbench.modelThreads=2 measures that shared-core case
                "-Daster.model.compute-threads=" + Integer.getInteger("bench.modelThreads", 1),
                "-jar", modelJar.toString()).redirectErrorStream(true).redirectOutput(modelLog.toFile());
        mb.environment().put("ASTER_MODEL_PATH", modelDir.toString());
        mb.environment().put("ASTER_INTERNAL_TOKEN", INTERNAL_TOKEN);
        Process modelService = mb.start();
        try (InstantSandbox sandbox = new InstantSandbox()) {
            String modelUrl = "http://127.0.0.1:" + modelPort;
            awaitHealthy(http, modelUrl + "/q/health/ready", modelService, modelLog);
            int port = freePort();
            Process gateway = startGateway(gatewayJar, port, modelUrl, sandbox.url(), "real");
            try {
                awaitReady(http, port, gateway);
                String url = "http://127.0.0.1:" + port + "/v1/chat/completions";
                System.out.println("# 2. real model service (" + modelDir + "): one greedy 64-token turn, tool calling "
                        + "off, through the gateway vs tokenize + streamed completion made directly");
                DirectAgent direct = new DirectAgent(http, modelUrl, sandbox.url());
                // warm-up, both arms alike: short turns until the per-request code (parsing, planning, the
                // response's head and tail) is compiled as a serving gateway's is (it runs once per request, so
                // 100 full turns left it in the JIT's lower tiers: docs/benchmarks.md, fifth pass), then full turns
                realTurns(http, url, 1, warmupShort, SHORT_TURN_TOKENS);
                direct.realTurn(1, warmupShort, SHORT_TURN_TOKENS);
                realTurns(http, url, 1, warmup, REAL_TURN_TOKENS);
                direct.realTurn(1, warmup, REAL_TURN_TOKENS);
                // interleaved rounds, so drifts of the machine's load hit both sides alike
                List<Double> through = Collections.synchronizedList(new ArrayList<>());
                List<Double> directMs = Collections.synchronizedList(new ArrayList<>());
                AtomicInteger errors = new AtomicInteger();
                Duration cpu = cpuTime(gateway);
                for (int round = 0; round < requests; round++) {
                    Result g = realTurns(http, url, 1, 1, REAL_TURN_TOKENS);
                    Result d = direct.realTurn(1, 1, REAL_TURN_TOKENS);
                    through.addAll(g.requestMillis);
                    directMs.addAll(d.requestMillis);
                    errors.addAndGet(g.errors.get() + d.errors.get());
                }
                System.out.printf("concurrency   1: %d turns of 64 tokens each way, errors %d; turn p50 %.1f ms through the"
                                + " gateway vs %.1f ms direct (mean %.1f vs %.1f) -> the gateway adds %.1f%% (p50),"
                                + " %.1f%% (mean); %.2f ms per turn%n",
                        requests, errors.get(), pct(through, 50), pct(directMs, 50), mean(through), mean(directMs),
                        100 * (pct(through, 50) / pct(directMs, 50) - 1), 100 * (mean(through) / mean(directMs) - 1),
                        pct(through, 50) - pct(directMs, 50));
                System.out.printf("  the gateway process's CPU time: %.3f ms per turn (all its threads)%n",
                        cpuTime(gateway).minus(cpu).toNanos() / 1e6 / requests);
                List<double[]> split = REAL_SPLIT.subList(REAL_SPLIT.size() - through.size(), REAL_SPLIT.size());
                System.out.printf("  through the gateway, p50: its model calls (tokenize + stream, as it timed them) %.2f"
                                + " ms, its own time inside the trajectory %.2f ms, outside it (request in, response"
                                + " out) %.2f ms%n", pct(column(split, 0), 50), pct(column(split, 1), 50),
                        pct(column(split, 2), 50));
            } finally {
                gateway.destroy();
                gateway.waitFor();
            }
        } finally {
            modelService.destroy();
            modelService.waitFor();
        }
    }

    private static final int REAL_TURN_TOKENS = 64;
    private static final int SHORT_TURN_TOKENS = 4;
    private static final String REAL_QUESTION = "{\"model\":\"bench\",\"stream\":true,\"temperature\":0,\"max_tokens\":%d,"
            + "\"tool_choice\":\"none\",\"log_trajectory\":false,\"messages\":[{\"role\":\"user\",\"content\":"
            + "\"What is 2+3? Think step by step.\"}]}";

    /** Requests of {@link #REAL_QUESTION} through the gateway; a result counts {@code tokens} generated, or errs. */
    private static Result realTurns(HttpClient http, String url, int concurrency, int requests, int tokens)
            throws Exception {
        return load(concurrency, requests, (latency, errors) -> {
            long t0 = System.nanoTime();
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.ofString(
                            REAL_QUESTION.formatted(tokens).replace("\"log_trajectory\"",
                                    "\"stream_options\":{\"include_usage\":true},\"log_trajectory\""))).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            JsonNode chunk = readChunk(response, "usage");
            double ms = (System.nanoTime() - t0) / 1e6;
            latency.add(ms);
            JsonNode usage = chunk == null ? null : chunk.get("usage");
            JsonNode timing = chunk == null ? null : chunk.path("x_aster_timings").path(0);
            if (timing != null && timing.has("total_us") && tokens == REAL_TURN_TOKENS) {
                double total = timing.path("total_us").asDouble() / 1000;
                double model = timing.path("model_us").asDouble() / 1000;
                REAL_SPLIT.add(new double[] {model, total - model, ms - total});
            }
            if (usage == null || usage.path("completion_tokens").asInt() != tokens) {
                error("gateway turn: " + (usage == null ? "no usage" : usage.path("completion_tokens") + " tokens"));
                errors.incrementAndGet();
            }
        });
    }

    /** One worker's request: adds its wall time to latency, counts its failure in errors. */
    private interface Request {
        void run(List<Double> latency, AtomicInteger errors) throws Exception;
    }

    private static Result load(int concurrency, int requests, Request request) throws Exception {
        List<Double> latency = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger next = new AtomicInteger();
        try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < concurrency; w++) {
                futures.add(workers.submit(() -> {
                    while (next.getAndIncrement() < requests) {
                        try {
                            request.run(latency, errors);
                        } catch (Exception e) {
                            error(e.toString());
                            errors.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            awaitAll(futures);
        }
        printErrors();
        return new Result(latency, errors);
    }

    /** Measurements of one phase. */
    private record Result(List<Double> requestMillis, AtomicInteger errors) {}

    private static Result run(HttpClient http, String url, String script, int concurrency, int requests)
            throws Exception {
        String body = "{\"model\":\"bench\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"seed\":1,"
                + "\"log_trajectory\":false,\"messages\":[{\"role\":\"user\",\"content\":\"[[script:" + script
                + "]] 2+3?\"}]}";
        return load(concurrency, requests, (latency, errors) -> {
            long t0 = System.nanoTime();
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            JsonNode timings = readStream(response, "x_aster_timings");
            latency.add((System.nanoTime() - t0) / 1e6);
            if (timings == null || timings.get(0).path("turns").asInt() != 3) {
                errors.incrementAndGet();
            }
        });
    }

    /** Reads an SSE response to its end; the given field of the last chunk carrying it, or null on any error. */
    private static JsonNode readStream(HttpResponse<InputStream> response, String field) throws IOException {
        JsonNode chunk = readChunk(response, field);
        return chunk == null ? null : chunk.get(field);
    }

    /** Reads an SSE response to its end; the last chunk carrying the given field, or null on any error. */
    private static JsonNode readChunk(HttpResponse<InputStream> response, String field) throws IOException {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            if (response.statusCode() != 200) {
                error("status " + response.statusCode() + ": " + new String(response.body().readAllBytes(),
                        StandardCharsets.UTF_8));
                return null;
            }
            JsonNode found = null;
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
                if (chunk.hasNonNull(field)) {
                    found = chunk;
                }
            }
            if (!done) {
                error("stream ended without [DONE]");
            }
            return done ? found : null;
        }
    }

    /**
     * The upstream calls the gateway makes for a request, made directly from this JVM with the same bodies: the
     * baseline. It parses each streamed chunk for its token ids, as any client of the model service must.
     */
    private static final class DirectAgent {
        private final HttpClient http;
        private final String modelUrl;
        private final String sandboxUrl;

        DirectAgent(HttpClient http, String modelUrl, String sandboxUrl) {
            this.http = http;
            this.modelUrl = modelUrl;
            this.sandboxUrl = sandboxUrl;
        }

        /** {@code turns} turns of the bench script: tokenize, then (completion, execution, tokenize) per call. */
        Result run(int concurrency, int requests, int turns) throws Exception {
            String question = "{\"messages\":[{\"role\":\"user\",\"content\":\"[[script:bench]] 2+3?\"}],"
                    + "\"tools\":[" + JSON.writeValueAsString(ai.aster.protocol.tools.CodeInterpreterTool.DEFINITION)
                    + "],\"add_generation_prompt\":true}";
            String result = ai.aster.protocol.chat.ChatFormat.IM_END + "\n" + ai.aster.protocol.chat.ChatFormat.IM_START
                    + "user\n" + ai.aster.protocol.chat.ChatFormat.TOOL_RESPONSE_OPEN + "\n5\n"
                    + ai.aster.protocol.chat.ChatFormat.TOOL_RESPONSE_CLOSE + ai.aster.protocol.chat.ChatFormat.IM_END
                    + "\n" + ai.aster.protocol.chat.ChatFormat.IM_START + "assistant\n";
            String tokenizeResult = JSON.createObjectNode().put("prompt", result).put("add_special_tokens", false)
                    .toString();
            return load(concurrency, requests, (latency, errors) -> {
                long t0 = System.nanoTime();
                List<Integer> sequence = new ArrayList<>(ids(post(modelUrl + "/v1/tokenize", question)));
                String session = "direct-" + System.nanoTime();
                for (int turn = 0; turn < turns; turn++) {
                    sequence.addAll(complete(sequence, 16_384, "[\"</tool_call>\"]", 1L + turn * 7919L));
                    if (turn < turns - 1) {
                        post(sandboxUrl + "/v1/executions", "{\"code\":\"print(5)\",\"language\":\"python\","
                                + "\"session_id\":\"" + session + "\",\"timeout_s\":30}");
                        sequence.addAll(ids(post(modelUrl + "/v1/tokenize", tokenizeResult)));
                    }
                }
                latency.add((System.nanoTime() - t0) / 1e6);
            });
        }

        /** Phase 2's turn made directly: the chat template's tokenize, then one greedy streamed completion. */
        Result realTurn(int concurrency, int requests, int tokens) throws Exception {
            String question = "{\"messages\":[{\"role\":\"user\",\"content\":\"What is 2+3? Think step by step.\"}],"
                    + "\"add_generation_prompt\":true}";
            return load(concurrency, requests, (latency, errors) -> {
                long t0 = System.nanoTime();
                List<Integer> prompt = ids(post(modelUrl + "/v1/tokenize", question));
                List<Integer> generated = complete(prompt, tokens, null, null);
                latency.add((System.nanoTime() - t0) / 1e6);
                if (generated.size() != tokens) {
                    error("direct turn: " + generated.size() + " tokens");
                    errors.incrementAndGet();
                }
            });
        }

        /** A streamed completion with the gateway's parameters; its generated token ids. */
        private List<Integer> complete(List<Integer> prompt, int maxTokens, String stop, Long seed) throws Exception {
            var body = JSON.createObjectNode();
            prompt.forEach(body.putArray("prompt")::add);
            body.put("max_tokens", maxTokens).put("n", 1).put("logprobs", 0).put("stream", true)
                    .put("return_token_ids", true).put("include_stop_str_in_output", true);
            body.putObject("stream_options").put("include_usage", true);
            if (stop != null) {
                body.set("stop", JSON.readTree(stop));
            } else {
                body.put("temperature", 0.0);
            }
            if (seed != null) {
                body.put("seed", seed);
            }
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(modelUrl
                    + "/v1/completions")).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + INTERNAL_TOKEN).timeout(Duration.ofSeconds(120))
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                throw new IOException("completion: " + response.statusCode());
            }
            List<Integer> ids = new ArrayList<>();
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
                        for (JsonNode choice : JSON.readTree(line.substring(6)).path("choices")) {
                            choice.path("token_ids").forEach(id -> ids.add(id.asInt()));
                        }
                    }
                }
            }
            return ids;
        }

        private String post(String url, String body) throws Exception {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + INTERNAL_TOKEN)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException(url + ": " + r.statusCode() + " " + r.body());
            }
            return r.body();
        }

        private static List<Integer> ids(String tokenizeResponse) throws IOException {
            List<Integer> ids = new ArrayList<>();
            JSON.readTree(tokenizeResponse).path("tokens").forEach(id -> ids.add(id.asInt()));
            return ids;
        }
    }

    private static void awaitHealthy(HttpClient http, String url, Process process, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("exited at start; see " + log.toAbsolutePath());
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(url + " not ready in 300 s; see " + log.toAbsolutePath());
    }

    private static List<Double> column(List<double[]> rows, int i) {
        return rows.stream().map(r -> r[i]).toList();
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static Process startGateway(Path jar, int port, String modelUrl, String sandboxUrl, String name)
            throws IOException {
        Path log = Files.createDirectories(Path.of("target")).resolve("bench-gateway-" + name + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        System.out.println("gateway log: " + log.toAbsolutePath());
        List<String> command = new ArrayList<>(List.of(java, "-Xmx1g"));
        // e.g. -Dbench.gatewayJvmArgs=-XX:StartFlightRecording=filename=target/gw.jfr to profile the gateway
        String extra = System.getProperty("bench.gatewayJvmArgs", "").replace("{name}", name);
        if (!extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.addAll(List.of("-Dquarkus.http.port=" + port,
                "-Daster.gateway.model-service-url=" + modelUrl, "-Daster.gateway.sandbox-url=" + sandboxUrl,
                "-Daster.gateway.api-keys=" + KEY, "-Daster.gateway.publish-trajectories=false",
                "-Dquarkus.otel.sdk.disabled=true", "-Dquarkus.log.level=WARN", "-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("ASTER_INTERNAL_TOKEN", INTERNAL_TOKEN);
        return builder.start();
    }

    private static void awaitReady(HttpClient http, int port, Process gateway) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!gateway.isAlive()) {
                throw new IllegalStateException("the gateway exited at start; see target/bench-gateway-*.log");
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

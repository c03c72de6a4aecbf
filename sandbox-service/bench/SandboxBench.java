import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Benchmark of sandbox-service against its baseline, measured in the same run: one {@code docker run --rm} per call
 * of the same image with the same limits. Prints each figure beside the baseline, ratio last.
 *
 * <p>Run by {@code sandbox-service/bench.sh}, which starts the packaged service; by hand:
 * {@code java SandboxBench.java http://localhost:8082 [docker-cli]}.
 */
public class SandboxBench {

    static final String TRIVIAL = "print(1+1)";
    static final String SYMPY = "import sympy as sp\nx = sp.Symbol('x')\nprint(sp.factor(x**4 - 1))";
    static final String TRIVIAL_OUT = "2\n";
    static final String SYMPY_OUT = "(x - 1)*(x + 1)*(x**2 + 1)\n";

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final URI executions;
    final String dockerCli;
    final String image;
    final AtomicInteger serviceFailures = new AtomicInteger();
    final AtomicInteger serviceCalls = new AtomicInteger();
    final AtomicInteger service429 = new AtomicInteger();
    final AtomicInteger dockerFailures = new AtomicInteger();
    final AtomicInteger dockerCalls = new AtomicInteger();
    /** The service's internal token (ASTER_INTERNAL_TOKEN). */
    final String token = System.getenv().getOrDefault("ASTER_INTERNAL_TOKEN", "");

    SandboxBench(String base, String dockerCli, String image) {
        this.executions = URI.create(base + "/v1/executions");
        this.dockerCli = dockerCli;
        this.image = image;
    }

    public static void main(String[] args) throws Exception {
        String base = args.length > 0 ? args[0] : "http://localhost:8082";
        String cli = args.length > 1 ? args[1] : "docker";
        String image = System.getenv().getOrDefault("BENCH_IMAGE", "aster-sandbox:latest");
        int latencyCalls = Integer.parseInt(System.getenv().getOrDefault("BENCH_LATENCY_CALLS", "30"));
        int baselineLatencyCalls = Integer.parseInt(System.getenv().getOrDefault("BENCH_BASELINE_CALLS", "20"));
        int throughputCalls = Integer.parseInt(System.getenv().getOrDefault("BENCH_THROUGHPUT_CALLS", "64"));
        long paceMs = Long.parseLong(System.getenv().getOrDefault("BENCH_PACE_MS", "1000"));
        new SandboxBench(base, cli, image).run(latencyCalls, baselineLatencyCalls, throughputCalls, paceMs);
    }

    void run(int latencyCalls, int baselineCalls, int throughputCalls, long paceMs) throws Exception {
        System.out.printf(Locale.ROOT, "sandbox-service benchmark; baseline: '%s run --rm' of %s with the same limits%n",
                dockerCli, image);
        System.out.printf(Locale.ROOT, "latency: sequential calls, one every %d ms (unsaturated); %d service calls, "
                + "%d baseline calls each; throughput: %d calls per level%n%n", paceMs, latencyCalls, baselineCalls,
                throughputCalls);
        // warm-up: JIT of the service, the engine's image cache
        for (int i = 0; i < 5; i++) {
            callService(TRIVIAL, TRIVIAL_OUT);
            Thread.sleep(paceMs);
        }
        dockerRun(TRIVIAL, TRIVIAL_OUT);

        List<Double> svcTrivial = latencies(() -> callService(TRIVIAL, TRIVIAL_OUT), latencyCalls, paceMs);
        List<Double> dockTrivial = latencies(() -> dockerRun(TRIVIAL, TRIVIAL_OUT), baselineCalls, 0);
        List<Double> svcSympy = latencies(() -> callService(SYMPY, SYMPY_OUT), latencyCalls, paceMs);
        List<Double> dockSympy = latencies(() -> dockerRun(SYMPY, SYMPY_OUT), baselineCalls, 0);
        row("trivial call p50 (ms)", pct(svcTrivial, 50), pct(dockTrivial, 50));
        row("trivial call p99 (ms)", pct(svcTrivial, 99), pct(dockTrivial, 99));
        row("sympy call p50 (ms)", pct(svcSympy, 50), pct(dockSympy, 50));
        row("sympy call p99 (ms)", pct(svcSympy, 99), pct(dockSympy, 99));

        for (int concurrency : new int[] {8, 32}) {
            Thread.sleep(3000); // let the pool refill between levels
            double svc = throughput(() -> callService(TRIVIAL, TRIVIAL_OUT), concurrency, throughputCalls);
            double dock = throughput(() -> dockerRun(TRIVIAL, TRIVIAL_OUT), concurrency, throughputCalls);
            rowThroughput("throughput c=" + concurrency + " (calls/s)", svc, dock);
        }
        System.out.printf(Locale.ROOT, "%nfailed calls: service %d of %d (429 answers retried: %d); "
                        + "docker run %d of %d%n", serviceFailures.get(), serviceCalls.get(), service429.get(),
                dockerFailures.get(), dockerCalls.get());
        if (serviceFailures.get() > 0) {
            System.exit(1);
        }
    }

    interface Call {
        void run() throws Exception;
    }

    static List<Double> latencies(Call call, int n, long paceMs) throws Exception {
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            call.run();
            ms.add((System.nanoTime() - start) / 1e6);
            if (paceMs > 0) {
                Thread.sleep(paceMs);
            }
        }
        Collections.sort(ms);
        return ms;
    }

    static double throughput(Call call, int concurrency, int n) throws Exception {
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(concurrency)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> {
                    call.run();
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }

    /** Nearest-rank percentile of sorted values. */
    static double pct(List<Double> sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    static void row(String name, double service, double baseline) {
        System.out.printf(Locale.ROOT, "%-28s service %9.1f   docker run %9.1f   ratio %.3f%n", name, service,
                baseline, service / baseline);
    }

    static void rowThroughput(String name, double service, double baseline) {
        System.out.printf(Locale.ROOT, "%-28s service %9.2f   docker run %9.2f   ratio %.3f%n", name, service,
                baseline, service / baseline);
    }

    void callService(String code, String expected) throws Exception {
        String body = "{\"code\": \"" + code.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")
                + "\"}";
        serviceCalls.incrementAndGet();
        for (int attempt = 0; attempt < 600; attempt++) {
            HttpResponse<String> r;
            try {
                r = http.send(HttpRequest.newBuilder(executions).timeout(Duration.ofSeconds(120))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                serviceFailures.incrementAndGet();
                System.err.println("service call failed: " + e);
                return;
            }
            if (r.statusCode() == 429) {
                service429.incrementAndGet();
                Thread.sleep(100);
                continue;
            }
            String expectedJson = "\"stdout\":\"" + expected.replace("\n", "\\n") + "\"";
            if (r.statusCode() != 200 || !r.body().contains("\"status\":\"ok\"") || !r.body().contains(expectedJson)) {
                serviceFailures.incrementAndGet();
                System.err.println("service call failed: " + r.statusCode() + " " + r.body());
            }
            return;
        }
        serviceFailures.incrementAndGet();
    }

    void dockerRun(String code, String expected) throws Exception {
        dockerCalls.incrementAndGet();
        Process p = new ProcessBuilder(dockerCli, "run", "--rm", "--network=none", "--read-only",
                "--memory=1024m", "--memory-swap=1024m", "--pids-limit=64", "--cpus=1", "--cap-drop=ALL",
                "--security-opt=no-new-privileges", "--user=65534:65534", "--tmpfs", "/work:rw,size=64m,mode=1777",
                "--workdir=/work", image, "python3", "-c", code)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0 || !out.equals(expected)) {
            dockerFailures.incrementAndGet();
            System.err.println("docker run failed: " + out);
        }
    }
}

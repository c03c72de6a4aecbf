package ai.aster.trainer.service;

import ai.aster.trainer.config.EvalConfig;
import ai.aster.trainer.eval.Benchmark;
import ai.aster.trainer.eval.BenchmarkLoader;
import ai.aster.trainer.eval.ChatEndpoint;
import ai.aster.trainer.eval.EvalCli;
import ai.aster.trainer.eval.EvalException;
import ai.aster.trainer.eval.EvalReport;
import ai.aster.trainer.eval.EvalRunner;
import ai.aster.trainer.eval.EvalSettings;
import ai.aster.trainer.eval.GradingJudge;
import ai.aster.trainer.eval.RunFolder;
import ai.aster.trainer.eval.RunIds;
import ai.aster.trainer.eval.SampleJournal;
import ai.aster.trainer.eval.SampleOutcome;
import ai.aster.trainer.eval.SamplingSettings;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Evaluation runs as jobs of trainer-service: the same harness as {@code ./aster eval}, one run folder per job
 * under {@code aster.trainer.eval.runs-dir}. Jobs live in memory while the service runs; their folders outlive it,
 * so a finished job's report is found after a restart and an interrupted one can be resumed.
 */
@ApplicationScoped
public class EvalJobs {

    private static final Logger LOG = Logger.getLogger(EvalJobs.class);
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final String JOB_FILE = "job.json";

    private final EvalConfig config;
    private final ObjectMapper json = EvalCli.json();
    private final BenchmarkLoader loader = new BenchmarkLoader(json);
    private final GradingJudge judge = new GradingJudge();
    private final Map<String, EvalJob> jobs = new ConcurrentHashMap<>();
    private final ExecutorService runs;

    public EvalJobs(EvalConfig config) {
        this.config = config;
        this.runs = Executors.newFixedThreadPool(Math.max(1, config.maxRunningJobs()),
                Thread.ofPlatform().name("eval-job-", 0).daemon().factory());
    }

    /** Checks the request, creates the run folder and queues the run. */
    public EvalJobView submit(EvalRequest request) {
        Benchmark benchmark = benchmark(request);
        int k = request.k() == null ? EvalSettings.DEFAULT_K : request.k();
        String id = RunIds.next(benchmark.name(), LocalDateTime.now()) + "-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
        return start(id, request, benchmark, k);
    }

    /** Continues an interrupted or failed job in its folder: finished samples are kept, the rest are drawn. */
    public EvalJobView resume(String id) {
        Path folder = folder(id).orElseThrow(() -> new UnknownJobException(id));
        EvalJob live = jobs.get(id);
        if (live != null && ("queued".equals(live.view().status()) || "running".equals(live.view().status()))) {
            throw new EvalException("evaluation " + id + " is " + live.view().status() + " already");
        }
        EvalRequest request;
        try {
            request = json.readValue(folder.resolve(JOB_FILE).toFile(), EvalRequest.class);
        } catch (IOException e) {
            throw new EvalException("evaluation " + id + " cannot be resumed: its " + JOB_FILE + " is unreadable");
        }
        Benchmark benchmark = benchmark(request);
        return start(id, request, benchmark, request.k() == null ? EvalSettings.DEFAULT_K : request.k());
    }

    private EvalJobView start(String id, EvalRequest request, Benchmark benchmark, int k) {
        SamplingSettings unchecked = sampling(request, benchmark, null); // throws on out-of-range numbers
        EvalSettings settings = new EvalSettings(unchecked, k, request.limit(),
                request.concurrency() == null ? config.defaultConcurrency() : request.concurrency(),
                endpoint(request), apiKey(request), config.requestTimeout(), Path.of(config.runsDir()).resolve(id));
        try {
            Files.createDirectories(settings.out());
            json.writeValue(settings.out().resolve(JOB_FILE).toFile(), request.withoutKey());
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the run folder " + settings.out() + ": " + e.getMessage(), e);
        }
        EvalJob job = new EvalJob(id, benchmark.name(), k, benchmark.problems().size() * k, Instant.now());
        jobs.put(id, job);
        runs.execute(() -> run(job, request, benchmark, settings));
        return job.view();
    }

    private void run(EvalJob job, EvalRequest request, Benchmark benchmark, EvalSettings settings) {
        job.running();
        try {
            ChatEndpoint endpoint = new ChatEndpoint(json, settings.endpoint(), settings.apiKey(),
                    settings.requestTimeout());
            String model = request.model() != null ? request.model() : endpoint.firstModel();
            SamplingSettings sampling = sampling(request, benchmark, model);
            RunFolder folder = RunFolder.open(json, settings.out(), sampling);
            EvalRunner.Result result = new EvalRunner(endpoint, judge).run(folder, benchmark, sampling, settings.k(),
                    settings.concurrency(), job);
            job.completed(result.report());
            LOG.infof("evaluation %s done: avg@%d %.3f", job.id(), settings.k(), result.report().avgAtK());
        } catch (EvalException e) {
            job.failed(e.getMessage());
            LOG.warnf("evaluation %s failed: %s", job.id(), e.getMessage());
        } catch (RuntimeException e) {
            job.failed("internal error: " + e);
            LOG.errorf(e, "evaluation %s failed", job.id());
        }
    }

    public Optional<EvalJobView> find(String id) {
        EvalJob live = jobs.get(id);
        if (live != null) {
            return Optional.of(live.view());
        }
        return folder(id).map(dir -> fromDisk(id, dir));
    }

    /** Jobs of this service's life and the run folders of earlier ones, newest first. */
    public List<EvalJobView> list() {
        Path root = Path.of(config.runsDir());
        List<String> ids;
        try (var dirs = Files.isDirectory(root) ? Files.list(root) : java.util.stream.Stream.<Path>empty()) {
            ids = dirs.filter(d -> Files.isRegularFile(d.resolve(JOB_FILE))).map(d -> d.getFileName().toString())
                    .toList();
        } catch (IOException e) {
            ids = List.of();
        }
        java.util.Set<String> all = new java.util.TreeSet<>(Comparator.reverseOrder());
        all.addAll(ids);
        all.addAll(jobs.keySet());
        return all.stream().map(this::find).flatMap(Optional::stream)
                .map(v -> new EvalJobView(v.id(), v.status(), v.benchmark(), v.k(), v.progress(), v.createdAt(),
                        v.finishedAt(), v.error(), null))
                .toList();
    }

    private Optional<Path> folder(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            return Optional.empty();
        }
        Path dir = Path.of(config.runsDir()).resolve(id);
        return Files.isRegularFile(dir.resolve(JOB_FILE)) ? Optional.of(dir) : Optional.empty();
    }

    /** A job of an earlier life of the service: its report if it finished, else how far it got. */
    private EvalJobView fromDisk(String id, Path dir) {
        try {
            EvalRequest request = json.readValue(dir.resolve(JOB_FILE).toFile(), EvalRequest.class);
            int k = request.k() == null ? EvalSettings.DEFAULT_K : request.k();
            Instant created = Files.getLastModifiedTime(dir.resolve(JOB_FILE)).toInstant();
            Path report = dir.resolve(RunFolder.REPORT_JSON);
            if (Files.isRegularFile(report)) {
                EvalReport r = json.readValue(report.toFile(), EvalReport.class);
                int correct = r.problems().stream().mapToInt(EvalReport.ProblemResult::correct).sum();
                return new EvalJobView(id, "completed", r.benchmark(), r.k(),
                        new EvalJobView.Progress(r.samples(), r.samples(), correct), created,
                        Files.getLastModifiedTime(report).toInstant(), null, r);
            }
            Benchmark benchmark = benchmark(request);
            EvalJob job = new EvalJob(id, benchmark.name(), k, benchmark.problems().size() * k, created);
            List<SampleOutcome> kept;
            try (SampleJournal journal = SampleJournal.open(json, dir)) {
                kept = journal.samplesOf(benchmark.problems(), k);
            }
            job.interrupted(kept.size(), (int) kept.stream().filter(SampleOutcome::correct).count());
            return job.view();
        } catch (IOException | EvalException e) {
            return new EvalJobView(id, "failed", null, 0, new EvalJobView.Progress(0, 0, 0), null, null,
                    "unreadable run folder " + dir + ": " + e.getMessage(), null);
        }
    }

    private Benchmark benchmark(EvalRequest request) {
        Benchmark benchmark;
        if (request.problems() != null) {
            if (request.benchmark() != null && !BenchmarkLoader.BUILT_IN.containsKey(request.benchmark())
                    && !request.benchmark().matches("[A-Za-z0-9_.-]{1,64}")) {
                throw new EvalException("'benchmark' names inline problems with letters, digits, '_', '.', '-'");
            }
            benchmark = loader.inline(request.benchmark() == null ? "inline" : request.benchmark(), request.problems());
        } else if (request.benchmark() != null && BenchmarkLoader.BUILT_IN.containsKey(request.benchmark())) {
            benchmark = loader.load(request.benchmark());
        } else {
            throw new EvalException("'benchmark' must be one of " + String.join(", ", BenchmarkLoader.BUILT_IN.keySet())
                    + " (files are read by ./aster eval, not over HTTP), or give 'problems': [{id, problem, answer}]");
        }
        if (request.limit() != null && request.limit() < 1) {
            throw new EvalException("'limit' must be at least 1");
        }
        return benchmark.limit(request.limit());
    }

    private static SamplingSettings sampling(EvalRequest r, Benchmark benchmark, String model) {
        return new SamplingSettings(benchmark.name(), model,
                r.temperature() == null ? SamplingSettings.DEFAULT_TEMPERATURE : r.temperature(),
                r.topP() == null ? SamplingSettings.DEFAULT_TOP_P : r.topP(),
                r.maxToolCalls() == null ? SamplingSettings.DEFAULT_MAX_TOOL_CALLS : r.maxToolCalls(), r.maxTokens());
    }

    private URI endpoint(EvalRequest r) {
        String url = r.endpoint() != null ? r.endpoint() : config.endpoint();
        try {
            return URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new EvalException("'endpoint' is not a URL: " + url);
        }
    }

    private String apiKey(EvalRequest r) {
        if (r.apiKey() != null) {
            return r.apiKey();
        }
        return config.apiKey().filter(k -> !k.isBlank()).orElseGet(() -> {
            Path file = Path.of(config.apiKeyFile());
            try {
                return Files.isReadable(file) ? Files.readString(file).strip() : null;
            } catch (IOException e) {
                return null;
            }
        });
    }

    @PreDestroy
    void stop() {
        runs.shutdownNow();
        judge.close();
    }

    /** No job and no run folder has this id. */
    public static final class UnknownJobException extends RuntimeException {
        public UnknownJobException(String id) {
            super("no evaluation with id '" + id + "'");
        }
    }
}

package ai.aster.trainer.replicate;

import ai.aster.trainer.cli.TrainerApi;
import ai.aster.trainer.client.ModelWeightsClient;
import ai.aster.trainer.curriculum.CurriculumProblem;
import ai.aster.trainer.eval.ChatEndpoint;
import ai.aster.trainer.eval.GradingJudge;
import ai.aster.trainer.teach.TeachCli;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The Java half of {@code ./aster replicate}, run twice by the launcher: {@code prepare} (before the platform starts:
 * problems and a fresh model into the run folder) and {@code run} (against the platform the launcher started for the
 * run: teach, SFT, GRPO, evaluate, report). The platform's ports come from the launcher's environment, its keys from
 * the run folder. Errors are one line: exit 2 for bad arguments, 1 when the run failed.
 */
public final class ReplicateCli {

    static final String USAGE = "usage: ReplicateCli prepare|run --out DIR --preset quick|full [--seed N]"
            + " [--report FILE] [--command TEXT] [--commit SHA]";

    private ReplicateCli() {}

    /** The parsed command line. */
    record Options(String action, RunLayout layout, ReplicateSettings settings, Path report, String command,
            String commit) {

        static Options parse(List<String> args) {
            if (args.isEmpty() || !(args.getFirst().equals("prepare") || args.getFirst().equals("run"))) {
                throw new IllegalArgumentException(USAGE);
            }
            Path out = null;
            String preset = null;
            Long seed = null;
            Path report = null;
            String command = "./aster replicate";
            String commit = "";
            for (int i = 1; i < args.size(); i++) {
                String arg = args.get(i);
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(arg + " needs a value (" + USAGE + ")");
                }
                String value = args.get(++i);
                switch (arg) {
                    case "--out" -> out = Path.of(value);
                    case "--preset" -> preset = value;
                    case "--seed" -> {
                        try {
                            seed = Long.parseLong(value);
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--seed must be a whole number; was '" + value + "'");
                        }
                    }
                    case "--report" -> report = Path.of(value);
                    case "--command" -> command = value.strip();
                    case "--commit" -> commit = value.strip();
                    default -> throw new IllegalArgumentException("unknown option " + arg + " (" + USAGE + ")");
                }
            }
            if (out == null || preset == null) {
                throw new IllegalArgumentException("--out and --preset are required (" + USAGE + ")");
            }
            ReplicateSettings settings = ReplicateSettings.preset(preset);
            if (seed != null) {
                settings = settings.withSeed(seed);
            }
            RunLayout layout = new RunLayout(out);
            return new Options(args.getFirst(), layout, settings,
                    report == null ? layout.dir().resolve("replication.md") : report.toAbsolutePath().normalize(),
                    command, commit);
        }
    }

    public static void main(String[] args) {
        // Symja (behind the grader) logs through log4j-api with no backend here: keep its notice off stderr
        if (System.getProperty("log4j2.loggerContextFactory") == null) {
            System.setProperty("log4j2.loggerContextFactory",
                    "org.apache.logging.log4j.simple.SimpleLoggerContextFactory");
        }
        // exit explicitly: the computer-algebra library behind the grader keeps threads alive
        System.exit(run(Arrays.asList(args), System.getenv(), System.err));
    }

    /** @return 0 done, 1 the run failed, 2 bad arguments */
    public static int run(List<String> args, Map<String, String> env, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("aster replicate: " + e.getMessage());
            return 2;
        }
        ObjectMapper json = TeachCli.json();
        try {
            if (options.action().equals("prepare")) {
                new Preparation(json, err).prepare(options.layout(), options.settings());
            } else {
                replicate(options, env, json, err);
            }
            return 0;
        } catch (ReplicationException | IllegalArgumentException e) {
            err.println("aster replicate: " + e.getMessage());
            return 1;
        } catch (IOException | UncheckedIOException e) {
            err.println("aster replicate: " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            err.println("aster replicate: internal error: " + e);
            return 1;
        }
    }

    private static void replicate(Options o, Map<String, String> env, ObjectMapper json, PrintStream err)
            throws IOException {
        RunLayout layout = o.layout();
        String token = read(layout.internalToken(), "the platform's internal token");
        String apiKey = read(layout.apiKey(), "the platform's API key");
        String gateway = "http://127.0.0.1:" + port(env, "ASTER_GATEWAY_PORT");
        String modelService = "http://127.0.0.1:" + port(env, "ASTER_MODEL_PORT");
        String sandbox = "http://127.0.0.1:" + port(env, "ASTER_SANDBOX_PORT");
        String trainer = "http://127.0.0.1:" + port(env, "ASTER_TRAINER_PORT") + "/";
        String kafka = "127.0.0.1:" + port(env, "ASTER_KAFKA_PORT");
        List<CurriculumProblem> train = problems(json, layout.trainProblems());
        List<CurriculumProblem> heldOut = problems(json, layout.heldOutProblems());
        ReplicationResults results;
        try (GradingJudge judge = new GradingJudge()) {
            Replication replication = new Replication(json, err,
                    new Replication.Endpoints(gateway, modelService, sandbox, kafka),
                    new PlatformJobs(new TrainerApi(URI.create(trainer), token, json), json),
                    new ModelWeightsClient(modelService, token, json),
                    new ChatEndpoint(json, URI.create(gateway + "/v1"), apiKey, Duration.ofMinutes(15)), judge, token);
            results = replication.run(layout, o.settings(), o.command(), o.commit(), train, heldOut);
        }
        json.writer().with(SerializationFeature.INDENT_OUTPUT).writeValue(layout.results().toFile(), results);
        Path reportDir = o.report().getParent();
        String prefix = o.report().getFileName().toString().replaceFirst("\\.md$", "");
        ReplicationPlots.Written plots = ReplicationPlots.draw(results, reportDir, prefix);
        Files.createDirectories(reportDir);
        Files.writeString(o.report(), ReplicationReport.render(results, plots, reportDir), StandardCharsets.UTF_8);
        err.printf("aster replicate: report %s (plots beside it), results %s, best checkpoint %s; %.1f min%n",
                o.report(), layout.results(), layout.best(), results.totalSeconds() / 60);
    }

    private static List<CurriculumProblem> problems(ObjectMapper json, Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new ReplicationException("no " + file + ": run the prepare stage first");
        }
        List<CurriculumProblem> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                out.add(json.readValue(line, CurriculumProblem.class));
            }
        }
        return List.copyOf(out);
    }

    private static String read(Path file, String what) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new ReplicationException("cannot read " + what + " from " + file + " (did the platform start?)");
        }
    }

    private static String port(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || !v.matches("\\d{1,5}")) {
            throw new ReplicationException(name + " is not set to a port (run this through ./aster replicate)");
        }
        return v;
    }
}

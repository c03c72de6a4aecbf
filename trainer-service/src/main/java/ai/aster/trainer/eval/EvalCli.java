package ai.aster.trainer.eval;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code ./aster eval}: runs the harness from trainer-service's jar as a plain program (no Quarkus container;
 * the launcher puts the jar's {@code app/} and {@code lib/main/} folders on the class path). Prints the markdown
 * report on stdout, the progress bar and messages on stderr; a failure is one line, never a stack trace.
 */
public final class EvalCli {

    private EvalCli() {
    }

    public static void main(String[] args) {
        // Symja (behind the grader) logs through log4j-api with no backend here: keep its notice off stderr
        if (System.getProperty("log4j2.loggerContextFactory") == null) {
            System.setProperty("log4j2.loggerContextFactory",
                    "org.apache.logging.log4j.simple.SimpleLoggerContextFactory");
        }
        // exit explicitly: the computer-algebra library behind the grader keeps threads alive
        System.exit(run(Arrays.asList(args), System.getenv(), System.out, System.err, GradingJudge::new));
    }

    /** @return the exit status: 0 done, 1 the run failed, 2 bad arguments */
    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err,
            Supplier<AnswerJudge> judges) {
        ObjectMapper json = json();
        EvalCommand command;
        Benchmark benchmark;
        try {
            command = EvalCommand.parse(args, env);
            // checked before anything is sent: a typo in a number fails at once, not after the model list
            new SamplingSettings(command.benchmark(), null, command.temperature(), command.topP(),
                    command.maxToolCalls(), command.maxTokens());
            benchmark = new BenchmarkLoader(json).load(command.benchmark()).limit(command.limit());
        } catch (EvalException e) {
            err.println("aster eval: " + e.getMessage());
            return 2;
        }
        try {
            ChatEndpoint endpoint = new ChatEndpoint(json, command.endpoint(), command.apiKey(),
                    command.requestTimeout());
            String model = command.model() != null ? command.model() : endpoint.firstModel();
            SamplingSettings sampling = new SamplingSettings(command.benchmark(), model, command.temperature(),
                    command.topP(), command.maxToolCalls(), command.maxTokens());
            EvalSettings settings = new EvalSettings(sampling, command.k(), command.limit(), command.concurrency(),
                    command.endpoint(), command.apiKey(), command.requestTimeout(), outDir(json, command));
            RunFolder folder = RunFolder.open(json, settings.out(), sampling);
            err.println("aster eval: " + benchmark.problems().size() + " problems x " + settings.k() + " samples of "
                    + model + " via " + settings.endpoint() + "; run folder " + folder.dir());
            EvalRunner.Result result;
            AnswerJudge judge = judges.get();
            try (ConsoleProgress progress = new ConsoleProgress(Path.of(benchmark.name()).getFileName().toString(),
                    err)) {
                result = new EvalRunner(endpoint, judge).run(folder, benchmark, sampling, settings.k(),
                        settings.concurrency(), progress);
            } finally {
                if (judge instanceof AutoCloseable closeable) {
                    closeQuietly(closeable);
                }
            }
            out.print(result.markdown());
            out.flush();
            err.println("aster eval: report in " + folder.dir().resolve(RunFolder.REPORT_MD) + " and "
                    + RunFolder.REPORT_JSON);
            return 0;
        } catch (EvalException e) {
            err.println("aster eval: " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            // a defect, not the user's input: still one line, with what is needed to report it
            err.println("aster eval: internal error: " + e);
            return 1;
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // the grader's threads: nothing left to save
        }
    }

    private static Path outDir(ObjectMapper json, EvalCommand command) {
        if (command.out() != null) {
            return command.out();
        }
        Path root = command.stateDir().resolve("evals");
        if (command.resume()) {
            return RunIds.latestUnfinished(json, root, command.benchmark()).orElseThrow(() -> new EvalException(
                    "--resume: no unfinished run of " + command.benchmark() + " under " + root));
        }
        return root.resolve(RunIds.next(command.benchmark(), LocalDateTime.now()));
    }

    /** The harness's JSON: unknown fields tolerated (other servers add their own). */
    public static ObjectMapper json() {
        return new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }
}

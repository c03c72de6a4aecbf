package ai.aster.trainer.teach;

import ai.aster.modeling.ChatTemplate;
import ai.aster.modeling.Tokenizer;
import ai.aster.trainer.curriculum.Curriculum;
import ai.aster.trainer.curriculum.CurriculumProblem;
import ai.aster.trainer.curriculum.Family;
import ai.aster.trainer.curriculum.Split;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code ./aster teach --style dense|sparse --count N --seed S --model DIR [--out FILE.jsonl]}: draws N training
 * problems of the curriculum, has the teacher solve each against the running sandbox, publishes each trajectory to
 * Kafka ({@code source=sft}; the trainer stores it), and with {@code --out} also writes them as OpenAI-format JSONL.
 * {@code --per-execution N} runs N problems' calls together in one sandbox execution (thousands of problems at
 * the cost of a few containers) instead of one container per call.
 * A progress bar on stderr; errors are one line: exit 2 for bad arguments, 1 when trajectories could not be made.
 */
public final class TeachCli {

    static final String USAGE = "usage: ./aster teach --style dense|sparse --count N --seed S --model DIR"
            + " [--out FILE.jsonl] [--families a,b] [--levels 1,2,3] [--concurrency 4] [--per-execution 1]"
            + " [--no-publish]";

    private TeachCli() {}

    /** The parsed command line; endpoints come from the launcher's environment. */
    record Options(TeachingStyle style, int count, long seed, Path model, Path out, List<Family> families,
            List<Integer> levels, int concurrency, int perExecution, boolean publish, String sandboxUrl, String kafka,
            String token) {

        static Options parse(List<String> args, Map<String, String> env) {
            TeachingStyle style = null;
            int count = 100;
            long seed = 0;
            Path state = Path.of(env.getOrDefault("ASTER_STATE_DIR", ".aster"));
            Path model = env.containsKey("ASTER_MODEL_PATH") ? Path.of(env.get("ASTER_MODEL_PATH"))
                    : state.resolve("model");
            Path out = null;
            List<Family> families = List.of(Family.values());
            List<Integer> levels = List.of(1, 2, 3);
            int concurrency = 4;
            int perExecution = 1;
            boolean publish = true;
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (arg.equals("--no-publish")) {
                    publish = false;
                    continue;
                }
                if (arg.equals("--help") || arg.equals("-h")) {
                    throw new IllegalArgumentException(USAGE);
                }
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(arg + " needs a value (" + USAGE + ")");
                }
                String value = args.get(++i);
                switch (arg) {
                    case "--style" -> style = TeachingStyle.parse(value);
                    case "--count" -> count = positive(arg, value);
                    case "--seed" -> seed = longValue(arg, value);
                    case "--model" -> model = Path.of(value);
                    case "--out" -> out = Path.of(value);
                    case "--concurrency" -> concurrency = positive(arg, value);
                    case "--per-execution" -> perExecution = positive(arg, value);
                    case "--families" -> families = Arrays.stream(value.split(",")).map(String::strip)
                            .map(Family::parse).toList();
                    case "--levels" -> levels = Arrays.stream(value.split(",")).map(String::strip)
                            .map(v -> positive("--levels", v)).toList();
                    default -> throw new IllegalArgumentException("unknown option " + arg + " (" + USAGE + ")");
                }
            }
            if (style == null) {
                throw new IllegalArgumentException("--style dense|sparse is required (" + USAGE + ")");
            }
            if (!Files.isRegularFile(model.resolve("tokenizer.json"))) {
                throw new IllegalArgumentException("--model " + model + " is not a model folder (no tokenizer.json)");
            }
            String token = env.get("ASTER_INTERNAL_TOKEN");
            if (token == null || token.isBlank()) {
                try {
                    token = Files.readString(state.resolve("internal-token")).strip();
                } catch (IOException e) {
                    throw new IllegalArgumentException("no internal token: set ASTER_INTERNAL_TOKEN or start the"
                            + " platform (./aster up writes " + state.resolve("internal-token") + ")");
                }
            }
            String sandbox = "http://127.0.0.1:" + env.getOrDefault("ASTER_SANDBOX_PORT", "8082");
            String kafka = "127.0.0.1:" + env.getOrDefault("ASTER_KAFKA_PORT", "9092");
            return new Options(style, count, seed, model, out, families, levels, concurrency, perExecution, publish,
                    sandbox, kafka, token);
        }
    }

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args), System.getenv(), System.err));
    }

    /** @return 0 all written, 1 some could not be made (or delivered), 2 bad arguments */
    public static int run(List<String> args, Map<String, String> env, PrintStream err) {
        Options options;
        List<CurriculumProblem> problems;
        try {
            options = Options.parse(args, env);
            problems = Curriculum.generate(Split.TRAIN, options.count(), options.seed(), options.families(),
                    options.levels());
        } catch (IllegalArgumentException e) {
            err.println("aster teach: " + e.getMessage());
            return 2;
        }
        ObjectMapper json = json();
        try (Tokenizer tokenizer = Tokenizer.load(options.model());
                TrajectoryProducer producer = options.publish() ? new TrajectoryProducer(json, options.kafka()) : null;
                BufferedWriter file = options.out() == null ? null : writer(options.out())) {
            Teacher teacher = new Teacher(tokenizer, ChatTemplate.forModel(options.model()),
                    new SandboxExecutions(json, options.sandboxUrl(), options.token()), json);
            err.println("aster teach: " + problems.size() + " " + options.style().wireName() + " trajectories with the"
                    + " tokenizer of " + options.model() + ", sandbox " + options.sandboxUrl()
                    + (options.publish() ? ", Kafka " + options.kafka() : ", not published")
                    + (options.out() == null ? "" : ", file " + options.out()));
            int failed = teach(teacher, problems, options, producer, file, json, err);
            if (failed > 0) {
                err.println("aster teach: " + failed + " of " + problems.size() + " problems got no trajectory");
                return 1;
            }
            return 0;
        } catch (TeachingException e) {
            err.println("aster teach: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("aster teach: cannot write " + options.out() + ": " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            err.println("aster teach: internal error: " + e);
            return 1;
        }
    }

    private static int teach(Teacher teacher, List<CurriculumProblem> problems, Options options,
            TrajectoryProducer producer, BufferedWriter file, ObjectMapper json, PrintStream err) throws IOException {
        TeachingBatch.Outcome outcome = new TeachingBatch(teacher, options.concurrency(),
                options.perExecution(), err).teach(problems,
                options.style(), trajectory -> {
                    if (producer != null) {
                        producer.publish(trajectory);
                    }
                    if (file != null) {
                        file.write(json.writeValueAsString(OpenAiSftRecord.of(trajectory, options.style())));
                        file.write('\n');
                        file.flush();
                    }
                });
        if (outcome.firstFailure() != null) {
            err.println("aster teach: first failure: " + outcome.firstFailure());
        }
        return outcome.failed();
    }

    private static BufferedWriter writer(Path out) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        return Files.newBufferedWriter(out, StandardCharsets.UTF_8);
    }

    /** Trajectories as the gateway writes them: ISO-8601 instants, unknown fields tolerated. */
    public static ObjectMapper json() {
        return new ObjectMapper().findAndRegisterModules()
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    private static int positive(String option, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n < 1) {
                throw new IllegalArgumentException(option + " must be at least 1; was " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be an integer; was '" + value + "'");
        }
    }

    private static long longValue(String option, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be an integer; was '" + value + "'");
        }
    }
}

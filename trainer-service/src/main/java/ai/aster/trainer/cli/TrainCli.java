package ai.aster.trainer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import me.tongfei.progressbar.ProgressBar;

/**
 * {@code ./aster train}: starts a training job on the running trainer-service and follows it with a progress bar
 * until it ends; {@code status [ID]}, {@code cancel ID}, {@code resume ID}. A plain program (no Quarkus container)
 * run from trainer-service's jar. Messages go to stderr, one line per failure, never a stack trace.
 */
public final class TrainCli {

    static final String USAGE = """
            usage: ./aster train sft|grpo --config FILE [--id ID] [--no-follow]   start a job (FILE: YAML or JSON)
                   ./aster train status [ID]                                     list jobs, or one job
                   ./aster train follow ID                                       follow a job's progress
                   ./aster train resume ID                                       continue a failed or cancelled job
                   ./aster train cancel ID                                       stop a job after its current step
            options: --trainer URL (default http://127.0.0.1:$ASTER_TRAINER_PORT, port 8083)""";

    /** Config keys whose string values name files or folders: a relative path is made absolute here. */
    private static final Set<String> PATH_KEYS = Set.of("model", "jsonl", "parquet", "prompts", "path", "file");

    private final TrainerApi api;
    private final PrintStream out;
    private final PrintStream err;
    private final long pollMillis;

    TrainCli(TrainerApi api, PrintStream out, PrintStream err, long pollMillis) {
        this.api = api;
        this.out = out;
        this.err = err;
        this.pollMillis = pollMillis;
    }

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args), System.getenv(), System.out, System.err));
    }

    /** @return 0 done (a followed job succeeded), 1 failed (the job, or the trainer), 2 bad arguments or config */
    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        ObjectMapper json = new ObjectMapper();
        if (args.isEmpty() || args.contains("--help") || args.contains("-h")) {
            err.println(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        String command = args.getFirst();
        String config = null;
        String id = null;
        String trainer = null;
        boolean follow = true;
        String positional = null;
        for (int i = 1; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--config" -> config = value(args, ++i, a);
                case "--id" -> id = value(args, ++i, a);
                case "--trainer" -> trainer = value(args, ++i, a);
                case "--no-follow" -> follow = false;
                default -> {
                    if (a.startsWith("--") || positional != null) {
                        err.println("aster train: unknown argument '" + a + "'\n" + USAGE);
                        return 2;
                    }
                    positional = a;
                }
            }
        }
        if (trainer == null) {
            trainer = "http://127.0.0.1:" + env.getOrDefault("ASTER_TRAINER_PORT", "8083");
        }
        String token = token(env);
        if (token == null) {
            err.println("aster train: no internal token: set ASTER_INTERNAL_TOKEN or run ./aster up (it writes "
                    + ".aster/internal-token)");
            return 1;
        }
        TrainCli cli = new TrainCli(new TrainerApi(URI.create(trainer.replaceAll("/+$", "") + "/"), token, json),
                out, err, 1000);
        try {
            return switch (command) {
                case "sft", "grpo" -> {
                    if (config == null) {
                        throw new UsageException("--config FILE is required");
                    }
                    yield cli.start(command, readConfig(Path.of(config), json), id, follow);
                }
                case "status" -> cli.status(positional);
                case "follow" -> cli.follow(required(positional, "follow"));
                case "resume" -> cli.resume(required(positional, "resume"), follow);
                case "cancel" -> cli.cancel(required(positional, "cancel"));
                default -> throw new UsageException("unknown command '" + command + "'");
            };
        } catch (UsageException e) {
            err.println("aster train: " + e.getMessage() + "\n" + USAGE);
            return 2;
        } catch (TrainerApi.ApiException e) {
            err.println("aster train: " + e.getMessage());
            return e.status == 400 ? 2 : 1;
        }
    }

    private static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new UsageException(option + " needs a value");
        }
        return args.get(i);
    }

    private static String required(String id, String command) {
        if (id == null) {
            throw new UsageException(command + " needs a job id");
        }
        return id;
    }

    /** ASTER_INTERNAL_TOKEN, else the file ./aster up writes ({@code $ASTER_STATE_DIR/internal-token}). */
    static String token(Map<String, String> env) {
        String value = env.get("ASTER_INTERNAL_TOKEN");
        if (value != null && !value.isBlank()) {
            return value.strip();
        }
        Path file = Path.of(env.getOrDefault("ASTER_STATE_DIR", ".aster"), "internal-token");
        try {
            return Files.isReadable(file) ? Files.readString(file).strip() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** A YAML or JSON file (JSON is read by the YAML parser too); relative paths in it made absolute. */
    static ObjectNode readConfig(Path file, ObjectMapper json) {
        if (!Files.isRegularFile(file)) {
            throw new UsageException("no config file " + file);
        }
        JsonNode node;
        try {
            node = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new UsageException(file + " is not YAML or JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (node == null || !node.isObject()) {
            throw new UsageException(file + " must hold a mapping of settings (model:, data:, steps:, ...)");
        }
        ObjectNode config = json.valueToTree(node);
        absolutePaths(config, file.toAbsolutePath().getParent());
        return config;
    }

    /** The trainer runs elsewhere (another working directory): send it paths that do not depend on ours. */
    private static void absolutePaths(ObjectNode node, Path configDir) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isObject()) {
                absolutePaths((ObjectNode) e.getValue(), configDir);
            } else if (e.getValue().isTextual() && PATH_KEYS.contains(e.getKey())) {
                Path p = Path.of(e.getValue().asText());
                if (!p.isAbsolute()) {
                    Path here = p.toAbsolutePath();
                    Path besideConfig = configDir.resolve(p);
                    e.setValue(node.textNode((Files.exists(here) || !Files.exists(besideConfig) ? here : besideConfig)
                            .normalize().toString()));
                }
            }
        }
    }

    int start(String type, ObjectNode config, String id, boolean follow) {
        ObjectNode body = new ObjectMapper().createObjectNode().put("type", type);
        body.set("config", config);
        if (id != null) {
            body.put("id", id);
        }
        JsonNode job = api.post("v1/jobs", body);
        err.println("aster train: job " + job.path("id").asText() + " " + job.path("status").asText() + " ("
                + type + "), folder " + job.path("folder").asText());
        return follow ? follow(job.path("id").asText()) : 0;
    }

    int resume(String id, boolean follow) {
        JsonNode job = api.post("v1/jobs", new ObjectMapper().createObjectNode().put("id", id).put("resume", true));
        err.println("aster train: job " + id + " " + job.path("status").asText() + " again, from its newest checkpoint");
        return follow ? follow(id) : 0;
    }

    int cancel(String id) {
        JsonNode job = api.delete("v1/jobs/" + id);
        err.println("aster train: job " + id + " " + (job.path("status").asText().equals("cancelled") ? "cancelled"
                : "stops after its current step (status " + job.path("status").asText() + ")"));
        return 0;
    }

    int status(String id) {
        if (id != null) {
            JsonNode job = api.get("v1/jobs/" + id);
            out.println(describe(job));
            out.println("  folder  " + job.path("folder").asText() + "  (job.json, steps.jsonl, checkpoints/"
                    + curveFiles(job) + ")");
            if (job.hasNonNull("error")) {
                out.println("  error   " + job.path("error").asText());
            }
            return 0;
        }
        JsonNode list = api.get("v1/jobs").path("data");
        if (list.isEmpty()) {
            out.println("no training jobs");
        }
        for (JsonNode job : list) {
            out.println(describe(job));
        }
        return 0;
    }

    /** Follows the job until it ends; Ctrl-C stops following only. */
    int follow(String id) {
        Thread hint = new Thread(() -> err.println("\naster train: stopped following; job " + id
                + " keeps running. Cancel it with ./aster train cancel " + id));
        Runtime.getRuntime().addShutdownHook(hint);
        JsonNode job = api.get("v1/jobs/" + id);
        try (ProgressBar bar = ProgressBars.on(err, id)
                .setInitialMax(Math.max(1, job.path("total_steps").asInt(1))).setUnit(" steps", 1).build()) {
            while (true) {
                if (job.path("total_steps").asInt() > 0) {
                    bar.maxHint(job.path("total_steps").asInt());
                }
                bar.stepTo(job.path("step").asInt());
                bar.setExtraMessage(" " + job.path("status").asText() + numbers(job));
                if (Set.of("succeeded", "failed", "cancelled").contains(job.path("status").asText())) {
                    break;
                }
                try {
                    Thread.sleep(pollMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 1;
                }
                job = api.get("v1/jobs/" + id);
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hint);
            } catch (IllegalStateException e) {
                // the JVM is exiting (Ctrl-C): the hint is printed
            }
        }
        String status = job.path("status").asText();
        err.println("aster train: job " + id + " " + status + " at step " + job.path("step").asInt() + "/"
                + job.path("total_steps").asInt() + (job.hasNonNull("error") ? ": " + job.path("error").asText() : ""));
        err.println("aster train: " + job.path("folder").asText() + "/steps.jsonl" + curveFiles(job));
        if (status.equals("failed") || status.equals("cancelled")) {
            err.println("aster train: continue it with ./aster train resume " + id);
        }
        return status.equals("succeeded") ? 0 : 1;
    }

    private static String curveFiles(JsonNode job) {
        StringBuilder s = new StringBuilder();
        for (JsonNode c : job.path("curves")) {
            s.append(s.isEmpty() ? ", " : " ").append(c.asText()).append(".png");
        }
        return s.toString();
    }

    private static String describe(JsonNode job) {
        return String.format(Locale.ROOT, "%-36s %-4s %-9s step %d/%d%s", job.path("id").asText(),
                job.path("type").asText(), job.path("status").asText(), job.path("step").asInt(),
                job.path("total_steps").asInt(), numbers(job));
    }

    /** The last step's headline numbers: loss, reward, tool calls, and the served policy version. */
    private static String numbers(JsonNode job) {
        JsonNode m = job.path("last").path("metrics");
        StringBuilder s = new StringBuilder();
        append(s, "loss", m.path("loss"), "%.4f");
        append(s, "reward", m.path("reward_mean"), "%.3f");
        append(s, "acc", m.path("accuracy"), "%.3f");
        append(s, "tools", m.path("tool_calls_mean"), "%.2f");
        append(s, "policy", job.path("policy_version"), "%.0f");
        return s.toString();
    }

    private static void append(StringBuilder s, String name, JsonNode value, String format) {
        if (value.isNumber()) {
            s.append("  ").append(name).append(' ').append(String.format(Locale.ROOT, format, value.asDouble()));
        }
    }
}

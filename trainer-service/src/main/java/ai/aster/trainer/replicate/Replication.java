package ai.aster.trainer.replicate;

import ai.aster.modeling.ChatTemplate;
import ai.aster.modeling.Qwen3Config;
import ai.aster.modeling.Tokenizer;
import ai.aster.modeling.train.TrainerCheckpoint;
import ai.aster.protocol.trajectory.Trajectory;
import ai.aster.trainer.client.ModelWeightsClient;
import ai.aster.trainer.curriculum.CurriculumProblem;
import ai.aster.trainer.eval.AnswerJudge;
import ai.aster.trainer.eval.ChatEndpoint;
import ai.aster.trainer.eval.EvalException;
import ai.aster.trainer.teach.SandboxExecutions;
import ai.aster.trainer.teach.Teacher;
import ai.aster.trainer.teach.TeachingBatch;
import ai.aster.trainer.teach.TeachingException;
import ai.aster.trainer.teach.TeachingStyle;
import ai.aster.trainer.teach.TrajectoryProducer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * The replication against a running platform: teach both arms into the store, SFT each arm from the fresh model,
 * then per setting (dense and sparse with budget B, dense with budget 1) evaluate the cold start, train GRPO, and
 * evaluate its checkpoints on the held-out split; the best checkpoint is copied out and evaluated again without
 * tools. Stages print a line each; evaluation and teaching draw progress bars.
 */
final class Replication {

    /** Where the platform answers. */
    record Endpoints(String gateway, String modelService, String sandbox, String kafka) {}

    private final ObjectMapper json;
    private final PrintStream err;
    private final Endpoints endpoints;
    private final PlatformJobs jobs;
    private final ModelWeightsClient weights;
    private final ChatEndpoint chat;
    private final AnswerJudge judge;
    private final String internalToken;
    private final Map<String, Double> stageSeconds = new LinkedHashMap<>();

    Replication(ObjectMapper json, PrintStream err, Endpoints endpoints, PlatformJobs jobs, ModelWeightsClient weights,
            ChatEndpoint chat, AnswerJudge judge, String internalToken) {
        this.json = json;
        this.err = err;
        this.endpoints = endpoints;
        this.jobs = jobs;
        this.weights = weights;
        this.chat = chat;
        this.judge = judge;
        this.internalToken = internalToken;
    }

    ReplicationResults run(RunLayout layout, ReplicateSettings s, String command, String commit,
            List<CurriculumProblem> train, List<CurriculumProblem> heldOut) throws IOException {
        JsonNode prepared = json.readTree(layout.prepared().toFile());
        long startedAt = prepared.path("started_at_ms").asLong(System.currentTimeMillis());
        stageSeconds.put("prepare (curriculum, tokenizer, model)", prepared.path("seconds").asDouble());
        stageSeconds.put("platform start", Math.max(0, (System.currentTimeMillis() - startedAt) / 1000.0
                - prepared.path("seconds").asDouble()));

        String model;
        try {
            model = chat.firstModel();
        } catch (EvalException e) {
            throw new ReplicationException("the platform's gateway does not answer: " + e.getMessage());
        }
        // 1. expert trajectories of both arms, in the store
        long t = System.nanoTime();
        ReplicationResults.Teaching teaching = teach(layout, s, train);
        stage("teach (dense " + teaching.denseTrajectories() + ", sparse " + teaching.sparseTrajectories() + ")", t);

        // 2. a cold start per arm
        Map<TeachingStyle, String> sftJobs = new LinkedHashMap<>();
        Map<TeachingStyle, Path> coldStarts = new LinkedHashMap<>();
        for (TeachingStyle arm : TeachingStyle.values()) {
            t = System.nanoTime();
            String id = "replicate-sft-" + arm.wireName();
            int count = arm == TeachingStyle.DENSE ? teaching.denseTrajectories() : teaching.sparseTrajectories();
            say("[sft " + arm.wireName() + "] job " + id + " on " + count + " trajectories");
            jobs.start("sft", id, sftConfig(layout, s, arm, count));
            JsonNode job = jobs.await(id, progress(id));
            sftJobs.put(arm, id);
            coldStarts.put(arm, checkpoint(job, job.path("step").asInt()));
            stage("sft " + arm.wireName(), t);
        }

        // 3. per setting: the cold start, GRPO, its checkpoints, on the held-out split
        HeldOutEvaluation eval = new HeldOutEvaluation(chat, judge, json, model, heldOut, layout.heldOutProblems(),
                s.eval(), layout.evals(), err);
        Map<String, EvalPoint> done = new HashMap<>(); // the same checkpoint and budget is evaluated once
        List<ReplicationResults.SettingResult> results = new ArrayList<>();
        for (Setting setting : List.of(new Setting(TeachingStyle.DENSE, s.grpo().budget()),
                new Setting(TeachingStyle.SPARSE, s.grpo().budget()),
                new Setting(TeachingStyle.DENSE, s.grpo().ablationBudget()))) {
            String id = setting.id();
            List<EvalPoint> points = new ArrayList<>();
            t = System.nanoTime();
            Path coldStart = coldStarts.get(setting.arm());
            points.add(evaluate(eval, done, id, 0, coldStart, s.grpo().budget()));
            stage("eval " + id + " step 0", t);

            t = System.nanoTime();
            String grpoId = "replicate-grpo-" + id;
            say("[grpo " + id + "] job " + grpoId + ": " + steps(s.grpo().steps()) + " x " + s.grpo().promptsPerStep()
                    + " prompts x " + s.grpo().rolloutsPerPrompt() + " rollouts, budget " + setting.budget());
            load(coldStart); // the job starts from the weights the model service serves
            jobs.start("grpo", grpoId, grpoConfig(layout, s, coldStart, setting.budget()));
            JsonNode job = jobs.awaitEnd(grpoId, progress(grpoId));
            stage("grpo " + id, t);
            // a GRPO job that fails after starting (e.g. every group of rollouts scored alike: no signal) is an
            // outcome of this setting, reported with the checkpoints it reached; a refused job still ends the run
            String rlStopped = null;
            int reached = job.path("step").asInt();
            if (!"succeeded".equals(job.path("status").asText())) {
                rlStopped = job.path("error").asText("no error given") + " (after " + steps(reached) + ")";
                say("[grpo " + id + "] stopped early: " + rlStopped);
            }

            t = System.nanoTime();
            List<Integer> evaluated = new ArrayList<>(s.evaluatedSteps().stream().filter(st -> st <= reached).toList());
            if (reached > 0 && !evaluated.contains(reached) && hasCheckpoint(job, reached)) {
                evaluated.add(reached);
            }
            for (int step : evaluated) {
                points.add(evaluate(eval, done, id, step, checkpoint(job, step), s.grpo().budget()));
            }
            stage("eval " + id + " RL checkpoints", t);
            results.add(new ReplicationResults.SettingResult(id, setting.arm().wireName(), setting.budget(),
                    sftJobs.get(setting.arm()), grpoId, List.copyOf(points), rlStopped));
        }

        // 4. the best checkpoint: copied out, and evaluated without tools
        t = System.nanoTime();
        EvalPoint best = results.stream().flatMap(r -> r.points().stream())
                .max(java.util.Comparator.comparingDouble(EvalPoint::avgAtK)).orElseThrow();
        Path bestCheckpoint = Path.of(best.checkpoint());
        copyModel(bestCheckpoint, layout.best());
        say(String.format(Locale.ROOT, "[best] %s step %d (%.1f%% avg@%d) copied to %s", best.setting(), best.step(),
                100 * best.avgAtK(), s.eval().k(), layout.best()));
        load(bestCheckpoint);
        EvalPoint noTools = EvalPoint.copyOf(eval.evaluate("best", best.step(), 0, bestCheckpoint), best.setting());
        stage("eval best without tools", t);

        long parameters = Qwen3Config.read(layout.model().resolve("config.json")).parameterCount();
        double total = (System.currentTimeMillis() - startedAt) / 1000.0;
        return new ReplicationResults(s.name(), command, commit, s.seed(), parameters, s, teaching, results, best,
                noTools, layout.best().toString(), stageSeconds, total, prepared.path("load_at_start").asText(),
                MachineLoad.now());
    }

    /** An arm's cold start trained by GRPO with a budget. */
    private record Setting(TeachingStyle arm, int budget) {
        String id() {
            return arm.wireName() + "-b" + budget;
        }
    }

    private ReplicationResults.Teaching teach(RunLayout layout, ReplicateSettings s, List<CurriculumProblem> train)
            throws IOException {
        Path model = layout.model();
        try (Tokenizer tokenizer = Tokenizer.load(model);
                TrajectoryProducer producer = new TrajectoryProducer(json, endpoints.kafka())) {
            Teacher teacher = new Teacher(tokenizer, ChatTemplate.forModel(model),
                    new SandboxExecutions(json, endpoints.sandbox(), internalToken), json);
            TeachingBatch batch = new TeachingBatch(teacher, 4, 1, err);
            say("[teach dense] " + s.denseProblems() + " problems through the sandbox at " + endpoints.sandbox());
            TeachingBatch.Outcome dense = batch.teach(train.subList(0, s.denseProblems()), TeachingStyle.DENSE,
                    producer::publish);
            if (dense.trajectories().isEmpty()) {
                throw new ReplicationException("the teacher solved none of the dense problems: " + dense.firstFailure());
            }
            long denseTokens = dense.trajectories().stream().mapToLong(tr -> tr.usage().completionTokens()).sum();
            double denseCalls = dense.trajectories().stream().mapToInt(tr -> tr.usage().toolCalls()).average()
                    .orElse(0);
            say("[teach sparse] problems until the sparse trajectories hold " + denseTokens
                    + " completion tokens, as the dense ones do");
            List<Trajectory> sparse = new ArrayList<>();
            int failed = dense.failed();
            int next = 0;
            int chunk = Math.max(8, s.denseProblems());
            OptionalInt count = OptionalInt.empty();
            while (count.isEmpty()) {
                if (next >= train.size()) {
                    throw new ReplicationException("the " + train.size() + " training problems give fewer sparse"
                            + " tokens than the dense arm's " + denseTokens + "; raise the preset's trainPool");
                }
                List<CurriculumProblem> part = train.subList(next, Math.min(train.size(), next + chunk));
                next += part.size();
                TeachingBatch.Outcome o = batch.teach(part, TeachingStyle.SPARSE, tr -> { });
                failed += o.failed();
                sparse.addAll(o.trajectories());
                count = EqualTokens.count(sparse.stream().map(tr -> tr.usage().completionTokens()).toList(),
                        denseTokens);
            }
            List<Trajectory> chosen = sparse.subList(0, count.getAsInt());
            chosen.forEach(producer::publish);
            long sparseTokens = chosen.stream().mapToLong(tr -> tr.usage().completionTokens()).sum();
            if (failed > 0) {
                say("[teach] " + failed + " problems got no trajectory (left out); first: " + dense.firstFailure());
            }
            jobs.awaitStored(denseFilter(), dense.trajectories().size(), Duration.ofMinutes(3));
            jobs.awaitStored(sparseFilter(), chosen.size(), Duration.ofMinutes(3));
            say("[teach] stored: dense " + dense.trajectories().size() + " trajectories (" + denseTokens
                    + " tokens), sparse " + chosen.size() + " (" + sparseTokens + " tokens)");
            return new ReplicationResults.Teaching(dense.trajectories().size(), denseTokens, denseCalls,
                    chosen.size(), sparseTokens, failed);
        } catch (TeachingException e) {
            throw new ReplicationException("teaching failed: " + e.getMessage(), e);
        }
    }

    /** The dense arm: the teacher's trajectories with several calls (three or more). */
    private static Map<String, String> denseFilter() {
        return Map.of("source", Teacher.SOURCE, "min_tool_calls", "3");
    }

    /** The sparse arm: the teacher's one-call trajectories. */
    private static Map<String, String> sparseFilter() {
        return Map.of("source", Teacher.SOURCE, "min_tool_calls", "1", "max_tool_calls", "1");
    }

    private ObjectNode sftConfig(RunLayout layout, ReplicateSettings s, TeachingStyle arm, int count) {
        ObjectNode c = json.createObjectNode().put("model", layout.model().toString());
        ObjectNode store = c.putObject("data").putObject("store");
        (arm == TeachingStyle.DENSE ? denseFilter() : sparseFilter()).forEach((k, v) -> {
            if (k.endsWith("tool_calls")) {
                store.put(k, Integer.parseInt(v));
            } else {
                store.put(k, v);
            }
        });
        store.put("limit", Math.max(1, count));
        ReplicateSettings.Sft sft = s.sft();
        return c.put("epochs", sft.epochs()).put("batch_size", sft.batchSize())
                .put("micro_batch_size", sft.microBatchSize()).put("lr", sft.lr()).put("warmup_steps", sft.warmupSteps())
                .put("max_seq_len", sft.maxSeqLen()).put("checkpoint_every", 1_000_000).put("sync_weights", false)
                .put("seed", s.seed());
    }

    private ObjectNode grpoConfig(RunLayout layout, ReplicateSettings s, Path coldStart, int budget) {
        ReplicateSettings.Grpo g = s.grpo();
        ObjectNode c = json.createObjectNode().put("model", coldStart.toString());
        c.putObject("prompts").put("jsonl", layout.trainProblems().toString());
        c.put("steps", g.steps()).put("prompts_per_step", g.promptsPerStep())
                .put("rollouts_per_prompt", g.rolloutsPerPrompt()).put("max_tool_calls", budget)
                .put("temperature", g.temperature()).put("max_tokens", g.maxTokens()).put("lr", g.lr())
                .put("checkpoint_every", s.eval().every()).put("sync_weights", true).put("seed", s.seed())
                .put("store_timeout", "5m");
        if (g.overlongBuffer() > 0) {
            c.putObject("overlong").put("buffer", g.overlongBuffer()).put("penalty", 1.0);
        }
        return c;
    }

    private EvalPoint evaluate(HeldOutEvaluation eval, Map<String, EvalPoint> done, String setting, int step,
            Path checkpoint, int budget) {
        String key = checkpoint + "#" + budget;
        EvalPoint earlier = done.get(key);
        if (earlier != null) {
            say("[eval " + setting + " step " + step + "] the same checkpoint as " + earlier.setting() + " step "
                    + earlier.step() + ": its numbers");
            return EvalPoint.copyOf(earlier, setting);
        }
        load(checkpoint);
        EvalPoint p = eval.evaluate(setting, step, budget, checkpoint);
        say(String.format(Locale.ROOT, "[eval %s step %d] avg@k %.1f%%, %.2f tool calls per trajectory", setting,
                step, 100 * p.avgAtK(), p.toolCalls()));
        done.put(key, p);
        return p;
    }

    private void load(Path checkpoint) {
        try {
            weights.load(checkpoint);
        } catch (ModelWeightsClient.WeightSyncException e) {
            throw new ReplicationException("cannot load " + checkpoint + " into the model service: " + e.getMessage());
        }
    }

    private static boolean hasCheckpoint(JsonNode job, int step) {
        return Files.isRegularFile(Path.of(job.path("folder").asText()).resolve("checkpoints")
                .resolve(String.format(Locale.ROOT, "step-%06d", step)).resolve("config.json"));
    }

    /** The checkpoint of a job's step ({@code <folder>/checkpoints/step-NNNNNN}). */
    private static Path checkpoint(JsonNode job, int step) {
        Path dir = Path.of(job.path("folder").asText()).resolve("checkpoints")
                .resolve(String.format(Locale.ROOT, "step-%06d", step));
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            throw new ReplicationException("job " + job.path("id").asText() + " has no checkpoint of step " + step
                    + " (" + dir + ")");
        }
        return dir;
    }

    /** The checkpoint's model files (Hugging Face layout), without the optimizer state. */
    private static void copyModel(Path checkpoint, Path target) throws IOException {
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(checkpoint)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String name = f.getFileName().toString();
                if (!name.equals(TrainerCheckpoint.OPTIMIZER_FILE) && !name.equals(TrainerCheckpoint.STATE_FILE)) {
                    Files.copy(f, target.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private PlatformJobs.Progress progress(String id) {
        int[] last = {-1};
        return job -> {
            int step = job.path("step").asInt();
            if (step != last[0] && step > 0) {
                last[0] = step;
                JsonNode m = job.path("last").path("metrics");
                StringBuilder line = new StringBuilder("  " + id + " step " + step + "/" + job.path("total_steps").asInt());
                m.properties().stream().filter(e -> List.of("loss", "reward_mean", "accuracy", "tool_calls_mean")
                        .contains(e.getKey()) && e.getValue().isNumber()).forEach(e -> line.append(String.format(
                        Locale.ROOT, "  %s %.4f", e.getKey(), e.getValue().asDouble())));
                err.println(line);
            }
        };
    }

    private void stage(String name, long startNanos) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        stageSeconds.merge(name, seconds, Double::sum);
        say(String.format(Locale.ROOT, "[%s] done in %.0f s", name, seconds));
    }

    private static String steps(int n) {
        return n + (n == 1 ? " step" : " steps");
    }

    private void say(String line) {
        err.println("aster replicate: " + line);
    }
}

package ai.aster.trainer.train.grpo;

import ai.aster.modeling.train.GrpoAdvantages;
import ai.aster.modeling.train.GrpoLoss;
import ai.aster.modeling.train.LearningRateSchedule;
import ai.aster.modeling.train.PolicyTrainer;
import ai.aster.modeling.train.StepMetrics;
import ai.aster.protocol.openai.ChatCompletionRequest;
import ai.aster.protocol.openai.ChatCompletionResponse;
import ai.aster.protocol.openai.ChatMessage;
import ai.aster.trainer.eval.ChatEndpoint;
import ai.aster.trainer.eval.EvalException;
import ai.aster.trainer.service.TrajectoryService;
import ai.aster.trainer.train.JobContext;
import ai.aster.trainer.train.StepRecord;
import ai.aster.trainer.train.TrainingRun;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jboss.logging.Logger;

/**
 * One GRPO job: per optimizer step, {@code prompts_per_step} prompts, {@code rollouts_per_prompt} rollouts each
 * through the gateway (the user-facing agent loop, labelled {@code X-Aster-Source: rollout}), the graded
 * trajectories read back from the store, group advantages, one {@link PolicyTrainer#grpoStep} and a checkpoint
 * whose weights the model service loads before the next step's rollouts.
 *
 * <p>A draw in which every group scored alike leaves nothing to train (dynamic sampling drops such groups): the step
 * draws the next prompts, at most {@link #MAX_DRAWS} times (DAPO's {@code max_num_gen_batches}), then fails.
 */
final class GrpoRun implements TrainingRun {

    /** Draws of prompts one step may take before a run in which every group scores alike is declared stuck. */
    static final int MAX_DRAWS = 10;
    /** The source label rollouts carry into the store. */
    static final String SOURCE = "rollout";

    private static final Logger LOG = Logger.getLogger(GrpoRun.class);

    private final GrpoJobConfig config;
    private final List<GrpoPrompt> prompts;
    private final ChatEndpoint endpoint;
    private final RolloutStore store;
    private final int concurrency;

    GrpoRun(GrpoJobConfig config, List<GrpoPrompt> prompts, ChatEndpoint endpoint, TrajectoryService trajectories,
            int concurrency) {
        this.config = config;
        this.prompts = List.copyOf(prompts);
        this.endpoint = endpoint;
        this.store = new RolloutStore(trajectories);
        this.concurrency = concurrency;
    }

    @Override
    public void run(JobContext context) throws Exception {
        PolicyTrainer.Options options = new PolicyTrainer.Options(
                new LearningRateSchedule(config.lr(), config.warmupSteps(), config.steps(), config.minLr()),
                config.maxGradNorm(), config.microBatchSize(), config.weightDecay(),
                new GrpoLoss(config.clipLow(), config.clipHigh(), config.dualClip(), config.tisCap()));
        String model = endpoint.firstModel();
        PromptOrder order = new PromptOrder(prompts, config.promptsPerStep(), config.seed());
        ExecutorService pool = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "grpo-rollout-" + context.jobId());
            t.setDaemon(true);
            return t;
        });
        try (PolicyTrainer trainer = context.openTrainer(config.model(), options)) {
            // the prompt draws continue from the resumed step; extra draws of earlier steps are not replayed
            int draw = trainer.step();
            OptionalLong version = OptionalLong.empty();
            while (trainer.step() < config.steps() && !context.cancelled()) {
                StepTotals totals = new StepTotals();
                GrpoAdvantages.Result trainable = null;
                for (int attempt = 1; attempt <= MAX_DRAWS && !context.cancelled(); attempt++) {
                    draw++;
                    trainable = drawAndScore(context, pool, model, order.forStep(draw), draw, totals);
                    if (!trainable.samples().isEmpty() && trainedTokens(trainable) > 0) {
                        break;
                    }
                    LOG.infof("GRPO job %s step %d: draw %d left nothing to train (%d groups scored alike)",
                            context.jobId(), trainer.step() + 1, draw, trainable.droppedGroups());
                    trainable = null;
                }
                if (trainable == null) {
                    if (context.cancelled()) {
                        break;
                    }
                    throw new IllegalStateException(MAX_DRAWS + " draws of " + config.promptsPerStep()
                            + " prompts in a row left no group whose rollouts scored differently (all right or all "
                            + "wrong): the prompts are too easy or too hard for this model");
                }
                StepMetrics step = trainer.grpoStep(trainable);
                long syncStart = System.nanoTime();
                // the last step, and the step a cancel ends on, are always saved: nothing trained is lost
                if (trainer.step() % config.checkpointEvery() == 0 || trainer.step() == config.steps()
                        || context.cancelled()) {
                    OptionalLong synced = context.checkpoint(trainer);
                    if (synced.isPresent()) {
                        version = synced;
                    }
                }
                double syncSeconds = (System.nanoTime() - syncStart) / 1e9;
                context.stepFinished(totals.record(step, config.steps(), syncSeconds,
                        version.isPresent() ? version.getAsLong() : totals.rolloutPolicyVersion));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static int trainedTokens(GrpoAdvantages.Result result) {
        int n = 0;
        for (var s : result.sequences()) {
            n += s.trainedTokens();
        }
        return n;
    }

    /** One draw: rollouts of {@code batch}, read back graded, turned into groups and advantages. */
    private GrpoAdvantages.Result drawAndScore(JobContext context, ExecutorService pool, String model,
            List<GrpoPrompt> batch, int draw, StepTotals totals) throws InterruptedException {
        long rolloutStart = System.nanoTime();
        List<Future<List<String>>> requests = new ArrayList<>();
        for (int g = 0; g < batch.size(); g++) {
            GrpoPrompt prompt = batch.get(g);
            long seed = config.seed() * 1_000_003L + (long) draw * 10_007L + g * 1_009L;
            requests.add(pool.submit(() -> context.cancelled() ? null : rollouts(model, prompt, seed)));
        }
        List<List<String>> idsByGroup = new ArrayList<>();
        for (int g = 0; g < requests.size(); g++) {
            try {
                List<String> ids = requests.get(g).get();
                idsByGroup.add(ids == null ? List.of() : ids);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (!(cause instanceof EvalException)) {
                    throw new IllegalStateException("rollout request failed: " + cause, cause);
                }
                LOG.warnf("GRPO job %s: rollouts of prompt %s failed: %s", context.jobId(), batch.get(g).id(),
                        cause.getMessage());
                totals.rolloutsFailed += config.rolloutsPerPrompt();
                idsByGroup.add(List.of());
            }
        }
        totals.rolloutSeconds += (System.nanoTime() - rolloutStart) / 1e9;

        long rewardStart = System.nanoTime();
        List<String> all = idsByGroup.stream().flatMap(List::stream).toList();
        Map<String, TrajectoryService.TrajectoryDetail> stored = store.await(all, config.storeTimeout());
        List<List<GrpoAdvantages.Rollout>> groups = new ArrayList<>();
        for (List<String> ids : idsByGroup) {
            List<GrpoAdvantages.Rollout> group = new ArrayList<>();
            for (String id : ids) {
                TrajectoryService.TrajectoryDetail detail = stored.get(id);
                if (detail == null) {
                    totals.rolloutsFailed++; // answered but never reached the store in time
                    continue;
                }
                RolloutSequence sequence = RolloutSequence.of(detail.tokenView());
                if (sequence == null) {
                    totals.rolloutsFailed++;
                    continue;
                }
                JsonNode doc = detail.trajectory();
                int completionTokens = doc.path("usage").path("completion_tokens").asInt(
                        detail.tokenView().modelTokens());
                double outcome = doc.path("reward").isNumber() ? doc.path("reward").asDouble() : 0.0;
                double reward = outcome + (config.overlong() == null ? 0 : config.overlong().shaping(completionTokens));
                totals.add(doc, outcome, reward, completionTokens, sequence.turnsSkipped());
                group.add(new GrpoAdvantages.Rollout(sequence.sequence(), reward));
            }
            if (!group.isEmpty()) {
                groups.add(group);
            }
        }
        GrpoAdvantages.Result result = GrpoAdvantages.compute(groups);
        totals.groupsDropped += result.droppedGroups();
        totals.rewardSeconds += (System.nanoTime() - rewardStart) / 1e9;
        return result;
    }

    /** One request for {@code n} rollouts of a prompt; the trajectory ids it produced, by choice index. */
    private List<String> rollouts(String model, GrpoPrompt prompt, long seed) {
        List<ChatMessage> messages = new ArrayList<>();
        if (config.systemPrompt() != null) {
            messages.add(ChatMessage.system(config.systemPrompt()));
            prompt.messages().stream().filter(m -> !"system".equals(m.role())).forEach(messages::add);
        } else {
            messages.addAll(prompt.messages());
        }
        int n = config.rolloutsPerPrompt();
        ChatCompletionRequest request = new ChatCompletionRequest(model, messages, config.maxTokens(), null,
                config.temperature(), config.topP(), null, seed, n, null, false, null, null, null, null, null,
                config.maxToolCalls(), null, prompt.answer(), prompt.id(), null);
        ChatCompletionResponse response = endpoint.complete(request, SOURCE, " for prompt " + prompt.id());
        List<String> ids = new ArrayList<>();
        for (ChatCompletionResponse.Choice choice : response.choices()) {
            ids.add(n > 1 ? response.id() + "-" + choice.index() : response.id());
        }
        return ids;
    }

    /** What a step's draws add up to, for its {@link StepRecord}. */
    private static final class StepTotals {
        int rollouts;
        int correct;
        double rewardSum;
        long toolCallsSum;
        long responseTokensSum;
        int formatErrors;
        int turnsSkipped;
        int groupsDropped;
        int rolloutsFailed;
        long rolloutPolicyVersion;
        final Map<Integer, Integer> toolCalls = new TreeMap<>();
        double rolloutSeconds;
        double rewardSeconds;

        void add(JsonNode doc, double outcome, double reward, int completionTokens, int skipped) {
            rollouts++;
            correct += outcome >= 1.0 ? 1 : 0;
            rewardSum += reward;
            int calls = doc.path("usage").path("tool_calls").asInt(0);
            toolCallsSum += calls;
            toolCalls.merge(calls, 1, Integer::sum);
            responseTokensSum += completionTokens;
            formatErrors += doc.path("usage").path("format_errors").asInt(0);
            turnsSkipped += skipped;
            rolloutPolicyVersion = Math.max(rolloutPolicyVersion, doc.path("policy_version").asLong(0));
        }

        StepRecord record(StepMetrics step, int totalSteps, double syncSeconds, long policyVersion) {
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("loss", step.loss());
            metrics.put("grad_norm", step.gradNorm());
            metrics.put("lr", step.learningRate());
            metrics.put("tokens", (double) step.tokens());
            metrics.put("sequences", (double) step.sequences());
            metrics.put("rollouts", (double) rollouts);
            metrics.put("reward_mean", rollouts == 0 ? 0 : rewardSum / rollouts);
            metrics.put("accuracy", rollouts == 0 ? 0 : (double) correct / rollouts);
            metrics.put("tool_calls_mean", rollouts == 0 ? 0 : (double) toolCallsSum / rollouts);
            metrics.put("response_tokens_mean", rollouts == 0 ? 0 : (double) responseTokensSum / rollouts);
            metrics.put("format_errors", (double) formatErrors);
            metrics.put("clip_fraction", step.clipFraction());
            metrics.put("dual_clip_fraction", step.dualClipFraction());
            metrics.put("approx_kl", step.approxKl());
            metrics.put("entropy", step.entropy());
            metrics.put("groups_dropped", (double) groupsDropped);
            metrics.put("turns_skipped", (double) turnsSkipped);
            metrics.put("rollouts_failed", (double) rolloutsFailed);
            metrics.put("policy_version", (double) policyVersion);
            Map<String, Double> seconds = new HashMap<>();
            seconds.put("rollout", rolloutSeconds);
            seconds.put("reward", rewardSeconds);
            seconds.put("forward_backward", step.forwardBackwardSeconds());
            seconds.put("optimizer", step.optimizerSeconds());
            seconds.put("weights_sync", syncSeconds);
            return new StepRecord(step.step(), totalSteps, metrics, seconds, toolCalls);
        }
    }
}

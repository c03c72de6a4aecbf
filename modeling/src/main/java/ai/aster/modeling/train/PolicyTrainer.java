package ai.aster.modeling.train;

import ai.aster.modeling.AdamW;
import ai.aster.modeling.Qwen3Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;

/**
 * One optimizer step on a mini-batch with the real Qwen3 model: split into micro-batches, recompute log-probs with
 * gradient, GRPO or SFT loss (token-mean over the whole mini-batch), backward into accumulated gradients, clip by
 * global norm, set the scheduled learning rate, AdamW step. Runs on the model's device, in float32. Not
 * thread-safe: a model belongs to one thread.
 */
public final class PolicyTrainer implements AutoCloseable {

    /**
     * @param schedule       learning rate per step
     * @param maxGradNorm    global gradient norm bound (PyTorch's {@code clip_grad_norm_})
     * @param microBatchSize sequences per forward/backward pass
     * @param weightDecay    AdamW's decoupled weight decay
     * @param loss           the GRPO loss settings
     */
    public record Options(LearningRateSchedule schedule, double maxGradNorm, int microBatchSize, double weightDecay,
            GrpoLoss loss) {

        public Options {
            if (!(maxGradNorm > 0) || microBatchSize < 1 || weightDecay < 0) {
                throw new IllegalArgumentException("need maxGradNorm > 0, microBatchSize >= 1, weightDecay >= 0");
            }
        }

        /** verl's actor defaults: grad clip 1.0, weight decay 0.01; ASTER's loss; 4 sequences per micro-batch. */
        public static Options defaults(LearningRateSchedule schedule) {
            return new Options(schedule, 1.0, 4, 0.01, GrpoLoss.aster());
        }

        Options withSchedule(LearningRateSchedule other) {
            return new Options(other, maxGradNorm, microBatchSize, weightDecay, loss);
        }
    }

    private final Qwen3Model model;
    private final boolean ownsModel;
    private final Options options;
    private final List<NDArray> parameters;
    private final AdamW optimizer;
    private final NDManager manager;

    /** A trainer over {@code model}, which stays the caller's to close. */
    public PolicyTrainer(Qwen3Model model, Options options) {
        this(model, options, false);
    }

    PolicyTrainer(Qwen3Model model, Options options, boolean ownsModel) {
        this.model = model;
        this.options = options;
        this.ownsModel = ownsModel;
        this.parameters = model.parameters();
        this.optimizer = new AdamW(parameters, options.schedule().rate(0), 0.9, 0.999, 1e-8, options.weightDecay());
        this.manager = NDManager.newBaseManager(model.device());
    }

    public Qwen3Model model() {
        return model;
    }

    public Options options() {
        return options;
    }

    /** Optimizer steps taken so far (also across a resume). */
    public int step() {
        return optimizer.steps();
    }

    AdamW optimizer() {
        return optimizer;
    }

    /** A supervised step: token-mean cross-entropy on each sequence's loss mask. */
    public StepMetrics sftStep(List<TrainingSequence> miniBatch) {
        return step(miniBatch, null, false);
    }

    /** A GRPO step on what {@link GrpoAdvantages#compute} kept. */
    public StepMetrics grpoStep(GrpoAdvantages.Result samples) {
        return grpoStep(samples.sequences(), samples.advantages());
    }

    /**
     * A GRPO step: {@code advantages} has one value per sequence. The trainer's "old" log-probs are recomputed
     * without gradient before the update; the TIS weight uses the sequences' rollout log-probs when every sequence
     * has them (otherwise no weight, as verl without rollout correction).
     */
    public StepMetrics grpoStep(List<TrainingSequence> miniBatch, float[] advantages) {
        if (advantages == null || advantages.length != miniBatch.size()) {
            throw new IllegalArgumentException("one advantage per sequence");
        }
        return step(miniBatch, advantages, true);
    }

    private StepMetrics step(List<TrainingSequence> miniBatch, float[] advantages, boolean grpo) {
        if (miniBatch.isEmpty()) {
            throw new IllegalArgumentException("empty mini-batch");
        }
        List<TrainingBatch> micro = TrainingBatch.microBatches(miniBatch, advantages, options.microBatchSize());
        int tokens = 0;
        for (TrainingBatch b : micro) {
            tokens += b.trainedTokens();
        }
        if (tokens == 0) {
            throw new IllegalArgumentException("the mini-batch's loss masks select no token");
        }
        long started = System.nanoTime();
        List<float[]> oldLogprobs = grpo ? oldLogprobs(micro) : null;
        double loss = 0;
        double clipped = 0;
        double dualClipped = 0;
        double kl = 0;
        double entropy = 0;
        for (int i = 0; i < micro.size(); i++) {
            TrainingBatch b = micro.get(i);
            Shape shape = new Shape(b.size(), b.width());
            try (NDManager work = manager.newSubManager();
                    GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray[] scored = model.tokenLogprobsAndEntropy(work, b.tokens());
                NDArray mask = work.create(TrainingBatch.flatten(b.lossMask()), shape);
                NDArray value;
                if (grpo) {
                    NDArray old = work.create(oldLogprobs.get(i), shape);
                    NDArray rollout = b.rolloutLogprobs() == null ? null
                            : work.create(TrainingBatch.flatten(b.rolloutLogprobs()), shape);
                    NDArray adv = work.create(b.advantages(), new Shape(b.size(), 1));
                    GrpoLoss.Terms terms = options.loss().compute(scored[0], old, rollout, adv, mask, tokens);
                    value = terms.loss();
                    clipped += terms.clippedTokens();
                    dualClipped += terms.dualClippedTokens();
                    kl += terms.approxKlSum();
                } else {
                    value = GrpoLoss.crossEntropy(scored[0], mask, tokens);
                }
                entropy += scored[1].mul(mask).sum().getFloat();
                loss += value.getFloat();
                gc.backward(value); // gradients add up across micro-batches until the optimizer step zeroes them
            }
        }
        long backwardDone = System.nanoTime();
        double gradNorm = optimizer.clipGradNorm(options.maxGradNorm());
        double rate = options.schedule().rate(optimizer.steps());
        boolean skipped = !Double.isFinite(gradNorm);
        if (skipped) {
            zeroGradients(); // as verl: a non-finite gradient norm skips the update rather than poisoning weights
        } else {
            optimizer.setLearningRate(rate);
            optimizer.step();
        }
        return new StepMetrics(optimizer.steps(), rate, loss, gradNorm, clipped / tokens, dualClipped / tokens,
                kl / tokens, entropy / tokens, tokens, miniBatch.size(), micro.size(), skipped,
                (backwardDone - started) / 1e9, (System.nanoTime() - backwardDone) / 1e9);
    }

    /** The trainer's log-probs before this step's update, per micro-batch, flattened {@code (batch, width)}. */
    private List<float[]> oldLogprobs(List<TrainingBatch> micro) {
        List<float[]> out = new ArrayList<>();
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (TrainingBatch b : micro) {
                try (NDManager work = manager.newSubManager()) {
                    out.add(model.tokenLogprobs(work, b.tokens()).toFloatArray());
                }
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        return out;
    }

    private void zeroGradients() {
        for (NDArray p : parameters) {
            JniUtils.zeroGrad((PtNDArray) p);
        }
    }

    /** Frees the trainer's arrays; closes the model too when the trainer loaded it ({@link TrainerCheckpoint}). */
    @Override
    public void close() {
        manager.close();
        if (ownsModel) {
            model.close();
        }
    }
}

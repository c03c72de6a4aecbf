package ai.aster.trainer.train.sft;

import ai.aster.modeling.train.GrpoLoss;
import ai.aster.modeling.train.LearningRateSchedule;
import ai.aster.modeling.train.PolicyTrainer;
import ai.aster.modeling.train.StepMetrics;
import ai.aster.modeling.train.TrainingSequence;
import ai.aster.trainer.train.JobContext;
import ai.aster.trainer.train.StepRecord;
import ai.aster.trainer.train.TrainingRun;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import org.jboss.logging.Logger;

/**
 * Supervised fine-tuning: token-mean cross-entropy on the learnt tokens of each sequence
 * ({@link PolicyTrainer#sftStep}), AdamW with linear warm-up and cosine decay to {@code min_lr}. The data is read
 * as a stream of epochs, each a permutation drawn from {@code seed} and the epoch number, and step {@code s} takes
 * the {@code s}-th slice of {@code batch_size} sequences of that stream: a resumed job sees exactly the batches the
 * uninterrupted job would have seen. A checkpoint is written every {@code checkpoint_every} steps, at the last step
 * and when the job is cancelled.
 */
final class SftRun implements TrainingRun {

    private static final Logger LOG = Logger.getLogger(SftRun.class);
    private static final int MAX_SKIPPED_IN_A_ROW = 3;

    private final SftSettings settings;
    private final SftDataLoader loader;

    SftRun(SftSettings settings, SftDataLoader loader) {
        this.settings = settings;
        this.loader = loader;
    }

    @Override
    public void run(JobContext context) {
        SftDataLoader.Loaded data = loader.load(settings);
        List<TrainingSequence> sequences = data.sequences();
        if (sequences.isEmpty()) {
            throw new IllegalArgumentException("no training sequence: " + (settings.store() != null
                    ? "no stored trajectory matches config.data.store" : "the JSONL file holds no conversation")
                    + (data.skippedTooLong() > 0 ? " (" + data.skippedTooLong() + " longer than max_seq_len "
                    + settings.maxSeqLen() + " skipped)" : "")
                    + (data.skippedEmpty() > 0 ? " (" + data.skippedEmpty() + " without model tokens)" : ""));
        }
        int n = sequences.size();
        int total = settings.steps() != null ? settings.steps()
                : (int) Math.ceil((double) settings.epochs() * n / settings.batchSize());
        LOG.infof("job %s: SFT on %d sequences (%d skipped as longer than %d tokens), %d steps of %d", context.jobId(),
                n, data.skippedTooLong(), settings.maxSeqLen(), total, settings.batchSize());
        LearningRateSchedule schedule = new LearningRateSchedule(settings.lr(), Math.min(settings.warmupSteps(), total),
                total, settings.minLr());
        PolicyTrainer.Options options = new PolicyTrainer.Options(schedule, settings.maxGradNorm(),
                settings.microBatchSize(), settings.weightDecay(), GrpoLoss.aster());
        try (PolicyTrainer trainer = context.openTrainer(settings.model(), options)) {
            int saved = trainer.step();
            int skippedInARow = 0;
            int skippedUpdates = 0;
            while (trainer.step() < total && !context.cancelled()) {
                StepMetrics m = trainer.sftStep(batch(sequences, trainer.step()));
                if (m.skipped()) {
                    // a non-finite gradient norm: the update was not applied and the step did not advance (as
                    // verl); the same batch is tried again, a few times, then the job fails rather than spin
                    skippedUpdates++;
                    LOG.warnf("job %s: step %d: gradient norm %s, update skipped", context.jobId(), m.step() + 1,
                            m.gradNorm());
                    if (++skippedInARow >= MAX_SKIPPED_IN_A_ROW) {
                        throw new IllegalStateException("step " + (m.step() + 1) + ": the gradient norm was not "
                                + "finite " + MAX_SKIPPED_IN_A_ROW + " times in a row (try a lower lr)");
                    }
                    continue;
                }
                skippedInARow = 0;
                Map<String, Double> metrics = new LinkedHashMap<>();
                metrics.put("loss", m.loss());
                metrics.put("grad_norm", m.gradNorm());
                metrics.put("lr", m.learningRate());
                metrics.put("tokens", (double) m.tokens());
                metrics.put("entropy", m.entropy());
                metrics.put("sequences_skipped", (double) data.skippedTooLong());
                if (skippedUpdates > 0) {
                    metrics.put("updates_skipped", (double) skippedUpdates);
                }
                Map<String, Double> seconds = new LinkedHashMap<>();
                seconds.put("forward_backward", m.forwardBackwardSeconds());
                seconds.put("optimizer", m.optimizerSeconds());
                if (m.step() % settings.checkpointEvery() == 0 || m.step() >= total) {
                    long started = System.nanoTime();
                    OptionalLong version = context.checkpoint(trainer);
                    seconds.put("weights_sync", (System.nanoTime() - started) / 1e9);
                    version.ifPresent(v -> metrics.put("policy_version", (double) v));
                    saved = m.step();
                }
                context.stepFinished(new StepRecord(m.step(), total, metrics, seconds, null));
            }
            if (trainer.step() > saved) {
                context.checkpoint(trainer); // cancelled between checkpoints: a resume goes on from here
            }
        }
    }

    /** The sequences of optimizer step {@code done + 1}: slice {@code done} of the epoch stream. */
    private List<TrainingSequence> batch(List<TrainingSequence> sequences, int done) {
        int n = sequences.size();
        List<TrainingSequence> out = new ArrayList<>(settings.batchSize());
        long first = (long) done * settings.batchSize();
        int[] order = null;
        long orderEpoch = -1;
        for (long p = first; p < first + settings.batchSize(); p++) {
            long epoch = p / n;
            if (epoch != orderEpoch) {
                order = permutation(n, settings.seed() * 1_000_003L + epoch);
                orderEpoch = epoch;
            }
            out.add(sequences.get(order[(int) (p % n)]));
        }
        return out;
    }

    private static int[] permutation(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random random = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}

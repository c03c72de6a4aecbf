package ai.aster.modeling.train;

import java.util.ArrayList;
import java.util.List;

/**
 * GRPO's group-relative advantages with dynamic sampling, as verl's {@code compute_grpo_outcome_advantage}
 * (outcome reward, {@code norm_adv_by_std_in_grpo=True}): within a group of rollouts of one prompt,
 * {@code A = (r - mean) / (std + 1e-6)} where std is the sample (Bessel-corrected, n - 1) standard deviation, as
 * {@code torch.std}. The advantage is one number per sequence, broadcast over its trained tokens by the loss.
 *
 * <p>Groups whose rewards are all equal carry no signal (every advantage is 0) and are dropped, as DAPO's dynamic
 * sampling; a group of one is always such a group. The statistics use every rollout of the group (the reward is a
 * property of the outcome); afterwards, sequences whose rollout log-probs are incomplete are skipped (the TIS
 * weight needs them) and counted.
 */
public final class GrpoAdvantages {

    /** verl's epsilon in the denominator. */
    public static final double EPSILON = 1e-6;

    /** One rollout of a prompt and its reward. */
    public record Rollout(TrainingSequence sequence, double reward) {}

    /** One trainable sequence and its advantage. */
    public record Sample(TrainingSequence sequence, float advantage) {}

    /**
     * What survived: the samples in input order, how many groups were dropped for equal rewards, and how many
     * sequences were skipped for incomplete log-probs.
     */
    public record Result(List<Sample> samples, int droppedGroups, int skippedSequences) {

        public List<TrainingSequence> sequences() {
            return samples.stream().map(Sample::sequence).toList();
        }

        public float[] advantages() {
            float[] out = new float[samples.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = samples.get(i).advantage();
            }
            return out;
        }
    }

    private GrpoAdvantages() {
    }

    /** Advantages of each group's rollouts (each inner list is one prompt's rollouts). */
    public static Result compute(List<List<Rollout>> groups) {
        List<Sample> samples = new ArrayList<>();
        int dropped = 0;
        int skipped = 0;
        for (List<Rollout> group : groups) {
            if (allEqual(group)) {
                dropped++;
                continue;
            }
            double[] advantages = advantages(group.stream().mapToDouble(Rollout::reward).toArray());
            for (int i = 0; i < group.size(); i++) {
                if (!group.get(i).sequence().hasCompleteLogprobs()) {
                    skipped++;
                    continue;
                }
                samples.add(new Sample(group.get(i).sequence(), (float) advantages[i]));
            }
        }
        return new Result(List.copyOf(samples), dropped, skipped);
    }

    /** {@code (r - mean) / (sampleStd + 1e-6)} for one group of at least two rewards. */
    public static double[] advantages(double[] rewards) {
        int n = rewards.length;
        if (n < 2) {
            throw new IllegalArgumentException("a group needs at least two rewards for a sample standard deviation");
        }
        double mean = 0;
        for (double r : rewards) {
            mean += r;
        }
        mean /= n;
        double squares = 0;
        for (double r : rewards) {
            squares += (r - mean) * (r - mean);
        }
        double std = Math.sqrt(squares / (n - 1));
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = (rewards[i] - mean) / (std + EPSILON);
        }
        return out;
    }

    private static boolean allEqual(List<Rollout> group) {
        for (Rollout r : group) {
            if (r.reward() != group.get(0).reward()) {
                return false;
            }
        }
        return true;
    }
}

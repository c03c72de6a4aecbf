package ai.aster.trainer.replicate;

import java.util.List;
import java.util.OptionalInt;

/**
 * "Equal numbers of training tokens": how many of the sparse arm's trajectories, taken in order, carry as many
 * completion tokens (the tokens SFT learns) as the dense arm's. A sparse trajectory is several times shorter than a
 * dense one, so the sparse arm sees more problems.
 */
public final class EqualTokens {

    private EqualTokens() {}

    /**
     * The count n whose prefix sum of {@code tokens} is closest to {@code target} (the shorter one on a tie), once
     * the running sum has reached the target; empty while it has not (more trajectories are needed).
     */
    public static OptionalInt count(List<Integer> tokens, long target) {
        if (target <= 0) {
            return OptionalInt.of(0);
        }
        long sum = 0;
        for (int i = 0; i < tokens.size(); i++) {
            long before = sum;
            sum += tokens.get(i);
            if (sum >= target) {
                return OptionalInt.of(target - before <= sum - target && i > 0 ? i : i + 1);
            }
        }
        return OptionalInt.empty();
    }

    public static long sum(List<Integer> tokens, int count) {
        long s = 0;
        for (int i = 0; i < count; i++) {
            s += tokens.get(i);
        }
        return s;
    }
}

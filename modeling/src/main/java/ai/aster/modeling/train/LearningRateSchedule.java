package ai.aster.modeling.train;

/**
 * Linear warm-up to {@code peak}, then cosine decay to {@code floor} at {@code totalSteps} (and {@code floor} after).
 * Steps count from 0: step 0 of a 10-step warm-up runs at {@code peak / 10}, step 9 at {@code peak}.
 */
public record LearningRateSchedule(double peak, int warmupSteps, int totalSteps, double floor) {

    public LearningRateSchedule {
        if (!(peak > 0) || floor < 0 || floor > peak) {
            throw new IllegalArgumentException("need peak > 0 and 0 <= floor <= peak");
        }
        if (warmupSteps < 0 || totalSteps < 1 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("need 0 <= warmupSteps <= totalSteps and totalSteps >= 1");
        }
    }

    /** A constant rate (no warm-up, no decay). */
    public static LearningRateSchedule constant(double rate) {
        return new LearningRateSchedule(rate, 0, 1, rate);
    }

    public double rate(int step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        int decaySteps = totalSteps - warmupSteps;
        double progress = decaySteps == 0 ? 1 : Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
        return floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}

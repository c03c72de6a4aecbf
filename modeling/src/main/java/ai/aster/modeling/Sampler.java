package ai.aster.modeling;

import java.util.Random;

/** Picks the next token from one sequence's logits. Implementations are stateful (their generator): one per sequence. */
public interface Sampler {

    /** Samples from row {@code row} of a forward step's logits, on the model's device. */
    Sample sample(StepLogits logits, int row);

    /** Samples from one logits vector held in Java (copied to a native array first; prefer the step's logits). */
    default Sample sample(float[] logits) {
        try (StepLogits step = StepLogits.of(logits)) {
            return sample(step, 0);
        }
    }

    /** A sampler for these settings whose generator is seeded with {@code params.seed()}. */
    static Sampler of(SamplingParams params) {
        return new LogitsSampler(params, new Random(params.seed()));
    }
}

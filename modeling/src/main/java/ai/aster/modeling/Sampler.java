package ai.aster.modeling;

import java.util.Random;

/** Picks the next token from one sequence's logits. Implementations are stateful (their generator): one per sequence. */
public interface Sampler {

    Sample sample(float[] logits);

    /** A sampler for these settings whose generator is seeded with {@code params.seed()}. */
    static Sampler of(SamplingParams params) {
        return new LogitsSampler(params, new Random(params.seed()));
    }
}

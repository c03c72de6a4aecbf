package ai.aster.modeling;

import java.util.Random;

/** Temperature, top-k and top-p sampling over a logits vector, greedy at temperature 0. */
public final class LogitsSampler implements Sampler {

    private final SamplingParams params;
    private final Random random;

    /** @param random the generator all draws come from (inject a seeded one for reproducible output) */
    public LogitsSampler(SamplingParams params, Random random) {
        this.params = params;
        this.random = random;
    }

    @Override
    public Sample sample(float[] logits) {
        throw new UnsupportedOperationException("not yet");
    }
}

package ai.aster.modeling;

/**
 * How to pick the next token.
 *
 * @param temperature 0 means greedy (argmax); otherwise logits are divided by it before softmax
 * @param topP        nucleus sampling: keep the smallest set of tokens whose probability reaches topP (1 = off)
 * @param topK        keep only the topK most likely tokens (0 or negative = off)
 * @param seed        seed of the sampler's generator: same seed and same logits give the same tokens
 * @param logprobs    how many top alternatives to report with each sampled token (0 = none)
 */
public record SamplingParams(double temperature, double topP, int topK, long seed, int logprobs) {

    public SamplingParams {
        if (temperature < 0 || Double.isNaN(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
        if (logprobs < 0) {
            throw new IllegalArgumentException("logprobs must be >= 0, got " + logprobs);
        }
    }

    /** Greedy decoding without alternatives. */
    public static SamplingParams greedy() {
        return new SamplingParams(0, 1, 0, 0, 0);
    }

    public boolean isGreedy() {
        return temperature == 0;
    }
}

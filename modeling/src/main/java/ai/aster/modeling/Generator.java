package ai.aster.modeling;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * In-process batched generation, for callers that hold the model themselves (the trainer's rollouts and
 * evaluations): all prompts are prefilled in one step, then every unfinished sequence advances one token per
 * batched step and leaves the batch when it samples a stop id or reaches {@code maxTokens}. Each sequence gets its
 * own sampler, seeded with {@code params.seed() + index}, so a batch is reproducible. Runs on the calling thread,
 * which must be the model's thread. Continuous batching for a server lives in model-service.
 */
public final class Generator {

    /**
     * One finished sequence.
     *
     * @param tokens       the generated ids (a stop id that ended it included)
     * @param logprobs     each generated token's raw log-probability under the model (see {@link Sample})
     * @param finishReason "stop" (a stop id) or "length" (maxTokens)
     */
    public record Generation(int[] tokens, double[] logprobs, String finishReason) {}

    private final Qwen3Model model;

    public Generator(Qwen3Model model) {
        this.model = model;
    }

    /** Generates for every prompt; results in prompt order. */
    public List<Generation> generate(List<int[]> prompts, SamplingParams params, int maxTokens, int[] stopIds) {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1");
        }
        int n = prompts.size();
        if (n == 0) {
            return List.of();
        }
        List<KvCache> caches = new ArrayList<>(n);
        StepLogits logits = null;
        try {
            Sampler[] samplers = new Sampler[n];
            int[][] tokens = new int[n][maxTokens];
            double[][] logprobs = new double[n][maxTokens];
            int[] produced = new int[n];
            String[] finish = new String[n];
            for (int i = 0; i < n; i++) {
                caches.add(model.newCache());
                samplers[i] = Sampler.of(new SamplingParams(params.temperature(), params.topP(), params.topK(),
                        params.seed() + i, 0));
            }
            logits = model.forwardLogits(caches, prompts);
            List<Integer> running = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                running.add(i);
            }
            while (true) {
                List<Integer> next = new ArrayList<>();
                List<KvCache> stepCaches = new ArrayList<>();
                List<int[]> stepTokens = new ArrayList<>();
                for (int r = 0; r < running.size(); r++) {
                    int i = running.get(r);
                    Sample s = samplers[i].sample(logits, r);
                    tokens[i][produced[i]] = s.tokenId();
                    logprobs[i][produced[i]] = s.logprob();
                    produced[i]++;
                    if (contains(stopIds, s.tokenId())) {
                        finish[i] = "stop";
                    } else if (produced[i] == maxTokens) {
                        finish[i] = "length";
                    } else {
                        next.add(i);
                        stepCaches.add(caches.get(i));
                        stepTokens.add(new int[] {s.tokenId()});
                    }
                }
                logits.close();
                if (next.isEmpty()) {
                    break;
                }
                logits = model.forwardLogits(stepCaches, stepTokens);
                running = next;
            }
            List<Generation> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(new Generation(Arrays.copyOf(tokens[i], produced[i]), Arrays.copyOf(logprobs[i], produced[i]),
                        finish[i]));
            }
            return out;
        } finally {
            if (logits != null) {
                logits.close();
            }
            caches.forEach(KvCache::close);
        }
    }

    private static boolean contains(int[] ids, int id) {
        if (ids != null) {
            for (int s : ids) {
                if (s == id) {
                    return true;
                }
            }
        }
        return false;
    }
}

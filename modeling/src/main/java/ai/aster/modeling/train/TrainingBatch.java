package ai.aster.modeling.train;

import java.util.ArrayList;
import java.util.List;

/**
 * Several sequences right-padded into one {@code (batch, len)} block: one micro-batch. Arrays indexed by target
 * position are {@code (batch, len - 1)}: entry {@code [b][t]} is about predicting {@code tokens[b][t + 1]}, which is
 * what the model's {@code tokenLogprobs} returns. Right padding with a causal model needs no attention mask for the
 * real tokens (padding comes after them); {@code attentionMask} marks the real tokens for callers that want it.
 *
 * @param tokens          {@code (batch, len)} ids, padded with {@link #PAD_ID}
 * @param attentionMask   {@code (batch, len)} 1 on real tokens, 0 on padding
 * @param lossMask        {@code (batch, len - 1)} 1 where the target is a trained token, 0 on prompt, tool and padding
 * @param rolloutLogprobs {@code (batch, len - 1)} the rollout's log-probability of each target where it is trained,
 *                        0 elsewhere; {@code null} when any sequence lacks them
 * @param advantages      one per sequence (GRPO), or {@code null} (SFT)
 */
public record TrainingBatch(int[][] tokens, float[][] attentionMask, float[][] lossMask, float[][] rolloutLogprobs,
        float[] advantages) {

    /** The id written into padding positions (never trained, never attended by real tokens). */
    public static final int PAD_ID = 0;

    /** Pads {@code sequences} into one block; {@code advantages} (one per sequence) may be null. */
    public static TrainingBatch pad(List<TrainingSequence> sequences, float[] advantages) {
        if (sequences.isEmpty()) {
            throw new IllegalArgumentException("no sequences");
        }
        if (advantages != null && advantages.length != sequences.size()) {
            throw new IllegalArgumentException("one advantage per sequence");
        }
        int batch = sequences.size();
        int len = 0;
        boolean allLogprobs = true;
        for (TrainingSequence s : sequences) {
            len = Math.max(len, s.tokens().length);
            allLogprobs &= s.rolloutLogprobs() != null;
        }
        int[][] tokens = new int[batch][len];
        float[][] attention = new float[batch][len];
        float[][] loss = new float[batch][len - 1];
        float[][] rollout = allLogprobs ? new float[batch][len - 1] : null;
        for (int b = 0; b < batch; b++) {
            TrainingSequence s = sequences.get(b);
            for (int t = 0; t < s.tokens().length; t++) {
                tokens[b][t] = s.tokens()[t];
                attention[b][t] = 1f;
                if (t > 0 && s.lossMask()[t]) {
                    loss[b][t - 1] = 1f;
                    if (rollout != null) {
                        // untrained positions stay 0: a NaN there would survive the mask (NaN * 0 is NaN)
                        rollout[b][t - 1] = s.rolloutLogprobs()[t];
                    }
                }
            }
        }
        return new TrainingBatch(tokens, attention, loss, rollout, advantages == null ? null : advantages.clone());
    }

    /** Splits a mini-batch into micro-batches of at most {@code microBatchSize} sequences, in order, and pads each. */
    public static List<TrainingBatch> microBatches(List<TrainingSequence> sequences, float[] advantages,
            int microBatchSize) {
        if (microBatchSize < 1) {
            throw new IllegalArgumentException("micro-batch size must be at least 1");
        }
        List<TrainingBatch> out = new ArrayList<>();
        for (int from = 0; from < sequences.size(); from += microBatchSize) {
            int to = Math.min(sequences.size(), from + microBatchSize);
            float[] adv = advantages == null ? null : java.util.Arrays.copyOfRange(advantages, from, to);
            out.add(pad(sequences.subList(from, to), adv));
        }
        return out;
    }

    public int size() {
        return tokens.length;
    }

    /** Target positions per row ({@code len - 1}). */
    public int width() {
        return tokens[0].length - 1;
    }

    /** How many tokens the loss counts in this block. */
    public int trainedTokens() {
        int n = 0;
        for (float[] row : lossMask) {
            for (float m : row) {
                n += (int) m;
            }
        }
        return n;
    }

    static float[] flatten(float[][] rows) {
        int w = rows[0].length;
        float[] out = new float[rows.length * w];
        for (int b = 0; b < rows.length; b++) {
            System.arraycopy(rows[b], 0, out, b * w, w);
        }
        return out;
    }
}

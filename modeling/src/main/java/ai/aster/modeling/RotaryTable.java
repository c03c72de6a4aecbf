package ai.aster.modeling;

import java.util.Arrays;

/**
 * cos/sin of the rotary embedding for each position, in the Hugging Face layout: for position p and
 * {@code j < headDim/2}, angle {@code p * theta^(-2j/headDim)}, duplicated for both halves ({@code cat(freqs, freqs)})
 * to match {@code rotate_half}. Grows on demand; computed in float32 like Hugging Face.
 */
final class RotaryTable {

    private final int headDim;
    private final float[] invFreq; // (headDim/2)
    private float[] cos = new float[0]; // (positions, headDim) row-major
    private float[] sin = new float[0]; // (positions, headDim)
    private int positions;

    RotaryTable(int headDim, double theta) {
        this.headDim = headDim;
        int half = headDim / 2;
        invFreq = new float[half];
        for (int j = 0; j < half; j++) {
            invFreq[j] = (float) (1.0 / Math.pow(theta, (float) (2 * j) / headDim));
        }
    }

    /** Fills {@code cosOut}/{@code sinOut} (length n*headDim) with the rows of the given positions. */
    void fill(int[] positionIds, float[] cosOut, float[] sinOut) {
        int max = 0;
        for (int p : positionIds) {
            max = Math.max(max, p);
        }
        ensure(max + 1);
        for (int i = 0; i < positionIds.length; i++) {
            System.arraycopy(cos, positionIds[i] * headDim, cosOut, i * headDim, headDim);
            System.arraycopy(sin, positionIds[i] * headDim, sinOut, i * headDim, headDim);
        }
    }

    private void ensure(int needed) {
        if (needed <= positions) {
            return;
        }
        int n = Math.max(needed, Math.max(256, positions * 2));
        float[] c = Arrays.copyOf(cos, n * headDim);
        float[] s = Arrays.copyOf(sin, n * headDim);
        int half = headDim / 2;
        for (int p = positions; p < n; p++) {
            for (int j = 0; j < half; j++) {
                float angle = p * invFreq[j];
                float cj = (float) Math.cos(angle);
                float sj = (float) Math.sin(angle);
                c[p * headDim + j] = cj;
                c[p * headDim + j + half] = cj;
                s[p * headDim + j] = sj;
                s[p * headDim + j + half] = sj;
            }
        }
        cos = c;
        sin = s;
        positions = n;
    }

    /**
     * The (headDim, headDim) matrix R with {@code x @ R == rotate_half(x) == cat(-x[half:], x[:half])}: one
     * matmul instead of split, negate and concatenate.
     */
    static float[] rotateHalfMatrix(int headDim) {
        int half = headDim / 2;
        float[] r = new float[headDim * headDim];
        for (int j = 0; j < half; j++) {
            r[(j + half) * headDim + j] = -1f; // out[j] = -x[j + half]
            r[j * headDim + j + half] = 1f; // out[j + half] = x[j]
        }
        return r;
    }
}

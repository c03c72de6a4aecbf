package ai.aster.modeling;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;

/**
 * The logits of one forward step, {@code (batch, vocab)}, kept as a native array on the model's device so that
 * sampling runs there: only the chosen token, its log-probability and a few candidates ever reach Java (with
 * Qwen3's 151,936-token vocabulary a full row is 600 KB per token). Rows are in the caller's sequence order.
 * Batch-wide quantities (log-softmax, argmax) are computed once, on first use, for all rows together.
 *
 * <p>Owned by the thread that ran the step; close it when every row is sampled (closing the model closes it too).
 */
public final class StepLogits implements AutoCloseable {

    private final NDManager manager;
    private final NDArray logits; // (rows, vocab) float32, rows in the model's internal order
    private final int[] rowOf; // caller's row -> array row; null when the same
    private final int batch;
    private final int vocab;
    private NDArray logprobs; // (rows, vocab) log-softmax, lazily
    private long[] argmax; // per array row, lazily
    private float[] maxLogit; // per array row, lazily
    private boolean closed;

    /** Takes ownership of {@code manager}, which holds {@code logits}. */
    StepLogits(NDManager manager, NDArray logits, int[] rowOf) {
        this.manager = manager;
        this.logits = logits;
        this.rowOf = rowOf;
        this.batch = (int) logits.getShape().get(0);
        this.vocab = (int) logits.getShape().get(1);
    }

    /** One logits vector held in Java, as a one-row step on the CPU (for callers without a model step). */
    public static StepLogits of(float[] logits) {
        if (logits.length == 0) {
            throw new IllegalArgumentException("empty logits");
        }
        NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        try {
            return new StepLogits(manager, manager.create(FloatBuffer.wrap(logits), new Shape(1, logits.length)), null);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Sequences in the step. */
    public int batch() {
        return batch;
    }

    public int vocab() {
        return vocab;
    }

    /** Row {@code i} copied into Java (tests and callers that need the whole vector; sampling never does). */
    public float[] row(int i) {
        return logitsRow(i).toFloatArray();
    }

    /** Every row copied into Java, in the caller's order. */
    public float[][] toArrays() {
        checkOpen();
        float[] flat = logits.toFloatArray();
        float[][] out = new float[batch][];
        for (int i = 0; i < batch; i++) {
            int r = arrayRow(i);
            out[i] = java.util.Arrays.copyOfRange(flat, r * vocab, (r + 1) * vocab);
        }
        return out;
    }

    /** A (vocab) view of row {@code i}'s raw logits. */
    NDArray logitsRow(int i) {
        checkOpen();
        int r = arrayRow(i);
        return TensorOps.slice(logits, 0, r, r + 1).reshape(vocab);
    }

    /** A (vocab) view of row {@code i}'s log-softmax (the model's raw log-probabilities). */
    NDArray logprobRow(int i) {
        checkOpen();
        if (logprobs == null) {
            logprobs = logits.logSoftmax(1);
            NDScope.unregister(logprobs); // lives as long as the step, not a caller's scope
        }
        int r = arrayRow(i);
        return TensorOps.slice(logprobs, 0, r, r + 1).reshape(vocab);
    }

    /** The most likely token of row {@code i} (lowest id on ties, as {@code torch.argmax}). */
    int argmax(int i) {
        checkOpen();
        if (argmax == null) {
            argmax = logits.argMax(1).toLongArray();
        }
        return (int) argmax[arrayRow(i)];
    }

    /** The largest logit of row {@code i}. */
    float maxLogit(int i) {
        checkOpen();
        if (maxLogit == null) {
            maxLogit = logits.max(new int[] {1}).toFloatArray();
        }
        return maxLogit[arrayRow(i)];
    }

    /** The raw log-probability of {@code token} in row {@code i}. */
    double logprob(int i, int token) {
        return TensorOps.slice(logprobRow(i), 0, token, token + 1).toFloatArray()[0];
    }

    /** Scratch arrays of a sample live here until the step is closed. */
    NDManager manager() {
        return manager;
    }

    private int arrayRow(int i) {
        if (i < 0 || i >= batch) {
            throw new IndexOutOfBoundsException("row " + i + " of a " + batch + "-row step");
        }
        return rowOf == null ? i : rowOf[i];
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("step logits are closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }
}

package ai.aster.modeling;

import ai.djl.ndarray.NDArray;
import java.util.List;

/** AdamW (decoupled weight decay) over a list of parameters whose gradients were attached and computed. */
public final class AdamW {

    public AdamW(List<NDArray> parameters, double learningRate, double beta1, double beta2, double eps,
            double weightDecay) {
    }

    /** One update from the current gradients, then zeroes them. */
    public void step() {
        throw new UnsupportedOperationException("not yet");
    }
}

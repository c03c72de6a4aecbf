package ai.aster.modeling;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Slicing and in-place assignment as single native calls. DJL's {@code NDArray.get/set(NDIndex)} wrap each in
 * extra squeeze, broadcast and close calls, which dominated a decode step's cost; here a slice is one
 * {@code torch::index} and an assignment one {@code index_put_}. PyTorch engine only.
 */
final class TensorOps {

    private TensorOps() {
    }

    /** A view of {@code a} restricted to {@code [from, to)} along {@code axis} (no copy). */
    static NDArray slice(NDArray a, int axis, long from, long to) {
        long[] shape = a.getShape().getShape();
        long[] min = new long[shape.length];
        long[] max = shape.clone();
        long[] step = new long[shape.length];
        java.util.Arrays.fill(step, 1);
        min[axis] = from;
        max[axis] = to;
        PtNDArray pt = (PtNDArray) a;
        return JniUtils.index(pt, min, max, step, pt.getManager());
    }

    /** {@code target[..., from:to, ...] = value} along {@code axis}, in place. */
    static void assign(NDArray target, int axis, long from, long to, NDArray value) {
        long[] shape = target.getShape().getShape();
        long[] min = new long[shape.length];
        long[] max = shape.clone();
        long[] step = new long[shape.length];
        java.util.Arrays.fill(step, 1);
        min[axis] = from;
        max[axis] = to;
        JniUtils.indexSet((PtNDArray) target, (PtNDArray) value, min, max, step);
    }

    static PtNDManager managerOf(NDArray a) {
        return ((PtNDArray) a).getManager();
    }
}

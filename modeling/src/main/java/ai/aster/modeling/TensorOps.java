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

    /** Index bounds of {@code [from, to)} along one axis and the whole extent of every other, step 1. */
    private record Bounds(long[] min, long[] max, long[] step) {
        static Bounds along(NDArray a, int axis, long from, long to) {
            long[] max = a.getShape().getShape().clone();
            long[] min = new long[max.length];
            long[] step = new long[max.length];
            java.util.Arrays.fill(step, 1);
            min[axis] = from;
            max[axis] = to;
            return new Bounds(min, max, step);
        }
    }

    /** A view of {@code a} restricted to {@code [from, to)} along {@code axis} (no copy). */
    static NDArray slice(NDArray a, int axis, long from, long to) {
        Bounds b = Bounds.along(a, axis, from, to);
        PtNDArray pt = (PtNDArray) a;
        return JniUtils.index(pt, b.min, b.max, b.step, pt.getManager());
    }

    /** {@code target[..., from:to, ...] = value} along {@code axis}, in place. */
    static void assign(NDArray target, int axis, long from, long to, NDArray value) {
        Bounds b = Bounds.along(target, axis, from, to);
        JniUtils.indexSet((PtNDArray) target, (PtNDArray) value, b.min, b.max, b.step);
    }

    static PtNDManager managerOf(NDArray a) {
        return ((PtNDArray) a).getManager();
    }
}

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

    /**
     * {@code javaBacked} copied into memory PyTorch allocates; the original is closed. On the CPU, DJL's
     * {@code create} of Java data makes a tensor over a direct buffer that the garbage collector frees as soon as the
     * array is closed, although the autograd graph may still read that tensor in backward (embedding and gather keep
     * their ids, mul its other factor): backward then reads freed memory. Arrays made from Java data that enter a
     * graph with gradients go through here; constants there come from {@code NDManager.full}, never from the
     * {@code Number} overloads of {@code mul}/{@code div}/{@code pow}, which DJL backs with a Java buffer it closes
     * at once.
     */
    static NDArray owned(NDArray javaBacked) {
        NDArray copy = javaBacked.duplicate();
        javaBacked.close();
        return copy;
    }

    static PtNDManager managerOf(NDArray a) {
        return ((PtNDArray) a).getManager();
    }
}

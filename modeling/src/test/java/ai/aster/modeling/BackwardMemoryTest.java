package ai.aster.modeling;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.aster.modeling.train.GrpoLoss;
import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backward must not read memory freed after the forward pass (a garbage collection in between changes nothing). */
class BackwardMemoryTest {

    @TempDir
    Path dir;

    /**
     * DJL's PyTorch engine backs an array made from Java data (ids, rotary tables, the scalar of {@code mul(Number)})
     * with a direct buffer that the garbage collector frees once the array is closed, while the autograd graph may
     * still read it in backward. A collection between forward and backward (any time, under load) must not change
     * the gradients: they are compared with those of the same batch without one, for the SFT and the GRPO loss.
     */
    @Test
    void gradientsDoNotDependOnAGarbageCollectionBeforeBackward() throws InterruptedException {
        ModelInit.write(dir, ModelInit.Options.defaults());
        Random r = new Random(9);
        int[][] tokens = new int[2][];
        for (int b = 0; b < tokens.length; b++) {
            tokens[b] = new int[20 + 7 * b];
            for (int t = 0; t < tokens[b].length; t++) {
                tokens[b][t] = r.nextInt(256);
            }
        }
        try (Qwen3Model model = Qwen3Model.load(dir, Device.cpu())) {
            List<NDArray> parameters = model.parameters();
            for (NDArray p : parameters) {
                p.setRequiresGradient(true);
            }
            for (boolean grpo : new boolean[] {false, true}) {
                float[][] quiet = gradients(model, parameters, tokens, grpo, false);
                float[][] collected = gradients(model, parameters, tokens, grpo, true);
                for (int i = 0; i < quiet.length; i++) {
                    assertTrue(Arrays.equals(quiet[i], collected[i]), (grpo ? "GRPO" : "SFT")
                            + ": parameter " + i + "'s gradient changed after a garbage collection before backward"
                            + " (global norm " + norm(quiet) + " without, " + norm(collected) + " with)");
                }
            }
        }
    }

    /** Each parameter's gradient after one forward and backward, with a full garbage collection in between if asked. */
    private static float[][] gradients(Qwen3Model model, List<NDArray> parameters, int[][] tokens, boolean grpo,
            boolean collect) throws InterruptedException {
        int width = tokens[1].length - 1;
        float[] mask = new float[tokens.length * width];
        for (int b = 0; b < tokens.length; b++) {
            for (int t = 3; t < tokens[b].length - 1; t++) {
                mask[b * width + t] = 1;
            }
        }
        double trained = 0;
        for (float m : mask) {
            trained += m;
        }
        try (NDManager work = NDManager.newBaseManager(Device.cpu());
                GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray logp = model.tokenLogprobsAndEntropy(work, tokens)[0];
            NDArray m = work.create(mask, new Shape(tokens.length, width));
            NDArray loss = grpo
                    ? GrpoLoss.aster().compute(logp, logp.stopGradient().sub(0.1f),
                            null, work.create(new float[] {1f, -1f}, new Shape(2, 1)), m, trained).loss()
                    : GrpoLoss.crossEntropy(logp, m, trained);
            if (collect) {
                collectGarbage();
            }
            gc.backward(loss);
        }
        float[][] out = new float[parameters.size()][];
        for (int i = 0; i < out.length; i++) {
            try (NDArray g = parameters.get(i).getGradient()) {
                out[i] = g.toFloatArray();
            }
            JniUtils.zeroGrad((PtNDArray) parameters.get(i));
        }
        return out;
    }

    private static double norm(float[][] gradients) {
        double sum = 0;
        for (float[] g : gradients) {
            for (float v : g) {
                sum += (double) v * v;
            }
        }
        return Math.sqrt(sum);
    }

    /** Full collections until the JVM has freed the direct buffers of closed arrays (their count stops falling). */
    private static void collectGarbage() throws InterruptedException {
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct")).findFirst().orElseThrow();
        long previous = Long.MAX_VALUE;
        for (int i = 0; i < 50 && direct.getCount() < previous; i++) {
            previous = direct.getCount();
            System.gc();
            Thread.sleep(100);
        }
    }
}

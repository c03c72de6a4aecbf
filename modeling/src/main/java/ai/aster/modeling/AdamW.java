package ai.aster.modeling;

import ai.aster.modeling.io.FloatTensor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter: Adam with decoupled weight decay) over a model's parameters, updated in place
 * with grad mode off. The constructor attaches gradients to the parameters; a training step is:
 *
 * <pre>{@code
 * try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
 *     NDArray loss = model.trainingLoss(manager, tokens, mask);
 *     gc.backward(loss);
 * }
 * optimizer.step();
 * }</pre>
 *
 * Moment buffers live beside the parameters (same device). Not thread-safe.
 */
public final class AdamW {

    private final List<NDArray> parameters;
    private final List<NDArray> firstMoments = new ArrayList<>(); // m, shaped like each parameter
    private final List<NDArray> secondMoments = new ArrayList<>(); // v, shaped like each parameter
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private double learningRate;
    private int steps;

    public AdamW(List<NDArray> parameters, double learningRate, double beta1, double beta2, double eps,
            double weightDecay) {
        this.parameters = List.copyOf(parameters);
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        for (NDArray p : this.parameters) {
            p.setRequiresGradient(true);
            NDArray m = p.zerosLike();
            NDArray v = p.zerosLike();
            NDScope.unregister(m, v);
            firstMoments.add(m);
            secondMoments.add(v);
        }
    }

    /** Defaults of PyTorch's AdamW: betas (0.9, 0.999), eps 1e-8, weight decay 0.01. */
    public AdamW(List<NDArray> parameters, double learningRate) {
        this(parameters, learningRate, 0.9, 0.999, 1e-8, 0.01);
    }

    public void setLearningRate(double learningRate) {
        this.learningRate = learningRate;
    }

    public int steps() {
        return steps;
    }

    /**
     * The moment buffers as float32 tensors, {@code m.<i>} and {@code v.<i>} for parameter {@code i} of the
     * constructor's list (for a checkpoint; with {@link #steps()} they are the whole optimizer state).
     */
    public Map<String, FloatTensor> moments() {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        for (int i = 0; i < parameters.size(); i++) {
            out.put("m." + i, new FloatTensor(firstMoments.get(i).getShape().getShape(),
                    firstMoments.get(i).toFloatArray()));
            out.put("v." + i, new FloatTensor(secondMoments.get(i).getShape().getShape(),
                    secondMoments.get(i).toFloatArray()));
        }
        return out;
    }

    /** Restores what {@link #moments()} and {@link #steps()} returned, exactly (resume of a run). */
    public void restore(Map<String, FloatTensor> moments, int steps) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (int i = 0; i < parameters.size(); i++) {
                copyInto(firstMoments.get(i), moments.get("m." + i), "m." + i);
                copyInto(secondMoments.get(i), moments.get("v." + i), "v." + i);
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        this.steps = steps;
    }

    private static void copyInto(NDArray target, FloatTensor source, String name) {
        if (source == null || !java.util.Arrays.equals(source.shape(), target.getShape().getShape())) {
            throw new IllegalArgumentException("optimizer state " + name + " is missing or has another shape");
        }
        NDArray values = target.getManager().create(source.data(), target.getShape());
        target.muli(0).addi(values); // 0 + x is x exactly: the restored moments are bit-identical
    }

    /**
     * Scales all gradients together so their global L2 norm is at most {@code maxNorm} (PyTorch's
     * {@code clip_grad_norm_}); returns the norm before clipping.
     */
    public double clipGradNorm(double maxNorm) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            double sumSquares = 0;
            List<NDArray> grads = new ArrayList<>();
            for (NDArray p : parameters) {
                NDArray g = p.getGradient();
                grads.add(g);
                sumSquares += g.square().sum().getFloat();
            }
            double norm = Math.sqrt(sumSquares);
            double scale = maxNorm / (norm + 1e-6);
            if (scale < 1) {
                for (NDArray g : grads) {
                    g.muli(scale); // the gradient array shares storage with the parameter's .grad
                }
            }
            return norm;
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** One update from the current gradients, then zeroes them. Parameters without a gradient are skipped. */
    public void step() {
        steps++;
        double correction1 = 1 - Math.pow(beta1, steps);
        double correction2 = 1 - Math.pow(beta2, steps);
        double stepSize = learningRate / correction1;
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (int i = 0; i < parameters.size(); i++) {
                NDArray p = parameters.get(i);
                NDArray g = p.getGradient();
                NDArray m = firstMoments.get(i);
                NDArray v = secondMoments.get(i);
                // decoupled decay: p *= 1 - lr * wd
                if (weightDecay != 0) {
                    p.muli(1 - learningRate * weightDecay);
                }
                m.muli(beta1).addi(g.mul(1 - beta1));
                v.muli(beta2).addi(g.square().muli(1 - beta2));
                // p -= lr / c1 * m / (sqrt(v / c2) + eps)
                NDArray denominator = v.div(correction2).sqrt().addi(eps);
                p.subi(m.div(denominator).muli(stepSize));
                JniUtils.zeroGrad((PtNDArray) p);
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }
}

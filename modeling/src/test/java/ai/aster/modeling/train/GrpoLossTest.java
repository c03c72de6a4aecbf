package ai.aster.modeling.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The GRPO loss against values worked out by hand in plain Java arithmetic below. */
class GrpoLossTest {

    // 3 sequences x 4 target positions. Log-ratios (new - old) chosen to hit each case:
    // row 0, A = +1: ratio e^0.1 (inside), e^0.4 (above 1.28: clipped high), e^-0.5 (below 0.8: not clipped for A>0), masked
    // row 1, A = -1: ratio e^-0.5 (below 0.8: clipped low), e^0.1 (inside), e^1.5 (above dual bound 3), e^0.2 (inside)
    // row 2, A = -0.5: ratio e^0 with a TIS weight over the cap, a masked (tool) token, padding, padding
    static final float[][] OLD = {{-1.0f, -2.0f, -0.5f, -3.0f}, {-1.2f, -0.7f, -2.5f, -1.0f}, {-0.4f, -0.9f, 0, 0}};
    static final float[][] DELTA = {{0.1f, 0.4f, -0.5f, 0.3f}, {-0.5f, 0.1f, 1.5f, 0.2f}, {0f, 0.7f, 0, 0}};
    static final float[][] ROLLOUT = {{-1.1f, -2.0f, -0.6f, 0}, {-1.0f, -0.7f, -2.0f, -1.3f}, {-1.9f, 0, 0, 0}};
    static final float[][] MASK = {{1, 1, 1, 0}, {1, 1, 1, 1}, {1, 0, 0, 0}};
    static final float[] ADV = {1f, -1f, -0.5f};

    @Test
    void lossMatchesHandComputedTerms() {
        // by hand, per trained token: -A * ratio (or its clipped form) * min(exp(old - rollout), 2)
        double r00 = Math.exp(0.1) * Math.exp(-1.0 + 1.1); // inside the clip range, TIS e^0.1
        double r01 = 1.28 * 1.0; // A>0 and ratio e^0.4 > 1.28: the clipped term -1.28 is the larger loss; TIS e^0 = 1
        double r02 = Math.exp(-0.5) * Math.exp(-0.5 + 0.6); // A>0 and ratio below 0.8: min(r, clip) = r, unclipped
        double l0 = -(r00 + r01 + r02);
        double r10 = 0.8 * Math.exp(-1.2 + 1.0); // A<0, ratio e^-0.5 < 0.8: the clipped term 0.8 is larger
        double r11 = Math.exp(0.1) * 1.0; // A<0, inside
        double r12 = 3.0 * Math.exp(-2.5 + 2.0); // A<0, ratio e^1.5 = 4.48 > 3: dual clip caps the loss at 3|A|
        double r13 = Math.exp(0.2) * Math.exp(-1.0 + 1.3); // A<0, inside
        double l1 = r10 + r11 + r12 + r13;
        double r20 = 0.5 * 1.0 * 2.0; // A=-0.5, ratio 1, TIS e^1.5 = 4.48 capped at 2
        double expected = (l0 + l1 + r20) / 8; // 8 trained tokens; the masked ones contribute to neither part

        try (NDManager manager = NDManager.newBaseManager()) {
            GrpoLoss.Terms terms = compute(manager, GrpoLoss.aster(), 0, 3, 8);
            assertEquals(expected, terms.loss().getFloat(), 1e-5);
            assertEquals(8, terms.trainedTokens());
            // clipped term taken: (0,1) high and (1,0) low; at (1,2) A<0 and -A*clip(r) = 1.28 < -A*r = 4.48, so the
            // PPO max keeps the unclipped term and only the dual clip acts
            assertEquals(2, terms.clippedTokens());
            assertEquals(1, terms.dualClippedTokens());
            double k1 = -(0.1 + 0.4 - 0.5) - (-0.5 + 0.1 + 1.5 + 0.2) - 0.0;
            assertEquals(k1, terms.approxKlSum(), 1e-5);
        }
    }

    @Test
    void withoutRolloutLogprobsThereIsNoImportanceWeight() {
        double expected = (-(Math.exp(0.1) + 1.28 + Math.exp(-0.5)) + (0.8 + Math.exp(0.1) + 3.0 + Math.exp(0.2))
                + 0.5) / 8;
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray old = manager.create(OLD);
            NDArray logp = old.add(manager.create(DELTA));
            GrpoLoss.Terms terms = GrpoLoss.aster().compute(logp, old, null,
                    manager.create(ADV).reshape(3, 1), manager.create(MASK), 8);
            assertEquals(expected, terms.loss().getFloat(), 1e-5);
        }
    }

    @Test
    void tokenMeanIsTheSameForOneTwoOrThreeMicroBatches() {
        float[] single = null;
        float[] singleGrad = null;
        for (int parts : new int[] {1, 2, 3}) {
            try (NDManager manager = NDManager.newBaseManager()) {
                NDArray old = manager.create(OLD);
                NDArray logp = old.add(manager.create(DELTA));
                logp.setRequiresGradient(true);
                double total = 0;
                int[][] splits = parts == 1 ? new int[][] {{0, 3}} : parts == 2 ? new int[][] {{0, 2}, {2, 3}}
                        : new int[][] {{0, 1}, {1, 2}, {2, 3}};
                for (int[] s : splits) {
                    try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                        NDIndex rows = new NDIndex().addSliceDim(s[0], s[1]);
                        GrpoLoss.Terms t = GrpoLoss.aster().compute(logp.get(rows), old.get(rows),
                                manager.create(ROLLOUT).get(rows), manager.create(ADV).reshape(3, 1).get(rows),
                                manager.create(MASK).get(rows), 8);
                        total += t.loss().getFloat();
                        gc.backward(t.loss());
                    }
                }
                float[] grad = logp.getGradient().toFloatArray();
                if (single == null) {
                    single = new float[] {(float) total};
                    singleGrad = grad;
                    // by hand: d/dlogp of -A r w / N is -A r w / N where the unclipped term is taken, 0 where clipped
                    assertEquals(-1 * Math.exp(0.1) * Math.exp(0.1) / 8, grad[0], 1e-6);
                    assertEquals(0, grad[1], 0); // clipped high
                    assertEquals(0, grad[3], 0); // masked
                    assertEquals(0, grad[4], 0); // clipped low
                    assertEquals(Math.exp(0.1) / 8, grad[5], 1e-6); // A = -1: +r / N
                    assertEquals(0, grad[6], 0); // dual clip: constant
                    assertEquals(0, grad[9], 0); // tool token
                } else {
                    assertEquals(single[0], total, 1e-6, parts + " micro-batches");
                    assertArrayEquals(singleGrad, grad, 1e-7f, parts + " micro-batches");
                }
            }
        }
    }

    @Test
    void crossEntropyIsATokenMeanOverTheMask() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray logp = manager.create(OLD);
            double expected = (1.0 + 2.0 + 0.5 + 1.2 + 0.7 + 2.5 + 1.0 + 0.4) / 8;
            assertEquals(expected, GrpoLoss.crossEntropy(logp, manager.create(MASK), 8).getFloat(), 1e-6);
        }
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> new GrpoLoss(0.2, 0.28, 1.0, 2));
        assertThrows(IllegalArgumentException.class, () -> new GrpoLoss(1.2, 0.28, 3, 2));
    }

    @Test
    void advantagesUseTheSampleStandardDeviation() {
        // rewards 1, 0, 0, 1: mean 0.5, sample std sqrt(4 * 0.25 / 3) = 0.57735
        double std = Math.sqrt(1.0 / 3);
        double[] a = GrpoAdvantages.advantages(new double[] {1, 0, 0, 1});
        assertEquals(0.5 / (std + 1e-6), a[0], 1e-12);
        assertEquals(-0.5 / (std + 1e-6), a[1], 1e-12);
    }

    @Test
    void equalGroupsAreDroppedAndIncompleteLogprobsSkipped() {
        TrainingSequence full = new TrainingSequence(new int[] {1, 2, 3}, new boolean[] {false, true, true},
                new float[] {0, -1f, -2f});
        TrainingSequence missing = new TrainingSequence(new int[] {1, 2, 3}, new boolean[] {false, true, true},
                new float[] {0, -1f, Float.NaN});
        TrainingSequence none = new TrainingSequence(new int[] {1, 2}, new boolean[] {false, true});
        GrpoAdvantages.Result r = GrpoAdvantages.compute(List.of(
                List.of(new GrpoAdvantages.Rollout(full, 1), new GrpoAdvantages.Rollout(full, 1)),
                List.of(new GrpoAdvantages.Rollout(full, 1), new GrpoAdvantages.Rollout(missing, 0),
                        new GrpoAdvantages.Rollout(none, 0)),
                List.of(new GrpoAdvantages.Rollout(full, 0))));
        assertEquals(2, r.droppedGroups()); // all-1 group and the group of one
        assertEquals(2, r.skippedSequences());
        assertEquals(1, r.samples().size());
        // the group's statistics still use all three rewards: mean 1/3, sample std sqrt((4/9 + 2/9) / 2)
        double mean = 1.0 / 3;
        double std = Math.sqrt(((1 - mean) * (1 - mean) + 2 * mean * mean) / 2);
        assertEquals((1 - mean) / (std + 1e-6), r.samples().get(0).advantage(), 1e-6);
    }

    @Test
    void paddingPutsTrainedTargetsWhereTheModelPredictsThem() {
        TrainingSequence a = new TrainingSequence(new int[] {5, 6, 7}, new boolean[] {false, false, true},
                new float[] {Float.NaN, Float.NaN, -0.5f});
        TrainingSequence b = new TrainingSequence(new int[] {8, 9}, new boolean[] {false, true}, new float[] {0, -1f});
        TrainingBatch batch = TrainingBatch.pad(List.of(a, b), new float[] {1, 2});
        assertArrayEquals(new int[] {8, 9, TrainingBatch.PAD_ID}, batch.tokens()[1]);
        assertArrayEquals(new float[] {1, 1, 0}, batch.attentionMask()[1]);
        assertArrayEquals(new float[] {0, 1}, batch.lossMask()[0]); // target 7 is entry 1
        assertArrayEquals(new float[] {1, 0}, batch.lossMask()[1]);
        assertArrayEquals(new float[] {0, -0.5f}, batch.rolloutLogprobs()[0]); // no NaN survives untrained positions
        assertEquals(2, batch.trainedTokens());
        assertEquals(2, TrainingBatch.microBatches(List.of(a, b, a), null, 2).size());
    }

    private static GrpoLoss.Terms compute(NDManager manager, GrpoLoss loss, int from, int to, double tokens) {
        NDArray old = manager.create(OLD);
        NDArray logp = old.add(manager.create(DELTA));
        NDIndex rows = new NDIndex().addSliceDim(from, to);
        return loss.compute(logp.get(rows), old.get(rows), manager.create(ROLLOUT).get(rows),
                manager.create(ADV).reshape(new Shape(3, 1)).get(rows), manager.create(MASK).get(rows), tokens);
    }
}

package ai.aster.modeling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingTest {

    @TempDir
    Path dir;

    @Test
    void lossMatchesInferenceLogprobs() {
        ModelInit.write(dir, ModelInit.Options.defaults());
        try (Qwen3Model model = Qwen3Model.load(dir, Device.cpu()); NDManager manager = NDManager.newBaseManager()) {
            int[] tokens = {10, 20, 30, 40, 50, 60};
            boolean[] mask = {false, false, false, false, false, true};
            float[] logits = model.logitsWithoutCache(new int[] {10, 20, 30, 40, 50});
            double expected = -(logits[60] - FullSortSampler.logSumExp(logits));
            float loss = model.trainingLoss(manager, new int[][] {tokens}, new boolean[][] {mask}).getFloat();
            assertEquals(expected, loss, 1e-4);
        }
    }

    @Test
    void sequenceLogprobsScoreEveryNextToken() {
        ModelInit.write(dir, ModelInit.Options.defaults());
        try (Qwen3Model model = Qwen3Model.load(dir, Device.cpu())) {
            int[][] rows = {{5, 6, 7, 8, 9}, {1, 2, 3}};
            float[][] scores = model.sequenceLogprobs(rows);
            assertEquals(4, scores[0].length);
            assertEquals(2, scores[1].length); // the shorter row is not padded
            for (int b = 0; b < rows.length; b++) {
                for (int t = 0; t + 1 < rows[b].length; t++) {
                    float[] logits = model.logitsWithoutCache(java.util.Arrays.copyOf(rows[b], t + 1));
                    double expected = logits[rows[b][t + 1]] - FullSortSampler.logSumExp(logits);
                    assertEquals(expected, scores[b][t], 1e-4, "row " + b + " position " + t);
                }
            }
        }
    }

    @Test
    void blockedCausalAttentionMatchesOneProductInValuesAndGradients() {
        ModelInit.write(dir, ModelInit.Options.defaults());
        Random random = new Random(3);
        int[][] tokens = new int[2][];
        boolean[][] mask = new boolean[2][];
        for (int b = 0; b < 2; b++) {
            tokens[b] = new int[b == 0 ? 70 : 53]; // rows of different length: blocks end inside the padding
            mask[b] = new boolean[tokens[b].length];
            for (int t = 0; t < tokens[b].length; t++) {
                tokens[b][t] = random.nextInt(ModelInit.vocabSize());
                mask[b][t] = t > 0;
            }
        }
        try (Qwen3Model model = Qwen3Model.load(dir, Device.cpu())) {
            List<NDArray> parameters = model.parameters();
            parameters.forEach(p -> p.setRequiresGradient(true));
            model.setAttentionBlock(Integer.MAX_VALUE);
            float[][] whole = model.sequenceLogprobs(tokens);
            float[][] wholeGradients = gradients(model, parameters, tokens, mask);
            model.setAttentionBlock(16); // 5 blocks, the last one partial
            float[][] blocked = model.sequenceLogprobs(tokens);
            float[][] blockedGradients = gradients(model, parameters, tokens, mask);
            for (int b = 0; b < tokens.length; b++) {
                for (int t = 0; t < whole[b].length; t++) {
                    assertEquals(whole[b][t], blocked[b][t], 1e-5, "row " + b + " position " + t);
                }
            }
            for (int i = 0; i < wholeGradients.length; i++) {
                for (int j = 0; j < wholeGradients[i].length; j++) {
                    assertEquals(wholeGradients[i][j], blockedGradients[i][j], 1e-5, "parameter " + i + " at " + j);
                }
            }
        }
    }

    private static float[][] gradients(Qwen3Model model, List<NDArray> parameters, int[][] tokens, boolean[][] mask) {
        try (NDManager manager = NDManager.newBaseManager()) {
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                gc.backward(model.trainingLoss(manager, tokens, mask));
            }
            float[][] out = new float[parameters.size()][];
            for (int i = 0; i < out.length; i++) {
                out[i] = parameters.get(i).getGradient().toFloatArray();
                JniUtils.zeroGrad((PtNDArray) parameters.get(i)); // gradients add up until zeroed
            }
            return out;
        }
    }

    @Test
    void gradientClippingBoundsTheGlobalNorm() {
        ModelInit.write(dir, ModelInit.Options.defaults());
        try (Qwen3Model model = Qwen3Model.load(dir, Device.cpu()); NDManager manager = NDManager.newBaseManager()) {
            AdamW optimizer = new AdamW(model.parameters(), 1e-3);
            int[][] tokens = {{1, 2, 3, 4, 5, 6, 7, 8}};
            boolean[][] mask = {{false, true, true, true, true, true, true, true}};
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                gc.backward(model.trainingLoss(manager, tokens, mask));
            }
            double before = optimizer.clipGradNorm(1e-3);
            assertTrue(before > 1e-3, "an untrained model has a sizeable gradient: " + before);
            assertEquals(1e-3, optimizer.clipGradNorm(1e9), 1e-5);
        }
    }

    @Test
    void adamWStepsDriveTheLossDownOnAFixedBatch() {
        ModelInit.write(dir, ModelInit.Options.defaults());
        Random r = new Random(5);
        int[][] tokens = new int[3][];
        boolean[][] mask = new boolean[3][];
        for (int b = 0; b < 3; b++) {
            int len = 12 + 4 * b; // rows of different lengths
            tokens[b] = new int[len];
            mask[b] = new boolean[len];
            for (int t = 0; t < len; t++) {
                tokens[b][t] = r.nextInt(256);
                mask[b][t] = t >= 4 && t % 5 != 0; // a prompt and some "tool output" positions are not trained
            }
        }
        try (Qwen3Model model = Qwen3Model.load(dir, Device.cpu()); NDManager manager = NDManager.newBaseManager()) {
            AdamW optimizer = new AdamW(model.parameters(), 1e-2);
            float first = 0;
            float last = 0;
            for (int step = 0; step < 8; step++) {
                try (NDManager stepManager = manager.newSubManager()) {
                    float value;
                    try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                        NDArray loss = model.trainingLoss(stepManager, tokens, mask);
                        value = loss.getFloat();
                        gc.backward(loss);
                    }
                    optimizer.step();
                    if (step == 0) {
                        first = value;
                    }
                    last = value;
                }
            }
            assertTrue(last < first * 0.7, "loss went from " + first + " to " + last);
            // inference after training uses the updated weights and stays consistent with the cache path
            int[] prompt = tokens[0];
            try (KvCache cache = model.newCache()) {
                float[] cached = model.forward(List.of(cache), List.of(prompt))[0];
                float[] full = model.logitsWithoutCache(prompt);
                for (int i = 0; i < full.length; i++) {
                    assertEquals(full[i], cached[i], 1e-4);
                }
            }
            // and what was trained can be saved and loaded back
            Path out = dir.resolve("trained");
            model.save(out);
            try (Qwen3Model reloaded = Qwen3Model.load(out, Device.cpu())) {
                float[] a = model.logitsWithoutCache(prompt);
                float[] b = reloaded.logitsWithoutCache(prompt);
                for (int i = 0; i < a.length; i++) {
                    assertEquals(a[i], b[i], 0f);
                }
            }
        }
    }
}

package ai.aster.modeling.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.aster.modeling.ModelInit;
import ai.aster.modeling.Qwen3Model;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer step on the real Qwen3 code with a tiny random model. */
class PolicyTrainerTest {

    @TempDir
    Path dir;

    static List<TrainingSequence> fixedSequences() {
        Random r = new Random(7);
        List<TrainingSequence> out = new ArrayList<>();
        for (int b = 0; b < 3; b++) {
            int len = 10 + 3 * b;
            int[] tokens = new int[len];
            boolean[] mask = new boolean[len];
            for (int t = 0; t < len; t++) {
                tokens[t] = r.nextInt(256);
                mask[t] = t >= 3 && t % 4 != 0; // a prompt, and "tool" tokens inside the answer
            }
            out.add(new TrainingSequence(tokens, mask));
        }
        return out;
    }

    @Test
    void sftStepsDriveTheLossDown() {
        ModelInit.write(dir, ModelInit.Options.defaults());
        List<TrainingSequence> data = fixedSequences();
        PolicyTrainer.Options options = new PolicyTrainer.Options(new LearningRateSchedule(2e-2, 2, 6, 2e-3), 1.0,
                2, 0.01, GrpoLoss.aster());
        try (Qwen3Model model = Qwen3Model.load(dir, Device.cpu());
                PolicyTrainer trainer = new PolicyTrainer(model, options)) {
            StepMetrics first = trainer.sftStep(data);
            assertEquals(2, first.microBatches());
            assertEquals(data.stream().mapToInt(TrainingSequence::trainedTokens).sum(), first.tokens());
            assertEquals(1e-2, first.learningRate(), 1e-12); // warm-up step 0 of 2
            assertTrue(first.entropy() > 0 && first.gradNorm() > 0, first.toString());
            StepMetrics last = first;
            for (int i = 0; i < 5; i++) {
                last = trainer.sftStep(data);
            }
            assertEquals(6, trainer.step());
            assertTrue(last.loss() < first.loss() * 0.7, "loss went from " + first.loss() + " to " + last.loss());
        }
    }

    @Test
    void sftLossIsTheSameHoweverTheMiniBatchIsSplit() {
        ModelInit.write(dir, ModelInit.Options.defaults());
        List<TrainingSequence> data = fixedSequences();
        double[] losses = new double[3];
        double[] norms = new double[3];
        for (int micro = 1; micro <= 3; micro++) {
            try (Qwen3Model model = Qwen3Model.load(dir, Device.cpu());
                    PolicyTrainer trainer = new PolicyTrainer(model, new PolicyTrainer.Options(
                            LearningRateSchedule.constant(1e-3), 1e9, micro, 0.0, GrpoLoss.aster()))) {
                StepMetrics m = trainer.sftStep(data);
                losses[micro - 1] = m.loss();
                norms[micro - 1] = m.gradNorm();
            }
        }
        assertEquals(losses[0], losses[1], 1e-5);
        assertEquals(losses[0], losses[2], 1e-5);
        assertEquals(norms[0], norms[1], 1e-4 * norms[0]);
        assertEquals(norms[0], norms[2], 1e-4 * norms[0]);
    }

    @Test
    void grpoStepRaisesTheLogprobOfTheRewardedSequence() {
        ModelInit.write(dir, ModelInit.Options.defaults());
        List<TrainingSequence> plain = fixedSequences().subList(0, 2);
        try (Qwen3Model model = Qwen3Model.load(dir, Device.cpu());
                PolicyTrainer trainer = new PolicyTrainer(model, PolicyTrainer.Options.defaults(
                        LearningRateSchedule.constant(1e-3)))) {
            // rollout log-probs as an inference engine would report them: the model's own
            float[][] scores = model.sequenceLogprobs(plain.stream().map(TrainingSequence::tokens).toArray(int[][]::new));
            List<GrpoAdvantages.Rollout> group = new ArrayList<>();
            for (int i = 0; i < plain.size(); i++) {
                TrainingSequence s = plain.get(i);
                float[] rollout = new float[s.tokens().length];
                System.arraycopy(scores[i], 0, rollout, 1, scores[i].length);
                group.add(new GrpoAdvantages.Rollout(new TrainingSequence(s.tokens(), s.lossMask(), rollout),
                        i == 0 ? 1.0 : 0.0));
            }
            GrpoAdvantages.Result samples = GrpoAdvantages.compute(List.of(group));
            double before0 = trainedLogprob(model, plain.get(0));
            double before1 = trainedLogprob(model, plain.get(1));
            StepMetrics m = trainer.grpoStep(samples);
            assertEquals(0, m.clipFraction()); // first step: new policy = old policy, ratio 1
            assertEquals(0, m.approxKl(), 1e-6);
            assertTrue(trainedLogprob(model, plain.get(0)) > before0, "the rewarded sequence became likelier");
            assertTrue(trainedLogprob(model, plain.get(1)) < before1, "the unrewarded sequence became less likely");
        }
    }

    @Test
    void resumingFromACheckpointContinuesBitIdentically() throws Exception {
        ModelInit.write(dir.resolve("init"), ModelInit.Options.defaults());
        List<TrainingSequence> data = fixedSequences();
        // one micro-batch per step here (accumulation has its own test): the resume is what this test is about
        PolicyTrainer.Options options = new PolicyTrainer.Options(new LearningRateSchedule(1e-2, 1, 4, 1e-3), 0.5,
                3, 0.01, GrpoLoss.aster());
        List<float[]> straight;
        try (Qwen3Model model = Qwen3Model.load(dir.resolve("init"), Device.cpu());
                PolicyTrainer trainer = new PolicyTrainer(model, options)) {
            for (int i = 0; i < 4; i++) {
                trainer.sftStep(data);
            }
            straight = weights(trainer);
        }
        Path checkpoint = dir.resolve("step-2");
        try (Qwen3Model model = Qwen3Model.load(dir.resolve("init"), Device.cpu());
                PolicyTrainer trainer = new PolicyTrainer(model, options)) {
            // a job saves each checkpoint into a temporary folder and renames it: the second save must still
            // find the tokenizer (it once looked in the first save's folder, gone by then, and left it out)
            Path first = dir.resolve(".step-1.tmp");
            trainer.sftStep(data);
            TrainerCheckpoint.save(trainer, first);
            Files.move(first, dir.resolve("step-1"));
            trainer.sftStep(data);
            TrainerCheckpoint.save(trainer, checkpoint);
        }
        assertTrue(Files.isRegularFile(dir.resolve("step-1").resolve("tokenizer.json")));
        assertTrue(Files.isRegularFile(checkpoint.resolve("config.json")));
        assertTrue(Files.isRegularFile(checkpoint.resolve("model.safetensors")));
        assertTrue(Files.isRegularFile(checkpoint.resolve("tokenizer.json")));
        try (PolicyTrainer resumed = TrainerCheckpoint.load(checkpoint, Device.cpu(), options)) {
            assertEquals(2, resumed.step());
            StepMetrics third = resumed.sftStep(data);
            assertEquals(options.schedule().rate(2), third.learningRate(), 0);
            resumed.sftStep(data);
            List<float[]> again = weights(resumed);
            for (int i = 0; i < straight.size(); i++) {
                float[] a = straight.get(i);
                float[] b = again.get(i);
                for (int j = 0; j < a.length; j++) {
                    assertEquals(a[j], b[j], 1e-6, "parameter " + i + " element " + j);
                }
            }
        }
    }

    @Test
    void scheduleWarmsUpLinearlyThenDecaysByCosineToTheFloor() {
        LearningRateSchedule s = new LearningRateSchedule(1.0, 4, 14, 0.1);
        assertEquals(0.25, s.rate(0), 1e-12);
        assertEquals(1.0, s.rate(3), 1e-12);
        assertEquals(1.0, s.rate(4), 1e-12); // cos(0)
        assertEquals(0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * 0.5)), s.rate(9), 1e-12);
        assertEquals(0.1, s.rate(14), 1e-12);
        assertEquals(0.1, s.rate(100), 1e-12);
    }

    private static double trainedLogprob(Qwen3Model model, TrainingSequence s) {
        float[] logp = model.sequenceLogprobs(new int[][] {s.tokens()})[0];
        double sum = 0;
        for (int t = 1; t < s.tokens().length; t++) {
            if (s.lossMask()[t]) {
                sum += logp[t - 1];
            }
        }
        return sum;
    }

    private static List<float[]> weights(PolicyTrainer trainer) {
        List<float[]> out = new ArrayList<>();
        for (NDArray p : trainer.model().parameters()) {
            out.add(p.toFloatArray());
        }
        return out;
    }
}

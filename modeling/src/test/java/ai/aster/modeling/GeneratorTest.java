package ai.aster.modeling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratorTest {

    @TempDir
    Path dir;

    @Test
    void batchedGenerationEqualsEachPromptAloneAndHonoursStops() {
        ModelInit.write(dir, ModelInit.Options.defaults());
        try (Qwen3Model model = Qwen3Model.load(dir, Device.cpu())) {
            Generator generator = new Generator(model);
            List<int[]> prompts = List.of(new int[] {257, 72, 105}, new int[] {1, 2, 3, 4, 5, 6, 7}, new int[] {42});
            SamplingParams sampled = new SamplingParams(1.0, 0.9, 50, 11, 0);
            List<Generator.Generation> batch = generator.generate(prompts, sampled, 20, null);
            for (int i = 0; i < prompts.size(); i++) {
                // alone, with the seed the batch gave this index
                SamplingParams own = new SamplingParams(1.0, 0.9, 50, 11 + i, 0);
                Generator.Generation alone = generator.generate(List.of(prompts.get(i)), own, 20, null).get(0);
                assertArrayEquals(alone.tokens(), batch.get(i).tokens());
                assertEquals("length", batch.get(i).finishReason());
                assertEquals(20, batch.get(i).tokens().length);
            }
            // stop ids end a sequence early, the stop id included
            Generator.Generation g = batch.get(1);
            int stop = g.tokens()[5];
            int first = 0;
            while (g.tokens()[first] != stop) {
                first++;
            }
            Generator.Generation stopped = generator.generate(List.of(prompts.get(1)), new SamplingParams(1.0, 0.9, 50,
                    12, 0), 20, new int[] {stop}).get(0);
            assertEquals("stop", stopped.finishReason());
            assertEquals(first + 1, stopped.tokens().length);
            assertEquals(stop, stopped.tokens()[first]);
            // logprobs are the model's: greedy's first token has the max log-probability of the prompt's logits
            Generator.Generation greedy = generator.generate(List.of(prompts.get(0)), SamplingParams.greedy(), 1, null)
                    .get(0);
            float[] logits = model.logitsWithoutCache(prompts.get(0));
            assertEquals(FullSortSampler.argmax(logits), greedy.tokens()[0]);
            assertEquals(logits[greedy.tokens()[0]] - FullSortSampler.logSumExp(logits), greedy.logprobs()[0], 1e-4);
        }
    }
}

package ai.aster.model.engine;

import ai.aster.modeling.KvCache;
import ai.aster.modeling.Qwen3Model;
import ai.aster.modeling.Sample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Executes one planned step: batched forward passes, then one sample per sampler from each sequence's logits.
 * It never decides who runs. Works are grouped by how many new tokens they feed, so the decodes of all running
 * sequences go through one forward pass together and a prompt chunk never pads the decodes to its length.
 */
public final class ModelRunner {

    private volatile Qwen3Model model;

    public ModelRunner(Qwen3Model model) {
        this.model = model;
    }

    Qwen3Model model() {
        return model;
    }

    /** Swaps the weights between steps (engine thread). */
    void setModel(Qwen3Model model) {
        this.model = model;
    }

    RunnerOutput execute(SchedulerOutput plan) {
        List<Work> works = plan.works();
        float[][] logits = new float[works.size()][];
        Map<Integer, List<Integer>> byLength = new LinkedHashMap<>();
        for (int i = 0; i < works.size(); i++) {
            byLength.computeIfAbsent(works.get(i).tokens().length, k -> new ArrayList<>()).add(i);
        }
        for (List<Integer> group : byLength.values()) {
            List<KvCache> caches = new ArrayList<>(group.size());
            List<int[]> tokens = new ArrayList<>(group.size());
            for (int i : group) {
                caches.add(works.get(i).seq().cache);
                tokens.add(works.get(i).tokens());
            }
            float[][] out = model.forward(caches, tokens); // [group][vocab], logits after each last new token
            for (int j = 0; j < group.size(); j++) {
                logits[group.get(j)] = out[j];
            }
        }
        List<List<Sample>> samples = new ArrayList<>(works.size());
        for (int i = 0; i < works.size(); i++) {
            Work work = works.get(i);
            for (Sequence fork : work.forks()) {
                fork.cache = work.seq().cache.copyPrefix(work.seq().cache.length());
            }
            List<Sample> drawn = new ArrayList<>(work.samplers().size());
            for (Sequence s : work.samplers()) {
                drawn.add(s.sampler.sample(logits[i]));
            }
            samples.add(drawn);
        }
        return new RunnerOutput(samples);
    }
}

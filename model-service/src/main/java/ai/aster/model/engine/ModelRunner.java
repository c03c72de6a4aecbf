package ai.aster.model.engine;

import ai.aster.modeling.KvCache;
import ai.aster.modeling.Qwen3Model;
import ai.aster.modeling.Sample;
import ai.aster.modeling.StepLogits;
import java.util.ArrayList;
import java.util.List;

/**
 * Executes one planned step: one batched forward pass over every scheduled sequence (prompt chunks and decodes
 * together), then one sample per sampler from each sequence's logits. It never decides who runs.
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
        List<KvCache> caches = new ArrayList<>(works.size());
        List<int[]> tokens = new ArrayList<>(works.size());
        for (Work work : works) {
            caches.add(work.seq().cache);
            tokens.add(work.tokens());
        }
        // one step for everyone: the model runs projections and MLP over all new tokens of the batch at once
        // (works, vocab) logits after each last new token, kept native: sampling never copies a row into Java
        try (StepLogits logits = model.forwardLogits(caches, tokens)) {
            List<List<Sample>> samples = new ArrayList<>(works.size());
            for (int i = 0; i < works.size(); i++) {
                Work work = works.get(i);
                for (Sequence fork : work.forks()) {
                    fork.cache = work.seq().cache.copyPrefix(work.seq().cache.length());
                }
                List<Sample> drawn = new ArrayList<>(work.samplers().size());
                for (Sequence s : work.samplers()) {
                    drawn.add(s.sampler.sample(logits, i));
                }
                samples.add(drawn);
            }
            return new RunnerOutput(samples);
        }
    }
}

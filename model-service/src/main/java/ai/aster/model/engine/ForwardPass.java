package ai.aster.model.engine;

import ai.aster.modeling.KvCache;
import ai.aster.modeling.Qwen3Model;
import ai.aster.modeling.StepLogits;
import java.util.List;

/**
 * One batched forward step of a model ({@link Qwen3Model#forwardLogits}); a seam for tests that inject a failing step.
 */
@FunctionalInterface
public interface ForwardPass {

    /**
     * Appends {@code tokens.get(i)} to {@code caches.get(i)} and returns the logits after each, {@code (batch, vocab)},
     * kept native; the caller closes them.
     */
    StepLogits forward(Qwen3Model model, List<KvCache> caches, List<int[]> tokens);

    ForwardPass MODEL = Qwen3Model::forwardLogits;
}

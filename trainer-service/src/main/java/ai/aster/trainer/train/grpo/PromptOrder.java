package ai.aster.trainer.train.grpo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Which prompts each step draws: the prompt list is walked in epochs, each epoch a fresh shuffle seeded by
 * {@code (seed, epoch)}, so step {@code s}'s prompts are a function of the seed and {@code s} alone and a resumed
 * job draws what the stopped one would have drawn. A step that crosses an epoch's end takes the rest of that epoch
 * and the start of the next.
 */
public final class PromptOrder {

    private final List<GrpoPrompt> prompts;
    private final int perStep;
    private final long seed;

    public PromptOrder(List<GrpoPrompt> prompts, int perStep, long seed) {
        if (prompts.isEmpty() || perStep < 1) {
            throw new IllegalArgumentException("need prompts and at least one prompt per step");
        }
        this.prompts = List.copyOf(prompts);
        this.perStep = perStep;
        this.seed = seed;
    }

    /** The prompts of optimizer step {@code step} (1 for the first). */
    public List<GrpoPrompt> forStep(int step) {
        List<GrpoPrompt> out = new ArrayList<>(perStep);
        long first = (long) (step - 1) * perStep;
        int epoch = -1;
        List<GrpoPrompt> order = null;
        for (long i = first; i < first + perStep; i++) {
            int e = (int) (i / prompts.size());
            if (e != epoch) {
                epoch = e;
                order = epoch(e);
            }
            out.add(order.get((int) (i % prompts.size())));
        }
        return out;
    }

    private List<GrpoPrompt> epoch(int epoch) {
        List<GrpoPrompt> order = new ArrayList<>(prompts);
        Collections.shuffle(order, new Random(seed * 1_000_003L + epoch));
        return order;
    }
}

package ai.aster.model.engine;

import ai.aster.modeling.KvCache;
import ai.aster.modeling.Qwen3Model;
import ai.aster.modeling.Sample;
import ai.aster.modeling.StepLogits;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Executes one planned step: one batched forward pass over every scheduled sequence (prompt chunks and decodes
 * together), then one sample per sampler from each sequence's logits. It never decides who runs.
 *
 * <p>A forward pass that throws (out of memory, a bad input) leaves every cache as it was (lengths advance only
 * after success), so the batch is split in halves and each half retried; only a work that fails alone is reported
 * failed, and the other sequences of the step go on. Logits stay native ({@link StepLogits}): sampling never copies
 * a vocabulary-sized row into Java.
 */
public final class ModelRunner {

    private static final Logger LOG = Logger.getLogger(ModelRunner.class);

    private final ForwardPass forwardPass;
    private volatile Qwen3Model model;

    public ModelRunner(Qwen3Model model, ForwardPass forwardPass) {
        this.model = model;
        this.forwardPass = forwardPass;
    }

    Qwen3Model model() {
        return model;
    }

    /** Swaps the weights between steps (engine thread). */
    void setModel(Qwen3Model model) {
        this.model = model;
    }

    /** The logits of works [from, from + logits.batch()) of the step. */
    private record Segment(int from, StepLogits logits) {
    }

    RunnerOutput execute(SchedulerOutput plan) {
        List<Work> works = plan.works();
        String[] failures = new String[works.size()];
        List<Segment> segments = new ArrayList<>(1);
        try {
            forward(works, 0, works.size(), segments, failures);
            List<List<Sample>> samples = new ArrayList<>(works.size());
            for (int i = 0; i < works.size(); i++) {
                samples.add(null);
            }
            for (Segment segment : segments) {
                for (int row = 0; row < segment.logits().batch(); row++) {
                    Work work = works.get(segment.from() + row);
                    List<Sample> drawn = new ArrayList<>(work.samplers().size());
                    for (Sequence s : work.samplers()) {
                        drawn.add(s.sampler.sample(segment.logits(), row));
                    }
                    samples.set(segment.from() + row, drawn);
                }
            }
            return new RunnerOutput(samples, Arrays.asList(failures));
        } finally {
            for (Segment segment : segments) {
                segment.logits().close();
            }
        }
    }

    /** Runs works [from, to) as one batch; on failure each half alone, down to single works. */
    private void forward(List<Work> works, int from, int to, List<Segment> segments, String[] failures) {
        List<KvCache> caches = new ArrayList<>(to - from);
        List<int[]> tokens = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            caches.add(works.get(i).seq().cache);
            tokens.add(works.get(i).tokens());
        }
        try {
            // one step for everyone: the model runs projections and MLP over all new tokens of the batch at once
            segments.add(new Segment(from, forwardPass.forward(model, caches, tokens)));
        } catch (RuntimeException | OutOfMemoryError e) {
            if (to - from == 1) {
                LOG.errorf(e, "forward step failed for one sequence of request %s",
                        works.get(from).seq().owner.request.requestId());
                failures[from] = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                return;
            }
            LOG.warnf("forward step of %d sequences failed (%s): retrying in halves", to - from, e.toString());
            int mid = (from + to) >>> 1;
            forward(works, from, mid, segments, failures);
            forward(works, mid, to, segments, failures);
        }
    }
}

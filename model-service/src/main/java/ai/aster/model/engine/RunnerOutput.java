package ai.aster.model.engine;

import ai.aster.modeling.Sample;
import java.util.List;

/**
 * What one engine step produced: for each work (same order), one sample per sampler, or, for a work whose forward
 * pass failed even alone, null and the error in {@code failures}.
 */
public record RunnerOutput(List<List<Sample>> samples, List<String> failures) {

    boolean failed(int work) {
        return failures.get(work) != null;
    }
}

package ai.aster.model.engine;

import ai.aster.modeling.Sample;
import java.util.List;

/** What one engine step produced: for each work (same order), one sample per sampler. */
public record RunnerOutput(List<List<Sample>> samples) {}

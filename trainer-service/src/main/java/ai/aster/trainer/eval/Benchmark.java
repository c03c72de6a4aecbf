package ai.aster.trainer.eval;

import java.util.List;

/**
 * A named list of problems.
 *
 * @param name the built-in name ({@code aime2025}) or the file's path
 */
public record Benchmark(String name, List<Problem> problems) {

    public Benchmark {
        problems = List.copyOf(problems);
    }

    /** The first {@code limit} problems (all of them when {@code limit} is null). */
    public Benchmark limit(Integer limit) {
        return limit == null || limit >= problems.size() ? this : new Benchmark(name, problems.subList(0, limit));
    }
}

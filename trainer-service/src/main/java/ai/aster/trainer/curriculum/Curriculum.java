package ai.aster.trainer.curriculum;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Draws curriculum problems, deterministically by seed: the i-th problem is of the i-th (family, level) pair in
 * turn, so every pair is equally represented; instances on the other side of the split ({@link Split#of}) and
 * repeats are drawn again. A larger count with the same seed extends the smaller one's list.
 */
public final class Curriculum {

    /** Draws per problem before a (family, level) pair counts as exhausted (few distinct instances on a side). */
    private static final int MAX_DRAWS_PER_PROBLEM = 10_000;

    private Curriculum() {}

    public static List<CurriculumProblem> generate(Split split, int count, long seed, List<Family> families,
            List<Integer> levels) {
        if (count < 1) {
            throw new IllegalArgumentException("--count must be at least 1; was " + count);
        }
        if (families.isEmpty() || levels.isEmpty()) {
            throw new IllegalArgumentException("at least one family and one level are needed");
        }
        for (int level : levels) {
            if (level < Family.MIN_LEVEL || level > Family.MAX_LEVEL) {
                throw new IllegalArgumentException("levels are " + Family.MIN_LEVEL + " to " + Family.MAX_LEVEL
                        + "; was " + level);
            }
        }
        Random rnd = new Random(seed);
        Set<String> seen = new HashSet<>();
        List<CurriculumProblem> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Family family = families.get(i % families.size());
            int level = levels.get((i / families.size()) % levels.size());
            out.add(draw(family, level, split, rnd, seen));
        }
        return out;
    }

    private static CurriculumProblem draw(Family family, int level, Split split, Random rnd, Set<String> seen) {
        for (int attempt = 0; attempt < MAX_DRAWS_PER_PROBLEM; attempt++) {
            Family.Instance instance = family.draw(level, rnd);
            if (instance == null || Split.of(instance.problem()) != split || !seen.add(instance.problem())) {
                continue;
            }
            String id = family.wireName() + "-" + level + "-" + Split.fingerprint(instance.problem());
            return new CurriculumProblem(id, instance.problem(), instance.answer(), family.wireName(), level,
                    family.steps(), split.wireName(), instance.params());
        }
        throw new IllegalArgumentException("family " + family.wireName() + " at level " + level + " has no more distinct "
                + split.wireName() + " problems than the " + seen.size() + " drawn so far; ask fewer, or add levels");
    }
}

package ai.aster.trainer.teach;

import java.util.Locale;

/** Interaction density of the teacher's trajectories. */
public enum TeachingStyle {
    /** Several calls: compute the parts, inspect the result, verify it with a second method. */
    DENSE,
    /** One call that computes the answer, then the answer. */
    SPARSE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TeachingStyle parse(String name) {
        for (TeachingStyle s : values()) {
            if (s.wireName().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("--style must be dense or sparse; was '" + name + "'");
    }
}

package ai.aster.trainer.replicate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The "Compared with the paper" text, computed from the measured numbers (never a fixed conclusion): after RL, does
 * the interaction-dense cold start beat the sparse one, and does budget B beat budget 1? Two scores count as
 * different only when they are further apart than twice the standard error of their difference (binomial, over
 * the held-out samples); otherwise the text says the run cannot tell them apart.
 */
public final class PaperComparison {

    /** How two scores compare. */
    public enum Outcome { HIGHER, LOWER, WITHIN_NOISE }

    private PaperComparison() {}

    public static Outcome compare(EvalPoint a, EvalPoint b) {
        double diff = a.avgAtK() - b.avgAtK();
        if (Math.abs(diff) <= noise(a, b) || diff == 0) {
            return Outcome.WITHIN_NOISE;
        }
        return diff > 0 ? Outcome.HIGHER : Outcome.LOWER;
    }

    /** Twice the standard error of the difference of two accuracies. */
    static double noise(EvalPoint a, EvalPoint b) {
        return 2 * Math.sqrt(variance(a) + variance(b));
    }

    private static double variance(EvalPoint p) {
        double acc = p.avgAtK();
        return p.samples() == 0 ? 0 : acc * (1 - acc) / p.samples();
    }

    /** The paragraphs of the section, from the three settings' last evaluations. */
    public static List<String> paragraphs(ReplicationResults.SettingResult dense, ReplicationResults.SettingResult sparse,
            ReplicationResults.SettingResult ablation) {
        List<String> out = new ArrayList<>();
        EvalPoint d = dense.last();
        EvalPoint s = sparse.last();
        EvalPoint a = ablation.last();
        out.add("**Dense vs sparse cold start.** The paper finds that after RL a cold start on interaction-dense"
                + " trajectories beats one on sparse trajectories. Here, after " + d.step() + " RL step(s), the dense arm "
                + verb(compare(d, s)) + " the sparse arm: " + pair(d, s) + ". "
                + agreement(compare(d, s), "dense ahead"));
        out.add("**Interaction budget.** The paper trains with a generous tool-call budget. Here the dense arm trained"
                + " with budget " + dense.budget() + " " + verb(compare(d, a)) + " the same arm trained with budget "
                + ablation.budget() + ": " + pair(d, a) + ". " + agreement(compare(d, a), "the larger budget ahead"));
        if (d.correct() + s.correct() + a.correct() == 0) {
            out.add("No setting answered a held-out problem correctly, so neither comparison carries information at"
                    + " this scale: the model is too small, or trained too briefly, to finish a problem with its tool.");
        } else if (compare(d, s) == Outcome.WITHIN_NOISE || compare(d, a) == Outcome.WITHIN_NOISE) {
            out.add("Differences within the noise band may be real but are not resolved by " + d.samples()
                    + " samples per evaluation; more held-out problems or a larger k would narrow the band.");
        }
        return out;
    }

    private static String verb(Outcome o) {
        return switch (o) {
            case HIGHER -> "scores higher than";
            case LOWER -> "scores lower than";
            case WITHIN_NOISE -> "cannot be told apart from";
        };
    }

    private static String agreement(Outcome o, String paperDirection) {
        return switch (o) {
            case HIGHER -> "This agrees with the paper (" + paperDirection + ").";
            case LOWER -> "This disagrees with the paper (which has " + paperDirection + ").";
            case WITHIN_NOISE -> "This run neither confirms nor contradicts the paper (which has " + paperDirection
                    + ").";
        };
    }

    private static String pair(EvalPoint a, EvalPoint b) {
        return String.format(Locale.ROOT, "%.1f%% vs %.1f%% held-out avg@k (difference %+.1f points; noise band"
                        + " ±%.1f points)", 100 * a.avgAtK(), 100 * b.avgAtK(), 100 * (a.avgAtK() - b.avgAtK()),
                100 * noise(a, b));
    }
}

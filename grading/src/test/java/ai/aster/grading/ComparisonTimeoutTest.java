package ai.aster.grading;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A pathological comparison ends at its deadline and leaves no stuck worker behind. */
class ComparisonTimeoutTest {

    @Test
    void aComparisonSymjaCannotFinishIsGradedWrongAtItsDeadlineAndItsWorkerIsFreed() {
        // numerically equal at random points? no: these differ, but only by a term the numeric test cannot
        // evaluate (an undefined function), so the decision goes to Symja, which must expand a huge power
        String gold = "(x+y+z+w+1)^{300} + f(x)";
        String prediction = "(x+y+z+w+1)^{300} + f(x) + 1 - 1 + g(x) - g(x) + (x+y+z+w+2)^{300} - (x+y+z+w+2)^{300}";
        GradeOptions options = GradeOptions.defaults().withTimeout(Duration.ofSeconds(2));
        try (AnswerGrader grader = new AnswerGrader(1)) {
            long start = System.nanoTime();
            grader.grade(gold, prediction, options);
            long elapsed = System.nanoTime() - start;
            // bounded by the per-comparison timeout (a few pairs) plus scheduling, never by the computation
            assertTrue(elapsed < Duration.ofSeconds(30).toNanos(), "took " + elapsed / 1_000_000 + " ms");
            // the single worker answers the next question: the stopped computation did not keep it
            assertTrue(grader.grade("\\frac{1}{2}", "$0.5$").correct());
            assertFalse(grader.grade("(x-1)^2", "$x^2+1$", options).correct());
            assertTrue(grader.grade("\\tan^2(y)+1", "$\\sec^2(y)$", options).correct());
        }
    }
}

package ai.aster.grading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A pathological comparison ends at its deadline and leaves no stuck worker behind. */
class ComparisonTimeoutTest {

    // within Symja's size limits but far beyond the deadline: expanding a 5-term sum to the 30th power
    private static final String PATHOLOGICAL = "Expand((qv1+qv2+qv3+qv4+1)^30) - (qv1+qv2+qv3+qv4+1)^30";

    @Test
    void aComputationPastItsDeadlineIsAbandonedAndItsOnlyWorkerServesTheNextQuestion() {
        try (AlgebraEngine engine = new AlgebraEngine(1)) {
            // wait for Symja to start, so that the deadline below falls on the computation itself
            assertEquals(Optional.of(true), engine.isZero("1-1", false, Deadline.after(Duration.ofMinutes(2))));
            long start = System.nanoTime();
            Optional<Boolean> verdict = engine.isZero(PATHOLOGICAL, false, Deadline.after(Duration.ofSeconds(2)));
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(Optional.empty(), verdict, "no verdict past the deadline");
            // the caller is released at its deadline (plus scheduling), not when the computation would end
            assertTrue(waitedMillis < 10_000, "caller waited " + waitedMillis + " ms");
            // one worker only: if the abandoned computation still held it, this would queue until its deadline
            Optional<Boolean> next = engine.isZero("Sin(qv1)^2 + Cos(qv1)^2 - 1", false, Deadline.after(Duration.ofMinutes(2)));
            assertEquals(Optional.of(true), next);
            assertEquals(1, engine.poolSize(), "the pool never grows");
        }
    }

    @Test
    void aGradeWithAPathologicalPredictionReturnsWrongWithinItsTimeout() {
        // an undefined function keeps the numeric test out, so the question goes to Symja
        String gold = "f(x) + (x+y+z+w+1)^{30}";
        String prediction = "$f(x) + (x+y+z+w+1)^{30} + (x+y+z+w+2)^{30} - (x+y+z+w+2)^{29}(x+y+z+w+2) + 1$";
        try (AnswerGrader grader = new AnswerGrader(1)) {
            long start = System.nanoTime();
            GradeResult r = grader.grade(gold, prediction, GradeOptions.defaults().withTimeout(Duration.ofSeconds(2)));
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(false, r.correct());
            assertTrue(waitedMillis < 20_000, "grade took " + waitedMillis + " ms");
            assertTrue(grader.grade("\\frac{1}{2}", "$0.5$").correct());
        }
    }
}

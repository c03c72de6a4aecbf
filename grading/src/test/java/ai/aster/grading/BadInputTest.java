package ai.aster.grading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Garbage in, "wrong" out: never an exception, never a hang. */
class BadInputTest {

    private static AnswerGrader grader;

    @BeforeAll
    static void start() {
        grader = new AnswerGrader(1);
    }

    @AfterAll
    static void stop() {
        grader.close();
    }

    @Test
    void missingAndEmptyAnswersAreWrong() {
        assertFalse(grader.grade("12", null).correct());
        assertFalse(grader.grade(null, "12").correct());
        assertFalse(grader.grade("", "").correct());
        assertEquals(List.of(), grader.grade("12", "   ").predictionParsed());
        assertEquals(java.util.Optional.empty(), grader.extractAnswer("no maths here at all"));
    }

    @Test
    void malformedAndHostileLatexIsWrongNotAnError() {
        for (String bad : List.of("}}}{{{\\frac", "\\boxed{\\frac{1}{", "$\\sqrt[$", "\\begin{pmatrix}1 & 2",
                "(".repeat(20_000) + "1" + ")".repeat(20_000), "9^{9^{9^{9}}}", "\\frac{1}{0}", "10000!!!!",
                "$" + "\\left(".repeat(5_000) + "$")) {
            GradeResult r = grader.grade("12", bad, GradeOptions.defaults().withTimeout(Duration.ofSeconds(5)));
            assertFalse(r.correct(), bad.length() > 60 ? bad.substring(0, 60) : bad);
        }
    }

    @Test
    void unknownExtractionTargetsAndOptionsAreRefusedClearly() {
        assertEquals(ExtractionTarget.LATEX, ExtractionTarget.fromName("latex"));
        assertEquals(ExtractionTarget.EXPR, ExtractionTarget.fromName(" EXPR "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExtractionTarget.fromName("string"));
        assertEquals("unknown extraction target 'string' (expected latex or expr)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GradeOptions.defaults().withFloatRounding(-1));
        assertThrows(IllegalArgumentException.class, () -> GradeOptions.defaults().withTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> GradeOptions.defaults().withExtraction(List.of()));
    }
}

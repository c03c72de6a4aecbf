package ai.aster.grading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Model outputs run to tens of thousands of characters: extraction must neither overflow the stack nor stall. */
class LongOutputTest {

    private static final String REASONING = "We compute $a_{n+1} = a_n + 2n$ for each $n$, so that $a_3 = 7$ and "
            + "\\[ \\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}. \\] Checking $n = 4$ gives $10$, as expected; the escaped "
            + "price \\$5 is not maths.\n";

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
    void theFinalAnswerOfAFortyThousandCharacterOutputIsFound() {
        String output = REASONING.repeat(250) + "Therefore the final answer is $\\frac{7}{3}$. I hope it is correct.";
        assertTrue(output.length() > 40_000);
        GradeResult r = grader.grade("\\frac{7}{3}", output);
        assertTrue(r.correct(), r.toString());
        assertEquals(List.of("(7)/(3)", "\\frac{7}{3}"), r.predictionParsed());
    }

    @Test
    void withoutAnAnchorTheRightmostMathIsTheAnswer() {
        String output = REASONING.repeat(200) + "All cases together give $\\boxed{2\\sqrt{3}}$";
        assertTrue(grader.grade("\\sqrt{12}", output).correct());
        assertTrue(grader.grade("2\\sqrt{3}", REASONING.repeat(200) + "so we get $2\\sqrt{3}$").correct());
    }
}

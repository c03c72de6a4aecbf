package ai.aster.grading;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** One grader shared by many threads gives each the verdict it gives alone. */
class ConcurrentGradingTest {

    private static final String[][] CASES = {
        {"\\frac{1}{2}", "$0.5$", "true"},
        {"(x-1)(x+1)", "$x^2-1$", "true"},
        {"\\tan^2(y)+1", "$\\sec^2(y)$", "true"},
        {"\\sqrt{8}", "$2\\sqrt{2}$", "true"},
        {"\\{1,2\\}", "$\\{2,1\\}$", "true"},
        {"x^2+1", "$x^2-1$", "false"},
        {"[0,1)", "$(0,1]$", "false"},
        {"42", "\\boxed{43}", "false"},
    };

    @Test
    void sharedGraderGivesTheSameVerdictsUnderConcurrency() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try (AnswerGrader grader = new AnswerGrader(2)) {
            List<Future<String>> results = new ArrayList<>();
            for (int round = 0; round < 10; round++) {
                for (String[] c : CASES) {
                    results.add(callers.submit(() -> c[0] + " | " + c[1] + " -> " + grader.grade(c[0], c[1]).correct()));
                }
            }
            int i = 0;
            for (Future<String> f : results) {
                String[] c = CASES[i++ % CASES.length];
                assertEquals(c[0] + " | " + c[1] + " -> " + c[2], f.get());
            }
        } finally {
            callers.shutdownNow();
        }
    }
}

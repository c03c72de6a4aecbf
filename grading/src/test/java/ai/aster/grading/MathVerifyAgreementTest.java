package ai.aster.grading;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Agreement with Math-Verify's own published test expectations (its test files transcribed as data, see
 * src/test/resources/mathverify/README.md): at least 98% of the cases must get Math-Verify's verdict.
 */
class MathVerifyAgreementTest {

    private static AnswerGrader grader;

    @BeforeAll
    static void start() {
        grader = new AnswerGrader();
    }

    @AfterAll
    static void stop() {
        grader.close();
    }

    @Test
    void agreesWithMathVerifyOnAtLeast98PercentOfItsTestCases() {
        List<JsonNode> rows = GradingCases.read("mathverify/math_verify_cases.jsonl");
        List<String> disagreements = new ArrayList<>();
        for (JsonNode row : rows) {
            boolean expected = row.get("expected").asInt() == 1;
            GradeResult r = grader.grade(row.get("gold").asText(), row.get("prediction").asText(), GradingCases.options(row));
            if (r.correct() != expected) {
                disagreements.add(row.get("test").asText() + " expected " + expected + ": gold "
                        + abbreviate(row.get("gold").asText()) + " -> " + r.goldParsed() + " | prediction "
                        + abbreviate(row.get("prediction").asText()) + " -> " + r.predictionParsed());
            }
        }
        double agreement = 100.0 * (rows.size() - disagreements.size()) / rows.size();
        System.out.printf("Math-Verify agreement: %d/%d = %.1f%%%n", rows.size() - disagreements.size(), rows.size(), agreement);
        disagreements.forEach(d -> System.out.println("  disagrees: " + d));
        assertTrue(agreement >= 98.0, String.format("agreement %.1f%% < 98%%:%n%s", agreement, String.join("\n", disagreements)));
    }

    private static String abbreviate(String s) {
        String oneLine = s.replace('\n', ' ');
        return oneLine.length() <= 120 ? oneLine : "..." + oneLine.substring(oneLine.length() - 117);
    }
}

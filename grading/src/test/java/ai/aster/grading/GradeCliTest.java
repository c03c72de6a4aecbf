package ai.aster.grading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GradeCliTest {

    @Test
    void printsTheVerdictAndBothParsedFormsAsJson() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (AnswerGrader grader = new AnswerGrader(1)) {
            int status = GradeCli.run(new String[] {"\\frac{1}{2}", "so the answer is $\\boxed{0.5}$"}, grader,
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(0, status);
        }
        JsonNode json = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertTrue(json.get("correct").asBoolean());
        assertEquals("\\frac{1}{2}", json.get("gold_parsed").get(1).asText());
        assertEquals("0.5", json.get("prediction_parsed").get(0).asText());
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aMissingArgumentIsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (AnswerGrader grader = new AnswerGrader(1)) {
            int status = GradeCli.run(new String[] {"1"}, grader, System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(2, status);
        }
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("usage: GradeCli GOLD PREDICTION"));
    }
}

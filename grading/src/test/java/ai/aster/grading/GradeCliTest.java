package ai.aster.grading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
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
    void theCommandPrintsOneJsonLineAndItsJvmExitsDespiteSymjasThreads() throws Exception {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), GradeCli.class.getName(),
                "\\frac{3}{4}", "The final answer is $\\boxed{0.75}$.").redirectErrorStream(false).start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        // reading stdout to its end means the process closed it; a JVM kept alive would block here, not pass
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the JVM did not exit");
        assertEquals(0, p.exitValue(), stderr);
        JsonNode json = new ObjectMapper().readTree(stdout);
        assertTrue(json.get("correct").asBoolean(), stdout);
        assertEquals(1, stdout.strip().lines().count(), "one line of JSON only: " + stdout);
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

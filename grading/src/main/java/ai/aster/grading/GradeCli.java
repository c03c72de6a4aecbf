package ai.aster.grading;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code GradeCli GOLD PREDICTION}: prints {@code {"correct", "gold_parsed", "prediction_parsed"}} as one JSON
 * line and exits 0 (2 on a usage error). Ends with {@link System#exit} because Symja's worker threads would
 * otherwise keep the JVM alive.
 */
public final class GradeCli {

    private GradeCli() {}

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: GradeCli GOLD PREDICTION");
            System.exit(2);
        }
        // Symja logs through log4j-api without a backend: keep its "no logging provider" line off stderr
        if (System.getProperty("log4j2.loggerContextFactory") == null) {
            System.setProperty("log4j2.loggerContextFactory", "org.apache.logging.log4j.simple.SimpleLoggerContextFactory");
        }
        int status = 0;
        try (AnswerGrader grader = new AnswerGrader()) {
            GradeResult result = grader.grade(args[0], args[1], GradeOptions.defaults());
            ObjectMapper json = new ObjectMapper();
            ObjectNode out = json.createObjectNode();
            out.put("correct", result.correct());
            result.goldParsed().forEach(out.putArray("gold_parsed")::add);
            result.predictionParsed().forEach(out.putArray("prediction_parsed")::add);
            System.out.println(json.writeValueAsString(out));
        } catch (Exception e) {
            System.err.println("grade failed: " + e.getMessage());
            status = 1;
        }
        System.exit(status);
    }
}

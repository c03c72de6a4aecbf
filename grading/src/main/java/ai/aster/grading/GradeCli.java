package ai.aster.grading;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;

/**
 * {@code GradeCli GOLD PREDICTION}: grades with Math-Verify's defaults and prints
 * {@code {"correct", "gold_parsed", "prediction_parsed"}} as one JSON line; exits 0 (2 on a usage error). Ends with
 * {@link System#exit} because Symja's worker threads would otherwise keep the JVM alive. Run it from the module's
 * jar and {@code target/lib}: {@code java -cp 'grading/target/grading-<version>.jar:grading/target/lib/*'
 * ai.aster.grading.GradeCli '\frac12' 'the answer is $0.5$'}.
 */
public final class GradeCli {

    private static final ObjectMapper JSON = new ObjectMapper();

    private GradeCli() {}

    public static void main(String[] args) {
        // Symja logs through log4j-api without a backend: keep its "no logging provider" line off stderr
        if (System.getProperty("log4j2.loggerContextFactory") == null) {
            System.setProperty("log4j2.loggerContextFactory", "org.apache.logging.log4j.simple.SimpleLoggerContextFactory");
        }
        int status;
        try (AnswerGrader grader = new AnswerGrader(1)) {
            status = run(args, grader, System.out, System.err);
        }
        System.exit(status);
    }

    /** Grades {@code args[0]} against {@code args[1]} and prints the JSON line; returns the exit status. */
    static int run(String[] args, AnswerGrader grader, PrintStream out, PrintStream err) {
        if (args.length != 2) {
            err.println("usage: GradeCli GOLD PREDICTION");
            return 2;
        }
        out.println(toJson(grader.grade(args[0], args[1], GradeOptions.defaults())));
        return 0;
    }

    static String toJson(GradeResult result) {
        ObjectNode out = JSON.createObjectNode();
        out.put("correct", result.correct());
        result.goldParsed().forEach(out.putArray("gold_parsed")::add);
        result.predictionParsed().forEach(out.putArray("prediction_parsed")::add);
        try {
            return JSON.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // a tree of strings and booleans always serialises
        }
    }
}

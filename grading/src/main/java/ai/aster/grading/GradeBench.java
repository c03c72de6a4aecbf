package ai.aster.grading;

import ai.aster.protocol.answer.BoxedAnswer;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code GradeBench DIR [ROUNDS]}: grading throughput on the answers of every {@code *.jsonl} problem file in DIR.
 * Each answer is graded against itself, its {@code \boxed{}} form, a sentence ending in it and its neighbour's
 * answer (a wrong one), ROUNDS times, after one warm-up round. The baseline in the same run is the naive grader
 * (rightmost {@code \boxed{}} compared as a string). Prints answers/s of both, their ratio, and the verdict counts.
 */
public final class GradeBench {

    private GradeBench() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: GradeBench DIR [ROUNDS]");
            System.exit(2);
        }
        if (System.getProperty("log4j2.loggerContextFactory") == null) {
            System.setProperty("log4j2.loggerContextFactory", "org.apache.logging.log4j.simple.SimpleLoggerContextFactory");
        }
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<String> answers = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        try (Stream<Path> files = Files.list(Path.of(args[0]))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
                for (String line : Files.readAllLines(f)) {
                    if (!line.isBlank()) {
                        answers.add(json.readTree(line).get("answer").asText());
                    }
                }
            }
        }
        List<String[]> pairs = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            String a = answers.get(i);
            pairs.add(new String[] {a, a});
            pairs.add(new String[] {a, "\\boxed{" + a + "}"});
            pairs.add(new String[] {a, "Putting everything together, the answer is $\\boxed{" + a + "}$."});
            pairs.add(new String[] {a, "\\boxed{" + answers.get((i + 1) % answers.size()) + "}"});
        }
        try (AnswerGrader grader = new AnswerGrader()) {
            run(grader, pairs); // warm-up (Symja start, JIT)
            long t0 = System.nanoTime();
            int correct = 0;
            for (int r = 0; r < rounds; r++) {
                correct = run(grader, pairs);
            }
            double graderSeconds = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            int naiveCorrect = 0;
            for (int r = 0; r < rounds * 20; r++) {
                naiveCorrect = 0;
                for (String[] p : pairs) {
                    String g = BoxedAnswer.last(p[0]).orElse(p[0]).strip();
                    if (g.equals(BoxedAnswer.last(p[1]).orElse(p[1]).strip())) {
                        naiveCorrect++;
                    }
                }
            }
            double naiveSeconds = (System.nanoTime() - t1) / 1e9 / 20;
            double graderRate = pairs.size() * rounds / graderSeconds;
            double naiveRate = pairs.size() * rounds / naiveSeconds;
            System.out.printf("answers: %d problems, %d gradings per round, %d rounds%n", answers.size(), pairs.size(), rounds);
            System.out.printf("grader: %.0f answers/s (%d of %d graded correct; %d expected)%n", graderRate, correct,
                    pairs.size(), answers.size() * 3);
            System.out.printf("naive boxed-string baseline: %.0f answers/s (%d correct)%n", naiveRate, naiveCorrect);
            System.out.printf("ratio grader/baseline: %.4f%n", graderRate / naiveRate);
        }
        System.exit(0);
    }

    private static int run(AnswerGrader grader, List<String[]> pairs) {
        int correct = 0;
        for (String[] p : pairs) {
            if (grader.grade(p[0], p[1]).correct()) {
                correct++;
            }
        }
        return correct;
    }
}

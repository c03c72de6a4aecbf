package ai.aster.grading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MATH dataset's equivalence cases (hendrycks/math, transcribed) and every answer of the four benchmark files
 * graded correct against itself, its {@code \boxed{}} form and a sentence ending in it.
 */
class ReferenceCasesTest {

    private static final String[] BENCHMARKS = {
        "benchmarks/aime2024_matharena.jsonl", "benchmarks/aime2025_matharena.jsonl",
        "benchmarks/hmmt_feb2025_matharena.jsonl", "benchmarks/aime2026_llmeval.jsonl"};

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
    void hendrycksMathEquivalenceCases() {
        List<String> wrong = new ArrayList<>();
        List<JsonNode> rows = GradingCases.read("hendrycks_math_equivalence_cases.jsonl");
        for (JsonNode row : rows) {
            boolean expected = row.get("expected").asInt() == 1;
            GradeResult r = grader.grade(row.get("gold").asText(), row.get("pred").asText());
            if (r.correct() != expected) {
                wrong.add(row.get("test").asText() + ": " + r);
            }
        }
        assertEquals(16, rows.size());
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    void everyBenchmarkAnswerMatchesItselfItsBoxedFormAndASentenceEndingInIt() {
        List<String> wrong = new ArrayList<>();
        int answers = 0;
        for (String file : BENCHMARKS) {
            for (JsonNode row : GradingCases.read(file)) {
                answers++;
                String answer = row.get("answer").asText();
                for (String prediction : List.of(answer, "\\boxed{" + answer + "}",
                        "Putting everything together, the answer is $" + answer + "$.",
                        "We simplify and conclude that the final answer is $\\boxed{" + answer + "}$.")) {
                    GradeResult r = grader.grade(answer, prediction);
                    if (!r.correct()) {
                        wrong.add(row.get("id").asText() + " " + answer + " vs " + prediction + ": " + r);
                    }
                }
            }
        }
        assertEquals(120, answers);
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    void benchmarkAnswersDoNotMatchEachOther() {
        // a grader that says "correct" to everything would pass the test above: neighbours must differ
        List<String> answers = new ArrayList<>();
        for (String file : BENCHMARKS) {
            GradingCases.read(file).forEach(r -> answers.add(r.get("answer").asText()));
        }
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i + 1 < answers.size(); i++) {
            String a = answers.get(i);
            String b = answers.get(i + 1);
            if (!a.equals(b) && grader.grade(a, "\\boxed{" + b + "}").correct()) {
                wrong.add(a + " graded equal to " + b);
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }
}

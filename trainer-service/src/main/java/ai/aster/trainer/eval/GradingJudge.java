package ai.aster.trainer.eval;

import ai.aster.grading.AnswerGrader;
import ai.aster.grading.GradeResult;
import java.util.List;

/** {@link AnswerJudge} over the {@code grading} module's Math-Verify-level grader (default options). */
public final class GradingJudge implements AnswerJudge, AutoCloseable {

    private final AnswerGrader grader;

    public GradingJudge() {
        this(new AnswerGrader());
    }

    public GradingJudge(AnswerGrader grader) {
        this.grader = grader;
    }

    @Override
    public Verdict judge(String gold, String prediction) {
        GradeResult result = grader.grade(gold, prediction);
        List<String> parsed = result.predictionParsed();
        // the grader lists the symbolic form first and the extracted text last: the text is what people read
        return new Verdict(result.correct(), parsed.isEmpty() ? null : parsed.get(parsed.size() - 1));
    }

    /** Stops the grader's computer-algebra threads. */
    @Override
    public void close() {
        grader.close();
    }

    /** Both answers are extracted texts (the content of a box), so each goes back into one to be parsed alike. */
    @Override
    public boolean sameAnswer(String extractedA, String extractedB) {
        return grader.grade("\\boxed{" + extractedA + "}", "\\boxed{" + extractedB + "}").correct();
    }
}

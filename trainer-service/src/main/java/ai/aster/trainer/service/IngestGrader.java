package ai.aster.trainer.service;

import ai.aster.grading.AnswerGrader;
import ai.aster.grading.GradeOptions;
import ai.aster.grading.GradeResult;
import ai.aster.protocol.trajectory.Trajectory;
import ai.aster.protocol.trajectory.Turn;
import java.util.List;
import java.util.Optional;

/**
 * Grades a trajectory that carries a {@code reference_answer}: the prediction is its {@code final_answer}, else the
 * last turn's completion text (a trajectory cut by a budget may still have boxed an answer there).
 */
public final class IngestGrader {

    private final AnswerGrader grader;

    public IngestGrader(AnswerGrader grader) {
        this.grader = grader;
    }

    public Optional<Boolean> grade(Trajectory trajectory) {
        String gold = trajectory.referenceAnswer();
        if (gold == null || gold.isBlank()) {
            return Optional.empty();
        }
        String prediction = prediction(trajectory);
        if (prediction == null || prediction.isBlank()) {
            return Optional.of(false);
        }
        GradeResult result = grader.grade(gold, prediction, GradeOptions.defaults());
        return Optional.of(result.correct());
    }

    private static String prediction(Trajectory trajectory) {
        if (trajectory.finalAnswer() != null && !trajectory.finalAnswer().isBlank()) {
            return trajectory.finalAnswer();
        }
        List<Turn> turns = trajectory.turns();
        return turns == null || turns.isEmpty() ? null : turns.getLast().completionText();
    }
}

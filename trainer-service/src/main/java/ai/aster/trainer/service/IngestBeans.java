package ai.aster.trainer.service;

import ai.aster.grading.AnswerGrader;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Wires the plain ingest classes (unit-testable without a container) as beans (singletons: final classes). */
@ApplicationScoped
public class IngestBeans {

    @Produces
    @Singleton
    AnswerGrader answerGrader() {
        return new AnswerGrader();
    }

    void closeGrader(@Disposes AnswerGrader grader) {
        grader.close();
    }

    @Produces
    @Singleton
    TrajectoryIngest trajectoryIngest(AnswerGrader grader, TrajectoryWriter writer, DeadLetters deadLetters,
            ObjectMapper json) {
        return new TrajectoryIngest(new TrajectoryParser(json), new IngestGrader(grader), writer, deadLetters, json);
    }
}

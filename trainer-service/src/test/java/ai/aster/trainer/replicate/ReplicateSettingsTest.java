package ai.aster.trainer.replicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicateSettingsTest {

    @Test
    void bothPresetsAreValid() {
        for (ReplicateSettings s : List.of(ReplicateSettings.quick(), ReplicateSettings.full())) {
            assertThat(s.model().heads() % s.model().kvHeads()).isZero();
            assertThat(s.trainPool()).isGreaterThanOrEqualTo(s.denseProblems());
            assertThat(s.grpo().ablationBudget()).isEqualTo(1);
            assertThat(s.eval().temperature()).isEqualTo(0.6);
            assertThat(s.evaluatedSteps()).last().isEqualTo(s.grpo().steps());
        }
        assertThat(ReplicateSettings.preset("quick").name()).isEqualTo("quick");
        assertThat(ReplicateSettings.full().withSeed(99).seed()).isEqualTo(99);
    }

    @Test
    void evaluatesEveryEStepsAndTheLast() {
        ReplicateSettings f = ReplicateSettings.full();
        ReplicateSettings.Grpo g = f.grpo();
        ReplicateSettings.Eval e = f.eval();
        ReplicateSettings eightEveryThree = new ReplicateSettings("x", 1, f.model(), f.denseProblems(), f.trainPool(),
                f.heldOut(), f.levels(), f.sft(), new ReplicateSettings.Grpo(8, g.promptsPerStep(),
                g.rolloutsPerPrompt(), g.budget(), g.ablationBudget(), g.maxTokens(), g.temperature(), g.lr(),
                g.overlongBuffer()), new ReplicateSettings.Eval(e.k(), e.temperature(), e.maxTokens(), 3,
                e.concurrency()));
        assertThat(eightEveryThree.evaluatedSteps()).containsExactly(3, 6, 8);
        assertThat(f.evaluatedSteps()).last().isEqualTo(f.grpo().steps());
    }

    @Test
    void refusesWhatCannotRun() {
        ReplicateSettings q = ReplicateSettings.quick();
        assertThatThrownBy(() -> new ReplicateSettings("x", 1, q.model(), 10, 5, 2, q.levels(), q.sft(), q.grpo(),
                q.eval())).hasMessageContaining("training pool");
        assertThatThrownBy(() -> new ReplicateSettings("x", 1, q.model(), 1, 5, 2, List.of(4), q.sft(), q.grpo(),
                q.eval())).hasMessageContaining("levels");
        ReplicateSettings.Grpo sameBudget = new ReplicateSettings.Grpo(1, 1, 2, 1, 1, 10, 1, 1e-5, 0);
        assertThatThrownBy(() -> new ReplicateSettings("x", 1, q.model(), 1, 5, 2, q.levels(), q.sft(), sameBudget,
                q.eval())).hasMessageContaining("GRPO");
        assertThatThrownBy(() -> ReplicateSettings.preset("huge")).hasMessageContaining("quick or full");
    }
}

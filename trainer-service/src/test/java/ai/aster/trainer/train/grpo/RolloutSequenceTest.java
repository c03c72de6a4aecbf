package ai.aster.trainer.train.grpo;

import static org.assertj.core.api.Assertions.assertThat;

import ai.aster.modeling.train.TrainingSequence;
import ai.aster.protocol.trajectory.Trajectory;
import ai.aster.protocol.trajectory.Turn;
import ai.aster.trainer.service.TokenView;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stored rollouts as training sequences: only the model's tokens are trained, incomplete turns are left out. */
class RolloutSequenceTest {

    @Test
    void modelTokensAreTrainedPromptAndToolTokensAreNot() {
        TokenView view = new TokenView(List.of(1, 2, 3, 4, 5, 6, 7), List.of("prompt", "prompt", "model", "model",
                "tool", "model", "model"), Arrays.asList(null, null, -0.5, -1.0, null, -0.25, -2.0),
                List.of(new TokenView.Segment("prompt", null, 0, 2), new TokenView.Segment("model", 0, 2, 4),
                        new TokenView.Segment("tool", 0, 4, 5), new TokenView.Segment("model", 1, 5, 7)),
                2, 4, 1, true);
        RolloutSequence r = RolloutSequence.of(view);
        TrainingSequence s = r.sequence();
        assertThat(s.tokens()).containsExactly(1, 2, 3, 4, 5, 6, 7);
        assertThat(s.lossMask()).containsExactly(false, false, true, true, false, true, true);
        assertThat(s.rolloutLogprobs()[2]).isEqualTo(-0.5f);
        assertThat(s.rolloutLogprobs()[6]).isEqualTo(-2.0f);
        assertThat(s.hasCompleteLogprobs()).isTrue();
        assertThat(r.turnsSkipped()).isZero();
    }

    @Test
    void aTurnWithAMissingLogprobIsLeftOutAndCounted() {
        TokenView view = new TokenView(List.of(1, 2, 3, 4, 5, 6), List.of("prompt", "model", "model", "tool",
                "model", "model"), Arrays.asList(null, -0.5, null, null, -0.1, -0.2),
                List.of(new TokenView.Segment("prompt", null, 0, 1), new TokenView.Segment("model", 0, 1, 3),
                        new TokenView.Segment("tool", 0, 3, 4), new TokenView.Segment("model", 1, 4, 6)),
                1, 4, 1, false);
        RolloutSequence r = RolloutSequence.of(view);
        assertThat(r.turnsSkipped()).isEqualTo(1);
        assertThat(r.sequence().lossMask()).containsExactly(false, false, false, false, true, true);
        assertThat(r.sequence().hasCompleteLogprobs()).isTrue(); // the kept turn is complete: the sequence trains
        assertThat(r.sequence().trainedTokens()).isEqualTo(2);
    }

    @Test
    void builtFromAPublishedTrajectoryThroughItsTokenView() {
        Turn first = new Turn("a", List.of(10, 11), List.of(-0.1, -0.2), "tool_call", null,
                new Turn.ToolResultRecord("ok", "out", List.of(20, 21, 22), 5));
        Turn second = new Turn("b", List.of(12), List.of(-0.3), "stop", null, null);
        Trajectory t = new Trajectory("id", null, "rollout", "m", 0L, "p", "5", List.of(), List.of(1, 2, 3),
                List.of(first, second), "5", "stop", null, null, null);
        RolloutSequence r = RolloutSequence.of(TokenView.of(t));
        assertThat(r.sequence().tokens()).containsExactly(1, 2, 3, 10, 11, 20, 21, 22, 12);
        assertThat(r.sequence().lossMask()).containsExactly(false, false, false, true, true, false, false, false,
                true);
        assertThat(r.sequence().rolloutLogprobs()[8]).isEqualTo(-0.3f);
    }

    @Test
    void fewerThanTwoTokensIsNothingToTrain() {
        TokenView view = new TokenView(List.of(1), List.of("prompt"), Arrays.asList((Double) null),
                List.of(new TokenView.Segment("prompt", null, 0, 1)), 1, 0, 0, true);
        assertThat(RolloutSequence.of(view)).isNull();
    }
}

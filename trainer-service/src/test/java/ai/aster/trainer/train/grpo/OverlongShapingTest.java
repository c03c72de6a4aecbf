package ai.aster.trainer.train.grpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** DAPO's soft overlong punishment, values by hand: budget 100, buffer 20, penalty 0.5. */
class OverlongShapingTest {

    @Test
    void noPenaltyBeforeTheBufferThenALinearRampThenTheFullPenalty() {
        OverlongShaping s = new OverlongShaping(100, 20, 0.5);
        assertThat(s.shaping(10)).isZero();
        assertThat(s.shaping(80)).isZero();
        assertThat(s.shaping(90)).isEqualTo(-0.25); // (80 - 90) / 20 * 0.5
        assertThat(s.shaping(100)).isEqualTo(-0.5);
        assertThat(s.shaping(130)).isEqualTo(-0.5);
    }

    @Test
    void refusesABufferLongerThanTheBudget() {
        assertThatThrownBy(() -> new OverlongShaping(10, 20, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}

package ai.aster.trainer.replicate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EqualTokensTest {

    @Test
    void waitsUntilTheSparseTokensReachTheDenseOnes() {
        assertThat(EqualTokens.count(List.of(100, 100), 500)).isEmpty();
    }

    @Test
    void takesThePrefixClosestToTheTarget() {
        // 100, 200, 300, 400: 300 is 50 short of 350, 400 is 50 over: the shorter one on a tie
        assertThat(EqualTokens.count(List.of(100, 100, 100, 100), 350)).hasValue(3);
        // 340 is 10 over 330; 240 is 90 short
        assertThat(EqualTokens.count(List.of(120, 120, 100, 100), 330)).hasValue(3);
        // reached exactly
        assertThat(EqualTokens.count(List.of(50, 50, 50), 100)).hasValue(2);
        // 90 short of 100 vs 30 over: the longer one
        assertThat(EqualTokens.count(List.of(10, 120, 5), 100)).hasValue(2);
    }

    @Test
    void oneTrajectoryIsNeverCutToNone() {
        assertThat(EqualTokens.count(List.of(1000), 10)).hasValue(1);
    }

    @Test
    void sumsAPrefix() {
        assertThat(EqualTokens.sum(List.of(3, 4, 5), 2)).isEqualTo(7);
    }
}

package ai.aster.trainer.replicate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PaperComparisonTest {

    private static EvalPoint point(String setting, double avg, int samples) {
        return new EvalPoint(setting, 8, 8, "/ckpt", avg, 2.0, avg > 0 ? 1.0 : null, samples,
                (int) Math.round(avg * samples), Map.of(1, avg), Map.of("multiply", avg), "/run");
    }

    private static ReplicationResults.SettingResult setting(String arm, int budget, double avg, int samples) {
        return new ReplicationResults.SettingResult(arm + "-b" + budget, arm, budget, "sft", "grpo",
                List.of(point(arm + "-b" + budget, 0, samples), point(arm + "-b" + budget, avg, samples)), null);
    }

    @Test
    void aClearGapIsReportedInTheDirectionMeasured() {
        List<String> text = PaperComparison.paragraphs(setting("dense", 8, 0.8, 160), setting("sparse", 8, 0.3, 160),
                setting("dense", 1, 0.9, 160));
        assertThat(text.get(0)).contains("the dense arm scores higher than the sparse arm")
                .contains("80.0% vs 30.0%").contains("agrees with the paper");
        assertThat(text.get(1)).contains("budget 8 scores lower than the same arm trained with budget 1")
                .contains("disagrees with the paper");
    }

    @Test
    void aGapInsideTheNoiseIsNotCalledEitherWay() {
        EvalPoint a = point("dense-b8", 0.55, 40);
        EvalPoint b = point("sparse-b8", 0.50, 40);
        assertThat(PaperComparison.compare(a, b)).isEqualTo(PaperComparison.Outcome.WITHIN_NOISE);
        List<String> text = PaperComparison.paragraphs(setting("dense", 8, 0.55, 40), setting("sparse", 8, 0.5, 40),
                setting("dense", 1, 0.55, 40));
        assertThat(text.get(0)).contains("cannot be told apart from").contains("neither confirms nor contradicts");
        assertThat(text.get(text.size() - 1)).contains("not resolved by 40 samples");
    }

    @Test
    void allZeroSaysTheComparisonCarriesNoInformation() {
        List<String> text = PaperComparison.paragraphs(setting("dense", 4, 0, 12), setting("sparse", 4, 0, 12),
                setting("dense", 1, 0, 12));
        assertThat(text).hasSize(3);
        assertThat(text.get(2)).contains("No setting answered a held-out problem correctly");
    }
}

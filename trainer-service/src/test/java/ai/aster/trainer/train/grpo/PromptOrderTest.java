package ai.aster.trainer.train.grpo;

import static org.assertj.core.api.Assertions.assertThat;

import ai.aster.protocol.openai.ChatMessage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PromptOrderTest {

    private static final List<GrpoPrompt> PROMPTS = IntStream.range(0, 10)
            .mapToObj(i -> new GrpoPrompt("p" + i, List.of(ChatMessage.user("q" + i)), Integer.toString(i)))
            .toList();

    @Test
    void eachEpochVisitsEveryPromptOnceInASeededShuffle() {
        PromptOrder order = new PromptOrder(PROMPTS, 5, 7);
        List<String> epoch = new ArrayList<>();
        epoch.addAll(order.forStep(1).stream().map(GrpoPrompt::id).toList());
        epoch.addAll(order.forStep(2).stream().map(GrpoPrompt::id).toList());
        assertThat(new HashSet<>(epoch)).hasSize(10);
        assertThat(epoch).isNotEqualTo(PROMPTS.stream().map(GrpoPrompt::id).toList()); // shuffled
        List<String> next = new ArrayList<>();
        next.addAll(order.forStep(3).stream().map(GrpoPrompt::id).toList());
        next.addAll(order.forStep(4).stream().map(GrpoPrompt::id).toList());
        assertThat(new HashSet<>(next)).hasSize(10);
        assertThat(next).isNotEqualTo(epoch); // a fresh shuffle each epoch
    }

    @Test
    void aStepIsAFunctionOfSeedAndStepSoAResumeDrawsTheSame() {
        assertThat(new PromptOrder(PROMPTS, 3, 1).forStep(5)).isEqualTo(new PromptOrder(PROMPTS, 3, 1).forStep(5));
        assertThat(new PromptOrder(PROMPTS, 10, 1).forStep(1)).isNotEqualTo(new PromptOrder(PROMPTS, 10, 2)
                .forStep(1));
    }

    @Test
    void aStepAcrossAnEpochEndTakesTheRestAndTheNextEpochsStart() {
        PromptOrder order = new PromptOrder(PROMPTS, 4, 3);
        List<GrpoPrompt> step3 = order.forStep(3); // draws 8..11: two from epoch 0, two from epoch 1
        Set<String> firstEpoch = new HashSet<>();
        order.forStep(1).forEach(p -> firstEpoch.add(p.id()));
        order.forStep(2).forEach(p -> firstEpoch.add(p.id()));
        assertThat(firstEpoch).doesNotContain(step3.get(0).id(), step3.get(1).id());
        assertThat(step3).hasSize(4);
    }
}

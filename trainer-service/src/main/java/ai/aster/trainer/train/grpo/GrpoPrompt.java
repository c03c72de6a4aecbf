package ai.aster.trainer.train.grpo;

import ai.aster.protocol.openai.ChatMessage;
import java.util.List;

/**
 * One training prompt: the messages sent to the gateway and the reference answer the grader checks rollouts
 * against.
 *
 * @param id       sent as {@code problem_id} (the store's per-problem key)
 * @param messages the conversation before the first generated turn
 * @param answer   the ground truth ({@code reference_answer})
 */
public record GrpoPrompt(String id, List<ChatMessage> messages, String answer) {

    public GrpoPrompt {
        messages = List.copyOf(messages);
    }
}

package ai.aster.gateway.service;

import ai.aster.protocol.openai.ChatMessage;
import ai.aster.protocol.openai.ToolDefinition;
import ai.aster.protocol.tools.ToolProtocol;
import java.util.List;
import java.util.Set;

/**
 * One trajectory to run, with every default resolved.
 *
 * @param templateTools       the tools declared to the chat template (built-in and/or the client's)
 * @param builtinCode         whether {@code code_interpreter} calls run here, in the sandbox
 * @param clientTools         names of client-declared functions: calls to them go back to the client
 * @param parseToolCalls      false with {@code tool_choice: "none"}: the text is the answer as it is
 * @param maxCompletionTokens budget over all turns; null = as much as the context allows
 * @param deadlineNanos       on the {@link System#nanoTime()} clock
 * @param source              api, rollout or eval
 * @param logTrajectory       publish it for training
 */
public record TrajectorySpec(
        String id,
        String model,
        String source,
        List<ChatMessage> messages,
        List<ToolDefinition> templateTools,
        boolean builtinCode,
        Set<String> clientTools,
        boolean parseToolCalls,
        ToolProtocol protocol,
        Double temperature,
        Double topP,
        Integer topK,
        Long seed,
        List<String> stop,
        Integer maxCompletionTokens,
        int maxToolCalls,
        double toolTimeoutS,
        long deadlineNanos,
        String problemId,
        String referenceAnswer,
        boolean logTrajectory) {}

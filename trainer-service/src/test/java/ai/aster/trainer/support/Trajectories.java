package ai.aster.trainer.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Random;

/**
 * Trajectory JSON in the shape the gateway publishes (docs/architecture.md): prompt ids, turns with completion ids
 * and log-probs, hermes tool calls with results and their ids. Deterministic per seed.
 */
public final class Trajectories {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Trajectories() {}

    /** A builder's starting point: {@code turns} turns, all but the last ending in a tool call. */
    public static ObjectNode trajectory(String id, String problemId, int turns, long seed) {
        Random random = new Random(seed);
        ObjectNode t = JSON.createObjectNode();
        t.put("id", id);
        t.put("created_at", Instant.parse("2026-11-30T00:00:00Z").plusMillis(seed).toString());
        t.put("source", "api");
        t.put("model", "aster-test");
        t.put("policy_version", 3);
        t.put("problem_id", problemId);
        ArrayNode messages = t.putArray("messages");
        messages.addObject().put("role", "user").put("content", "What is 2+3? Put the answer in \\boxed{}.");
        ArrayNode prompt = t.putArray("prompt_token_ids");
        for (int i = 0; i < 40; i++) {
            prompt.add(random.nextInt(150_000));
        }
        ArrayNode turnArray = t.putArray("turns");
        int completion = 0;
        int toolCalls = 0;
        for (int k = 0; k < turns; k++) {
            boolean last = k == turns - 1;
            ObjectNode turn = turnArray.addObject();
            int length = 200 + random.nextInt(200);
            StringBuilder text = new StringBuilder("<think>\nstep ").append(k).append(": let me compute");
            ArrayNode ids = turn.putArray("completion_token_ids");
            ArrayNode lps = turn.putArray("completion_logprobs");
            for (int i = 0; i < length; i++) {
                ids.add(random.nextInt(150_000));
                lps.add(-random.nextDouble() * 3);
                if (i % 8 == 0) {
                    text.append(" x").append(i);
                }
            }
            completion += length;
            if (last) {
                text.append("\n</think>\n\nThe answer is \\boxed{5}.");
                turn.put("completion_text", text.toString());
                turn.put("finish_reason", "stop");
            } else {
                text.append("\n</think>\n<tool_call>\n{\"name\": \"code_interpreter\", \"arguments\": {\"code\": \"print(2+3)\"}}\n</tool_call>");
                turn.put("completion_text", text.toString());
                turn.put("finish_reason", "stop");
                turn.putObject("tool_call").put("name", "code_interpreter").put("code", "print(2+3)");
                ObjectNode result = turn.putObject("tool_result");
                result.put("status", "ok").put("text", "5\n").put("duration_ms", 120 + random.nextInt(300));
                ArrayNode resultIds = result.putArray("token_ids");
                for (int i = 0; i < 20 + random.nextInt(40); i++) {
                    resultIds.add(random.nextInt(150_000));
                }
                toolCalls++;
            }
        }
        t.put("final_answer", "The answer is \\boxed{5}.");
        t.put("finish_reason", "stop");
        t.putObject("usage").put("prompt_tokens", 40).put("completion_tokens", completion).put("tool_calls", toolCalls)
                .put("format_errors", 0);
        t.putObject("timings").put("total_ms", 5000).put("model_ms", 4000).put("tool_ms", 1000);
        return t;
    }

    public static byte[] bytes(ObjectNode trajectory) {
        try {
            return JSON.writeValueAsBytes(trajectory);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

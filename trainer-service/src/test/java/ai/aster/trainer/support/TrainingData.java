package ai.aster.trainer.support;

import ai.aster.modeling.ModelInit;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Tiny models and fixed SFT data for the training-job tests. */
public final class TrainingData {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainingData() {}

    /** A tiny random Qwen3 model (ModelInit's defaults: about 50K parameters, 265-token byte-level vocabulary). */
    public static Path model(Path dir) {
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            ModelInit.write(dir, ModelInit.Options.defaults());
        }
        return dir;
    }

    /**
     * {@code count} OpenAI-format conversations with a code call, its output and a final answer (the call's
     * arguments as a JSON string, as OpenAI sends them).
     */
    public static List<ObjectNode> conversations(int count) {
        List<ObjectNode> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int a = 3 + i;
            int b = 4 + 2 * i;
            ObjectNode c = JSON.createObjectNode();
            ArrayNode messages = c.putArray("messages");
            messages.addObject().put("role", "user").put("content", "What is " + a + "*" + b + "?");
            ObjectNode call = messages.addObject().put("role", "assistant").put("content", "Let me compute it.");
            call.putArray("tool_calls").addObject().put("id", "call_" + i).put("type", "function")
                    .putObject("function").put("name", "code_interpreter")
                    .put("arguments", "{\"code\": \"print(" + a + "*" + b + ")\"}");
            messages.addObject().put("role", "tool").put("tool_call_id", "call_" + i).put("content", a * b + "\n");
            messages.addObject().put("role", "assistant").put("content", "The answer is \\boxed{" + a * b + "}.");
            ObjectNode tool = c.putArray("tools").addObject().put("type", "function");
            ObjectNode fn = tool.putObject("function").put("name", "code_interpreter").put("description", "Runs Python");
            fn.putObject("parameters").put("type", "object").putObject("properties").putObject("code")
                    .put("type", "string");
            out.add(c);
        }
        return out;
    }

    public static Path jsonl(Path file, List<ObjectNode> lines) {
        try {
            Files.createDirectories(file.getParent());
            StringBuilder text = new StringBuilder();
            for (ObjectNode line : lines) {
                text.append(JSON.writeValueAsString(line)).append('\n');
            }
            Files.writeString(file, text.toString(), StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A stored-trajectory document (the gateway's shape, {@link Trajectories}) whose token ids fit the tiny model's
     * vocabulary and follow a pattern the model can learn: prompt, model and tool tokens each from their own range.
     */
    public static ObjectNode smallVocabularyTrajectory(String id, String problemId, long seed) {
        ObjectNode t = Trajectories.trajectory(id, problemId, 2, seed);
        rewrite((ArrayNode) t.get("prompt_token_ids"), 100, 20);
        for (var turn : t.get("turns")) {
            ArrayNode ids = (ArrayNode) turn.get("completion_token_ids");
            while (ids.size() > 60) {
                ids.remove(ids.size() - 1);
                ((ArrayNode) turn.get("completion_logprobs")).remove(ids.size());
            }
            rewrite(ids, 40, 8);
            if (turn.has("tool_result")) {
                rewrite((ArrayNode) turn.get("tool_result").get("token_ids"), 200, 10);
            }
        }
        return t;
    }

    private static void rewrite(ArrayNode ids, int base, int period) {
        for (int i = 0; i < ids.size(); i++) {
            ids.set(i, JSON.getNodeFactory().numberNode(base + i % period));
        }
    }
}

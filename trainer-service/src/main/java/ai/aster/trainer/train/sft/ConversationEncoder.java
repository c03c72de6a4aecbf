package ai.aster.trainer.train.sft;

import ai.aster.modeling.ChatTemplate;
import ai.aster.modeling.Tokenizer;
import ai.aster.modeling.train.TrainingSequence;
import ai.aster.protocol.openai.ChatMessage;
import ai.aster.protocol.openai.ToolDefinition;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One OpenAI-format conversation ({@code {"messages": [...], "tools": [...]?}}, assistant {@code tool_calls} and
 * {@code tool} messages included) as a training sequence: rendered with the model's chat template as vLLM would
 * (tool-call arguments given as JSON strings are parsed to objects by {@link ChatTemplate}), tokenized, and masked
 * so that only the assistant messages are learnt, each from its first token through its end-of-turn token.
 *
 * <p>Where an assistant message starts is found by rendering the conversation before it with the generation
 * prompt: that text must be a prefix of the whole rendering (Qwen3's template guarantees it). The text is
 * tokenized piece by piece at those boundaries, which are the ids a model sampling these messages would have made.
 */
final class ConversationEncoder {

    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final ObjectMapper json;
    private final int[] endOfTurn;

    ConversationEncoder(Tokenizer tokenizer, ChatTemplate template, ObjectMapper json) {
        this.tokenizer = tokenizer;
        this.template = template;
        this.json = json;
        this.endOfTurn = tokenizer.eosTokenIds();
    }

    /** @param where names the conversation in errors (file and line) */
    TrainingSequence encode(JsonNode conversation, String where) {
        if (!conversation.isObject() || !conversation.path("messages").isArray()
                || conversation.path("messages").isEmpty()) {
            throw new IllegalArgumentException(where + ": expected {\"messages\": [...], \"tools\": [...]?}");
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (JsonNode m : conversation.get("messages")) {
            messages.add(message(m, where));
        }
        List<ToolDefinition> tools = null;
        if (conversation.hasNonNull("tools")) {
            try {
                tools = json.convertValue(conversation.get("tools"), new TypeReference<List<ToolDefinition>>() { });
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": tools is not a list of OpenAI tool definitions");
            }
        }
        String full;
        try {
            full = template.render(messages, tools, false);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": the chat template refused it: " + e.getMessage());
        }
        List<Integer> starts = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            if (!"assistant".equals(messages.get(i).role())) {
                continue;
            }
            if (i == 0) {
                throw new IllegalArgumentException(where + ": the first message is the assistant's; nothing prompts it");
            }
            String before = template.render(messages.subList(0, i), tools, true);
            if (!full.startsWith(before)) {
                throw new IllegalArgumentException(where + ": the chat template renders the messages before message "
                        + i + " differently from the whole conversation, so where the assistant's message starts "
                        + "cannot be found");
            }
            starts.add(before.length());
        }
        if (starts.isEmpty()) {
            throw new IllegalArgumentException(where + ": no assistant message to learn from");
        }
        List<Integer> ids = new ArrayList<>();
        List<Boolean> mask = new ArrayList<>();
        append(ids, mask, tokenizer.encode(full.substring(0, starts.getFirst())), 0);
        for (int k = 0; k < starts.size(); k++) {
            int end = k + 1 < starts.size() ? starts.get(k + 1) : full.length();
            int[] piece = tokenizer.encode(full.substring(starts.get(k), end));
            int trained = -1;
            for (int j = 0; j < piece.length && trained < 0; j++) {
                if (isEndOfTurn(piece[j])) {
                    trained = j + 1;
                }
            }
            if (trained < 0) {
                throw new IllegalArgumentException(where + ": assistant message " + (k + 1)
                        + " has no end-of-turn token after it in the rendered text");
            }
            append(ids, mask, piece, trained);
        }
        int[] tokens = ids.stream().mapToInt(Integer::intValue).toArray();
        boolean[] lossMask = new boolean[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            lossMask[i] = mask.get(i);
        }
        return new TrainingSequence(tokens, lossMask);
    }

    private ChatMessage message(JsonNode m, String where) {
        if (!m.isObject() || !m.path("role").isTextual()) {
            throw new IllegalArgumentException(where + ": every message needs a role");
        }
        ObjectNode copy = m.deepCopy();
        // OpenAI sends arguments as a JSON string; a dataset may hold them as an object: the same call either way
        for (JsonNode call : copy.path("tool_calls")) {
            JsonNode function = call.path("function");
            if (function.isObject() && function.has("arguments") && !function.get("arguments").isTextual()) {
                ((ObjectNode) function).put("arguments", function.get("arguments").toString());
            }
        }
        try {
            return json.treeToValue(copy, ChatMessage.class);
        } catch (Exception e) {
            throw new IllegalArgumentException(where + ": a message is not an OpenAI chat message: " + e.getMessage());
        }
    }

    private boolean isEndOfTurn(int id) {
        for (int e : endOfTurn) {
            if (e == id) {
                return true;
            }
        }
        return false;
    }

    /** The first {@code trained} tokens of {@code piece} are learnt, the rest not. */
    private static void append(List<Integer> ids, List<Boolean> mask, int[] piece, int trained) {
        for (int j = 0; j < piece.length; j++) {
            ids.add(piece[j]);
            mask.add(j < trained);
        }
    }
}

package ai.aster.trainer.dataset;

import ai.aster.protocol.chat.ChatFormat;
import ai.aster.protocol.openai.ChatMessage;
import ai.aster.protocol.openai.ToolCall;
import ai.aster.protocol.tools.CodeInterpreterTool;
import ai.aster.protocol.tools.HermesProtocol;
import ai.aster.protocol.tools.MarkdownProtocol;
import ai.aster.protocol.tools.ToolCallParse;
import ai.aster.protocol.tools.ToolProtocol;
import ai.aster.protocol.trajectory.Trajectory;
import ai.aster.protocol.trajectory.Turn;
import ai.aster.trainer.service.StoredDocument;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A stored trajectory as a row of an export, as JSON (the parquet writer and the JSONL writer take the same rows;
 * an absent field is a null column).
 *
 * <p>RL row (verl's RLHFDataset): {@code data_source}, {@code agent_name}, {@code prompt} (the request's messages as
 * {role, content}), {@code ability}, {@code reward_model {style: "rule", ground_truth}}, {@code extra_info}.
 *
 * <p>SFT row (verl's MultiTurnSFTDataset, OpenAI's chat format): {@code messages} = the request's messages, then
 * per turn an assistant message whose {@code content} is the text the model wrote before its call (thinking
 * included, as written) with the call in {@code tool_calls} ({@code arguments} a JSON string), then a {@code tool}
 * message with the result the model was shown; the last turn's text is the final assistant message. {@code tools}
 * declares the code interpreter. A malformed call (the model's markup could not be run) stays in the assistant's
 * text, without {@code tool_calls}, and the error it was shown follows as a tool message without
 * {@code tool_call_id}.
 */
public final class DatasetRows {

    /** verl's task category for these rows. */
    public static final String ABILITY = "math";
    /** verl's multi-turn agent loop with tools (its registry name), so rollouts call the sandbox tool. */
    public static final String AGENT_NAME = "tool_agent";
    public static final String REWARD_STYLE = "rule";
    /**
     * verl routes rewards by {@code data_source}: for this one its built-in scorer gives 1 when the last
     * {@code \boxed{}} of the response equals the ground truth, else 0, which is ASTER's outcome reward.
     */
    public static final String DEFAULT_DATA_SOURCE = "lighteval/MATH";
    public static final String DEFAULT_SPLIT = "train";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<ToolProtocol> PROTOCOLS = List.of(new HermesProtocol(), new MarkdownProtocol());

    private final ObjectMapper json;
    private final JsonNode tools;

    public DatasetRows(ObjectMapper json) {
        this.json = json;
        this.tools = NODES.arrayNode().add(json.valueToTree(CodeInterpreterTool.DEFINITION));
    }

    /** The {@code tools} column of SFT rows: the code interpreter, as the chat template declares it. */
    public JsonNode tools() {
        return tools;
    }

    /**
     * What makes two trajectories the same RL problem: the problem id, else the prompt's text; empty when the
     * trajectory has no reference answer (nothing to reward against).
     */
    public static Optional<String> problemKey(Trajectory t) {
        if (t.referenceAnswer() == null || t.referenceAnswer().isBlank()) {
            return Optional.empty();
        }
        if (t.problemId() != null && !t.problemId().isBlank()) {
            return Optional.of("id:" + t.problemId());
        }
        StringBuilder text = new StringBuilder();
        for (ChatMessage m : messages(t)) {
            text.append(m.role()).append('\u0000').append(m.content()).append('\u0000');
        }
        return Optional.of("prompt:" + sha256(text.toString()));
    }

    public ObjectNode rlRow(Trajectory t, long index, String dataSource, String split) {
        ObjectNode row = NODES.objectNode();
        row.put("data_source", dataSource);
        row.put("agent_name", AGENT_NAME);
        ArrayNode prompt = row.putArray("prompt");
        for (ChatMessage m : messages(t)) {
            ObjectNode message = prompt.addObject().put("role", m.role());
            putText(message, "content", m.content());
        }
        row.put("ability", ABILITY);
        row.putObject("reward_model").put("style", REWARD_STYLE).put("ground_truth", t.referenceAnswer());
        ObjectNode extra = row.putObject("extra_info");
        extra.put("index", index);
        extra.put("split", split);
        putText(extra, "problem_id", t.problemId());
        extra.put("source", t.source());
        extra.put("trajectory_id", t.id());
        return row;
    }

    public ObjectNode sftRow(Trajectory t, StoredDocument stored, long index) {
        ObjectNode row = NODES.objectNode();
        row.set("messages", conversation(t));
        row.set("tools", tools);
        ObjectNode extra = row.putObject("extra_info");
        extra.put("index", index);
        extra.put("trajectory_id", t.id());
        putText(extra, "problem_id", t.problemId());
        extra.put("source", t.source());
        putText(extra, "model", t.model());
        if (t.policyVersion() != null) {
            extra.put("policy_version", t.policyVersion());
        }
        putText(extra, "finish_reason", t.finishReason());
        extra.put("tool_calls", t.usage() == null ? toolCalls(t) : t.usage().toolCalls());
        if (stored.correct() != null) {
            extra.put("correct", stored.correct());
        }
        if (stored.reward() != null) {
            extra.put("reward", stored.reward());
        }
        putText(extra, "reference_answer", t.referenceAnswer());
        return row;
    }

    /** The whole conversation in OpenAI's chat format: the request's messages, then every turn and tool result. */
    public ArrayNode conversation(Trajectory t) {
        ArrayNode out = NODES.arrayNode();
        for (ChatMessage m : messages(t)) {
            out.add(requestMessage(m));
        }
        List<Turn> turns = t.turns() == null ? List.of() : t.turns();
        for (int i = 0; i < turns.size(); i++) {
            Turn turn = turns.get(i);
            String text = turn.completionText() == null ? "" : turn.completionText();
            Turn.ToolCallRecord call = turn.toolCall();
            if (call == null) {
                out.addObject().put("role", "assistant").put("content", ChatFormat.withoutEndOfTurn(text));
                continue;
            }
            String callId = "call_" + i;
            boolean ran = call.formatError() == null && call.name() != null;
            ObjectNode assistant = out.addObject().put("role", "assistant");
            Optional<ToolCallParse> parsed = findCall(text, call);
            if (ran) {
                int start = Math.min(text.length(), parsed.map(DatasetRows::start).orElse(text.length()));
                assistant.put("content", text.substring(0, start).stripTrailing());
                JsonNode arguments = parsed.filter(p -> p instanceof ToolCallParse.Call)
                        .map(p -> ((ToolCallParse.Call) p).arguments())
                        .orElseGet(() -> NODES.objectNode().put("code", call.code()));
                ObjectNode toolCall = assistant.putArray("tool_calls").addObject();
                toolCall.put("id", callId).put("type", "function");
                toolCall.putObject("function").put("name", call.name()).put("arguments", compact(arguments));
            } else {
                assistant.put("content", ChatFormat.withoutEndOfTurn(text));
            }
            if (turn.toolResult() != null) {
                ObjectNode result = out.addObject().put("role", "tool");
                putText(result, "content", turn.toolResult().text());
                if (ran) {
                    result.put("tool_call_id", callId);
                }
            }
        }
        return out;
    }

    private ObjectNode requestMessage(ChatMessage m) {
        ObjectNode message = NODES.objectNode().put("role", m.role());
        putText(message, "content", m.content());
        if (m.toolCalls() != null && !m.toolCalls().isEmpty()) {
            ArrayNode calls = message.putArray("tool_calls");
            for (ToolCall c : m.toolCalls()) {
                ObjectNode call = calls.addObject();
                putText(call, "id", c.id());
                call.put("type", c.type() == null ? "function" : c.type());
                if (c.function() != null) {
                    ObjectNode function = call.putObject("function");
                    putText(function, "name", c.function().name());
                    putText(function, "arguments", c.function().arguments());
                }
            }
        }
        putText(message, "tool_call_id", m.toolCallId());
        return message;
    }

    /** The markup of the turn's call, by whichever protocol finds the call that was run (the trajectory does not say). */
    private static Optional<ToolCallParse> findCall(String text, Turn.ToolCallRecord call) {
        ToolCallParse fallback = null;
        for (ToolProtocol protocol : PROTOCOLS) {
            ToolCallParse parse = protocol.parse(text);
            if (parse instanceof ToolCallParse.Call c && (call.code() == null || call.code().equals(c.code()))) {
                return Optional.of(c);
            }
            if (fallback == null && !(parse instanceof ToolCallParse.None)) {
                fallback = parse;
            }
        }
        return Optional.ofNullable(fallback);
    }

    private static int start(ToolCallParse parse) {
        return switch (parse) {
            case ToolCallParse.Call c -> c.start();
            case ToolCallParse.Malformed m -> m.start();
            case ToolCallParse.None n -> Integer.MAX_VALUE;
        };
    }

    private String compact(JsonNode node) {
        try {
            return json.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree did not serialise", e);
        }
    }

    private static List<ChatMessage> messages(Trajectory t) {
        return t.messages() == null ? List.of() : t.messages();
    }

    private static int toolCalls(Trajectory t) {
        return t.turns() == null ? 0 : (int) t.turns().stream().filter(turn -> turn.toolCall() != null).count();
    }

    private static void putText(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}

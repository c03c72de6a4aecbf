package ai.aster.gateway.service;

import ai.aster.gateway.config.GatewayConfig;
import ai.aster.protocol.openai.ChatCompletionRequest;
import ai.aster.protocol.openai.ChatMessage;
import ai.aster.protocol.openai.ToolDefinition;
import ai.aster.protocol.tools.CodeInterpreterTool;
import ai.aster.protocol.tools.ToolProtocol;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Checks a chat request against OpenAI's rules and the configured limits, and resolves every default. */
public final class ChatRequestPlanner {

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");
    private static final Set<String> SOURCES = Set.of("api", "rollout", "eval");
    private static final int MAX_STOP_STRINGS = 16;

    private final GatewayConfig config;
    private final ToolProtocol protocol;

    public ChatRequestPlanner(GatewayConfig config) {
        this.config = config;
        this.protocol = ToolProtocol.named(config.toolProtocol());
    }

    public ToolProtocol protocol() {
        return protocol;
    }

    /** @param source the {@code X-Aster-Source} header (null = api) */
    public PreparedChat plan(ChatCompletionRequest request, String source) {
        if (request == null) {
            throw ApiException.invalid("the request body must be a JSON object", null);
        }
        String trajectorySource = source == null || source.isBlank() ? "api" : source.strip();
        if (!SOURCES.contains(trajectorySource)) {
            throw ApiException.invalid("X-Aster-Source must be one of api, rollout, eval", null);
        }
        List<ChatMessage> messages = request.messages();
        if (messages == null || messages.isEmpty()) {
            throw ApiException.invalid("'messages' must be a non-empty array", "messages");
        }
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            if (m == null || m.role() == null || !ROLES.contains(m.role())) {
                throw ApiException.invalid("messages[" + i + "].role must be one of system, developer, user, "
                        + "assistant, tool", "messages[" + i + "].role");
            }
            if (m.content() == null && !"assistant".equals(m.role())) {
                throw ApiException.invalid("messages[" + i + "].content is required for role '" + m.role() + "'",
                        "messages[" + i + "].content");
            }
        }
        // OpenAI's developer role is the system prompt of newer models; chat templates know only system
        messages = messages.stream().map(m -> "developer".equals(m.role()) ? new ChatMessage("system", m.content(),
                m.name(), m.reasoningContent(), m.toolCalls(), m.toolCallId(), m.toolTrace()) : m).toList();
        int n = request.n() == null ? 1 : request.n();
        if (n < 1 || n > config.maxN()) {
            throw ApiException.invalid("'n' must be between 1 and " + config.maxN(), "n");
        }
        Integer maxTokens = request.maxCompletionTokens() != null ? request.maxCompletionTokens() : request.maxTokens();
        String maxTokensParam = request.maxCompletionTokens() != null ? "max_completion_tokens" : "max_tokens";
        if (maxTokens != null && maxTokens < 1) {
            throw ApiException.invalid("'" + maxTokensParam + "' must be at least 1", maxTokensParam);
        }
        if (request.temperature() != null && (request.temperature() < 0 || request.temperature() > 2)) {
            throw ApiException.invalid("'temperature' must be between 0 and 2", "temperature");
        }
        if (request.topP() != null && (request.topP() <= 0 || request.topP() > 1)) {
            throw ApiException.invalid("'top_p' must be greater than 0 and at most 1", "top_p");
        }
        if (request.topK() != null && request.topK() < -1) {
            throw ApiException.invalid("'top_k' must be -1 (off) or positive", "top_k");
        }
        List<String> stop = request.stop();
        if (stop != null && (stop.size() > MAX_STOP_STRINGS || stop.stream().anyMatch(s -> s == null || s.isEmpty()))) {
            throw ApiException.invalid("'stop' must hold at most " + MAX_STOP_STRINGS + " non-empty strings", "stop");
        }
        int maxToolCalls = request.maxToolCalls() == null ? config.defaultMaxToolCalls() : request.maxToolCalls();
        if (maxToolCalls < 0 || maxToolCalls > config.maxToolCallsLimit()) {
            throw ApiException.invalid("'max_tool_calls' must be between 0 and " + config.maxToolCallsLimit(),
                    "max_tool_calls");
        }
        double maxTimeout = config.maxToolTimeout().toMillis() / 1000.0;
        double toolTimeout = request.toolTimeoutS() == null ? config.defaultToolTimeout().toMillis() / 1000.0
                : request.toolTimeoutS();
        if (!(toolTimeout > 0) || toolTimeout > maxTimeout) {
            throw ApiException.invalid("'tool_timeout_s' must be greater than 0 and at most " + maxTimeout,
                    "tool_timeout_s");
        }

        // Tools: the built-in code_interpreter runs here unless the client declares tools of its own without it.
        List<ToolDefinition> declared = request.tools() == null ? List.of() : request.tools();
        Set<String> clientTools = new LinkedHashSet<>();
        boolean builtin = declared.isEmpty();
        for (int i = 0; i < declared.size(); i++) {
            ToolDefinition tool = declared.get(i);
            if (tool == null || !"function".equals(tool.type()) || tool.function() == null
                    || tool.function().name() == null || tool.function().name().isBlank()) {
                throw ApiException.invalid("tools[" + i + "] must be {\"type\": \"function\", \"function\": "
                        + "{\"name\": ...}}", "tools[" + i + "]");
            }
            if (CodeInterpreterTool.NAME.equals(tool.function().name())) {
                builtin = true;
            } else {
                clientTools.add(tool.function().name());
            }
        }
        String toolChoice = toolChoice(request.toolChoice(), clientTools);
        boolean parse = !"none".equals(toolChoice);
        if (!clientTools.isEmpty() && !protocol.resultViaChatTemplate() && parse) {
            throw ApiException.invalid("client-declared tools need the hermes tool protocol; this gateway uses "
                    + protocol.name(), "tools");
        }
        List<ToolDefinition> templateTools = new ArrayList<>();
        if (parse && protocol.resultViaChatTemplate()) {
            if (builtin) {
                templateTools.add(CodeInterpreterTool.DEFINITION);
            }
            declared.stream().filter(t -> clientTools.contains(t.function().name())).forEach(templateTools::add);
        }

        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        long deadline = System.nanoTime() + config.trajectoryDeadline().toNanos();
        boolean log = config.publishTrajectories() && !Boolean.FALSE.equals(request.logTrajectory());
        List<TrajectorySpec> specs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            specs.add(new TrajectorySpec(n == 1 ? id : id + "-" + i, request.model(), trajectorySource, messages,
                    List.copyOf(templateTools), builtin && parse, Set.copyOf(clientTools), parse, protocol,
                    request.temperature(), request.topP(), request.topK(),
                    request.seed() == null ? null : request.seed() + i, stop, maxTokens, maxToolCalls, toolTimeout,
                    deadline, request.problemId(), request.referenceAnswer(), log));
        }
        boolean stream = Boolean.TRUE.equals(request.stream());
        boolean usage = request.streamOptions() != null && request.streamOptions().wantsUsage();
        String model = request.model() != null ? request.model() : config.defaultModel();
        return new PreparedChat(id, Instant.now().getEpochSecond(), model, stream, usage, List.copyOf(specs));
    }

    private static String toolChoice(JsonNode choice, Set<String> clientTools) {
        if (choice == null || choice.isNull()) {
            return "auto";
        }
        if (choice.isTextual()) {
            String value = choice.asText();
            if (Set.of("none", "auto", "required").contains(value)) {
                return value;
            }
        } else if (choice.isObject()) {
            String name = choice.path("function").path("name").asText("");
            if (clientTools.contains(name) || CodeInterpreterTool.NAME.equals(name)) {
                return "auto"; // a model is asked, not forced: the named tool is declared like the others
            }
            throw ApiException.invalid("tool_choice names function '" + name + "', which is not declared",
                    "tool_choice");
        }
        throw ApiException.invalid("tool_choice must be \"none\", \"auto\", \"required\" or a named function",
                "tool_choice");
    }
}

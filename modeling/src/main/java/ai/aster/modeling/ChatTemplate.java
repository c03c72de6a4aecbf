package ai.aster.modeling;

import ai.aster.protocol.openai.ChatMessage;
import ai.aster.protocol.openai.ToolCall;
import ai.aster.protocol.openai.ToolDefinition;
import ai.aster.modeling.jinja.JinjaException;
import ai.aster.modeling.jinja.JinjaTemplate;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Renders chat messages to prompt text. A model folder's own Jinja {@code chat_template} is rendered with the
 * library's Jinja interpreter ({@link JinjaTemplate}), with the inputs vLLM gives it: messages as dicts, tool call
 * arguments parsed from their JSON strings into objects, {@code tools}, {@code add_generation_prompt}, and
 * {@code bos_token}/{@code eos_token}. Without a template (or with one the interpreter cannot parse, logged), the
 * built-in renderer is used: a Java transcription of Qwen3's template (system block with a {@code # Tools}
 * section listing each tool as JSON, {@code <think>} handling after the last user query, {@code <tool_call>}
 * blocks for assistant calls, consecutive {@code tool} messages grouped in one {@code user} turn inside
 * {@code <tool_response>} tags). Both give identical text for Qwen3's template (tested). Thread-safe.
 */
public final class ChatTemplate {

    private static final Logger LOG = Logger.getLogger(ChatTemplate.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOOLS_HEADER = "# Tools\n\nYou may call one or more functions to assist with the user"
            + " query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>";
    private static final String TOOLS_FOOTER = "\n</tools>\n\nFor each function call, return a json object with"
            + " function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\":"
            + " <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n";

    private final String source;
    private final JinjaTemplate jinja; // null: the built-in renderer
    private final Map<String, Object> specialTokens; // bos_token / eos_token for the template

    private ChatTemplate(String source, JinjaTemplate jinja, Map<String, Object> specialTokens) {
        this.source = source;
        this.jinja = jinja;
        this.specialTokens = specialTokens;
    }

    /**
     * The template of a model folder: {@code chat_template} of {@code tokenizer_config.json} (or a
     * {@code chat_template.jinja} file). Qwen3's template, or none, gives the built-in renderer.
     */
    public static ChatTemplate forModel(Path modelDir) {
        String template = null;
        Map<String, Object> special = new HashMap<>();
        try {
            Path jinjaFile = modelDir.resolve("chat_template.jinja");
            Path config = modelDir.resolve("tokenizer_config.json");
            JsonNode root = Files.isRegularFile(config) ? JSON.readTree(config.toFile()) : JSON.createObjectNode();
            for (String key : new String[] {"bos_token", "eos_token", "pad_token", "unk_token"}) {
                JsonNode t = root.path(key);
                String text = t.isTextual() ? t.asText() : t.path("content").asText(null);
                if (text != null) {
                    special.put(key, text);
                }
            }
            if (Files.isRegularFile(jinjaFile)) {
                template = Files.readString(jinjaFile, StandardCharsets.UTF_8);
            } else {
                JsonNode node = root.path("chat_template");
                if (node.isTextual()) {
                    template = node.asText();
                } else if (node.isArray()) {
                    for (JsonNode t : node) {
                        if ("default".equals(t.path("name").asText())) {
                            template = t.path("template").asText();
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the chat template of " + modelDir, e);
        }
        if (template == null) {
            return new ChatTemplate(null, null, special);
        }
        try {
            return new ChatTemplate(template, JinjaTemplate.parse(template), special);
        } catch (JinjaException e) {
            String reason = e.getMessage();
            LOG.warning(() -> "cannot use the chat template of " + modelDir + " (" + reason
                    + "); rendering prompts with the built-in Qwen3 template instead");
            return new ChatTemplate(template, null, special);
        }
    }

    /** The built-in Qwen3 renderer. */
    public static ChatTemplate builtIn() {
        return new ChatTemplate(null, null, Map.of());
    }

    /** A Jinja chat template given as text (Hugging Face semantics); throws JinjaException if unsupported. */
    public static ChatTemplate ofJinja(String template, String bosToken, String eosToken) {
        Map<String, Object> special = new HashMap<>();
        if (bosToken != null) {
            special.put("bos_token", bosToken);
        }
        if (eosToken != null) {
            special.put("eos_token", eosToken);
        }
        return new ChatTemplate(template, JinjaTemplate.parse(template), special);
    }

    /** The Jinja source the model ships, or null. */
    public String source() {
        return source;
    }

    /** Whether prompts are rendered by the model's Jinja template (else by the built-in Qwen3 renderer). */
    public boolean usesJinja() {
        return jinja != null;
    }

    /**
     * @param tools               declared tools (pass {@link #codeInterpreterTool()} for the built-in one); may be
     *                            null or empty
     * @param addGenerationPrompt end with {@code <|im_start|>assistant\n}
     */
    public String render(List<ChatMessage> messages, List<ToolDefinition> tools, boolean addGenerationPrompt) {
        return render(messages, tools, addGenerationPrompt, null);
    }

    /**
     * As {@link #render(List, List, boolean)}; {@code enableThinking == false} appends an empty think block after
     * the generation prompt (Qwen3's {@code enable_thinking=False}); null leaves it undefined.
     */
    public String render(List<ChatMessage> messages, List<ToolDefinition> tools, boolean addGenerationPrompt,
            Boolean enableThinking) {
        if (messages == null || messages.isEmpty()) {
            throw new IllegalArgumentException("messages must not be empty");
        }
        if (jinja != null) {
            return renderJinja(messages, tools, addGenerationPrompt, enableThinking);
        }
        StringBuilder out = new StringBuilder();
        ChatMessage first = messages.get(0);
        boolean firstIsSystem = "system".equals(first.role());
        if (tools != null && !tools.isEmpty()) {
            out.append("<|im_start|>system\n");
            if (firstIsSystem) {
                out.append(text(first)).append("\n\n");
            }
            out.append(TOOLS_HEADER);
            for (ToolDefinition tool : tools) {
                out.append('\n').append(PythonJson.dumps(JSON.valueToTree(tool)));
            }
            out.append(TOOLS_FOOTER);
        } else if (firstIsSystem) {
            out.append("<|im_start|>system\n").append(text(first)).append("<|im_end|>\n");
        }
        // the last user message that is a real query (not tool output pasted as a user turn)
        int lastQuery = messages.size() - 1;
        for (int i = messages.size() - 1; i >= 0; i--) {
            ChatMessage m = messages.get(i);
            if ("user".equals(m.role()) && m.content() != null
                    && !(m.content().startsWith("<tool_response>") && m.content().endsWith("</tool_response>"))) {
                lastQuery = i;
                break;
            }
        }
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            String content = text(m);
            String role = m.role();
            boolean last = i == messages.size() - 1;
            if ("user".equals(role) || ("system".equals(role) && i > 0)) {
                out.append("<|im_start|>").append(role).append('\n').append(content).append("<|im_end|>\n");
            } else if ("assistant".equals(role)) {
                String reasoning = "";
                if (m.reasoningContent() != null) {
                    reasoning = m.reasoningContent();
                } else if (content.contains("</think>")) {
                    String before = content.substring(0, content.indexOf("</think>"));
                    before = rstrip(before);
                    int open = before.lastIndexOf("<think>");
                    reasoning = lstrip(open >= 0 ? before.substring(open + "<think>".length()) : before);
                    content = lstrip(content.substring(content.lastIndexOf("</think>") + "</think>".length()));
                }
                if (i > lastQuery && (last || !reasoning.isEmpty())) {
                    out.append("<|im_start|>assistant\n<think>\n").append(lstrip(rstrip(reasoning)))
                            .append("\n</think>\n\n").append(lstrip(content));
                } else {
                    out.append("<|im_start|>assistant\n").append(content);
                }
                List<ToolCall> calls = m.toolCalls();
                if (calls != null) {
                    for (int j = 0; j < calls.size(); j++) {
                        if ((j == 0 && !content.isEmpty()) || j > 0) {
                            out.append('\n');
                        }
                        ToolCall.Function f = calls.get(j).function();
                        out.append("<tool_call>\n{\"name\": \"").append(f == null ? "" : f.name())
                                .append("\", \"arguments\": ")
                                .append(f == null || f.arguments() == null ? "{}" : arguments(f.arguments()))
                                .append("}\n</tool_call>");
                    }
                }
                out.append("<|im_end|>\n");
            } else if ("tool".equals(role)) {
                if (i == 0 || !"tool".equals(messages.get(i - 1).role())) {
                    out.append("<|im_start|>user");
                }
                out.append("\n<tool_response>\n").append(content).append("\n</tool_response>");
                if (last || !"tool".equals(messages.get(i + 1).role())) {
                    out.append("<|im_end|>\n");
                }
            }
        }
        if (addGenerationPrompt) {
            out.append("<|im_start|>assistant\n");
            if (Boolean.FALSE.equals(enableThinking)) {
                out.append("<think>\n\n</think>\n\n");
            }
        }
        return out.toString();
    }

    /**
     * Tool call arguments as the template prints them: vLLM parses the OpenAI JSON string into an object before
     * rendering and the template writes it back with {@code tojson}, so a valid JSON object comes out in Python's
     * {@code json.dumps} spacing; anything else is printed as given.
     */
    private static String arguments(String raw) {
        Object parsed = parseArguments(raw);
        return parsed instanceof String s ? s : PythonJson.dumps(JSON.valueToTree(parsed));
    }

    private static Object parseArguments(String raw) {
        try {
            JsonNode node = JSON.readTree(raw);
            if (node != null && node.isObject()) {
                return JSON.convertValue(node, new TypeReference<LinkedHashMap<String, Object>>() {});
            }
        } catch (IOException e) {
            // not JSON: the template prints the string
        }
        return raw;
    }

    private String renderJinja(List<ChatMessage> messages, List<ToolDefinition> tools, boolean addGenerationPrompt,
            Boolean enableThinking) {
        List<Object> msgs = new ArrayList<>();
        for (ChatMessage m : messages) {
            Map<String, Object> map = JSON.convertValue(m, new TypeReference<LinkedHashMap<String, Object>>() {});
            map.remove("tool_trace");
            if (m.toolCalls() != null) {
                List<Object> calls = new ArrayList<>();
                for (ToolCall call : m.toolCalls()) {
                    Map<String, Object> c = JSON.convertValue(call, new TypeReference<LinkedHashMap<String, Object>>() {});
                    c.remove("index");
                    if (call.function() != null) {
                        Map<String, Object> f = new LinkedHashMap<>();
                        f.put("name", call.function().name());
                        f.put("arguments", call.function().arguments() == null ? Map.of()
                                : parseArguments(call.function().arguments()));
                        c.put("function", f);
                    }
                    calls.add(c);
                }
                map.put("tool_calls", calls);
            }
            msgs.add(map);
        }
        Map<String, Object> vars = new HashMap<>(specialTokens);
        vars.put("messages", msgs);
        if (tools != null && !tools.isEmpty()) {
            List<Object> t = new ArrayList<>();
            for (ToolDefinition d : tools) {
                t.add(JSON.convertValue(d, new TypeReference<LinkedHashMap<String, Object>>() {}));
            }
            vars.put("tools", t);
        } else {
            vars.put("tools", null);
        }
        vars.put("add_generation_prompt", addGenerationPrompt);
        if (enableThinking != null) {
            vars.put("enable_thinking", enableThinking);
        }
        try {
            return jinja.render(vars);
        } catch (JinjaException e) {
            throw new IllegalArgumentException("chat template: " + e.getMessage(), e);
        }
    }

    private static String text(ChatMessage m) {
        return m.content() == null ? "" : m.content();
    }

    /** Python's {@code str.lstrip('\n')}. */
    private static String lstrip(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == '\n') {
            i++;
        }
        return s.substring(i);
    }

    /** Python's {@code str.rstrip('\n')}. */
    private static String rstrip(String s) {
        int i = s.length();
        while (i > 0 && s.charAt(i - 1) == '\n') {
            i--;
        }
        return s.substring(0, i);
    }

    /** The built-in tool: {@code code_interpreter(code: string)}, as declared in the system block. */
    public static ToolDefinition codeInterpreterTool() {
        ObjectNode parameters = JSON.createObjectNode();
        parameters.put("type", "object");
        ObjectNode code = parameters.putObject("properties").putObject("code");
        code.put("type", "string");
        code.put("description", "The Python code to run. Variables, functions and imports persist between calls;"
                + " print what you need to see.");
        parameters.putArray("required").add("code");
        return new ToolDefinition("function", new ToolDefinition.Function("code_interpreter",
                "Run Python code in a sandboxed interpreter and return its standard output and errors.", parameters));
    }
}

package ai.aster.modeling;

import ai.aster.protocol.openai.ChatMessage;
import ai.aster.protocol.openai.ToolCall;
import ai.aster.protocol.openai.ToolDefinition;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Logger;

/**
 * Renders chat messages to prompt text the way Qwen3's chat template does. The renderer is a Java transcription
 * of Qwen3's Jinja {@code chat_template} (system block with a {@code # Tools} section listing each tool as JSON,
 * {@code <think>} handling after the last user query, {@code <tool_call>} blocks for assistant calls, consecutive
 * {@code tool} messages grouped in one {@code user} turn inside {@code <tool_response>} tags). A model whose
 * template differs from Qwen3's is rendered with this Qwen3 renderer and a warning (no Jinja engine here).
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

    private ChatTemplate(String source) {
        this.source = source;
    }

    /**
     * The template of a model folder: {@code chat_template} of {@code tokenizer_config.json} (or a
     * {@code chat_template.jinja} file). Qwen3's template, or none, gives the built-in renderer.
     */
    public static ChatTemplate forModel(Path modelDir) {
        String template = null;
        try {
            Path jinja = modelDir.resolve("chat_template.jinja");
            Path config = modelDir.resolve("tokenizer_config.json");
            if (Files.isRegularFile(jinja)) {
                template = Files.readString(jinja, StandardCharsets.UTF_8);
            } else if (Files.isRegularFile(config)) {
                JsonNode node = JSON.readTree(config.toFile()).path("chat_template");
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
        if (template != null && !isQwen3(template)) {
            LOG.warning(() -> "the chat template of " + modelDir + " is not Qwen3's; rendering prompts with the"
                    + " built-in Qwen3 template instead");
        }
        return new ChatTemplate(template);
    }

    /** Qwen3's own template, whitespace aside (other Qwen3 checkpoints differ only in the generation prompt). */
    private static boolean isQwen3(String template) {
        return template.contains("<tool_response>") && template.contains("ns.last_query_index")
                && template.contains("<|im_start|>");
    }

    /** The built-in Qwen3 renderer. */
    public static ChatTemplate builtIn() {
        return new ChatTemplate(null);
    }

    /** The Jinja source the model ships, or null (the renderer is the built-in one either way). */
    public String source() {
        return source;
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
                                .append(f == null || f.arguments() == null ? "{}" : f.arguments())
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

package ai.aster.modeling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ai.aster.protocol.openai.ChatMessage;
import ai.aster.protocol.openai.ToolCall;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Expected strings are what Qwen3's Jinja template renders for the same messages (transformers' apply_chat_template). */
class ChatTemplateTest {

    final ChatTemplate builtIn = ChatTemplate.builtIn();
    final ChatTemplate jinja = ChatTemplate.ofJinja(ModelInit.qwen3ChatTemplate(), null, "<|im_end|>");

    /** Renders with the Java renderer and with Qwen3's Jinja source through the interpreter: both must agree. */
    final Renderer template = new Renderer();

    final class Renderer {
        String render(List<ChatMessage> messages, List<ai.aster.protocol.openai.ToolDefinition> tools, boolean gen) {
            return render(messages, tools, gen, null);
        }

        String render(List<ChatMessage> messages, List<ai.aster.protocol.openai.ToolDefinition> tools, boolean gen,
                Boolean thinking) {
            String a = builtIn.render(messages, tools, gen, thinking);
            String b = jinja.render(messages, tools, gen, thinking);
            assertEquals(a, b, "built-in renderer and Jinja template disagree");
            return a;
        }
    }

    static ChatMessage assistantCall(String content, String code) {
        return new ChatMessage("assistant", content, null, null,
                List.of(ToolCall.function("call_1", "code_interpreter", "{\"code\": \"" + code + "\"}")), null, null);
    }

    @Test
    void plainChatWithSystemPrompt() {
        String out = template.render(List.of(ChatMessage.system("You are a helpful assistant."),
                ChatMessage.user("What is 2+2?")), null, true);
        assertEquals("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
                + "<|im_start|>assistant\n", out);
    }

    @Test
    void noGenerationPromptAndThinkingDisabled() {
        assertEquals("<|im_start|>user\nHi<|im_end|>\n",
                template.render(List.of(ChatMessage.user("Hi")), List.of(), false));
        assertEquals("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
                template.render(List.of(ChatMessage.user("Hi")), null, true, false));
    }

    @Test
    void toolsAreDeclaredInTheSystemBlock() {
        String out = template.render(List.of(ChatMessage.system("Solve it."), ChatMessage.user("1+1?")),
                List.of(ChatTemplate.codeInterpreterTool()), true);
        assertEquals("<|im_start|>system\nSolve it.\n\n# Tools\n\nYou may call one or more functions to assist with"
                + " the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n"
                + "<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"code_interpreter\", \"description\":"
                + " \"Run Python code in a sandboxed interpreter and return its standard output and errors.\","
                + " \"parameters\": {\"type\": \"object\", \"properties\": {\"code\": {\"type\": \"string\","
                + " \"description\": \"The Python code to run. Variables, functions and imports persist between calls;"
                + " print what you need to see.\"}}, \"required\": [\"code\"]}}}\n</tools>\n\n"
                + "For each function call, return a json object with function name and arguments within"
                + " <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\":"
                + " <args-json-object>}\n</tool_call><|im_end|>\n"
                + "<|im_start|>user\n1+1?<|im_end|>\n<|im_start|>assistant\n", out);
    }

    @Test
    void toolCallsAndConsecutiveToolResultsRenderAsQwen3Does() {
        List<ChatMessage> messages = List.of(
                ChatMessage.user("Compute 2**10 and 3**5."),
                new ChatMessage("assistant", "", null, "I will use Python.",
                        List.of(ToolCall.function("a", "code_interpreter", "{\"code\": \"print(2**10)\"}"),
                                ToolCall.function("b", "code_interpreter", "{\"code\": \"print(3**5)\"}")),
                        null, null),
                ChatMessage.tool("a", "1024"),
                ChatMessage.tool("b", "243"),
                ChatMessage.assistant("<think>\nBoth done.\n</think>\n\nThe answers are \\boxed{1024} and 243."));
        String out = template.render(messages, null, false);
        assertEquals("<|im_start|>user\nCompute 2**10 and 3**5.<|im_end|>\n"
                + "<|im_start|>assistant\n<think>\nI will use Python.\n</think>\n\n"
                + "<tool_call>\n{\"name\": \"code_interpreter\", \"arguments\": {\"code\": \"print(2**10)\"}}\n</tool_call>\n"
                + "<tool_call>\n{\"name\": \"code_interpreter\", \"arguments\": {\"code\": \"print(3**5)\"}}\n</tool_call>"
                + "<|im_end|>\n"
                + "<|im_start|>user\n<tool_response>\n1024\n</tool_response>\n<tool_response>\n243\n</tool_response>"
                + "<|im_end|>\n"
                + "<|im_start|>assistant\n<think>\nBoth done.\n</think>\n\nThe answers are \\boxed{1024} and 243."
                + "<|im_end|>\n", out);
    }

    @Test
    void historyBeforeTheLastQueryDropsThinkingAndTheLastAssistantGetsAThinkBlock() {
        List<ChatMessage> messages = List.of(
                ChatMessage.user("First?"),
                new ChatMessage("assistant", "One.", null, "old reasoning", null, null, null),
                ChatMessage.user("Second?"),
                assistantCall("Let me compute.", "print(2)"),
                ChatMessage.tool("call_1", "2"),
                ChatMessage.assistant("Two."));
        String out = template.render(messages, null, false);
        assertEquals("<|im_start|>user\nFirst?<|im_end|>\n"
                + "<|im_start|>assistant\nOne.<|im_end|>\n"
                + "<|im_start|>user\nSecond?<|im_end|>\n"
                + "<|im_start|>assistant\nLet me compute.\n"
                + "<tool_call>\n{\"name\": \"code_interpreter\", \"arguments\": {\"code\": \"print(2)\"}}\n</tool_call>"
                + "<|im_end|>\n"
                + "<|im_start|>user\n<tool_response>\n2\n</tool_response><|im_end|>\n"
                + "<|im_start|>assistant\n<think>\n\n</think>\n\nTwo.<|im_end|>\n", out);
    }

    @Test
    void appendingAToolResultOnlyAppendsText() {
        // the gateway relies on this: the prompt of turn k+1 starts with the prompt of turn k plus the completion
        List<ChatMessage> turn1 = List.of(ChatMessage.user("Go"));
        String p1 = template.render(turn1, List.of(ChatTemplate.codeInterpreterTool()), true);
        List<ChatMessage> turn2 = List.of(ChatMessage.user("Go"), assistantCall("", "print(7)"),
                ChatMessage.tool("call_1", "7"));
        String p2 = template.render(turn2, List.of(ChatTemplate.codeInterpreterTool()), true);
        String completion = "<tool_call>\n{\"name\": \"code_interpreter\", \"arguments\": {\"code\": \"print(7)\"}}\n"
                + "</tool_call><|im_end|>";
        assertEquals(p1 + completion + "\n<|im_start|>user\n<tool_response>\n7\n</tool_response><|im_end|>\n"
                + "<|im_start|>assistant\n", p2);
    }

    @Test
    void compactToolArgumentsAreRewrittenAsVllmDoes() {
        ChatMessage call = new ChatMessage("assistant", null, null, null,
                List.of(ToolCall.function("x", "code_interpreter", "{\"code\":\"x = 1\\nprint(x)\",\"n\":3}")), null, null);
        String out = template.render(List.of(ChatMessage.user("q"), call), null, false);
        assertEquals("<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n<tool_call>\n"
                + "{\"name\": \"code_interpreter\", \"arguments\": {\"code\": \"x = 1\\nprint(x)\", \"n\": 3}}\n"
                + "</tool_call><|im_end|>\n", out);
    }

    @Test
    void modelFolderTemplateIsRecognised(@TempDir Path dir) {
        ModelInit.write(dir, ModelInit.Options.defaults());
        ChatTemplate fromModel = ChatTemplate.forModel(dir);
        assertNotNull(fromModel.source());
        org.junit.jupiter.api.Assertions.assertTrue(fromModel.usesJinja());
        List<ChatMessage> messages = List.of(ChatMessage.user("Hi"));
        assertEquals(template.render(messages, null, true), fromModel.render(messages, null, true));
    }
}

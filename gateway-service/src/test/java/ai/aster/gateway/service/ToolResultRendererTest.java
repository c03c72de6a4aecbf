package ai.aster.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.aster.gateway.support.TestTokenizer;
import ai.aster.modeling.ChatTemplate;
import ai.aster.protocol.openai.ChatMessage;
import ai.aster.protocol.openai.CompletionRequest;
import ai.aster.protocol.openai.CompletionResponse;
import ai.aster.protocol.openai.TokenizeRequest;
import ai.aster.protocol.openai.TokenizeResponse;
import ai.aster.protocol.tools.CodeInterpreterTool;
import ai.aster.protocol.tools.ToolProtocol;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The tool-result tokens the gateway appends equal what a full re-render of the conversation gives. */
class ToolResultRendererTest {

    private final ChatTemplate template = ChatTemplate.builtIn();
    private final AtomicInteger renders = new AtomicInteger();

    /** The model service's tokenize, done here by the real Qwen3 template and the test tokenizer. */
    private final ModelPort model = new ModelPort() {
        @Override
        public CompletableFuture<TokenizeResponse> tokenize(TokenizeRequest request) {
            String text = request.messages() != null
                    ? template.render(request.messages(), request.tools(), !Boolean.FALSE.equals(request.addGenerationPrompt()))
                    : request.prompt();
            if (request.messages() != null) {
                renders.incrementAndGet();
            }
            List<Integer> ids = TestTokenizer.encode(text);
            return CompletableFuture.completedFuture(new TokenizeResponse(ids.size(), 40_000, ids, text));
        }

        @Override
        public CompletableFuture<Void> complete(CompletionRequest request, Consumer<CompletionResponse> onChunk,
                OutputGate gate, long deadlineNanos) {
            throw new UnsupportedOperationException();
        }
    };

    @Test
    void hermesResultsMatchAFullReRender() {
        ToolResultRenderer renderer = new ToolResultRenderer(model);
        ToolProtocol hermes = ToolProtocol.named("hermes");
        List<ChatMessage> conversation = new ArrayList<>(List.of(ChatMessage.user("What is 6*7?")));
        List<Integer> sequence = new ArrayList<>(model.tokenize(new TokenizeRequest(null, null, conversation,
                List.of(CodeInterpreterTool.DEFINITION), true, null, null)).join().tokens());
        String[] turns = {"<think>\nuse python\n</think>\n\n<tool_call>\n{\"name\": \"code_interpreter\", "
                + "\"arguments\": {\"code\": \"print(6*7)\"}}\n</tool_call>",
                "<tool_call>\n{\"name\": \"code_interpreter\", \"arguments\": {\"code\": \"1/0\"}}\n</tool_call>"};
        String[] results = {"42\n", "Runtime error occurred during execution.\nZeroDivisionError: division by zero"};
        for (int i = 0; i < turns.length; i++) {
            sequence.addAll(TestTokenizer.encode(turns[i])); // generated: appended as they are
            String continuation = renderer.continuation(null, hermes, results[i]).join();
            sequence.addAll(renderer.tokens(continuation, null).join());
            conversation.add(ChatMessage.assistant(turns[i]));
            conversation.add(ChatMessage.tool("call_" + i, results[i]));
        }
        String full = template.render(conversation, List.of(CodeInterpreterTool.DEFINITION), true);
        assertEquals(TestTokenizer.encode(full), sequence);
        assertEquals(2, renders.get(), "the template wrapper is learned once, then reused");
    }

    @Test
    void markdownResultsAreAppendedAsOutputBlocks() {
        ToolResultRenderer renderer = new ToolResultRenderer(model);
        String continuation = renderer.continuation(null, ToolProtocol.named("markdown"), "49").join();
        assertEquals("```output\n49\n```\n", continuation);
        assertTrue(renders.get() == 0);
    }
}

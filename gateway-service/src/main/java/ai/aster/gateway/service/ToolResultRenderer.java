package ai.aster.gateway.service;

import ai.aster.protocol.chat.ToolResultTemplate;
import ai.aster.protocol.openai.TokenizeRequest;
import ai.aster.protocol.tools.ToolProtocol;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exact token ids appended to the model's context for a tool result. For protocols whose results go through
 * the chat template (hermes), the template's text around a result ({@link ToolResultTemplate}) is learned once per
 * model from the model service's rendering of {@link ToolResultTemplate#SAMPLE}; each result is then that text
 * with the result inside, tokenized as a plain prompt (the tests check this against a full render).
 */
public final class ToolResultRenderer {

    private final ModelPort model;
    private final Map<String, CompletableFuture<ToolResultTemplate>> wrappers = new ConcurrentHashMap<>();

    public ToolResultRenderer(ModelPort model) {
        this.model = model;
    }

    /** The text the model's context continues with after its tool call, for this result. */
    public CompletableFuture<String> continuation(String modelName, ToolProtocol protocol, String resultText) {
        if (!protocol.resultViaChatTemplate()) {
            return CompletableFuture.completedFuture(protocol.wrapResult(resultText));
        }
        String key = modelName == null ? "" : modelName;
        CompletableFuture<ToolResultTemplate> wrapper = wrappers.computeIfAbsent(key, this::learn);
        wrapper.whenComplete((w, e) -> {
            if (e != null) {
                wrappers.remove(key, wrapper); // learnt again by the next result, not failed for good
            }
        });
        return wrapper.thenApply(w -> w.wrap(resultText));
    }

    /** Token ids of {@link #continuation}. */
    public CompletableFuture<List<Integer>> tokens(String continuation, String modelName) {
        return tokens(model, continuation, modelName);
    }

    /** Token ids of {@link #continuation}, asked of {@code via} (a decorated port: timed, traced). */
    public CompletableFuture<List<Integer>> tokens(ModelPort via, String continuation, String modelName) {
        return via.tokenize(new TokenizeRequest(modelName, continuation, null, null, null, null, false))
                .thenApply(response -> response.tokens());
    }

    private CompletableFuture<ToolResultTemplate> learn(String modelName) {
        return model.tokenize(new TokenizeRequest(modelName.isEmpty() ? null : modelName, null,
                ToolResultTemplate.SAMPLE, null, true, null, null)).thenApply(rendered -> {
                    if (rendered.prompt() == null) {
                        throw new IllegalStateException(
                                "the model service's /v1/tokenize did not return the rendered prompt");
                    }
                    return ToolResultTemplate.fromRendering(rendered.prompt());
                });
    }
}

package ai.aster.gateway.service;

import ai.aster.protocol.chat.ToolResultTemplate;
import ai.aster.protocol.openai.TokenizeRequest;
import ai.aster.protocol.openai.TokenizeResponse;
import ai.aster.protocol.tools.ToolProtocol;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exact token ids appended to the model's context for a tool result. For protocols whose results go through
 * the chat template (hermes), the template's text around a result ({@link ToolResultTemplate}) is learned once per
 * model from the model service's rendering of {@link ToolResultTemplate#SAMPLE}; each result is then that text
 * with the result inside, tokenized as a plain prompt (the tests check this against a full render).
 */
public final class ToolResultRenderer {

    private final ModelPort model;
    private final Map<String, ToolResultTemplate> wrappers = new ConcurrentHashMap<>();

    public ToolResultRenderer(ModelPort model) {
        this.model = model;
    }

    /** The text the model's context continues with after its tool call, for this result. */
    public String continuation(String modelName, ToolProtocol protocol, String resultText) {
        if (!protocol.resultViaChatTemplate()) {
            return protocol.wrapResult(resultText);
        }
        return wrappers.computeIfAbsent(modelName == null ? "" : modelName, this::learn).wrap(resultText);
    }

    /** Token ids of {@link #continuation}. */
    public List<Integer> tokens(String continuation, String modelName) {
        return tokens(model, continuation, modelName);
    }

    /** Token ids of {@link #continuation}, asked of {@code via} (a decorated port: timed, traced). */
    public List<Integer> tokens(ModelPort via, String continuation, String modelName) {
        TokenizeResponse response = via.tokenize(
                new TokenizeRequest(modelName, continuation, null, null, null, null, false));
        return response.tokens();
    }

    private ToolResultTemplate learn(String modelName) {
        TokenizeResponse rendered = model.tokenize(new TokenizeRequest(modelName.isEmpty() ? null : modelName, null,
                ToolResultTemplate.SAMPLE, null, true, null, null));
        if (rendered.prompt() == null) {
            throw new IllegalStateException("the model service's /v1/tokenize did not return the rendered prompt");
        }
        return ToolResultTemplate.fromRendering(rendered.prompt());
    }
}

package ai.aster.protocol.openai;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * {@code POST /v1/tokenize}, as vLLM's: either a {@code prompt}, or {@code messages} (with {@code tools}) rendered
 * through the model's chat template. The gateway gets exact prompt and tool-result token ids this way.
 *
 * @param addGenerationPrompt end with the assistant header, ready for the model to continue (default true)
 * @param continueFinalMessage leave the last (assistant) message open instead of closing it
 * @param addSpecialTokens    for a plain prompt: add the tokenizer's special tokens (default false for ChatML models)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record TokenizeRequest(
        String model,
        String prompt,
        List<ChatMessage> messages,
        List<ToolDefinition> tools,
        Boolean addGenerationPrompt,
        Boolean continueFinalMessage,
        Boolean addSpecialTokens) {}

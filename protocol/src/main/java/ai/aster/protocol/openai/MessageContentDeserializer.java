package ai.aster.protocol.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * Reads message content in either OpenAI form: a string, or an array of parts of which the {@code text} parts
 * are concatenated. Other part types (images, audio) are rejected: math models here read text only.
 */
public final class MessageContentDeserializer extends JsonDeserializer<String> {

    @Override
    public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
        JsonNode node = parser.readValueAsTree();
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : node) {
                String type = part.path("type").asText("text");
                if (!"text".equals(type)) {
                    return context.reportInputMismatch(String.class,
                            "content part of type '%s' is not supported: only text parts are", type);
                }
                text.append(part.path("text").asText(""));
            }
            return text.toString();
        }
        return context.reportInputMismatch(String.class, "content must be a string or an array of text parts");
    }
}

package ai.aster.gateway.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.aster.protocol.openai.ChatCompletionChunk;
import ai.aster.protocol.openai.ChatMessage;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A framed delta event is byte for byte the serialised chunk it replaces, whatever the text holds. */
class DeltaEventTest {

    private static final List<String> TEXTS = List.of("plain", "", "<think>\n", "quote \" backslash \\ slash /",
            "\\d+ C:\\Users\\x", "tab\t cr\r nl\n bell\u0007 \u001f \u007f", "é ü 中文 \ud83d\ude00 \u2028 \u2029",
            "lone \ud83d surrogate", "$\\frac{1}{2}$ <>&'", "\u0001aster-delta\u0001");

    @Test
    void equalsTheSerialisedChunk() throws Exception {
        for (ObjectMapper json : List.of(new ObjectMapper(),
                JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build())) {
            for (boolean reasoning : List.of(true, false)) {
                DeltaEvent frame = new DeltaEvent(json, chunk(2, reasoning, DeltaEvent.MARK),
                        DeltaEvent.plainEscaping(json));
                for (String text : TEXTS) {
                    assertEquals("data: " + json.writeValueAsString(chunk(2, reasoning, text)) + "\n\n",
                            frame.event(text), text);
                }
            }
        }
    }

    private static ChatCompletionChunk chunk(int choice, boolean reasoning, String text) {
        return new ChatCompletionChunk("chatcmpl-\"id\"", ChatCompletionChunk.OBJECT, 1234, "model/\u00e9",
                List.of(new ChatCompletionChunk.Choice(choice, new ChatMessage(null, reasoning ? null : text, null,
                        reasoning ? text : null, null, null, null), null)), null, null);
    }
}

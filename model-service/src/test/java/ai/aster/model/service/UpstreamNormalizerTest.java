package ai.aster.model.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class UpstreamNormalizerTest {

    @Test
    void readsSseAndJsonLines() {
        assertEquals("{\"a\":1}", UpstreamNormalizer.payload("data: {\"a\":1}"));
        assertEquals("{\"a\":1}", UpstreamNormalizer.payload("data:{\"a\":1}\r"));
        assertEquals("{\"a\":1}", UpstreamNormalizer.payload("{\"a\":1}"));
        assertEquals(UpstreamNormalizer.DONE, UpstreamNormalizer.payload("data: [DONE]"));
        assertNull(UpstreamNormalizer.payload(""));
        assertNull(UpstreamNormalizer.payload(": ping"));
        assertNull(UpstreamNormalizer.payload("event: message"));
        assertNull(UpstreamNormalizer.payload("id: 7"));
    }

    @Test
    void mapsFinishReasonSpellings() {
        for (String s : new String[] {"stop", "eos", "EOS_TOKEN", "stop_sequence", "end_turn"}) {
            assertEquals("stop", UpstreamNormalizer.finishReason(s), s);
        }
        for (String s : new String[] {"length", "max_tokens", "max_length", "model_length"}) {
            assertEquals("length", UpstreamNormalizer.finishReason(s), s);
        }
        assertNull(UpstreamNormalizer.finishReason(null));
        assertNull(UpstreamNormalizer.finishReason(""));
        assertEquals("tool_calls", UpstreamNormalizer.finishReason("tool_calls"));
    }

    @Test
    void rewritesFinishReasonsInPlace() throws Exception {
        JsonNode node = new ObjectMapper().readTree(
                "{\"choices\":[{\"index\":0,\"finish_reason\":\"eos\"},{\"index\":1,\"finish_reason\":null}]}");
        UpstreamNormalizer.normalizeChoices(node);
        assertEquals("stop", node.at("/choices/0/finish_reason").asText());
        assertEquals(true, node.at("/choices/1/finish_reason").isNull());
    }
}

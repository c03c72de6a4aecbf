package ai.aster.gateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.aster.protocol.openai.CompletionChoice;
import ai.aster.protocol.openai.CompletionLogprobs;
import ai.aster.protocol.openai.CompletionResponse;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hand-written event scanner reads what Jackson's data binding of the protocol records reads (the loop's
 * fields), on events as model-service writes them (serialised here from the same records) and as other engines
 * may write them (member order, whitespace, escapes, nulls, unknown members).
 */
class CompletionEventScannerTest {

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    @Test
    void readsWhatModelServiceWritesAsTheDataBindingDoes() throws Exception {
        List<String> texts = List.of("plain", "", "<think>\n", "quote \" backslash \\ slash /", "\\d+ C:\\Users\\x",
                "tab\t cr\r nl\n \u0007 \u001f", "é ü 中文 \ud83d\ude00 \u2028", "$\\frac{1}{2}$", "\"}]},{\"");
        for (String text : texts) {
            CompletionResponse written = new CompletionResponse("cmpl-1", CompletionResponse.OBJECT, 17, "m",
                    List.of(new CompletionChoice(0, text, new CompletionLogprobs(List.of("a", "b"),
                            Arrays.asList(-0.25, null, -1.0E-7, Double.NEGATIVE_INFINITY),
                            List.of(java.util.Map.of("a", -0.1)), List.of(0, 1)), null, null, List.of(5, 151_935))),
                    null, null, 3L);
            assertSame(JSON.writeValueAsString(written));
        }
    }

    @Test
    void readsOtherShapesAsTheDataBindingDoes() throws Exception {
        for (String event : List.of(
                "{\"choices\":[{\"text\":\"a\",\"index\":0,\"finish_reason\":\"stop\",\"stop_reason\":\"</tool_call>\","
                        + "\"token_ids\":[1,2]}]}",
                "{ \"policy_version\" : 12 , \"choices\" : [ { \"stop_reason\" : 151645 , \"finish_reason\" : \"stop\""
                        + " , \"text\" : null , \"logprobs\" : null , \"token_ids\" : null } ] , \"usage\" : null }",
                "{\"id\":\"x\",\"extra\":{\"nested\":[1,{\"a\":\"}\"}],\"s\":\"\\\"]\"},\"choices\":[],\"created\":1}",
                "{\"choices\":[{\"index\":1,\"text\":\"\\u00e9\\ud83d\\ude00\\/\\n\",\"logprobs\":{\"token_logprobs\":"
                        + "[-1.5e-3,null,\"NaN\",-2],\"top_logprobs\":null},\"token_ids\":[7]}],\"policy_version\":null}",
                "{\"choices\":null}",
                "{\"\\u0063hoices\":[{\"text\":\"escaped name\"}]}",
                "{}")) {
            assertSame(event);
        }
    }

    @Test
    void readsTheErrorMessage() throws Exception {
        assertEquals("engine failed", CompletionEventScanner.scan(
                bytes("{\"error\":{\"message\":\"engine failed\",\"type\":\"x\",\"code\":null}}")).errorMessage());
        assertEquals("", CompletionEventScanner.scan(bytes("{\"error\":{\"type\":\"x\"}}")).errorMessage());
        assertNull(CompletionEventScanner.scan(bytes("{\"error\":null,\"choices\":[]}")).errorMessage());
    }

    @Test
    void refusesWhatIsNotAnEvent() {
        for (String bad : List.of("", "[1]", "{\"choices\":[{\"text\":\"unterminated}]}", "{\"choices\":[{]}",
                "{\"choices\":[{\"text\":\"bad \\q escape\"}]}", "{\"choices\":[{\"token_ids\":[1,]}]}")) {
            assertThrows(CompletionEventScanner.MalformedEventException.class,
                    () -> CompletionEventScanner.scan(bytes(bad)), bad);
        }
    }

    /** The scanner's event equals the data binding's, field by field (the fields the loop reads). */
    private static void assertSame(String event) throws Exception {
        CompletionResponse expected = JSON.readValue(event, CompletionResponse.class);
        CompletionEventScanner.Event actual = CompletionEventScanner.scan(bytes(event));
        assertEquals(expected.policyVersion(), actual.policyVersion(), event);
        if (expected.choices() == null) {
            assertNull(actual.choices(), event);
            return;
        }
        assertEquals(expected.choices().size(), actual.choices().size(), event);
        for (int i = 0; i < expected.choices().size(); i++) {
            CompletionChoice e = expected.choices().get(i);
            CompletionChoice a = actual.choices().get(i);
            assertEquals(e.index(), a.index(), event);
            assertEquals(e.text(), a.text(), event);
            assertEquals(e.finishReason(), a.finishReason(), event);
            assertEquals(e.stopReason(), a.stopReason(), event);
            assertEquals(e.tokenIds(), a.tokenIds(), event);
            assertEquals(e.logprobs() == null ? null : e.logprobs().tokenLogprobs(),
                    a.logprobs() == null ? null : a.logprobs().tokenLogprobs(), event);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

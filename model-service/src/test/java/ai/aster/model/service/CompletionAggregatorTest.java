package ai.aster.model.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.aster.protocol.openai.CompletionChoice;
import ai.aster.protocol.openai.CompletionLogprobs;
import ai.aster.protocol.openai.CompletionResponse;
import ai.aster.protocol.openai.Usage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompletionAggregatorTest {

    private static CompletionResponse chunk(List<CompletionChoice> choices, Usage usage, List<Integer> prompt) {
        return new CompletionResponse("c", CompletionResponse.OBJECT, 1, "m", choices, usage, prompt, 3L);
    }

    @Test
    void concatenatesEachChoiceInOrder() {
        CompletionAggregator a = new CompletionAggregator();
        a.add(chunk(List.of(
                new CompletionChoice(0, "Hel", new CompletionLogprobs(List.of("Hel"), List.of(-0.5),
                        List.of(Map.of("Hel", -0.5)), List.of(0)), null, null, List.of(1)),
                new CompletionChoice(1, "A", null, null, null, List.of(7))), null, List.of(4, 5)));
        a.add(chunk(List.of(
                new CompletionChoice(0, "lo", new CompletionLogprobs(List.of("lo"), List.of(-0.25),
                        List.of(Map.of("lo", -0.25)), List.of(3)), "stop", "</s>", List.of(2))), null, null));
        a.add(chunk(List.of(new CompletionChoice(1, "B", null, "length", null, List.of(8))), null, null));
        a.add(chunk(List.of(), Usage.of(2, 4), null));
        CompletionResponse r = a.result(0);
        assertEquals("Hello", r.choices().get(0).text());
        assertEquals(List.of(1, 2), r.choices().get(0).tokenIds());
        assertEquals(List.of(-0.5, -0.25), r.choices().get(0).logprobs().tokenLogprobs());
        assertEquals(List.of(0, 3), r.choices().get(0).logprobs().textOffset());
        assertEquals("stop", r.choices().get(0).finishReason());
        assertEquals("</s>", r.choices().get(0).stopReason());
        assertEquals("AB", r.choices().get(1).text());
        assertNull(r.choices().get(1).logprobs());
        assertEquals("length", r.choices().get(1).finishReason());
        assertEquals(List.of(4, 5), r.promptTokenIds());
        assertEquals(6, r.usage().totalTokens());
        assertEquals(3L, r.policyVersion());
    }

    @Test
    void countsUsageFromTokenIdsWhenNoneWasReported() {
        CompletionAggregator a = new CompletionAggregator();
        a.add(chunk(List.of(new CompletionChoice(0, "x", null, "length", null, List.of(1, 2, 3))), null, null));
        assertEquals(Usage.of(5, 3), a.result(5).usage());
    }

    @Test
    void tokensWithoutLogprobsGetNullNeverAMadeUpValue() {
        CompletionAggregator a = new CompletionAggregator();
        a.add(chunk(List.of(new CompletionChoice(0, "a", new CompletionLogprobs(List.of("a"), List.of(-0.5), null,
                List.of(0)), null, null, List.of(1))), null, null));
        a.add(chunk(List.of(new CompletionChoice(0, "bc", null, null, null, List.of(2, 3))), null, null));
        a.add(chunk(List.of(new CompletionChoice(0, "d", new CompletionLogprobs(List.of("d"), List.of(-0.1), null,
                List.of(3)), "length", null, List.of(4))), null, null));
        CompletionResponse r = a.result(0);
        assertEquals(List.of(1, 2, 3, 4), r.choices().get(0).tokenIds());
        assertEquals(java.util.Arrays.asList(-0.5, null, null, -0.1), r.choices().get(0).logprobs().tokenLogprobs());
    }

    @Test
    void theVersionsOfAResponseThatSpansASwapAreKept() {
        CompletionAggregator a = new CompletionAggregator();
        a.add(new CompletionResponse("c", CompletionResponse.OBJECT, 1, "m",
                List.of(new CompletionChoice(0, "a", null, null, null, List.of(1))), null, null, 3L, null));
        a.add(new CompletionResponse("c", CompletionResponse.OBJECT, 1, "m",
                List.of(new CompletionChoice(0, "b", null, "length", null, List.of(2))), null, null, 4L,
                List.of(3L, 4L)));
        CompletionResponse r = a.result(0);
        assertEquals(4L, r.policyVersion(), "the version of the last token");
        assertEquals(List.of(3L, 4L), r.policyVersions());
    }
}

package ai.aster.model.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ReasoningSplitterTest {

    /** Feeds the pieces, then finishes; returns {reasoning, content}. */
    private static String[] run(boolean promptOpens, String... pieces) {
        ReasoningSplitter s = new ReasoningSplitter(promptOpens);
        StringBuilder reasoning = new StringBuilder();
        StringBuilder content = new StringBuilder();
        for (String p : pieces) {
            ReasoningSplitter.Split split = s.feed(p);
            reasoning.append(split.reasoning());
            content.append(split.content());
        }
        ReasoningSplitter.Split last = s.finish();
        reasoning.append(last.reasoning());
        content.append(last.content());
        return new String[] {reasoning.toString(), content.toString()};
    }

    @Test
    void splitsThinkingFromTheAnswerWhateverTheTokenBoundaries() {
        String[] whole = run(false, "<think>\nx is 4\n</think>\n\nThe answer is 4.");
        assertEquals("x is 4\n", whole[0]);
        assertEquals("The answer is 4.", whole[1]);
        String[] pieces = run(false, "<th", "ink>", "\nx is", " 4\n</th", "ink", ">\n", "\nThe answer", " is 4.");
        assertEquals(whole[0], pieces[0]);
        assertEquals(whole[1], pieces[1]);
    }

    @Test
    void withoutThinkingEverythingIsContent() {
        String[] r = run(false, "The ", "answer < 5 </think> odd");
        assertEquals("", r[0]);
        assertEquals("The answer < 5 </think> odd", r[1]);
    }

    @Test
    void aPromptThatOpensThinkingStartsInside() {
        String[] r = run(true, "step 1", "</think>", "42");
        assertEquals("step 1", r[0]);
        assertEquals("42", r[1]);
    }

    @Test
    void unfinishedThinkingStaysReasoning() {
        String[] r = run(false, "<think>still going </th");
        assertEquals("still going </th", r[0]);
        assertEquals("", r[1]);
    }
}

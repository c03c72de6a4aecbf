package ai.aster.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageAssemblerTest {

    private final List<String> events = new ArrayList<>();
    private final MessageAssembler assembler = new MessageAssembler(new TrajectoryEvents() {
        @Override
        public void reasoning(String delta) {
            events.add("R:" + delta);
        }

        @Override
        public void content(String delta) {
            events.add("C:" + delta);
        }
    });

    private void feedInPieces(String text, int size) {
        for (int i = 0; i < text.length(); i += size) {
            assembler.feed(text.substring(i, Math.min(text.length(), i + size)));
        }
    }

    @Test
    void thinkingStreamsLiveEvenWhenTagsAreSplitAcrossChunks() {
        assembler.startTurn(false);
        feedInPieces("<think>\nabc\n</think>\n\nThe answer.", 2);
        // nothing of the answer is emitted before the turn ends: it could still turn into a tool call
        assertEquals("\nabc\n", String.join("", events).replace("R:", ""));
        assembler.endTurn(-1, true);
        assertEquals("\nabc\n", assembler.reasoning());
        assertEquals("The answer.", assembler.content());
        assertEquals("C:The answer.", events.get(events.size() - 1));
    }

    @Test
    void proseBeforeAToolCallIsReasoningAndTheCallItselfIsNeither() {
        String turn = "<think>t1</think>Let me compute.\n<tool_call>{...}</tool_call>";
        assembler.startTurn(false);
        feedInPieces(turn, 3);
        assembler.endTurn(turn.indexOf("<tool_call>"), false);
        assembler.startTurn(false);
        feedInPieces("<think>t2</think>\n\nDone: 5", 4);
        assembler.endTurn(-1, true);
        assertEquals("t1Let me compute.\nt2", assembler.reasoning());
        assertEquals("Done: 5", assembler.content());
    }

    @Test
    void aThinkOpenedByThePromptIsClosedByTheModel() {
        assembler.startTurn(true);
        feedInPieces("pondering</think>\n\n42", 5);
        assembler.endTurn(-1, true);
        assertEquals("pondering", assembler.reasoning());
        assertEquals("42", assembler.content());
    }

    @Test
    void aClosingTagWithoutAnOpeningOneMeansEverythingBeforeWasThinking() {
        assembler.startTurn(false);
        feedInPieces("implicit thought</think>answer", 1);
        assembler.endTurn(-1, true);
        assertEquals("implicit thought", assembler.reasoning());
        assertEquals("answer", assembler.content());
    }

    @Test
    void theEndOfTurnTokensTextIsNotPartOfTheAnswer() {
        assembler.startTurn(false);
        feedInPieces("<think>x</think>\n\nDone.<|im_end|>", 3);
        assembler.endTurn(-1, true);
        assertEquals("Done.", assembler.content());
    }

    @Test
    void anAnswerWithoutThinkingHasNoReasoning() {
        assembler.startTurn(false);
        assembler.feed("Just <b>bold</b> text with a lone < sign");
        assembler.endTurn(-1, true);
        assertNull(assembler.reasoning());
        assertEquals("Just <b>bold</b> text with a lone < sign", assembler.content());
    }

    @Test
    void theEmittedDeltasConcatenateToTheFinalMessage() {
        String[] turns = {"<think>a</think>b<tool_call>x</tool_call>", "<think>c</think>d"};
        assembler.startTurn(false);
        feedInPieces(turns[0], 1);
        assembler.endTurn(turns[0].indexOf("<tool_call>"), false);
        assembler.startTurn(false);
        feedInPieces(turns[1], 1);
        assembler.endTurn(-1, true);
        StringBuilder r = new StringBuilder();
        StringBuilder c = new StringBuilder();
        events.forEach(e -> (e.startsWith("R:") ? r : c).append(e.substring(2)));
        assertEquals(assembler.reasoning(), r.toString());
        assertEquals(assembler.content(), c.toString());
    }
}

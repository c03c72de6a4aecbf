package ai.aster.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageAssemblerTest {

    private final List<String> events = new ArrayList<>();
    private final MessageAssembler assembler = recording(events, false);
    private final List<String> answerEvents = new ArrayList<>();
    private final MessageAssembler answers = recording(answerEvents, true); // tool calling off

    /** An assembler whose reasoning and content deltas are added to {@code into} as "R:..." and "C:...". */
    private static MessageAssembler recording(List<String> into, boolean answersOnly) {
        return new MessageAssembler(new TrajectoryEvents() {
            @Override
            public void reasoning(String delta) {
                into.add("R:" + delta);
            }

            @Override
            public void content(String delta) {
                into.add("C:" + delta);
            }
        }, answersOnly);
    }

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

    @Test
    void withToolCallingOffTheAnswerStreamsAsItDecodes() {
        answers.startTurn(false);
        answers.feed("<think>x</think>\n\nThe ans");
        assertEquals(List.of("R:x", "C:The ans"), answerEvents);
        answers.feed("wer.  <|im_"); // what the end could strip is held: the blanks, a partial end-of-turn text
        assertEquals(List.of("R:x", "C:The ans", "C:wer."), answerEvents);
        answers.feed("end|>");
        answers.endTurn(-1, true);
        assertEquals(List.of("R:x", "C:The ans", "C:wer."), answerEvents);
        assertEquals("The answer.", answers.content());
    }

    @Test
    void withToolCallingOffTextBeforeAnyThinkingTagIsHeldForItCouldBeThinking() {
        answers.startTurn(false);
        answers.feed("an implicit thought");
        assertEquals(List.of(), answerEvents);
        answers.feed("</think>answer");
        assertEquals(List.of("R:an implicit thought", "C:answer"), answerEvents);
        answers.endTurn(-1, true);
        assertEquals("answer", answers.content());
    }

    /** Streamed as it decodes or emitted at the turn's end, in any pieces: the same reasoning and content. */
    @Test
    void theStreamedAnswerIsTheAnswerEmittedAtTheEnd() {
        String[] turns = {"<think>t</think>\n\n  Done.<|im_end|>", "<think>t</think>a <|im_end|> b\n<|im_end|>\n",
            "<think>t</think>x <|im", "<think>t</think>x<|im_end|y", "no tags at all\n<|endoftext|>",
            "implicit</think>answer  ", "pre <think>t</think> post", "<think>a</think>one<think>b</think> two ",
            "<think>t</think>\n\n\n", "<think>t</think><|im_end|>x \t<|endoftext|> <|im_end|>", ""};
        for (String turn : turns) {
            for (boolean startsInThink : new boolean[] {false, true}) {
                MessageAssembler atEnd = recording(new ArrayList<>(), false);
                atEnd.startTurn(startsInThink);
                atEnd.feed(turn);
                atEnd.endTurn(-1, true);
                for (int size = 1; size <= 4; size++) {
                    List<String> live = new ArrayList<>();
                    MessageAssembler streamed = recording(live, true);
                    streamed.startTurn(startsInThink);
                    for (int i = 0; i < turn.length(); i += size) {
                        streamed.feed(turn.substring(i, Math.min(turn.length(), i + size)));
                    }
                    streamed.endTurn(-1, true);
                    String at = turn + " (starts in thinking: " + startsInThink + ", pieces of " + size + ")";
                    assertEquals(atEnd.content(), streamed.content(), at);
                    assertEquals(atEnd.reasoning(), streamed.reasoning(), at);
                    StringBuilder c = new StringBuilder();
                    live.stream().filter(e -> e.startsWith("C:")).forEach(e -> c.append(e.substring(2)));
                    assertEquals(streamed.content(), c.toString(), at);
                }
            }
        }
    }
}

package ai.aster.model.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Stop-string detection and hold-back, on plain text. */
class OutputProcessorTest {

    @Test
    void findsTheEarliestStopStringInTheNewText() {
        StringBuilder text = new StringBuilder("abc</tool_call>def STOP");
        assertArrayEquals(new int[] {3, 0}, OutputProcessor.findStop(text, 0, List.of("</tool_call>", "STOP")));
        assertArrayEquals(new int[] {19, 1}, OutputProcessor.findStop(text, 16, List.of("</tool_call>", "STOP")));
    }

    @Test
    void findsAStopStringThatBeganInEarlierText() {
        // "</tool" came with an earlier token, "_call>" with this one: new text starts at 9
        StringBuilder text = new StringBuilder("xyz</tool_call>");
        assertArrayEquals(new int[] {3, 0}, OutputProcessor.findStop(text, 9, List.of("</tool_call>")));
        assertNull(OutputProcessor.findStop(new StringBuilder("no stop here"), 0, List.of("</tool_call>")));
    }

    @Test
    void holdsBackTextThatCouldStillBecomeAStopString() {
        assertEquals(6, OutputProcessor.holdBack("answer </tool", List.of("</tool_call>")));
        assertEquals(1, OutputProcessor.holdBack("answer <", List.of("</tool_call>", "<|im_end|>")));
        assertEquals(0, OutputProcessor.holdBack("answer", List.of("</tool_call>")));
        assertEquals(0, OutputProcessor.holdBack("anything", List.of()));
    }
}

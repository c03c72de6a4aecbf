package ai.aster.protocol.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class BoxedAnswerTest {

    @Test
    void takesTheLastBoxWithNestedBraces() {
        assertEquals(Optional.of("\\frac{1}{2}"), BoxedAnswer.last("try \\boxed{3}, no: \\boxed{\\frac{1}{2}}."));
        assertEquals(Optional.of("\\{1, 2\\}"), BoxedAnswer.last("$\\boxed{\\{1, 2\\}}$"));
        assertEquals(Optional.of("x^{2^{3}}"), BoxedAnswer.last("\\boxed{ x^{2^{3}} }"));
    }

    @Test
    void acceptsFboxAndTheSpaceForm() {
        assertEquals(Optional.of("7"), BoxedAnswer.last("\\fbox{7}"));
        assertEquals(Optional.of("5"), BoxedAnswer.last("so $\\boxed 5$"));
    }

    @Test
    void noOrUnbalancedBoxIsEmpty() {
        assertEquals(Optional.empty(), BoxedAnswer.last("the answer is 4"));
        assertEquals(Optional.empty(), BoxedAnswer.last("\\boxed{\\frac{1}{2}"));
        assertEquals(Optional.empty(), BoxedAnswer.last(null));
        // an unbalanced last box falls back to an earlier complete one
        assertEquals(Optional.of("3"), BoxedAnswer.last("\\boxed{3} then \\boxed{4"));
    }
}

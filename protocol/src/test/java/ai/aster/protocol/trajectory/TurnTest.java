package ai.aster.protocol.trajectory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TurnTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void anUnknownLogprobIsNullOnTheWireAndTheTurnSaysItIsIncomplete() throws Exception {
        Turn turn = new Turn("ab", List.of(1, 2), Arrays.asList(-0.5, null), "stop", null, null);
        assertFalse(turn.logprobsComplete());
        JsonNode node = json.readTree(json.writeValueAsString(turn));
        assertTrue(node.get("completion_logprobs").get(1).isNull());
        assertEquals(-0.5, node.get("completion_logprobs").get(0).asDouble());
        assertFalse(node.get("logprobs_complete").asBoolean(true));

        Turn back = json.readValue(node.toString(), Turn.class);
        assertNull(back.completionLogprobs().get(1));
        assertFalse(back.logprobsComplete());
    }

    @Test
    void everyLogprobKnownIsComplete() throws Exception {
        Turn turn = new Turn("ab", List.of(1, 2), List.of(-0.5, -0.1), "stop", null, null);
        assertTrue(turn.logprobsComplete());
        assertTrue(json.readTree(json.writeValueAsString(turn)).get("logprobs_complete").asBoolean());
        assertFalse(new Turn("ab", List.of(1, 2), List.of(-0.5), "stop", null, null).logprobsComplete());
    }
}

package ai.aster.gateway.service;

import ai.aster.protocol.openai.ToolCall;
import ai.aster.protocol.openai.ToolTraceEntry;

/**
 * What a trajectory produces as it runs, in order: the streaming response forwards these as deltas; the
 * non-streaming one ignores them (its message is assembled from the same pieces, so both agree).
 */
public interface TrajectoryEvents {

    TrajectoryEvents NONE = new TrajectoryEvents() {
        @Override
        public boolean live() {
            return false;
        }
    };

    /**
     * Whether deltas are wanted as the model decodes. When false (a non-streaming response), the loop splits each
     * turn into reasoning and content once, at the turn's end, instead of on every token.
     */
    default boolean live() {
        return true;
    }

    /** The first generated text of the trajectory arrived (for time to first token). */
    default void firstText() {}

    /** Thinking text, as it decodes. */
    default void reasoning(String delta) {}

    /** Answer text (the final turn's text outside thinking). */
    default void content(String delta) {}

    /** One server-side code execution (or malformed call) finished. */
    default void toolTrace(ToolTraceEntry entry) {}

    /** The model called a client-declared function: the client runs it. */
    default void toolCall(ToolCall call) {}

    /** Back-pressure of the client these events go to. */
    default OutputGate gate() {
        return OutputGate.OPEN;
    }
}

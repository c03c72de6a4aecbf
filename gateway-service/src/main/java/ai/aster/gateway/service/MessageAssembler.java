package ai.aster.gateway.service;

import ai.aster.protocol.chat.ChatFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a trajectory's generated text into the response message as it decodes: text inside
 * {@code <think>...</think>} is reasoning (forwarded live); the rest of a turn is held until the turn ends,
 * because only then is it known whether a tool call follows (then it is reasoning too) or the turn was the
 * answer (then it is content). Streaming and non-streaming responses are both built from what this emits, so
 * they always agree.
 * <p>In a trajectory that makes no tool calls ({@code answersOnly}) text outside thinking is the answer, and it is
 * forwarded as content as it decodes once a thinking tag has been seen in the turn (or the prompt opened thinking).
 * Before that it is held: a model may think without the opening tag, and a later {@code </think>} makes all of it
 * reasoning. Only what the turn's end could still strip is held back (whitespace, end-of-turn texts), so the
 * content is the same string as when it is emitted at the end.
 */
final class MessageAssembler {

    private static final String OPEN = ChatFormat.THINK_OPEN;
    private static final String CLOSE = ChatFormat.THINK_CLOSE;

    private final TrajectoryEvents events;
    private final boolean answersOnly;
    private final StringBuilder reasoning = new StringBuilder();
    private final StringBuilder content = new StringBuilder();

    // per turn
    private final StringBuilder pending = new StringBuilder(); // raw text not yet classified (a partial tag)
    private final List<Segment> outside = new ArrayList<>();   // text outside thinking, with its raw offset
    private int consumed;                                      // raw offset of pending's first char
    private boolean inThink;
    private boolean sawTag;
    private final StringBuilder answer = new StringBuilder(); // answersOnly: answer text not yet emitted
    private boolean answerBegun;                              // answersOnly: content emitted in this turn

    private record Segment(int rawStart, String text) {}

    /** @param answersOnly no turn of the trajectory can end in a tool call (tool calling is off) */
    MessageAssembler(TrajectoryEvents events, boolean answersOnly) {
        this.events = events;
        this.answersOnly = answersOnly;
    }

    /** @param startsInThink the prompt ends with an open {@code <think>} (a template that opens it for the model) */
    void startTurn(boolean startsInThink) {
        pending.setLength(0);
        outside.clear();
        consumed = 0;
        inThink = startsInThink;
        sawTag = startsInThink;
        answer.setLength(0);
        answerBegun = false;
    }

    void feed(String delta) {
        if (delta != null && !delta.isEmpty()) {
            pending.append(delta);
            drain(false);
        }
    }

    /**
     * Ends a turn. Text outside thinking before {@code callStart} (a raw offset in the turn's text, or -1 for
     * no call) goes to reasoning when a server-side call follows, to content when the turn answers.
     */
    void endTurn(int callStart, boolean toContent) {
        drain(true);
        if (answersOnly) {
            if (!toContent || callStart >= 0) {
                throw new IllegalStateException("a turn of a trajectory without tool calls ended in one");
            }
            // text held because no tag was seen (it could have been thinking), then the answer's unfinished end
            releaseOutside();
            emitContent(withoutEndOfTurn(answer.toString()));
            answer.setLength(0);
            return;
        }
        StringBuilder before = new StringBuilder();
        for (Segment s : outside) {
            if (callStart < 0 || s.rawStart + s.text.length() <= callStart) {
                before.append(s.text);
            } else if (s.rawStart < callStart) {
                before.append(s.text, 0, callStart - s.rawStart);
            }
        }
        outside.clear();
        if (toContent) {
            emitContent(withoutEndOfTurn(before.toString()).strip());
        } else if (!before.toString().isBlank()) {
            emitReasoning(before.toString());
        }
    }

    /**
     * A model service asked to keep stop strings in the text may keep the end-of-turn token's text too
     * ({@code <|im_end|>}): it belongs to the token sequence, not to the answer.
     */
    private static String withoutEndOfTurn(String text) {
        return ChatFormat.withoutEndOfTurn(text);
    }

    String reasoning() {
        return reasoning.isEmpty() ? null : reasoning.toString();
    }

    String content() {
        return content.toString();
    }

    private void drain(boolean atEnd) {
        while (!pending.isEmpty()) {
            String p = pending.toString();
            if (inThink) {
                int close = p.indexOf(CLOSE);
                if (close >= 0) {
                    emitReasoning(p.substring(0, close));
                    consume(close + CLOSE.length());
                    inThink = false;
                    continue;
                }
                int keep = atEnd ? 0 : partialSuffix(p, CLOSE);
                emitReasoning(p.substring(0, p.length() - keep));
                consume(p.length() - keep);
                return;
            }
            int open = p.indexOf(OPEN);
            int close = p.indexOf(CLOSE);
            if (close >= 0 && (open < 0 || close < open)) {
                if (!sawTag) {
                    // thinking was opened by the prompt: everything so far in this turn was thinking
                    StringBuilder thought = new StringBuilder();
                    outside.forEach(s -> thought.append(s.text));
                    outside.clear();
                    emitReasoning(thought + p.substring(0, close));
                } else {
                    addOutside(p.substring(0, close));
                }
                sawTag = true;
                consume(close + CLOSE.length());
                continue;
            }
            if (open >= 0) {
                addOutside(p.substring(0, open));
                consume(open + OPEN.length());
                inThink = true;
                sawTag = true;
                releaseOutside(); // text before the first tag was not thinking: it is the answer's start
                continue;
            }
            int keep = atEnd ? 0 : Math.max(partialSuffix(p, OPEN), partialSuffix(p, CLOSE));
            addOutside(p.substring(0, p.length() - keep));
            consume(p.length() - keep);
            return;
        }
    }

    private void addOutside(String text) {
        if (text.isEmpty()) {
            return;
        }
        if (answersOnly && sawTag) {
            answer(text);
        } else {
            outside.add(new Segment(consumed, text));
        }
    }

    /** answersOnly: the held text outside thinking is the answer after all. */
    private void releaseOutside() {
        if (answersOnly) {
            outside.forEach(s -> answer(s.text));
            outside.clear();
        }
    }

    /**
     * answersOnly: emits the answer text that is final: not leading whitespace (the answer is stripped), not what the
     * turn's end could still strip ({@link ChatFormat#trailingEndOfTurnRun}).
     */
    private void answer(String text) {
        answer.append(text);
        if (!answerBegun) {
            int start = 0;
            while (start < answer.length() && Character.isWhitespace(answer.charAt(start))) {
                start++;
            }
            answer.delete(0, start);
        }
        int end = ChatFormat.trailingEndOfTurnRun(answer);
        if (end > 0) {
            emitContent(answer.substring(0, end));
            answer.delete(0, end);
            answerBegun = true;
        }
    }

    private void consume(int n) {
        pending.delete(0, n);
        consumed += n;
    }

    /** Length of the longest suffix of {@code text} that is a proper prefix of {@code tag}. */
    private static int partialSuffix(String text, String tag) {
        for (int k = Math.min(tag.length() - 1, text.length()); k > 0; k--) {
            if (text.regionMatches(text.length() - k, tag, 0, k)) {
                return k;
            }
        }
        return 0;
    }

    private void emitReasoning(String text) {
        if (!text.isEmpty()) {
            reasoning.append(text);
            events.reasoning(text);
        }
    }

    private void emitContent(String text) {
        if (!text.isEmpty()) {
            content.append(text);
            events.content(text);
        }
    }
}

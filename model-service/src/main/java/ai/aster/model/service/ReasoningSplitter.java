package ai.aster.model.service;

/**
 * Splits a Qwen3 answer into thinking ({@code reasoning_content}) and answer ({@code content}) as it streams:
 * thinking is what follows a leading {@code <think>} (or everything, when the prompt itself ended inside
 * {@code <think>}) up to {@code </think>}; text that could still be the start of a tag is held back. Streamed and
 * whole answers go through the same splitter, so they agree.
 */
final class ReasoningSplitter {

    private static final String OPEN = "<think>";
    private static final String CLOSE = "</think>";

    private enum State { START, THINKING, ANSWER_LEAD, ANSWER }

    /** What one piece of text adds to each part. */
    record Split(String reasoning, String content) {}

    private State state;
    private final StringBuilder pending = new StringBuilder();
    private boolean reasoningStarted;

    /** @param promptOpensThinking the rendered prompt ends with {@code <think>}: the model starts inside it */
    ReasoningSplitter(boolean promptOpensThinking) {
        this.state = promptOpensThinking ? State.THINKING : State.START;
    }

    Split feed(String text) {
        pending.append(text);
        StringBuilder reasoning = new StringBuilder();
        StringBuilder content = new StringBuilder();
        boolean progress = true;
        while (progress) {
            progress = false;
            switch (state) {
                case START -> {
                    String t = pending.toString().stripLeading();
                    if (t.startsWith(OPEN)) {
                        pending.setLength(0);
                        pending.append(t.substring(OPEN.length()));
                        state = State.THINKING;
                        progress = true;
                    } else if (!OPEN.startsWith(t)) {
                        content.append(pending);
                        pending.setLength(0);
                        state = State.ANSWER;
                    }
                }
                case THINKING -> {
                    if (!reasoningStarted) {
                        String t = pending.toString().stripLeading();
                        pending.setLength(0);
                        pending.append(t);
                        if (t.isEmpty()) {
                            break;
                        }
                        reasoningStarted = true;
                    }
                    int end = pending.indexOf(CLOSE);
                    if (end >= 0) {
                        reasoning.append(pending, 0, end);
                        pending.delete(0, end + CLOSE.length());
                        state = State.ANSWER_LEAD;
                        progress = true;
                    } else {
                        int keep = partialTag(pending);
                        reasoning.append(pending, 0, pending.length() - keep);
                        pending.delete(0, pending.length() - keep);
                    }
                }
                case ANSWER_LEAD -> {
                    String t = pending.toString().stripLeading();
                    pending.setLength(0);
                    if (!t.isEmpty()) {
                        content.append(t);
                        state = State.ANSWER;
                    }
                }
                case ANSWER -> {
                    content.append(pending);
                    pending.setLength(0);
                }
            }
        }
        return new Split(reasoning.toString(), content.toString());
    }

    /** The end of the answer: what was held back goes where it was heading. */
    Split finish() {
        String rest = pending.toString();
        pending.setLength(0);
        return switch (state) {
            case START, ANSWER -> new Split("", rest);
            case THINKING -> new Split(rest, "");
            case ANSWER_LEAD -> new Split("", "");
        };
    }

    /** Length of the longest suffix of {@code text} that is a proper prefix of {@code </think>}. */
    private static int partialTag(StringBuilder text) {
        for (int k = Math.min(CLOSE.length() - 1, text.length()); k > 0; k--) {
            if (text.substring(text.length() - k).equals(CLOSE.substring(0, k))) {
                return k;
            }
        }
        return 0;
    }
}

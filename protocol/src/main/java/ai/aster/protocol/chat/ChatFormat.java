package ai.aster.protocol.chat;

import java.util.List;

/**
 * The literal markup of the Qwen3 / Hermes chat format as it appears in generated text: thinking tags, tool-call
 * tags, end-of-turn tokens. The one place these strings live outside the modeling library's own chat template, so
 * the parser, the message assembler and the tool-result renderer agree on them.
 */
public final class ChatFormat {

    public static final String THINK_OPEN = "<think>";
    public static final String THINK_CLOSE = "</think>";
    public static final String TOOL_CALL_OPEN = "<tool_call>";
    public static final String TOOL_CALL_CLOSE = "</tool_call>";
    public static final String TOOL_RESPONSE_OPEN = "<tool_response>";
    public static final String TOOL_RESPONSE_CLOSE = "</tool_response>";
    public static final String IM_START = "<|im_start|>";
    public static final String IM_END = "<|im_end|>";
    public static final String END_OF_TEXT = "<|endoftext|>";
    /** Texts of the tokens that end an assistant turn, which an engine may leave in its output text. */
    public static final List<String> END_OF_TURN = List.of(IM_END, END_OF_TEXT);

    private ChatFormat() {}

    /**
     * Where the text outside thinking begins: just after the last {@code </think>}, or 0 when the text has no
     * thinking; -1 when the text ends inside thinking (opened by the text, or by the prompt when
     * {@code startsInThink}, and not closed).
     */
    public static int afterThinking(String text, boolean startsInThink) {
        int close = text.lastIndexOf(THINK_CLOSE);
        int open = text.lastIndexOf(THINK_OPEN);
        if (open > close) {
            return -1; // a thought opened after the last close is still open
        }
        if (close >= 0) {
            return close + THINK_CLOSE.length();
        }
        return startsInThink ? -1 : 0;
    }

    /** Whether text (a rendered prompt or continuation) leaves a {@code <think>} open for the model. */
    public static boolean endsWithOpenThink(String text) {
        return text != null && text.stripTrailing().endsWith(THINK_OPEN);
    }

    /** The text without trailing end-of-turn token texts (and the whitespace around them). */
    public static String withoutEndOfTurn(String text) {
        String t = text.stripTrailing();
        boolean cut = true;
        while (cut) {
            cut = false;
            for (String eos : END_OF_TURN) {
                if (t.endsWith(eos)) {
                    t = t.substring(0, t.length() - eos.length()).stripTrailing();
                    cut = true;
                }
            }
        }
        return t;
    }

    /**
     * Where the part of {@code text} that {@link #withoutEndOfTurn} might still cut begins, were more text to come:
     * the trailing run of whitespace and end-of-turn texts, including a partial end-of-turn text at the very end.
     * Everything before it is final, whatever follows. For an answer streamed as it decodes.
     */
    public static int trailingEndOfTurnRun(CharSequence text) {
        int end = text.length() - partialEndOfTurn(text);
        boolean cut = true;
        while (cut && end > 0) {
            cut = false;
            if (Character.isWhitespace(text.charAt(end - 1))) {
                end--;
                cut = true;
                continue;
            }
            for (String eos : END_OF_TURN) {
                if (end >= eos.length() && text.subSequence(end - eos.length(), end).toString().equals(eos)) {
                    end -= eos.length();
                    cut = true;
                }
            }
        }
        return end;
    }

    /** Length of the longest suffix of {@code text} that is a proper prefix of an end-of-turn text. */
    private static int partialEndOfTurn(CharSequence text) {
        int longest = 0;
        for (String eos : END_OF_TURN) {
            for (int k = Math.min(eos.length() - 1, text.length()); k > longest; k--) {
                if (text.subSequence(text.length() - k, text.length()).toString().equals(eos.substring(0, k))) {
                    longest = k;
                    break;
                }
            }
        }
        return longest;
    }
}

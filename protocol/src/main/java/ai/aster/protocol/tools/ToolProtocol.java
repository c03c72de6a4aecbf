package ai.aster.protocol.tools;

import ai.aster.protocol.chat.ChatFormat;
import java.util.List;
import java.util.Locale;

/**
 * How a model calls tools in plain text: where decoding stops, how a call is parsed, how the result is shown.
 * The model service only decodes; the gateway applies the protocol.
 */
public interface ToolProtocol {

    /** "hermes" or "markdown". */
    String name();

    /** Stop strings that end a turn at the end of a tool call (kept in the output and in the model's context). */
    List<String> stopStrings();

    /** {@link #parse(String, boolean)} of a turn whose prompt did not open thinking. */
    default ToolCallParse parse(String completionText) {
        return parse(completionText, false);
    }

    /**
     * Parses the tool call a turn ended with, if any. Never throws. Only text outside thinking counts: the call
     * after the last {@code </think>} wins, and markup inside a thought (the model musing about a call) is text.
     *
     * @param startsInThink the prompt opened {@code <think>} for the model, so the turn starts inside thinking
     */
    default ToolCallParse parse(String completionText, boolean startsInThink) {
        if (completionText == null) {
            return ToolCallParse.NONE;
        }
        int from = ChatFormat.afterThinking(completionText, startsInThink);
        return from < 0 ? ToolCallParse.NONE : parseFrom(completionText, from);
    }

    /** Parses the call in {@code text} from offset {@code from} on (the text outside thinking); offsets index text. */
    ToolCallParse parseFrom(String text, int from);

    /**
     * Whether the protocol's tool results go through the chat template as a {@code tool} message (hermes), or are
     * appended to the text as they are (markdown's {@code ```output} block).
     */
    boolean resultViaChatTemplate();

    /** The text appended to the model's context for a result, when {@link #resultViaChatTemplate()} is false. */
    String wrapResult(String resultText);

    /** The protocol of that name (case-insensitive); unknown names are rejected. */
    static ToolProtocol named(String name) {
        return switch (name == null ? "" : name.toLowerCase(Locale.ROOT)) {
            case HermesProtocol.NAME -> new HermesProtocol();
            case MarkdownProtocol.NAME -> new MarkdownProtocol();
            default -> throw new IllegalArgumentException(
                    "unknown tool protocol '" + name + "': use 'hermes' or 'markdown'");
        };
    }
}

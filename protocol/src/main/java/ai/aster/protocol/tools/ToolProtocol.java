package ai.aster.protocol.tools;

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

    /** Parses the tool call a turn ended with, if any. Never throws. */
    ToolCallParse parse(String completionText);

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

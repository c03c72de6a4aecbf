package ai.aster.modeling;

import java.util.Arrays;

/**
 * Turns a stream of token ids into a stream of text, holding back bytes of a character that is not complete yet
 * (byte-level tokens can split a UTF-8 character). The concatenation of everything returned by {@link #next}
 * and {@link #flush} equals {@code tokenizer.decode(allIds)} for byte-level tokenizers. One per sequence.
 */
public final class IncrementalDecoder {

    private final Tokenizer tokenizer;
    private int[] ids = new int[16];
    private int size;
    private int prefixOffset; // start of the window decoded for context
    private int readOffset; // ids before this have been emitted

    public IncrementalDecoder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Appends one id and returns the text it completes (possibly empty). */
    public String next(int id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
        String prefix = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, readOffset));
        String full = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, size));
        if (full.length() > prefix.length() && !full.endsWith("\uFFFD")) {
            String text = full.substring(prefix.length());
            prefixOffset = readOffset;
            readOffset = size;
            return text;
        }
        return "";
    }

    /** Text still held back (an incomplete character at the end decodes as U+FFFD). */
    public String flush() {
        String prefix = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, readOffset));
        String full = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, size));
        prefixOffset = size;
        readOffset = size;
        return full.length() > prefix.length() ? full.substring(prefix.length()) : "";
    }
}

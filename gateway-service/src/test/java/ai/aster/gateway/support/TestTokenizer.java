package ai.aster.gateway.support;

import java.util.ArrayList;
import java.util.List;

/**
 * A deterministic tokenizer for the scripted model: Qwen3's atomic tokens ({@code <|im_start|>}, {@code <think>},
 * {@code </tool_call>} ...) get ids above the Unicode range, every other character is its code point. Like a real
 * tokenizer, special tokens in text become single ids, and decoding is exact.
 */
public final class TestTokenizer {

    public static final List<String> SPECIAL = List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>",
            "</think>", "<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>");
    public static final int SPECIAL_BASE = 2_000_000;
    public static final int IM_END = SPECIAL_BASE + SPECIAL.indexOf("<|im_end|>");

    private TestTokenizer() {}

    public static List<Integer> encode(String text) {
        List<Integer> ids = new ArrayList<>(text.length());
        int i = 0;
        outer:
        while (i < text.length()) {
            if (text.charAt(i) == '<') {
                for (int s = 0; s < SPECIAL.size(); s++) {
                    if (text.startsWith(SPECIAL.get(s), i)) {
                        ids.add(SPECIAL_BASE + s);
                        i += SPECIAL.get(s).length();
                        continue outer;
                    }
                }
            }
            int cp = text.codePointAt(i);
            ids.add(cp);
            i += Character.charCount(cp);
        }
        return ids;
    }

    public static String decode(List<Integer> ids) {
        StringBuilder out = new StringBuilder();
        for (int id : ids) {
            out.append(decode(id));
        }
        return out.toString();
    }

    public static String decode(int id) {
        return id >= SPECIAL_BASE ? SPECIAL.get(id - SPECIAL_BASE) : new String(Character.toChars(id));
    }
}

package ai.aster.modeling;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Learns byte-level BPE merges from a text corpus, compatible with Hugging Face's {@code ByteLevel} pre-tokenizer
 * (GPT-2 split regex) and {@code BPE} model: words are split like the pre-tokenizer splits them, mapped through
 * the byte-to-unicode table, and the most frequent adjacent pair is merged, repeatedly. Ties go to the pair that
 * sorts first, so the same corpus always gives the same merges. Digits are never merged: every digit stays its own
 * token, so a number is spelled the same way wherever it appears and a small model can copy it digit by digit
 * (Qwen's own pre-tokenizer splits digits one by one for the same reason).
 */
final class ByteLevelBpe {

    /** GPT-2's split, as the ByteLevel pre-tokenizer applies it with {@code use_regex: true}. */
    static final Pattern SPLIT = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

    private ByteLevelBpe() {
    }

    /** Up to {@code count} merges, each a pair of byte-level symbols, in rank order. */
    static List<String[]> train(String corpus, int count) {
        char[] byteMap = ModelInit.byteToUnicode();
        Map<String, Integer> wordCounts = new HashMap<>();
        Matcher m = SPLIT.matcher(corpus);
        while (m.find()) {
            byte[] bytes = m.group().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            StringBuilder w = new StringBuilder();
            for (byte b : bytes) {
                w.append(byteMap[b & 0xFF]);
            }
            wordCounts.merge(w.toString(), 1, Integer::sum);
        }
        List<List<String>> words = new ArrayList<>();
        List<Integer> freqs = new ArrayList<>();
        wordCounts.forEach((w, c) -> {
            List<String> symbols = new ArrayList<>();
            w.chars().forEach(ch -> symbols.add(String.valueOf((char) ch)));
            words.add(symbols);
            freqs.add(c);
        });
        List<String[]> merges = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            Map<String, Integer> pairs = new HashMap<>();
            for (int i = 0; i < words.size(); i++) {
                List<String> s = words.get(i);
                for (int j = 0; j + 1 < s.size(); j++) {
                    if (hasDigit(s.get(j)) || hasDigit(s.get(j + 1))) {
                        continue;
                    }
                    pairs.merge(s.get(j) + " " + s.get(j + 1), freqs.get(i), Integer::sum);
                }
            }
            String best = null;
            int bestCount = 1; // a pair seen once is not worth a token
            for (Map.Entry<String, Integer> e : pairs.entrySet()) {
                if (e.getValue() > bestCount || (e.getValue() == bestCount && best != null && e.getKey().compareTo(best) < 0)) {
                    best = e.getKey();
                    bestCount = e.getValue();
                }
            }
            if (best == null) {
                break;
            }
            String[] pair = best.split(" ", 2);
            merges.add(pair);
            String joined = pair[0] + pair[1];
            for (List<String> s : words) {
                for (int j = 0; j + 1 < s.size(); j++) {
                    if (s.get(j).equals(pair[0]) && s.get(j + 1).equals(pair[1])) {
                        s.set(j, joined);
                        s.remove(j + 1);
                    }
                }
            }
        }
        return merges;
    }

    private static boolean hasDigit(String symbol) {
        for (int i = 0; i < symbol.length(); i++) {
            char c = symbol.charAt(i);
            if (c >= '0' && c <= '9') {
                return true;
            }
        }
        return false;
    }
}

package ai.aster.modeling.jinja;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a template into text, output ({@code {{ }}}) and statement ({@code {% %}}) segments, applying Jinja's
 * whitespace control the way Hugging Face configures it: {@code -} markers, {@code trim_blocks} (drop the first
 * newline after a statement) and {@code lstrip_blocks} (drop spaces before a statement on its line). Comments go.
 */
final class JinjaLexer {

    enum Kind { TEXT, OUTPUT, STATEMENT }

    record Segment(Kind kind, String text, int line) {}

    private JinjaLexer() {
    }

    static List<Segment> lex(String src) {
        List<Segment> out = new ArrayList<>();
        int i = 0;
        int line = 1;
        boolean stripNextLeading = false; // a "-%}" / "-}}" asked to strip the following whitespace
        boolean trimNextNewline = false; // trim_blocks after a statement or comment
        while (i < src.length()) {
            int open = nextOpen(src, i);
            String text = open < 0 ? src.substring(i) : src.substring(i, open);
            if (stripNextLeading) {
                text = text.stripLeading();
            } else if (trimNextNewline && text.startsWith("\n")) {
                text = text.substring(1);
            } else if (trimNextNewline && text.startsWith("\r\n")) {
                text = text.substring(2);
            }
            if (open < 0) {
                add(out, text, line);
                break;
            }
            char kind = src.charAt(open + 1);
            boolean minusLeft = open + 2 < src.length() && src.charAt(open + 2) == '-';
            boolean plusLeft = open + 2 < src.length() && src.charAt(open + 2) == '+';
            if (minusLeft) {
                text = text.stripTrailing();
            } else if (kind != '{' && !plusLeft) {
                // lstrip_blocks: spaces and tabs between the line start and a statement or comment go
                int nl = text.lastIndexOf('\n');
                String tail = text.substring(nl + 1);
                if ((nl >= 0 || i == 0) && tail.chars().allMatch(c -> c == ' ' || c == '\t')) {
                    text = text.substring(0, nl + 1);
                }
            }
            add(out, text, line);
            line += count(src, i, open);
            String close = kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
            int end = src.indexOf(close, open + 2);
            if (end < 0) {
                throw new JinjaException("unclosed '" + src.substring(open, open + 2) + "' at line " + line);
            }
            int bodyStart = open + 2 + (minusLeft || plusLeft ? 1 : 0);
            boolean minusRight = end > bodyStart && src.charAt(end - 1) == '-';
            boolean plusRight = end > bodyStart && src.charAt(end - 1) == '+';
            String body = src.substring(bodyStart, end - (minusRight || plusRight ? 1 : 0)).strip();
            if (kind == '{') {
                out.add(new Segment(Kind.OUTPUT, body, line));
            } else if (kind == '%') {
                out.add(new Segment(Kind.STATEMENT, body, line));
            }
            line += count(src, open, end);
            stripNextLeading = minusRight;
            trimNextNewline = kind != '{' && !plusRight;
            i = end + 2;
        }
        return out;
    }

    private static int nextOpen(String src, int from) {
        int i = from;
        while (true) {
            int j = src.indexOf('{', i);
            if (j < 0 || j + 1 >= src.length()) {
                return -1;
            }
            char c = src.charAt(j + 1);
            if (c == '{' || c == '%' || c == '#') {
                return j;
            }
            i = j + 1;
        }
    }

    private static void add(List<Segment> out, String text, int line) {
        if (!text.isEmpty()) {
            out.add(new Segment(Kind.TEXT, text, line));
        }
    }

    private static int count(String s, int from, int to) {
        int n = 0;
        for (int k = from; k < to; k++) {
            if (s.charAt(k) == '\n') {
                n++;
            }
        }
        return n;
    }
}

package ai.aster.grading;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites extracted LaTeX into the subset {@link MathParser} reads: takes the {@code \boxed{}} content, drops
 * styling ({@code \left}, {@code \displaystyle}, {@code \!}, dollars), units ({@code \text{ cm}^2}, trailing unit
 * words), degrees, thousands separators ({@code 12{,}000}, {@code 1,000,000}), spelled-out percent and
 * "and"/"or" between answers, and fixes a doubled backslash. What it does follows Math-Verify's normalisation
 * (latex2sympy2_extended's {@code normalize_latex}); the rules here are this module's own.
 */
final class LatexNormalizer {

    /** How {@code \boxed{}} is unwrapped: every box joined by commas, or the last (with boxes listed before it). */
    enum Boxed { ALL, LAST }

    private static final Pattern LEFT_RIGHT = Pattern.compile(
            "\\\\(?:left|right|bigl|bigr|Bigl|Bigr|big|Big)\\s*(\\\\\\{|\\\\\\}|\\\\\\||\\\\langle|\\\\rangle|\\\\lvert|\\\\rvert|\\\\vert|[(\\[\\]|).])");
    private static final Pattern REMOVE = Pattern.compile(
            "\\\\!\\s*|\\\\displaystyle|\\\\textstyle|\\\\text\\s*\\{\\s*\\}|\\\\\\$|\\$|(?<!\\\\)[\"]|\\\\mathrm\\{th\\}|\\\\limits");
    private static final Pattern STYLE_TEXT = Pattern.compile("\\\\(?:mathrm|mathit|mathbf|mathsf|textnormal|textbf|textit|textrm|mbox|hbox)(?=\\s*\\{)");
    private static final Pattern FRAC = Pattern.compile("\\\\[dtc]frac(?![a-zA-Z])");
    private static final Pattern THOUSANDS_BRACE = Pattern.compile("(\\d)\\{,\\}(?=\\d{3})");
    private static final Pattern AND_OR = Pattern.compile(
            "(?:,?\\s*\\\\text\\s*\\{\\s*(?:and|or)\\s*\\}|(?<![a-zA-Z\\\\]),?\\s*\\b(?:and|or)\\b(?![a-zA-Z]))");
    private static final Pattern SPACES = Pattern.compile("(?<!\\\\)\\\\(?:quad|qquad|[,;: ])");
    private static final Pattern DEGREES = Pattern.compile("\\^\\s*\\{?\\s*\\\\circ\\s*\\}?|\\\\circ|°|\\\\degree(?![a-zA-Z])");
    private static final Pattern PERCENT_WORD = Pattern.compile(
            "\\s*\\\\text\\s*\\{\\s*(?:percent|percentage|pct)\\s*\\}|\\s*\\b(?:percentage|percent|pct)\\b");
    private static final Pattern UNIT_TEXT = Pattern.compile("\\\\text\\s*\\{[^{}]*\\}\\s*(?:\\^\\s*\\{?\\d\\}?)?\\s*$");
    private static final Pattern UNIT_WORD = Pattern.compile(
            "(?<=[\\d}\\s])\\s*(?:units?|cm|mm|km|m|kg|g|mg|meters?|metres?|miles?|feet|foot|ft|inch(?:es)?|yards?"
                    + "|hours?|hrs?|minutes?|mins?|seconds?|secs?|days?|weeks?|months?|years?|degrees?|deg|dollars?"
                    + "|cents?|sq|square|cubic|liters?|litres?|l|ml|mph|km/h|kmh|yuan|rupees?|rs|lbs?|pounds?|ounces?"
                    + "|oz|gallons?|acres?|people|persons?|students?|ways?|points?|seats?|tiles?|coins?|times)"
                    + "(?:\\s*\\^\\s*\\{?\\d\\}?|²|³)?\\s*\\.?$");
    private static final Pattern DOUBLE_BACKSLASH_COMMAND = Pattern.compile("\\\\\\\\(?=[a-zA-Z])");
    private static final Pattern WHOLE_THOUSANDS = Pattern.compile("^-?[1-9]\\d{0,2}(?:,\\d{3})+(?:\\.\\d+)?$");
    private static final Pattern MIXED_NUMBER = Pattern.compile("^(-?)(\\d+)\\s*\\\\frac\\s*\\{(\\d+)\\}\\s*\\{(\\d+)\\}$");
    private static final Pattern BOXED_SEPARATOR = Pattern.compile("\\b(?:and|or)\\b|,|;");

    private LatexNormalizer() {}

    static String normalize(String latex, Boxed boxed) {
        String t = latex;
        if (!t.contains("matrix") && !t.contains("array")) {
            t = DOUBLE_BACKSLASH_COMMAND.matcher(t).replaceAll(Matcher.quoteReplacement("\\"));
        }
        t = unbox(t, boxed);
        t = LEFT_RIGHT.matcher(t).replaceAll(m -> Matcher.quoteReplacement(m.group(1).equals(".") ? "" : m.group(1)));
        t = t.replace("\\lbrace", "\\{").replace("\\rbrace", "\\}").replace("\\lvert", "|").replace("\\rvert", "|")
                .replace("\\vert", "|");
        t = THOUSANDS_BRACE.matcher(t).replaceAll("$1");
        t = t.replace("{,}", ",");
        t = REMOVE.matcher(t).replaceAll("");
        t = STYLE_TEXT.matcher(t).replaceAll(Matcher.quoteReplacement("\\text"));
        t = FRAC.matcher(t).replaceAll(Matcher.quoteReplacement("\\frac"));
        t = PERCENT_WORD.matcher(t).replaceAll(Matcher.quoteReplacement("\\%"));
        t = AND_OR.matcher(t).replaceAll(",");
        t = SPACES.matcher(t).replaceAll(" ");
        t = DEGREES.matcher(t).replaceAll("");
        t = t.replace("\\ldots", " ").replace("\\dots", " ").replace("\\cdots", " ");
        t = t.replace('\n', ' ').replace('\t', ' ');
        t = t.replace("infinity", "\\infty").replace("\\infty", "\\infty ");
        t = stripUnits(t.strip());
        t = stripTrailingPunctuation(t);
        if (t.startsWith(".") && t.length() > 1 && Character.isDigit(t.charAt(1))) {
            t = "0" + t;
        }
        if (WHOLE_THOUSANDS.matcher(t).matches()) {
            t = t.replace(",", "");
        }
        Matcher mixed = MIXED_NUMBER.matcher(t);
        if (mixed.matches() && Long.parseLong(mixed.group(3)) < Long.parseLong(mixed.group(4))) {
            // 3\frac{1}{2} written as a mixed number is 7/2
            t = mixed.group(1) + "(" + mixed.group(2) + "+\\frac{" + mixed.group(3) + "}{" + mixed.group(4) + "})";
        }
        return t.strip();
    }

    private static String stripUnits(String t) {
        String before = t;
        String stripped = UNIT_TEXT.matcher(t).replaceAll("").strip();
        if (!stripped.isEmpty() && !stripped.endsWith("=")) {
            t = stripped;
        }
        for (int i = 0; i < 2; i++) {
            String s = UNIT_WORD.matcher(t).replaceAll("").strip();
            if (!s.isEmpty() && !s.equals(t) && (Character.isDigit(s.charAt(s.length() - 1)) || s.endsWith("}"))) {
                t = s;
            }
        }
        return t.isEmpty() ? before : t;
    }

    private static String stripTrailingPunctuation(String t) {
        while (!t.isEmpty()) {
            char c = t.charAt(t.length() - 1);
            if ((c == '.' || c == ',' || c == ';') && !t.endsWith("\\.") && !t.endsWith("\\,") && !t.endsWith("\\;")) {
                t = t.substring(0, t.length() - 1).strip();
            } else {
                break;
            }
        }
        return t;
    }

    /**
     * The content of the {@code \boxed{}}/{@code \fbox{}} boxes, read from the right; text without a box is returned
     * as is. {@link Boxed#LAST} keeps the boxes before the last only while they are close to it or separated by
     * "and", "or", a comma or a semicolon (as "\boxed{1} and \boxed{2}"); an unclosed last box runs to the end.
     */
    static String unbox(String text, Boxed mode) {
        List<String> found = new ArrayList<>();
        int limit = text.length();
        int previousStart = -1;
        while (true) {
            int boxed = text.lastIndexOf("\\boxed", limit - 1);
            int fbox = text.lastIndexOf("\\fbox", limit - 1);
            int start = Math.max(boxed, fbox);
            if (start < 0) {
                break;
            }
            int open = start + (boxed > fbox ? 6 : 5);
            while (open < limit && Character.isWhitespace(text.charAt(open))) {
                open++;
            }
            if (open >= limit || text.charAt(open) != '{') {
                if (found.isEmpty() && open < limit) {
                    found.add(text.substring(open, limit).strip());
                }
                break;
            }
            int close = closingBrace(text, open, limit);
            if (close < 0) {
                if (found.isEmpty()) {
                    found.add(text.substring(open + 1, limit).strip());
                }
                break;
            }
            String content = text.substring(open + 1, close).strip();
            if (mode == Boxed.LAST && previousStart >= 0) {
                String between = text.substring(close + 1, previousStart);
                boolean near = between.length() < 10;
                boolean separated = between.length() < 70 && !content.equals(found.getLast())
                        && BOXED_SEPARATOR.matcher(between).find();
                if (!near && !separated) {
                    break;
                }
            }
            if (found.isEmpty() || !found.getLast().equals(content)) {
                found.add(content);
            }
            previousStart = start;
            limit = start;
        }
        if (found.isEmpty()) {
            return text;
        }
        List<String> ordered = new ArrayList<>(found.reversed());
        return String.join(",", ordered);
    }

    private static int closingBrace(String text, int open, int limit) {
        int depth = 0;
        for (int i = open; i < limit; i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < limit && (text.charAt(i + 1) == '{' || text.charAt(i + 1) == '}')) {
                i++;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }
}

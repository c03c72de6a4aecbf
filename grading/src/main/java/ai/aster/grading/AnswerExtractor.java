package ai.aster.grading;

import ai.aster.grading.LatexNormalizer.Boxed;
import ai.aster.grading.MathNode.Num;
import ai.aster.grading.MathNode.Percent;
import ai.aster.grading.MathNode.SetOf;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the answer in a text the way Math-Verify's {@code parse} does: patterns in priority order ("final answer
 * is ... I hope", {@code \boxed{}}, "final answer ... is", "answer:", "answer", then any LaTeX environment or
 * number), within a priority the rightmost match first; the first match that parses wins. The text of the first
 * match is kept as a fallback string (compared as text when nothing parses).
 */
final class AnswerExtractor {

    /** What was extracted: the parsed answers (possibly none) and the fallback text (possibly empty). */
    record Extraction(List<MathNode> parsed, String fallbackText) {
        List<String> display() {
            List<String> out = new ArrayList<>();
            parsed.forEach(n -> out.add(n.toString()));
            if (!fallbackText.isEmpty()) {
                out.add(fallbackText);
            }
            return out;
        }
    }

    private enum Kind { LATEX, EXPR }

    private record Rule(Pattern pattern, int priority, Kind kind) {}

    /** {@code \boxed{}} ranks with "final answer is ... I hope", as Math-Verify's own tests configure it. */
    private static final int BOXED_PRIORITY = 0;
    private static final String[] LATEX_GROUP_KINDS = {"dd", "db", "id", "ip", "ib", "fr", "bx"};

    private static final List<Rule> LATEX_RULES = latexRules();
    private static final List<Rule> EXPR_RULES = exprRules();

    private AnswerExtractor() {}

    static Extraction extract(String text, List<ExtractionTarget> targets, Deadline deadline) {
        if (text == null || text.isBlank()) {
            return new Extraction(List.of(), "");
        }
        if (targets.contains(ExtractionTarget.LATEX)) {
            MathNode bare = bareAnswer(text);
            if (bare != null) {
                return new Extraction(List.of(bare), LatexNormalizer.normalize(text.strip(), Boxed.ALL));
            }
        }
        TreeMap<Integer, List<Rule>> byPriority = new TreeMap<>();
        for (ExtractionTarget t : targets) {
            for (Rule r : t == ExtractionTarget.LATEX ? LATEX_RULES : EXPR_RULES) {
                byPriority.computeIfAbsent(r.priority(), k -> new ArrayList<>()).add(r);
            }
        }
        CharSequence guarded = deadline.guard(text);
        String fallback = "";
        for (Map.Entry<Integer, List<Rule>> group : byPriority.entrySet()) {
            record Hit(MatchResult m, int start, int end, Kind kind) {}
            List<Hit> hits = new ArrayList<>();
            for (Rule r : group.getValue()) {
                Matcher m = r.pattern().matcher(guarded);
                while (m.find()) {
                    hits.add(new Hit(m.toMatchResult(), m.start(), m.end(), r.kind()));
                }
            }
            hits.sort(Comparator.comparingInt(Hit::end).reversed().thenComparingInt(Hit::start));
            for (Hit h : hits) {
                deadline.check();
                Candidate c = h.kind() == Kind.LATEX ? latex(h.m()) : expr(h.m());
                if (fallback.isEmpty() && !c.text().isEmpty()) {
                    fallback = c.text();
                }
                if (c.node() != null) {
                    return new Extraction(List.of(c.node()), fallback);
                }
            }
        }
        return new Extraction(List.of(), fallback);
    }

    private record Candidate(MathNode node, String text) {}

    private static Candidate latex(MatchResult m) {
        List<MathNode> nodes = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        boolean allParsed = true;
        for (String prefix : new String[] {"f", "na", "nb", "nc", "nd", "ne"}) {
            for (String kind : LATEX_GROUP_KINDS) {
                String value = group(m, prefix + kind);
                if (value == null) {
                    continue;
                }
                String normalized = LatexNormalizer.normalize(value, kind.equals("bx") ? Boxed.LAST : Boxed.ALL);
                texts.add(normalized);
                MathNode node = parseLatex(normalized, Complexity.looksComplex(normalized));
                if (node != null && group(m, prefix + "pc") != null) {
                    node = new Percent(node);
                }
                if (node == null) {
                    allParsed = false;
                }
                nodes.add(node);
            }
        }
        if (nodes.isEmpty()) {
            return new Candidate(null, "");
        }
        if (nodes.size() > 1 && allParsed) {
            List<MathNode> items = new ArrayList<>();
            for (MathNode n : nodes) {
                if (n instanceof SetOf set) {
                    items.addAll(set.items());
                } else {
                    items.add(n);
                }
            }
            return new Candidate(new SetOf(items), String.join(" and ", texts));
        }
        return new Candidate(nodes.getFirst(), texts.getFirst());
    }

    private static final Pattern NOT_BARE = Pattern.compile("(?<!\\\\)\\$|\\\\boxed|\\\\fbox|\\\\\\[|\\\\\\(");
    private static final Pattern COMMANDS_AND_TEXT = Pattern.compile(
            "\\\\(?:text|mbox|mathrm|begin|end)\\s*\\{[^{}]*\\}|\\\\[a-zA-Z]+");
    private static final Pattern PROSE = Pattern.compile("[a-zA-Z]{3,}");

    /**
     * A whole text that is itself an answer (a reference answer such as {@code \frac{9\sqrt{23}}{23}} or
     * {@code 10, 4, -2}, with no {@code $} and no prose): parsed as one LaTeX expression. A bare list is kept in
     * its written order (the MATH dataset's convention); inside {@code $...$} or a box a list is a set.
     */
    private static MathNode bareAnswer(String text) {
        String t = text.strip();
        if (t.length() > 400 || NOT_BARE.matcher(t).find() || PROSE.matcher(COMMANDS_AND_TEXT.matcher(t).replaceAll(" ")).find()) {
            return null;
        }
        String normalized = LatexNormalizer.normalize(t, Boxed.ALL);
        MathNode node = parseLatex(normalized, Complexity.looksComplex(normalized));
        if (node instanceof SetOf(var items) && !normalized.startsWith("\\{") && !normalized.startsWith("{")) {
            return new MathNode.TupleOf(items, false);
        }
        return node;
    }

    /** Parses normalised LaTeX; when the whole fails, the part after the last "=" of a chain. */
    static MathNode parseLatex(String latex, boolean complex) {
        if (latex.isBlank()) {
            return null;
        }
        try {
            return MathParser.parse(latex, complex);
        } catch (MathParser.ParseException | ArithmeticException e) {
            if (!latex.contains(",") && !latex.contains(";")) {
                String[] parts = latex.split("(?<![\\\\<!>])=");
                if (parts.length > 2) {
                    try {
                        return MathParser.parse(parts[parts.length - 1], complex);
                    } catch (MathParser.ParseException | ArithmeticException ignored) {
                        return null;
                    }
                }
            }
            return null;
        }
    }

    private static Candidate expr(MatchResult m) {
        String integer = firstGroup(m, "inta", "intb", "intc");
        String decimal = firstGroup(m, "deca", "decb", "decc");
        boolean percent = group(m, "pct") != null;
        if (integer != null || decimal != null) {
            String i = integer == null ? "" : integer.replace(",", "").replace(" ", "");
            boolean negative = i.startsWith("-");
            i = (negative ? i.substring(1) : i).replaceFirst("^0+", "");
            if (i.isEmpty()) {
                i = "0";
            }
            String d = decimal == null ? "" : decimal.replace(',', '.');
            String numberText = (negative ? "-" : "") + i + d;
            MathNode n = new Num(new BigDecimal(numberText), !d.isEmpty());
            if (negative) {
                n = new MathNode.Neg(new Num(new BigDecimal(i + d), !d.isEmpty()));
            }
            return new Candidate(percent ? new Percent(n) : n, numberText);
        }
        String e = group(m, "expr");
        if (e == null) {
            return new Candidate(null, "");
        }
        String trimmed = e.strip().replaceAll("\\.+$", "");
        try {
            return new Candidate(MathParser.parse(trimmed.replace('\n', ' '), Complexity.looksComplex(e)), e);
        } catch (MathParser.ParseException | ArithmeticException ex) {
            return new Candidate(null, e);
        }
    }

    private static String group(MatchResult m, String name) {
        try {
            return m.group(name);
        } catch (IllegalArgumentException absent) {
            return null;
        }
    }

    private static String firstGroup(MatchResult m, String... names) {
        for (String n : names) {
            String v = group(m, n);
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return null;
    }

    // ---- patterns ----

    private static List<Rule> exprRules() {
        String number = "(?<!\\d)(?:(?<inta>-?[1-9]\\d{0,2}(?:[ ,]\\d{3})+)(?<deca>\\.\\d+)?|(?<intb>-?\\d+)(?<decb>[.,]\\d+)"
                + "|(?<decc>\\.\\d+)|(?<intc>-?\\d+))(?<pct>\\s*(?:%|[Pp]ercent|\\s*[Pp]ercentage|\\s*[Pp]ct))?";
        String ops = "+\\-*×/^()÷";
        String chars = "[\\d.\\s" + ops + "]";
        String expr = "(?<expr>-?\\(?-?\\d" + chars + "*[" + ops + "]" + chars + "+\\)?)";
        String currency = Pattern.quote("$€£¥₹₽₪₩₫฿");
        String prefix = "(?:^|\\s|=)(?:\\*\\*)?";
        String suffix = "(?:\\*\\*)?(?:\\.|,|:|\\s|\\)|\\$|$)";
        String exprAnchored = "(?:" + prefix + expr + suffix + ")";
        String numberAnchored = "(?:" + prefix + "[" + currency + "]?" + number + ")";
        String either = "(?:" + exprAnchored + "|" + numberAnchored + ")";
        List<Rule> rules = new ArrayList<>();
        rules.add(rule("(?i:final answer is):?\\s*" + either + "\\.?\\s?I hope", 0, Kind.EXPR, 0));
        rules.add(rule("(?i:final answer.{0,100}?)\\s+is:?" + either, 50, Kind.EXPR, 0));
        rules.add(rule("(?i:answer):(?:.{0,100}=\\s*|.{0,50}?)" + either + "(?!\\s*=)", 100, Kind.EXPR, 0));
        rules.add(rule("(?i:answer)(?:.{0,100}=\\s*|.{0,50}?)" + either + "(?!\\s*=)", 200, Kind.EXPR, 0));
        rules.add(rule(exprAnchored, 300, Kind.EXPR, 0));
        rules.add(rule(numberAnchored, 300, Kind.EXPR, 0));
        return List.copyOf(rules);
    }

    private static List<Rule> latexRules() {
        String chain = chain(false);
        List<Rule> rules = new ArrayList<>();
        rules.add(rule("(?i:final answer is):?\\s*" + chain + "\\.?\\s?I hope", 0, Kind.LATEX, Pattern.DOTALL));
        rules.add(rule("(?i:final answer.{0,100}?)\\s+is:?\\s*" + chain, 50, Kind.LATEX, Pattern.DOTALL));
        rules.add(rule("(?i:answer):.{0,50}?" + chain, 100, Kind.LATEX, Pattern.DOTALL));
        rules.add(rule("(?i:answer).{0,50}?" + chain, 200, Kind.LATEX, Pattern.DOTALL));
        rules.add(rule(chain, 300, Kind.LATEX, Pattern.DOTALL));
        rules.add(rule(chain(true), BOXED_PRIORITY, Kind.LATEX, Pattern.DOTALL));
        // a bare \boxed{...} anywhere: where it ends is settled by brace matching in the normaliser
        rules.add(rule("(?<fbx>\\\\(?:boxed|fbox)\\{.+\\})", BOXED_PRIORITY, Kind.LATEX, Pattern.DOTALL));
        return List.copyOf(rules);
    }

    /** Up to six LaTeX environments joined by "and", "or" or commas. */
    private static String chain(boolean boxed) {
        StringBuilder b = new StringBuilder("(?:").append(environment("f", boxed));
        for (String p : new String[] {"na", "nb", "nc", "nd", "ne"}) {
            b.append("(?:\\s*(?:,?and|,?or|,)\\s*").append(environment(p, boxed)).append(")?");
        }
        return b.append(")").toString();
    }

    private static String environment(String p, boolean boxed) {
        String displayDollar = "(?:[^$]|\\$(?!\\$))";
        String displayBracket = "(?:[^\\\\]|\\\\(?!\\]))";
        String inlineDollar = "(?:\\\\[$]|[^\\n$])";
        String inlineParen = "(?:[^\\\\\\n]|\\\\(?!\\)))";
        String inlineBracket = "[^\\n\\]\\[]";
        String[] contents = {displayDollar, displayBracket, inlineDollar, inlineParen, inlineBracket};
        for (int i = 0; i < contents.length; i++) {
            String c = contents[i];
            contents[i] = boxed ? c + "*?\\\\boxed\\{" + c + "+?\\}" + c + "*?" : c + "+?";
        }
        List<String> alternatives = new ArrayList<>(List.of(
                "(?<!\\\\)\\$\\$(?<" + p + "dd>" + contents[0] + ")(?<!\\\\)\\$\\$",
                "(?<!\\\\)\\\\\\[(?<" + p + "db>" + contents[1] + ")(?<!\\\\)\\\\\\]",
                "(?<![\\\\\\d])\\$(?<" + p + "id>" + contents[2] + ")(?<!\\\\)\\$",
                "(?<!\\\\)\\\\\\((?<" + p + "ip>" + contents[3] + ")(?<!\\\\)\\\\\\)",
                "\\s\\[(?<" + p + "ib>" + contents[4] + ")\\]\\s"));
        if (!boxed) {
            String simple = "-?\\d+(?:[.,]\\d+)?";
            alternatives.add("(?<" + p + "fr>-?\\\\frac\\{" + simple + "\\}\\{" + simple + "\\})");
        }
        return "(?:(?:" + String.join("|", alternatives) + ")\\s*(?<" + p
                + "pc>(?:\\\\?%|[Pp]ercent|[Pp]ercentage|[Pp]ct))?)";
    }

    private static Rule rule(String regex, int priority, Kind kind, int flags) {
        return new Rule(Pattern.compile(regex, flags), priority, kind);
    }
}

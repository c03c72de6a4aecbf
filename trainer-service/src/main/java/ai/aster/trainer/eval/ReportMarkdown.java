package ai.aster.trainer.eval;

import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Renders an {@link EvalReport} as the {@code report.md} the command prints. */
public final class ReportMarkdown {

    private ReportMarkdown() {
    }

    public static String render(EvalReport r) {
        StringBuilder md = new StringBuilder();
        SamplingSettings s = r.settings();
        int k = r.k();
        md.append("# Evaluation: ").append(r.benchmark()).append("\n\n");
        md.append(String.format(Locale.ROOT, "model `%s`, %d problems x k=%d samples, temperature %s, top-p %s, "
                + "max %d tool calls, max tokens %s%n%n", r.model(), r.problems().size(), k, num(s.temperature()),
                num(s.topP()), s.maxToolCalls(), s.maxTokens() == null ? "server default" : s.maxTokens()));
        md.append("| metric | value |\n|---|---|\n");
        md.append(String.format(Locale.ROOT, "| avg@%d | %.1f%% |%n", k, 100 * r.avgAtK()));
        md.append(String.format(Locale.ROOT, "| pass@%d | %.1f%% |%n", k, 100 * r.passAtK()));
        md.append(String.format(Locale.ROOT, "| maj@%d | %.1f%% |%n", k, 100 * r.majAtK()));
        md.append(String.format(Locale.ROOT, "| mean tool calls | %.2f |%n", r.meanToolCalls()));
        md.append(String.format(Locale.ROOT, "| mean completion tokens | %.1f |%n", r.meanCompletionTokens()));
        md.append("| finish reasons | ").append(reasons(r.finishReasons())).append(" |\n\n");
        md.append("| problem | answer | correct | majority answer | mean tool calls | mean tokens |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (EvalReport.ProblemResult p : r.problems()) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %d/%d | %s%s | %.1f | %.0f |%n", cell(p.id()),
                    cell(p.answer()), p.correct(), p.samples(),
                    p.majorityAnswer() == null ? "(none)" : cell(p.majorityAnswer()),
                    p.majorityAnswer() == null ? "" : p.majorityCorrect() ? " ✓" : " ✗", p.meanToolCalls(),
                    p.meanCompletionTokens()));
        }
        return md.toString();
    }

    private static String reasons(Map<String, Integer> reasons) {
        return reasons.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    private static String num(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    /** A table cell: one line of printable text, pipes escaped, long answers shortened. */
    private static String cell(String text) {
        // control characters (an untrained model emits any byte) would break the table
        String one = text.replaceAll("[\\p{Cntrl}\\x{FFFD}]", " ").replace("|", "\\|").replace("`", "'");
        return "`" + (one.length() > 60 ? one.substring(0, 57) + "..." : one) + "`";
    }
}

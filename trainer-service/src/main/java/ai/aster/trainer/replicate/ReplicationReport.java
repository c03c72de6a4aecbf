package ai.aster.trainer.replicate;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The markdown report of a replication run: what ran (command, seeds, commit, model, wall time per stage, machine
 * load), a table per setting, accuracy by difficulty level, the best checkpoint with and without tools, the comparison
 * with the paper ({@link PaperComparison}) and the plots, linked relative to the report.
 */
final class ReplicationReport {

    private ReplicationReport() {}

    static String render(ReplicationResults r, ReplicationPlots.Written plots, Path reportDir) {
        ReplicateSettings s = r.settings();
        int k = s.eval().k();
        StringBuilder md = new StringBuilder();
        md.append("# ASTER recipe at CPU scale: replication (").append(r.preset()).append(")\n\n");
        md.append("Produced by `").append(r.command()).append("`; every number below is measured by that run.\n\n");
        md.append("## What ran\n\n");
        row(md, "command", "`" + r.command() + "`");
        row(md, "commit", r.commit() == null || r.commit().isBlank() ? "unknown" : "`" + r.commit() + "`");
        row(md, "seed", Long.toString(r.seed()) + " (model init, curriculum, SFT data order, GRPO prompts and sampling;"
                + " held-out draw: seed + 1)");
        ReplicateSettings.ModelSize m = s.model();
        row(md, "model", String.format(Locale.ROOT, "Qwen3 architecture, %,d parameters: hidden %d, %d layers, %d heads"
                        + " (%d KV), head dim %d, intermediate %d; byte-level BPE with %d merges (digits never merged)",
                r.parameters(), m.hidden(), m.layers(), m.heads(), m.kvHeads(), m.headDim(), m.intermediate(),
                m.merges()));
        row(md, "curriculum", "levels " + s.levels() + ", all families; " + s.trainPool() + " training problems, "
                + s.heldOut() + " held-out problems (split by problem text)");
        ReplicationResults.Teaching t = r.teaching();
        row(md, "cold-start data", String.format(Locale.ROOT, "dense: %d trajectories, %d training tokens, %.1f calls"
                        + " each; sparse: %d trajectories, %d training tokens, 1 call each%s", t.denseTrajectories(),
                t.denseTokens(), t.denseToolCalls(), t.sparseTrajectories(), t.sparseTokens(),
                t.failed() > 0 ? "; " + t.failed() + " problems the teacher could not solve left out" : ""));
        ReplicateSettings.Sft sft = s.sft();
        row(md, "SFT", String.format(Locale.ROOT, "%d epochs, batch %d (micro %d), lr %s, warm-up %d steps, max %d"
                + " tokens", sft.epochs(), sft.batchSize(), sft.microBatchSize(), num(sft.lr()), sft.warmupSteps(),
                sft.maxSeqLen()));
        ReplicateSettings.Grpo g = s.grpo();
        row(md, "GRPO", String.format(Locale.ROOT, "%d step(s) x %d prompts x %d rollouts, budget B = %d (ablation %d),"
                        + " max %d tokens, temperature %s, lr %s%s", g.steps(), g.promptsPerStep(),
                g.rolloutsPerPrompt(), g.budget(), g.ablationBudget(), g.maxTokens(), num(g.temperature()), num(g.lr()),
                g.overlongBuffer() > 0 ? ", overlong shaping over the last " + g.overlongBuffer() + " tokens" : ""));
        row(md, "evaluation", String.format(Locale.ROOT, "held-out avg@%d at temperature %s, top-p 0.95, max %d tokens,"
                + " max_tool_calls = %d, after RL steps %s", k, num(s.eval().temperature()), s.eval().maxTokens(),
                g.budget(), s.evaluatedSteps()));
        row(md, "wall time", String.format(Locale.ROOT, "%.1f min in all", r.totalSeconds() / 60));
        row(md, "machine load (1/5/15 min)", "at start " + r.loadAtStart() + ", at end " + r.loadAtEnd() + " ("
                + Runtime.getRuntime().availableProcessors() + " cores)");
        md.append('\n');
        md.append("| stage | seconds |\n|---|---:|\n");
        for (Map.Entry<String, Double> e : r.stageSeconds().entrySet()) {
            md.append("| ").append(e.getKey()).append(" | ").append(String.format(Locale.ROOT, "%.0f", e.getValue()))
                    .append(" |\n");
        }
        md.append(String.format(Locale.ROOT, "| **total** | **%.0f** |%n%n", r.totalSeconds()));

        md.append("## Held-out results per setting\n\n");
        md.append("Step 0 is the arm's SFT checkpoint (the cold start); later steps are GRPO checkpoints.\n\n");
        for (ReplicationResults.SettingResult sr : r.settingResults()) {
            md.append("### ").append(sr.id()).append(" (").append(sr.label()).append(")\n\n");
            md.append("SFT job `").append(sr.sftJob()).append("`, GRPO job `").append(sr.grpoJob()).append("`.\n\n");
            if (sr.rlStopped() != null) {
                md.append("GRPO stopped early: ").append(sr.rlStopped()).append(". The table holds the checkpoints it"
                        + " reached.\n\n");
            }
            md.append("| step | avg@").append(k).append(" | tool calls / trajectory | correct with a code call |\n");
            md.append("|---:|---:|---:|---:|\n");
            for (EvalPoint p : sr.points()) {
                md.append(String.format(Locale.ROOT, "| %d | %.1f%% | %.2f | %s |%n", p.step(), 100 * p.avgAtK(),
                        p.toolCalls(), share(p.correctWithCode())));
            }
            md.append('\n');
        }

        md.append("## Accuracy by difficulty level (after RL)\n\n");
        TreeSet<Integer> levels = new TreeSet<>();
        r.settingResults().forEach(sr -> levels.addAll(sr.last().byLevel().keySet()));
        md.append("| setting |");
        levels.forEach(l -> md.append(" level ").append(l).append(" |"));
        md.append("\n|---|");
        levels.forEach(l -> md.append("---:|"));
        md.append('\n');
        for (ReplicationResults.SettingResult sr : r.settingResults()) {
            md.append("| ").append(sr.id()).append(" |");
            levels.forEach(l -> md.append(' ').append(share(sr.last().byLevel().get(l))).append(" |"));
            md.append('\n');
        }
        md.append("\nBy family (after RL):\n\n| setting |");
        TreeSet<String> families = new TreeSet<>();
        r.settingResults().forEach(sr -> families.addAll(sr.last().byFamily().keySet()));
        families.forEach(f -> md.append(' ').append(f).append(" |"));
        md.append("\n|---|");
        families.forEach(f -> md.append("---:|"));
        md.append('\n');
        for (ReplicationResults.SettingResult sr : r.settingResults()) {
            md.append("| ").append(sr.id()).append(" |");
            families.forEach(f -> md.append(' ').append(share(sr.last().byFamily().get(f))).append(" |"));
            md.append('\n');
        }

        md.append("\n## Best checkpoint, with and without tools\n\n");
        EvalPoint b = r.best();
        EvalPoint n = r.bestNoTools();
        md.append("The highest held-out avg@k of every evaluation above: **").append(b.setting()).append(" step ")
                .append(b.step()).append("**, copied to `").append(r.bestCopy()).append("` (Hugging Face layout).\n\n");
        md.append("| max_tool_calls | avg@").append(k).append(" | tool calls / trajectory |\n|---:|---:|---:|\n");
        md.append(String.format(Locale.ROOT, "| %d | %.1f%% | %.2f |%n", b.maxToolCalls(), 100 * b.avgAtK(),
                b.toolCalls()));
        md.append(String.format(Locale.ROOT, "| 0 | %.1f%% | %.2f |%n%n", 100 * n.avgAtK(), n.toolCalls()));

        md.append("## Compared with the paper\n\n");
        List<ReplicationResults.SettingResult> sr = r.settingResults();
        for (String paragraph : PaperComparison.paragraphs(sr.get(0), sr.get(1), sr.get(2))) {
            md.append(paragraph).append("\n\n");
        }

        md.append("## Plots\n\n");
        md.append("![held-out accuracy over RL steps](").append(rel(reportDir, plots.accuracy())).append(")\n\n");
        md.append("![tool calls per trajectory over RL steps](").append(rel(reportDir, plots.toolCalls()))
                .append(")\n\n");
        md.append("![accuracy by difficulty level](").append(rel(reportDir, plots.byLevel())).append(")\n");
        return md.toString();
    }

    private static void row(StringBuilder md, String name, String value) {
        md.append("- **").append(name).append("**: ").append(value).append('\n');
    }

    private static String share(Double v) {
        return v == null ? "–" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e6 ? Long.toString((long) v) : Double.toString(v);
    }

    private static String rel(Path dir, Path file) {
        return dir.toAbsolutePath().normalize().relativize(file.toAbsolutePath().normalize()).toString();
    }
}

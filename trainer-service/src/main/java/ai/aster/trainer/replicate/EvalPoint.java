package ai.aster.trainer.replicate;

import ai.aster.trainer.curriculum.CurriculumProblem;
import ai.aster.trainer.eval.SampleOutcome;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One held-out evaluation of one checkpoint.
 *
 * @param setting          the setting's id ({@code dense-b8}), or {@code best} for the best checkpoint's runs
 * @param step             RL steps the checkpoint had (0: the SFT checkpoint)
 * @param maxToolCalls     the evaluation's budget
 * @param checkpoint       the folder evaluated
 * @param avgAtK           mean over problems of (correct samples / k)
 * @param toolCalls        code calls per trajectory
 * @param correctWithCode  share of correct samples that made at least one code call; null when none was correct
 * @param samples          samples drawn (problems x k)
 * @param correct          of them correct
 * @param byLevel          accuracy by curriculum level
 * @param byFamily         accuracy by problem family
 * @param run              the evaluation's run folder (samples.jsonl, report.md)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record EvalPoint(String setting, int step, int maxToolCalls, String checkpoint, double avgAtK,
        double toolCalls, Double correctWithCode, int samples, int correct, Map<Integer, Double> byLevel,
        Map<String, Double> byFamily, String run) {

    /** The numbers of one run's samples; every sample's problem must be among {@code problems}. */
    public static EvalPoint of(String setting, int step, int maxToolCalls, String checkpoint, String run,
            List<CurriculumProblem> problems, List<SampleOutcome> samples) {
        Map<String, CurriculumProblem> byId = new TreeMap<>();
        problems.forEach(p -> byId.put(p.id(), p));
        Map<String, int[]> perProblem = new TreeMap<>();
        Map<Integer, int[]> levels = new TreeMap<>();
        Map<String, int[]> families = new TreeMap<>();
        int correct = 0;
        int correctWithCode = 0;
        long toolCalls = 0;
        for (SampleOutcome s : samples) {
            CurriculumProblem p = byId.get(s.problemId());
            if (p == null) {
                throw new IllegalArgumentException("sample of unknown problem " + s.problemId());
            }
            int hit = s.correct() ? 1 : 0;
            add(perProblem.computeIfAbsent(p.id(), id -> new int[2]), hit);
            add(levels.computeIfAbsent(p.level(), l -> new int[2]), hit);
            add(families.computeIfAbsent(p.family(), f -> new int[2]), hit);
            correct += hit;
            correctWithCode += s.correct() && s.toolCalls() > 0 ? 1 : 0;
            toolCalls += s.toolCalls();
        }
        double avg = perProblem.values().stream().mapToDouble(c -> (double) c[0] / c[1]).average().orElse(0);
        return new EvalPoint(setting, step, maxToolCalls, checkpoint, avg,
                samples.isEmpty() ? 0 : (double) toolCalls / samples.size(),
                correct == 0 ? null : (double) correctWithCode / correct, samples.size(), correct, shares(levels),
                shares(families), run);
    }

    /** The same numbers under another setting's name (a checkpoint two settings share is evaluated once). */
    public static EvalPoint copyOf(EvalPoint p, String setting) {
        return new EvalPoint(setting, p.step(), p.maxToolCalls(), p.checkpoint(), p.avgAtK(), p.toolCalls(),
                p.correctWithCode(), p.samples(), p.correct(), p.byLevel(), p.byFamily(), p.run());
    }

    private static void add(int[] counts, int hit) {
        counts[0] += hit;
        counts[1]++;
    }

    private static <K> Map<K, Double> shares(Map<K, int[]> counts) {
        Map<K, Double> out = new TreeMap<>();
        counts.forEach((k, c) -> out.put(k, (double) c[0] / c[1]));
        return out;
    }
}

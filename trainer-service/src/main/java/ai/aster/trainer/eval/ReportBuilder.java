package ai.aster.trainer.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Computes a run's {@link EvalReport} from its graded samples. */
public final class ReportBuilder {

    private final MajorityVote majority;

    public ReportBuilder(AnswerJudge judge) {
        this.majority = new MajorityVote(judge);
    }

    /**
     * @param samples every sample of the run; each problem must have exactly k of them (indices 0..k-1)
     */
    public EvalReport build(Benchmark benchmark, SamplingSettings settings, int k, List<SampleOutcome> samples) {
        Map<String, List<SampleOutcome>> byProblem = new TreeMap<>();
        for (SampleOutcome s : samples) {
            byProblem.computeIfAbsent(s.problemId(), id -> new ArrayList<>()).add(s);
        }
        List<EvalReport.ProblemResult> rows = new ArrayList<>();
        double avg = 0;
        double pass = 0;
        int maj = 0;
        long toolCalls = 0;
        long tokens = 0;
        Map<String, Integer> reasons = new TreeMap<>();
        for (Problem p : benchmark.problems()) {
            List<SampleOutcome> own = byProblem.getOrDefault(p.id(), List.of()).stream()
                    .sorted(java.util.Comparator.comparingInt(SampleOutcome::index)).toList();
            if (own.size() != k) {
                throw new IllegalStateException("problem " + p.id() + " has " + own.size() + " samples, not " + k);
            }
            int correct = (int) own.stream().filter(SampleOutcome::correct).count();
            double passK = PassAtK.estimate(k, correct, k);
            MajorityVote.Result vote = majority.vote(own);
            Map<String, Integer> ownReasons = new TreeMap<>();
            long ownToolCalls = 0;
            long ownTokens = 0;
            for (SampleOutcome s : own) {
                ownReasons.merge(s.finishReason(), 1, Integer::sum);
                reasons.merge(s.finishReason(), 1, Integer::sum);
                ownToolCalls += s.toolCalls();
                ownTokens += s.completionTokens();
            }
            rows.add(new EvalReport.ProblemResult(p.id(), p.answer(), correct, k, passK, vote.answer(),
                    vote.correct(), (double) ownToolCalls / k, (double) ownTokens / k, ownReasons));
            avg += (double) correct / k;
            pass += passK;
            maj += vote.correct() ? 1 : 0;
            toolCalls += ownToolCalls;
            tokens += ownTokens;
        }
        int problems = benchmark.problems().size();
        int total = problems * k;
        return new EvalReport(benchmark.name(), settings.model(), k, total, avg / problems, pass / problems,
                (double) maj / problems, (double) toolCalls / total, (double) tokens / total, reasons, settings,
                rows);
    }
}

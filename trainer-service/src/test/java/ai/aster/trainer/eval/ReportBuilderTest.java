package ai.aster.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** avg@k, pass@k, maj@k and the means on fixed samples, each figure worked out by hand in the comments. */
class ReportBuilderTest {

    private static final SamplingSettings SETTINGS = new SamplingSettings("fixed", "m", 0.6, 0.95, 50, null);
    private static final Benchmark BENCH = new Benchmark("fixed", List.of(new Problem("p1", "?", "12"),
            new Problem("p2", "?", "\\frac{1}{2}"), new Problem("p3", "?", "5")));

    private static final GradingJudge JUDGE = new GradingJudge();
    private final ReportBuilder builder = new ReportBuilder(JUDGE);

    @AfterAll
    static void closeJudge() {
        JUDGE.close();
    }

    /** k = 4. */
    private static List<SampleOutcome> samples() {
        List<SampleOutcome> s = new ArrayList<>();
        // p1: one right of four; the majority (7, two votes) is wrong
        s.add(sample("p1", 0, "12", true, 1, 100, "stop"));
        s.add(sample("p1", 1, "7", false, 2, 200, "stop"));
        s.add(sample("p1", 2, "7", false, 3, 300, "stop"));
        s.add(sample("p1", 3, null, false, 0, 400, "length"));
        // p2: two right, written two ways; only as one group (0.5 = 1/2) do they tie with "3" (two votes) and win
        // the tie by coming first
        s.add(sample("p2", 0, "0.5", true, 0, 10, "stop"));
        s.add(sample("p2", 1, "3", false, 0, 10, "stop"));
        s.add(sample("p2", 2, "\\frac{1}{2}", true, 0, 10, "stop"));
        s.add(sample("p2", 3, "3", false, 0, 10, "max_tool_calls"));
        // p3: none right
        s.add(sample("p3", 0, null, false, 5, 50, "length"));
        s.add(sample("p3", 1, "4", false, 5, 50, "stop"));
        s.add(sample("p3", 2, "4", false, 5, 50, "stop"));
        s.add(sample("p3", 3, null, false, 5, 50, "error"));
        return s;
    }

    private static SampleOutcome sample(String problem, int index, String extracted, boolean correct, int tools,
            int tokens, String finish) {
        return new SampleOutcome(problem, index, "t-" + problem + "-" + index, finish,
                extracted == null ? "no answer" : "\\boxed{" + extracted + "}", extracted, correct, tools, tokens, 1);
    }

    @Test
    void scoresFixedSamples() {
        EvalReport r = builder.build(BENCH, SETTINGS, 4, samples());
        assertEquals("fixed", r.benchmark());
        assertEquals(4, r.k());
        assertEquals(12, r.samples());
        // (1/4 + 2/4 + 0/4) / 3
        assertEquals(0.25, r.avgAtK(), 1e-12);
        // pass@4 with n = 4: p1 and p2 have a correct sample, p3 none
        assertEquals(2.0 / 3, r.passAtK(), 1e-12);
        // majority right only for p2
        assertEquals(1.0 / 3, r.majAtK(), 1e-12);
        // tool calls (1+2+3+0) + 0 + 4*5 = 26 over 12 samples; tokens 1000 + 40 + 200 = 1240 over 12
        assertEquals(26.0 / 12, r.meanToolCalls(), 1e-12);
        assertEquals(1240.0 / 12, r.meanCompletionTokens(), 1e-12);
        assertEquals(Map.of("stop", 8, "length", 2, "max_tool_calls", 1, "error", 1), r.finishReasons());

        EvalReport.ProblemResult p1 = r.problems().get(0);
        assertEquals("p1", p1.id());
        assertEquals("12", p1.answer());
        assertEquals(1, p1.correct());
        assertEquals(4, p1.samples());
        assertEquals("7", p1.majorityAnswer());
        assertFalse(p1.majorityCorrect());
        assertEquals(1.5, p1.meanToolCalls(), 1e-12);
        EvalReport.ProblemResult p2 = r.problems().get(1);
        assertEquals(2, p2.correct());
        assertEquals("0.5", p2.majorityAnswer());
        assertTrue(p2.majorityCorrect());
        EvalReport.ProblemResult p3 = r.problems().get(2);
        assertEquals(0, p3.correct());
        assertEquals(0.0, p3.passAtK());
        assertEquals("4", p3.majorityAnswer());
        assertFalse(p3.majorityCorrect());
    }

    @Test
    void problemWithoutAnyAnswerHasNoMajority() {
        Benchmark one = new Benchmark("x", List.of(new Problem("q", "?", "1")));
        EvalReport r = builder.build(one, SETTINGS, 2, List.of(sample("q", 0, null, false, 0, 1, "length"),
                sample("q", 1, null, false, 0, 1, "length")));
        assertNull(r.problems().get(0).majorityAnswer());
        assertEquals(0.0, r.majAtK());
    }

    @Test
    void noiseInAnAnswerCannotBreakTheTable() {
        Benchmark one = new Benchmark("x", List.of(new Problem("q", "?", "1")));
        String md = ReportMarkdown.render(builder.build(one, SETTINGS, 1,
                List.of(sample("q", 0, "a\u0000|b\nc`d", false, 0, 1, "length"))));
        assertTrue(md.contains("| `q` | `1` | 0/1 | `a \\|b c'd` ✗ |"), md);
    }

    @Test
    void refusesAnIncompleteRun() {
        List<SampleOutcome> missing = samples().subList(0, 11);
        assertThrows(IllegalStateException.class, () -> builder.build(BENCH, SETTINGS, 4, missing));
    }

    @Test
    void markdownShowsTheScoresAndEveryProblem() {
        String md = ReportMarkdown.render(builder.build(BENCH, SETTINGS, 4, samples()));
        assertTrue(md.contains("| avg@4 | 25.0% |"), md);
        assertTrue(md.contains("| pass@4 | 66.7% |"), md);
        assertTrue(md.contains("| maj@4 | 33.3% |"), md);
        assertTrue(md.contains("| `p2` | `\\frac{1}{2}` | 2/4 | `0.5` ✓ |"), md);
        assertTrue(md.contains("error 1, length 2, max_tool_calls 1, stop 8"), md);
    }
}

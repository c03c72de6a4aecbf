package ai.aster.trainer.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One evaluation run: draws every missing sample (problems x k) through the endpoint with at most
 * {@code concurrency} requests in flight, grades each as it arrives and appends it to the run's journal, then
 * computes and writes the report. The first failure stops the run; the samples finished so far stay in the folder
 * and the same command resumes from them.
 */
public final class EvalRunner {

    private final ChatEndpoint endpoint;
    private final AnswerJudge judge;

    public EvalRunner(ChatEndpoint endpoint, AnswerJudge judge) {
        this.endpoint = endpoint;
        this.judge = judge;
    }

    /** A finished run: its report, rendered, and where it was written. */
    public record Result(EvalReport report, String markdown, RunFolder folder) {}

    public Result run(RunFolder folder, Benchmark benchmark, SamplingSettings sampling, int k, int concurrency,
            EvalProgress progress) {
        try (SampleJournal journal = folder.journal()) {
            List<Callable<SampleOutcome>> todo = new ArrayList<>();
            for (Problem p : benchmark.problems()) {
                for (int i = 0; i < k; i++) {
                    if (!journal.contains(p.id(), i)) {
                        int index = i;
                        todo.add(() -> {
                            SampleOutcome sample = draw(p, index, sampling);
                            journal.append(sample);
                            return sample;
                        });
                    }
                }
            }
            List<SampleOutcome> kept = journal.samplesOf(benchmark.problems(), k);
            int total = benchmark.problems().size() * k;
            progress.started(total, kept.size(), (int) kept.stream().filter(SampleOutcome::correct).count());
            runAll(todo, concurrency, folder, journal, progress);
            List<SampleOutcome> samples = journal.samplesOf(benchmark.problems(), k);
            EvalReport report = new ReportBuilder(judge).build(benchmark, sampling, k, samples);
            String markdown = ReportMarkdown.render(report);
            folder.writeReport(report, markdown);
            return new Result(report, markdown, folder);
        }
    }

    private SampleOutcome draw(Problem problem, int index, SamplingSettings sampling) {
        ChatEndpoint.Reply reply = endpoint.sample(problem, sampling);
        AnswerJudge.Verdict verdict = judge.judge(problem.answer(), reply.content());
        return new SampleOutcome(problem.id(), index, reply.id(), reply.finishReason(), reply.content(),
                verdict.extracted(), verdict.correct(), reply.toolCalls(), reply.completionTokens(),
                reply.durationMs());
    }

    private static void runAll(List<Callable<SampleOutcome>> todo, int concurrency, RunFolder folder,
            SampleJournal journal, EvalProgress progress) {
        if (todo.isEmpty()) {
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(concurrency, todo.size()),
                Thread.ofPlatform().name("eval-sample-", 0).daemon().factory());
        ExecutorCompletionService<SampleOutcome> done = new ExecutorCompletionService<>(pool);
        int before = journal.samples().size();
        try {
            for (Callable<SampleOutcome> task : todo) {
                done.submit(task);
            }
            for (int finished = 0; finished < todo.size(); finished++) {
                Future<SampleOutcome> f = done.take();
                SampleOutcome sample;
                try {
                    sample = f.get();
                } catch (ExecutionException e) {
                    stop(pool); // no sample may still be drawn (or written) once the run has stopped
                    int kept = journal.samples().size() - before;
                    Throwable cause = e.getCause();
                    String why = cause instanceof EvalException ? cause.getMessage() : String.valueOf(cause);
                    throw new EvalException(why + " (run stopped; " + kept + " new samples were kept, and the same "
                            + "command with --out " + folder.dir() + " resumes)", cause);
                }
                progress.sampleDone(sample);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EvalException("interrupted", e);
        } finally {
            stop(pool);
        }
    }

    /**
     * Interrupts the samples in flight and waits for their threads to end: an interrupted HTTP call returns at once
     * and grading has its own deadline, so this is short; the bound only keeps a defect from hanging the run.
     */
    private static void stop(ExecutorService pool) {
        pool.shutdownNow();
        try {
            pool.awaitTermination(2, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package ai.aster.trainer.teach;

import ai.aster.protocol.trajectory.Trajectory;
import ai.aster.trainer.curriculum.CurriculumProblem;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import ai.aster.trainer.cli.ProgressBars;
import me.tongfei.progressbar.ProgressBar;

/**
 * Has the teacher solve a list of problems, {@code concurrency} at a time, with a progress bar on {@code err}, and
 * hands each trajectory to a sink in problem order (so a file's lines follow the curriculum). With
 * {@code perExecution} 1 each problem's calls run in a sandbox session, one call per execution, as the gateway runs
 * a model's; above 1, that many problems' calls run together in one execution ({@link Teacher#teachTogether}).
 * A problem the teacher cannot solve is counted and skipped; a sandbox that cannot be reached stops the batch
 * (nothing else could work).
 */
public final class TeachingBatch {

    /** Where each finished trajectory goes (published, written to a file, kept). */
    @FunctionalInterface
    public interface Sink {
        void accept(Trajectory trajectory) throws IOException;
    }

    /** @param trajectories the trajectories made, in problem order; {@code failed} problems got none */
    public record Outcome(List<Trajectory> trajectories, int failed, String firstFailure) {}

    private final Teacher teacher;
    private final int concurrency;
    private final int perExecution;
    private final PrintStream err;

    public TeachingBatch(Teacher teacher, int concurrency, int perExecution, PrintStream err) {
        this.teacher = teacher;
        this.concurrency = concurrency;
        this.perExecution = perExecution;
        this.err = err;
    }

    public Outcome teach(List<CurriculumProblem> problems, TeachingStyle style, Sink sink) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        List<Trajectory> made = new ArrayList<>();
        int failed = 0;
        int toolCalls = 0;
        String firstFailure = null;
        try (ProgressBar bar = ProgressBars.on(err, "teach " + style.wireName())
                .setInitialMax(problems.size()).setUnit(" trajectories", 1).build()) {
            List<Future<List<Teacher.Attempt>>> futures = new ArrayList<>();
            for (int from = 0; from < problems.size(); from += perExecution) {
                List<CurriculumProblem> part = problems.subList(from, Math.min(problems.size(), from + perExecution));
                futures.add(pool.submit(() -> attempt(part, style)));
            }
            for (Future<List<Teacher.Attempt>> future : futures) {
                List<Teacher.Attempt> attempts;
                try {
                    attempts = future.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof SandboxUnreachableException unreachable) {
                        throw unreachable; // nothing else can work
                    }
                    throw new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new TeachingException("interrupted", e);
                }
                for (Teacher.Attempt attempt : attempts) {
                    if (attempt.trajectory() != null) {
                        sink.accept(attempt.trajectory());
                        made.add(attempt.trajectory());
                        toolCalls += attempt.trajectory().usage().toolCalls();
                    } else {
                        failed++;
                        firstFailure = firstFailure == null ? attempt.failure().getMessage() : firstFailure;
                    }
                    bar.step();
                }
                bar.setExtraMessage(" tool calls " + toolCalls + (failed > 0 ? ", failed " + failed : ""));
            }
        } finally {
            pool.shutdownNow();
        }
        return new Outcome(List.copyOf(made), failed, firstFailure);
    }

    /** The part's attempts; a failure that is not the sandbox's absence fails the part's problems, not the batch. */
    private List<Teacher.Attempt> attempt(List<CurriculumProblem> part, TeachingStyle style) {
        try {
            return perExecution > 1 ? teacher.teachTogether(part, style)
                    : List.of(new Teacher.Attempt(teacher.teach(part.getFirst(), style), null));
        } catch (SandboxUnreachableException e) {
            throw e;
        } catch (TeachingException e) {
            return part.stream().map(p -> new Teacher.Attempt(null, e)).toList();
        }
    }
}

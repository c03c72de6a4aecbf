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
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Has the teacher solve a list of problems, {@code concurrency} at a time, with a progress bar on {@code err}, and
 * hands each trajectory to a sink in problem order (so a file's lines follow the curriculum). A problem the teacher
 * cannot solve is counted and skipped; a sandbox that cannot be reached stops the batch (nothing else could work).
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
    private final PrintStream err;

    public TeachingBatch(Teacher teacher, int concurrency, PrintStream err) {
        this.teacher = teacher;
        this.concurrency = concurrency;
        this.err = err;
    }

    public Outcome teach(List<CurriculumProblem> problems, TeachingStyle style, Sink sink) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        List<Trajectory> made = new ArrayList<>();
        int failed = 0;
        int toolCalls = 0;
        String firstFailure = null;
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("teach " + style.wireName())
                .setInitialMax(problems.size()).setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(err)).setUnit(" trajectories", 1).continuousUpdate()
                .build()) {
            List<Future<Trajectory>> futures = new ArrayList<>();
            for (CurriculumProblem problem : problems) {
                futures.add(pool.submit(() -> teacher.teach(problem, style)));
            }
            for (Future<Trajectory> future : futures) {
                try {
                    Trajectory trajectory = future.get();
                    sink.accept(trajectory);
                    made.add(trajectory);
                    toolCalls += trajectory.usage().toolCalls();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TeachingException te)) {
                        throw new IllegalStateException(e.getCause());
                    }
                    if (te.getMessage().startsWith("cannot reach the sandbox")) {
                        throw te; // nothing else can work either
                    }
                    failed++;
                    firstFailure = firstFailure == null ? te.getMessage() : firstFailure;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new TeachingException("interrupted", e);
                }
                bar.step();
                bar.setExtraMessage(" tool calls " + toolCalls + (failed > 0 ? ", failed " + failed : ""));
            }
        } finally {
            pool.shutdownNow();
        }
        return new Outcome(List.copyOf(made), failed, firstFailure);
    }
}

package ai.aster.trainer.train;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Redraws a job's PNG curves off the training thread (a chart takes a fraction of a second to render): requests
 * are coalesced per job, and a job's curves are redrawn at most every {@value #MIN_INTERVAL_MS} ms while it runs.
 * {@link #drawNow} draws the final state on the caller's thread.
 */
@ApplicationScoped
public class CurveDrawer {

    private static final Logger LOG = Logger.getLogger(CurveDrawer.class);
    private static final long MIN_INTERVAL_MS = 2000;

    private final TrainingCurves curves = new TrainingCurves();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("training-curves").daemon().factory());
    /** Per job: the newest records not yet drawn (null when none are pending). */
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    private record Pending(JobFolder folder, List<StepRecord> records) {}

    private final Map<String, Long> lastDrawn = new ConcurrentHashMap<>();

    /** Draws {@code records} soon; a later request for the same job before the drawing replaces this one. */
    void request(String jobId, JobFolder folder, List<StepRecord> records) {
        if (pending.put(jobId, new Pending(folder, records)) != null) {
            return; // a drawing is scheduled and will take these records
        }
        long since = System.currentTimeMillis() - lastDrawn.getOrDefault(jobId, 0L);
        thread.schedule(() -> drawPending(jobId), Math.max(0, MIN_INTERVAL_MS - since), TimeUnit.MILLISECONDS);
    }

    private void drawPending(String jobId) {
        Pending p = pending.remove(jobId);
        if (p != null) {
            draw(jobId, p.folder(), p.records());
        }
    }

    /** Draws now, on the caller's thread, after any drawing in progress (the final curves of a job). */
    void drawNow(String jobId, JobFolder folder, List<StepRecord> records) {
        pending.remove(jobId);
        try {
            thread.submit(() -> { }).get(); // let a drawing in progress finish first: it would overwrite ours
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            // nothing to wait for
        }
        draw(jobId, folder, records);
    }

    private synchronized void draw(String jobId, JobFolder folder, List<StepRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        try {
            curves.draw(folder, jobId, records);
        } catch (RuntimeException e) {
            LOG.warnf("cannot draw the curves of job %s: %s", jobId, e.getMessage()); // the step log has the data
        }
        lastDrawn.put(jobId, System.currentTimeMillis());
    }

    @PreDestroy
    void stop() {
        thread.shutdownNow();
    }
}

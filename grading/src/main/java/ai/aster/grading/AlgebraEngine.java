package ai.aster.grading;

import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.matheclipse.core.eval.ExprEvaluator;
import org.matheclipse.core.interfaces.IExpr;

/**
 * Symja (matheclipse-core) behind a fixed pool of worker threads, each with its own evaluator (Symja's engine is
 * per thread). A caller waits at most until its deadline; on timeout the evaluation is told to stop (Symja's stop
 * request, then an interrupt) and the caller gets no answer. The pool never grows: a computation that ignores the
 * stop request keeps its one worker busy until it ends, and new work queues behind it (bounded queue) or is
 * refused, so stuck threads cannot accumulate.
 */
final class AlgebraEngine implements AutoCloseable {

    private static final int QUEUE = 256;

    private final ThreadPoolExecutor pool;
    private final ThreadLocal<ExprEvaluator> evaluators = ThreadLocal.withInitial(() -> new ExprEvaluator(false, (short) 0));

    AlgebraEngine(int threads) {
        AtomicInteger n = new AtomicInteger();
        pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "aster-grading-symja-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
        // start Symja (about a second of class initialisation) before the first comparison needs it
        for (int i = 0; i < threads; i++) {
            pool.execute(() -> evaluators.get().eval("1+1"));
        }
    }

    /**
     * Whether the Symja expression is identically zero: {@code Simplify} gives 0, or, for an expression without
     * variables, its value to 50 digits is below 1e-40. Empty when Symja cannot tell by the deadline.
     */
    Optional<Boolean> isZero(String expression, boolean closedForm, Deadline deadline) {
        Evaluation task = new Evaluation(expression, closedForm);
        Future<Boolean> future;
        try {
            future = pool.submit(task::run);
        } catch (RejectedExecutionException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(future.get(deadline.remainingNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            task.stop();
            future.cancel(true);
            return Optional.empty();
        } catch (InterruptedException e) {
            task.stop();
            future.cancel(true);
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException | CancellationException e) {
            return Optional.empty();
        }
    }

    /** Worker threads that are running a computation now (for tests and metrics). */
    int busyWorkers() {
        return pool.getActiveCount();
    }

    int poolSize() {
        return pool.getPoolSize();
    }

    private final class Evaluation {
        private final String expression;
        private final boolean closedForm;
        private volatile ExprEvaluator evaluator;
        private volatile boolean stopped;

        Evaluation(String expression, boolean closedForm) {
            this.expression = expression;
            this.closedForm = closedForm;
        }

        boolean run() {
            ExprEvaluator ev = evaluators.get();
            evaluator = ev;
            ev.getEvalEngine().setStopRequested(false);
            if (stopped) {
                return false;
            }
            try {
                IExpr simplified = ev.eval("Simplify(" + expression + ")");
                if (simplified.isZero()) {
                    return true;
                }
                if (closedForm) {
                    IExpr small = ev.eval("Abs(N(" + expression + ", 50)) < 10^(-40)");
                    return small.isTrue();
                }
                return false;
            } finally {
                evaluator = null;
                Thread.interrupted(); // a late cancel must not leak into the next task on this worker
            }
        }

        void stop() {
            stopped = true;
            ExprEvaluator ev = evaluator;
            if (ev != null) {
                ev.getEvalEngine().stopRequest();
            }
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}

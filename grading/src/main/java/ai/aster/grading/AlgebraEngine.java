package ai.aster.grading;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.matheclipse.core.basic.Config;
import org.matheclipse.core.eval.EvalEngine;
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

    static {
        // Symja's size limits are process-wide settings: answers are small, so an expression that blows up
        // (a high power expanded, a huge integer) fails at once instead of running until a stop request is
        // noticed, which Symja checks only between evaluation steps
        Config.MAX_POLYNOMIAL_DEGREE = 200;
        Config.MAX_AST_SIZE = 50_000;
        Config.MAX_BIT_LENGTH = 100_000;
    }

    private final ThreadPoolExecutor pool;
    private final CountDownLatch started;
    // a history of 0 entries fails in Symja 3.0.0 (EvalHistory.addInOut indexes past it); 10 is a small ring
    // Symja prints its messages ("Simplify: ...") to the engine's streams: a grader's output is its verdict only
    private final ThreadLocal<ExprEvaluator> evaluators = ThreadLocal.withInitial(() -> {
        PrintStream silent = new PrintStream(OutputStream.nullOutputStream());
        EvalEngine engine = new EvalEngine("aster-grading", Config.DEFAULT_RECURSION_LIMIT, Config.DEFAULT_ITERATION_LIMIT,
                silent, silent, true);
        return new ExprEvaluator(engine, false, (short) 10);
    });

    AlgebraEngine(int threads) {
        started = new CountDownLatch(threads);
        AtomicInteger n = new AtomicInteger();
        pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "aster-grading-symja-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
        // start Symja (about a second of class initialisation, several on a loaded machine) before the first
        // comparison needs it
        for (int i = 0; i < threads; i++) {
            pool.execute(() -> {
                try {
                    evaluators.get().eval("1+1");
                } finally {
                    started.countDown();
                }
            });
        }
    }

    /**
     * Waits for Symja's one-time start. Its time is not charged to a comparison's timeout (the caller's deadline
     * is extended by it): a cold start on a loaded machine would otherwise make the first comparisons' verdicts
     * depend on timing.
     */
    private boolean awaitStarted() {
        try {
            started.await();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Whether the Symja expression is identically zero: {@code Simplify} gives 0, or, for an expression without
     * variables, its value to 50 digits is below 1e-40. Empty when Symja cannot tell by the deadline.
     */
    Optional<Boolean> isZero(String expression, boolean closedForm, Deadline deadline) {
        long waitStart = System.nanoTime();
        if (!awaitStarted()) {
            return Optional.empty();
        }
        deadline.extend(System.nanoTime() - waitStart);
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
                // cheapest first: polynomials expand to 0, rational functions combine to 0, the rest simplifies
                for (String transform : new String[] {"Expand", "Together", "Simplify"}) {
                    if (stopped) {
                        return false;
                    }
                    if (ev.eval(transform + "(" + expression + ")").isZero()) {
                        return true;
                    }
                }
                if (closedForm && !stopped) {
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

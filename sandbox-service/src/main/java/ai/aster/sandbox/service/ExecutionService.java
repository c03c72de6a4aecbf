package ai.aster.sandbox.service;

import ai.aster.protocol.sandbox.BatchExecutionRequest;
import ai.aster.protocol.sandbox.BatchExecutionResponse;
import ai.aster.protocol.sandbox.ExecutionRequest;
import ai.aster.protocol.sandbox.ExecutionResult;
import ai.aster.protocol.sandbox.ExecutionStatus;
import ai.aster.sandbox.config.SandboxConfig;
import ai.aster.sandbox.service.RequestValidator.ValidCall;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;

/** Runs calls: validation, admission, session state in and out, one fresh container per call. */
@ApplicationScoped
public class ExecutionService {

    private static final Pattern PRELUDE_WORDS = Pattern.compile("\\b(sp|np|sympy|numpy|scipy|mpmath|dill)\\b");

    private final SandboxConfig config;
    private final RequestValidator validator;
    private final Admission admission;
    private final ContainerPool pool;
    private final ContainerEngine engine;
    private final EngineStatus status;
    private final SessionStore sessions;
    private final SandboxMetrics metrics;
    private final CallTimer timer;
    private final ObjectMapper json;

    public ExecutionService(SandboxConfig config, RequestValidator validator, Admission admission, ContainerPool pool,
            ContainerEngine engine, EngineStatus status, SessionStore sessions, SandboxMetrics metrics,
            CallTimer timer, ObjectMapper json) {
        this.config = config;
        this.validator = validator;
        this.admission = admission;
        this.pool = pool;
        this.engine = engine;
        this.status = status;
        this.sessions = sessions;
        this.metrics = metrics;
        this.timer = timer;
        this.json = json;
    }

    /**
     * @throws InvalidRequestException     bad input (no container started)
     * @throws OverloadedException         saturated
     * @throws EngineUnavailableException  engine or image unavailable
     */
    public ExecutionResult execute(ExecutionRequest request) {
        ValidCall call = validator.validate(request, "");
        if (!status.ready()) {
            metrics.executed(ExecutionStatus.REJECTED, Duration.ZERO);
            throw new EngineUnavailableException(status.problem());
        }
        return run(call);
    }

    /**
     * Runs every item through the same limits, concurrently; results come back in request order. A batch puts at
     * most max-concurrent of its items before the admission at a time (the rest wait inside the batch), so a large
     * batch on its own never overflows the queue. An item that still cannot be admitted (other traffic saturates
     * the service, engine failure mid-batch) comes back {@code rejected} with the reason in stderr, so the caller
     * retries just those.
     */
    public BatchExecutionResponse executeBatch(BatchExecutionRequest batch) {
        if (batch == null || batch.executions() == null || batch.executions().isEmpty()) {
            throw new InvalidRequestException("'executions' must be a non-empty array", "executions");
        }
        if (batch.executions().size() > config.limits().maxBatchSize()) {
            throw new InvalidRequestException("at most " + config.limits().maxBatchSize()
                    + " executions per batch", "executions");
        }
        List<ValidCall> calls = new ArrayList<>();
        for (int i = 0; i < batch.executions().size(); i++) {
            calls.add(validator.validate(batch.executions().get(i), "executions[" + i + "]."));
        }
        if (!status.ready()) {
            throw new EngineUnavailableException(status.problem());
        }
        Semaphore perBatch = new Semaphore(config.admission().maxConcurrent());
        try (ExecutorService items = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<ExecutionResult>> futures = calls.stream()
                    .map(call -> items.submit(() -> {
                        perBatch.acquire();
                        try {
                            return runOrReject(call);
                        } finally {
                            perBatch.release();
                        }
                    }))
                    .toList();
            List<ExecutionResult> results = new ArrayList<>(futures.size());
            for (Future<ExecutionResult> future : futures) {
                results.add(future.get());
            }
            return new BatchExecutionResponse(results);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineUnavailableException("interrupted while running the batch");
        } catch (ExecutionException e) {
            throw new IllegalStateException("a batch item failed: " + ContainerReaper.rootMessage(e));
        }
    }

    /** Drops a session's state. */
    public void deleteSession(String id) {
        if (!sessions.delete(id)) {
            throw new SessionNotFoundException(id);
        }
    }

    private ExecutionResult runOrReject(ValidCall call) {
        try {
            return run(call);
        } catch (OverloadedException | EngineUnavailableException e) {
            return new ExecutionResult(ExecutionStatus.REJECTED, null, "", "Not run: " + e.getMessage() + "\n",
                    false, false, 0, call.sessionId());
        }
    }

    private ExecutionResult run(ValidCall call) {
        long started = System.nanoTime();
        try (Admission.Ticket ticket = admission.enter()) {
            RunOutcome outcome;
            boolean reset = false;
            String before = null;
            String after = null;
            if (call.sessionId() == null) {
                outcome = runInFreshContainer(new RunRequest(call.code(), call.stdin(), call.timeout(),
                        call.memoryMb(), null));
            } else {
                SessionStore.Session session = sessions.open(call.sessionId());
                try {
                    session.lock.lock();
                    try {
                        String lost = sessions.takeLost(session);
                        if (lost != null) {
                            reset = true;
                            before = "note: this session's earlier state is gone (" + lost + "); this call "
                                    + "started with empty globals";
                        }
                        outcome = runInFreshContainer(new RunRequest(call.code(), call.stdin(), call.timeout(),
                                call.memoryMb(), sessions.state(session)));
                        reset |= outcome.sessionReset();
                        if (outcome.state() != null && !sessions.save(session, outcome.state())) {
                            reset = true;
                            after = "note: the session state could not be kept (the service's session memory, "
                                    + "aster.sandbox.sessions.max-total-bytes, is full with sessions in use); the "
                                    + "next call of this session starts with empty globals";
                        }
                    } finally {
                        session.lock.unlock();
                    }
                } finally {
                    sessions.release(session);
                }
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            metrics.executed(outcome.status(), took);
            return new ExecutionResult(outcome.status(), outcome.exitCode(), outcome.stdout(),
                    withNotes(before, outcome.stderr(), after), outcome.stdoutTruncated(), outcome.stderrTruncated(),
                    took.toMillis(), call.sessionId(), reset ? Boolean.TRUE : null);
        } catch (OverloadedException | EngineUnavailableException e) {
            metrics.executed(ExecutionStatus.REJECTED, Duration.ofNanos(System.nanoTime() - started));
            throw e;
        }
    }

    /** stderr with the service's own notes about the session around it (a note is a whole line). */
    private static String withNotes(String before, String stderr, String after) {
        StringBuilder text = new StringBuilder();
        if (before != null) {
            text.append(before).append('\n');
        }
        text.append(stderr);
        if (after != null) {
            if (!text.isEmpty() && text.charAt(text.length() - 1) != '\n') {
                text.append('\n');
            }
            text.append(after).append('\n');
        }
        return text.toString();
    }

    /** Same test as the runner's: code that names the prelude's libraries (or restores a session) waits for it. */
    private static boolean wantsPrelude(RunRequest request) {
        return request.inSession() || PRELUDE_WORDS.matcher(request.code()).find();
    }

    /**
     * Runs the request in a fresh container. The call waits for one (a ready pooled container, or a start of its
     * own for another memory limit) at most the acquire timeout; when that ends with the engine healthy the service
     * is busy (429), not down.
     */
    private RunOutcome runInFreshContainer(RunRequest request) {
        int outputLimit = config.limits().outputBytes();
        int stateLimit = config.sessions().maxStateBytes();
        boolean pooled = request.memoryMb() == config.limits().defaultMemoryMb();
        long deadline = System.nanoTime() + config.pool().acquireTimeout().toNanos();
        // Warm containers that died while waiting (an engine restart between two health checks) are skipped: at
        // worst the whole pool, then a fresh one.
        int attempts = config.pool().size() + 2;
        for (int attempt = 0; attempt < attempts; attempt++) {
            SandboxContainer container = pooled ? pool.take(wantsPrelude(request), deadline)
                    : pool.startOnDemand(request.memoryMb(), deadline);
            RunOutcome outcome = null;
            try {
                if (container.send(request, outputLimit, stateLimit, json)) {
                    outcome = container.await(request, wantsPrelude(request), config.pool().startTimeout(),
                            outputLimit, stateLimit, json, timer, engine);
                    return outcome;
                }
            } finally {
                if (outcome != null && outcome.status() == ExecutionStatus.TIMEOUT) {
                    pool.killAndDiscard(container);
                } else {
                    pool.discard(container);
                }
            }
        }
        throw new EngineUnavailableException("sandbox containers stopped before they could run the code "
                + attempts + " times in a row");
    }
}

package ai.aster.gateway.client;

import ai.aster.gateway.config.GatewayConfig;
import ai.aster.gateway.service.CompletionFailures;
import ai.aster.gateway.service.DeadlineExceededException;
import ai.aster.gateway.service.DependencyUnavailableException;
import ai.aster.gateway.service.SandboxPort;
import ai.aster.protocol.sandbox.ExecutionRequest;
import ai.aster.protocol.sandbox.ExecutionResult;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The sandbox as the agent loop sees it. A 429 (saturated) is retried after its {@code Retry-After} until the
 * trajectory's deadline; a 503 or a refused connection means the sandbox is down.
 */
@ApplicationScoped
public class SandboxClient implements SandboxPort {

    static final String NAME = "sandbox-service";
    private static final Logger LOG = Logger.getLogger(SandboxClient.class);
    /** Time allowed beyond the execution's own limit: container start, session restore, the round trip. */
    private static final Duration GRACE = Duration.ofSeconds(15);
    private static final Duration OUTAGE_PAUSE = Duration.ofMillis(250);

    private final SandboxRestClient rest;
    private final ObjectMapper json;
    private final Vertx vertx;

    public SandboxClient(SandboxRestClient rest, GatewayConfig config, ObjectMapper json, Vertx vertx) {
        this.rest = rest;
        this.json = json;
        this.vertx = vertx;
    }

    @Override
    public CompletableFuture<ExecutionResult> execute(ExecutionRequest request, long deadlineNanos) {
        CompletableFuture<ExecutionResult> result = new CompletableFuture<>();
        attempt(vertx.getOrCreateContext(), request, deadlineNanos, 2, result);
        return result;
    }

    /**
     * One try; a 429 is tried again after its {@code Retry-After} (within the deadline), a refused connection or a
     * 503 (a restart, or a container that died under it) up to {@code outageRetries} more times. Cancelling
     * {@code result} cancels the try in flight (the request is reset) and stops the retries.
     */
    private void attempt(Context home, ExecutionRequest request, long deadlineNanos, int outageRetries,
            CompletableFuture<ExecutionResult> result) {
        long remaining = deadlineNanos - System.nanoTime();
        if (result.isDone()) {
            return;
        }
        if (remaining <= 0) {
            result.completeExceptionally(
                    new DeadlineExceededException("the trajectory deadline passed waiting for the sandbox"));
            return;
        }
        long callLimit = Duration.ofMillis((long) (request.timeoutS() * 1000)).plus(GRACE).toNanos();
        CompletableFuture<ExecutionResult> call = rest.execute(request)
                .ifNoItem().after(Duration.ofNanos(Math.min(remaining, callLimit))).fail()
                .subscribeAsCompletionStage();
        result.whenComplete((r, e) -> call.cancel(true)); // a no-op once the call is done
        call.whenComplete((value, e) -> {
            if (e == null) {
                result.complete(value);
                return;
            }
            Throwable cause = CompletionFailures.cause(e);
            if (cause instanceof CancellationException) {
                return; // result was cancelled
            }
            if (cause instanceof io.smallrye.mutiny.TimeoutException) {
                result.completeExceptionally(deadlineNanos - System.nanoTime() <= 0
                        ? new DeadlineExceededException("the trajectory deadline passed during a code execution")
                        : new DependencyUnavailableException(NAME, "no answer within the execution limit", cause));
                return;
            }
            if (cause instanceof WebApplicationException web && web.getResponse().getStatus() == 429) {
                long wait = Math.min(retryAfterNanos(web), deadlineNanos - System.nanoTime());
                later(home, Math.max(0, wait), () -> attempt(home, request, deadlineNanos, outageRetries, result));
                return;
            }
            RuntimeException failure = DependencyFailures.translate(NAME, cause, json);
            boolean outage = failure instanceof DependencyFailures.ConnectFailure
                    || cause instanceof WebApplicationException web && web.getResponse().getStatus() == 503;
            if (outage && outageRetries > 0 && deadlineNanos - System.nanoTime() > OUTAGE_PAUSE.toNanos()) {
                later(home, OUTAGE_PAUSE.toNanos(),
                        () -> attempt(home, request, deadlineNanos, outageRetries - 1, result));
                return;
            }
            result.completeExceptionally(failure);
        });
    }

    /**
     * Runs {@code retry} after a pause on {@code home} (the caller's event loop), without holding a thread meanwhile:
     * a Vert.x timer rather than a JDK scheduler, whose threads lack the application's class loader.
     */
    private void later(Context home, long nanos, Runnable retry) {
        long ms = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos));
        home.runOnContext(ignored -> vertx.setTimer(ms, id -> retry.run()));
    }

    /**
     * Tried three times, 200 ms apart, 5 s each. A plain chain, not SmallRye Fault Tolerance's {@code @Retry}, for
     * the same reason as {@code ModelServiceClient.tokenize}: its interceptors' CPU on a per-trajectory call.
     */
    @Override
    public CompletableFuture<Void> deleteSession(String sessionId) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        deleteSession(vertx.getOrCreateContext(), sessionId, 0, done);
        return done;
    }

    private void deleteSession(Context home, String sessionId, int attempt, CompletableFuture<Void> done) {
        rest.deleteSession(sessionId).ifNoItem().after(Duration.ofSeconds(5)).fail().subscribeAsCompletionStage()
                .whenComplete((response, e) -> {
                    Throwable cause = CompletionFailures.cause(e);
                    if (cause == null || cause instanceof WebApplicationException web
                            && web.getResponse().getStatus() == 404) {
                        done.complete(null); // deleted, or no state was kept for it
                    } else if (attempt >= 2) {
                        LOG.debugf("session %s not deleted: %s", sessionId, cause.getMessage());
                        done.complete(null);
                    } else {
                        later(home, TimeUnit.MILLISECONDS.toNanos(200),
                                () -> deleteSession(home, sessionId, attempt + 1, done));
                    }
                });
    }

    /** True when the sandbox answers its readiness probe. */
    public boolean ready(Duration timeout) {
        try {
            return rest.ready().await().atMost(timeout).getStatus() == 200;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static long retryAfterNanos(WebApplicationException e) {
        String header = e.getResponse().getHeaderString("Retry-After");
        try {
            double seconds = header == null ? 1 : Double.parseDouble(header.strip());
            return (long) (Math.max(0.05, Math.min(seconds, 30)) * 1e9);
        } catch (NumberFormatException ex) {
            return TimeUnit.SECONDS.toNanos(1);
        }
    }
}

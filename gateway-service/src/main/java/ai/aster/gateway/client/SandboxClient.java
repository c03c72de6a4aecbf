package ai.aster.gateway.client;

import ai.aster.gateway.config.GatewayConfig;
import ai.aster.gateway.service.DeadlineExceededException;
import ai.aster.gateway.service.DependencyUnavailableException;
import ai.aster.gateway.service.SandboxPort;
import ai.aster.protocol.sandbox.ExecutionRequest;
import ai.aster.protocol.sandbox.ExecutionResult;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The sandbox as the agent loop sees it. A 429 (saturated) is retried after its {@code Retry-After} until the
 * trajectory's deadline; a 503 or a refused connection means the sandbox is down.
 */
@ApplicationScoped
public class SandboxClient implements SandboxPort {

    static final String NAME = "sandbox-service";
    /** Time allowed beyond the execution's own limit: container start, session restore, the round trip. */
    private static final Duration GRACE = Duration.ofSeconds(15);
    private static final Duration OUTAGE_PAUSE = Duration.ofMillis(250);

    private final SandboxRestClient rest;
    private final ObjectMapper json;

    public SandboxClient(SandboxRestClient rest, GatewayConfig config, ObjectMapper json) {
        this.rest = rest;
        this.json = json;
    }

    @Override
    public ExecutionResult execute(ExecutionRequest request, long deadlineNanos) throws InterruptedException {
        long callLimit = Duration.ofMillis((long) (request.timeoutS() * 1000)).plus(GRACE).toNanos();
        // a refused connection or a 503 may be a restart or a container that died under it: two quick retries
        int outageRetries = 2;
        while (true) {
            long remaining = deadlineNanos - System.nanoTime();
            if (remaining <= 0) {
                throw new DeadlineExceededException("the trajectory deadline passed waiting for the sandbox");
            }
            try {
                return rest.execute(request).await().atMost(Duration.ofNanos(Math.min(remaining, callLimit)));
            } catch (io.smallrye.mutiny.TimeoutException e) {
                if (deadlineNanos - System.nanoTime() <= 0) {
                    throw new DeadlineExceededException("the trajectory deadline passed during a code execution");
                }
                throw new DependencyUnavailableException(NAME, "no answer within the execution limit", e);
            } catch (RuntimeException e) {
                Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                        ? e.getCause() : e;
                if (cause instanceof WebApplicationException web && web.getResponse().getStatus() == 429) {
                    long wait = Math.min(retryAfterNanos(web), deadlineNanos - System.nanoTime());
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    continue;
                }
                RuntimeException failure = DependencyFailures.translate(NAME, e, json);
                boolean outage = failure instanceof DependencyFailures.ConnectFailure
                        || cause instanceof WebApplicationException web && web.getResponse().getStatus() == 503;
                if (outage && outageRetries-- > 0 && deadlineNanos - System.nanoTime() > OUTAGE_PAUSE.toNanos()) {
                    TimeUnit.NANOSECONDS.sleep(OUTAGE_PAUSE.toNanos());
                    continue;
                }
                throw failure;
            }
        }
    }

    /**
     * Tried three times, 200 ms apart, 5 s each. A plain loop, not SmallRye Fault Tolerance's {@code @Retry}, for
     * the same reason as {@code ModelServiceClient.tokenize}: its interceptors' CPU on a per-trajectory call.
     */
    @Override
    public void deleteSession(String sessionId) {
        for (int attempt = 0; ; attempt++) {
            try {
                rest.deleteSession(sessionId).await().atMost(Duration.ofSeconds(5));
                return;
            } catch (RuntimeException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                if (e instanceof WebApplicationException web && web.getResponse().getStatus() == 404
                        || cause instanceof WebApplicationException web2 && web2.getResponse().getStatus() == 404) {
                    return; // no state was kept for it
                }
                if (attempt >= 2) {
                    throw e;
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
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

package ai.aster.gateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.aster.gateway.service.DeadlineExceededException;
import ai.aster.gateway.service.DependencyUnavailableException;
import ai.aster.protocol.sandbox.ExecutionRequest;
import ai.aster.protocol.sandbox.ExecutionResult;
import ai.aster.protocol.sandbox.ExecutionStatus;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Saturation and outages of the sandbox, injected: 429s are waited out within the deadline, 503s are not. */
class SandboxClientTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void stop() {
        vertx.close();
    }

    private static final ExecutionResult OK = new ExecutionResult(ExecutionStatus.OK, 0, "1\n", "", false, false, 5, "s");

    /** A sandbox whose answers are scripted in order. */
    private static final class ScriptedSandbox implements SandboxRestClient {
        final Deque<Supplier<Uni<ExecutionResult>>> answers = new ArrayDeque<>();
        int calls;

        @Override
        public Uni<ExecutionResult> execute(ExecutionRequest request) {
            calls++;
            return answers.isEmpty() ? Uni.createFrom().item(OK) : answers.poll().get();
        }

        @Override
        public Uni<Response> deleteSession(String sessionId) {
            return Uni.createFrom().item(Response.noContent().build());
        }

        @Override
        public Uni<Response> ready() {
            return Uni.createFrom().item(Response.ok().build());
        }
    }

    private static Supplier<Uni<ExecutionResult>> status(int status, String retryAfter) {
        Response.ResponseBuilder response = Response.status(status);
        if (retryAfter != null) {
            response.header("Retry-After", retryAfter);
        }
        return () -> Uni.createFrom().failure(new WebApplicationException(response.build()));
    }

    /** The exception {@code call} fails with, checked to be a {@code type}. */
    private static <T extends Throwable> T assertFailsWith(Class<T> type, CompletableFuture<?> call) {
        ExecutionException failed = assertThrows(ExecutionException.class, () -> call.get(30, TimeUnit.SECONDS));
        return assertInstanceOf(type, failed.getCause());
    }

    private static long in(double seconds) {
        return System.nanoTime() + (long) (seconds * 1e9);
    }

    @Test
    void saturationIsRetriedAfterRetryAfter() throws Exception {
        ScriptedSandbox sandbox = new ScriptedSandbox();
        sandbox.answers.add(status(429, "0.2"));
        sandbox.answers.add(status(429, "0.2"));
        SandboxClient client = new SandboxClient(sandbox, null, new ObjectMapper(), vertx);
        long start = System.nanoTime();
        ExecutionResult result = client.execute(ExecutionRequest.python("print(1)", "s", 5.0), in(10)).get();
        assertEquals(OK, result);
        assertEquals(3, sandbox.calls);
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(380), "did not wait for Retry-After");
    }

    @Test
    void saturationBeyondTheDeadlineEndsWithDeadline() {
        ScriptedSandbox sandbox = new ScriptedSandbox();
        for (int i = 0; i < 100; i++) {
            sandbox.answers.add(status(429, "1"));
        }
        SandboxClient client = new SandboxClient(sandbox, null, new ObjectMapper(), vertx);
        long start = System.nanoTime();
        assertFailsWith(DeadlineExceededException.class, client.execute(ExecutionRequest.python("print(1)", "s", 5.0),
                in(1.5)));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds >= 1.4 && seconds < 3, "took " + seconds + " s");
    }

    @Test
    void aPassing503IsRetried() throws Exception {
        ScriptedSandbox sandbox = new ScriptedSandbox();
        sandbox.answers.add(status(503, null));
        SandboxClient client = new SandboxClient(sandbox, null, new ObjectMapper(), vertx);
        assertEquals(OK, client.execute(ExecutionRequest.python("print(1)", "s", 5.0), in(10)).get());
        assertEquals(2, sandbox.calls);
    }

    @Test
    void anUnavailableSandboxFailsWithinASecond() {
        ScriptedSandbox sandbox = new ScriptedSandbox();
        for (int i = 0; i < 10; i++) {
            sandbox.answers.add(status(503, null));
        }
        SandboxClient client = new SandboxClient(sandbox, null, new ObjectMapper(), vertx);
        long start = System.nanoTime();
        var error = assertFailsWith(DependencyUnavailableException.class,
                client.execute(ExecutionRequest.python("print(1)", "s", 5.0), in(10)));
        assertEquals("sandbox-service", error.dependency());
        assertEquals(3, sandbox.calls);
        assertTrue(System.nanoTime() - start < 1_000_000_000L);
    }
}

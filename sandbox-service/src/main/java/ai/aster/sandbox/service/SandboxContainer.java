package ai.aster.sandbox.service;

import ai.aster.protocol.sandbox.ExecutionStatus;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/** A started container whose runner has connected and waits for its one piece of code. Used once. */
final class SandboxContainer {

    /** How long to wait for the engine to report the exit code of a container whose runner vanished. */
    private static final long EXIT_WAIT_MS = 5_000;

    private final String id;
    private final Path ipcDir;
    private final int memoryMb;
    private final SocketChannel connection;

    /** The runner's prelude-ready frame, read without blocking while the container waits in the pool. */
    private final ByteBuffer preludeFrame = ByteBuffer.allocate(5);
    private boolean preludeReady;
    private boolean claimed;

    SandboxContainer(String id, Path ipcDir, int memoryMb, SocketChannel connection) {
        this.id = id;
        this.ipcDir = ipcDir;
        this.memoryMb = memoryMb;
        this.connection = connection;
    }

    String id() {
        return id;
    }

    Path ipcDir() {
        return ipcDir;
    }

    /**
     * Whether the runner has said its prelude is imported. Reads without blocking; only before {@link #claim()}
     * (while waiting in the pool the runner sends nothing else).
     */
    synchronized boolean preludeReady() {
        if (preludeReady || claimed) {
            return preludeReady;
        }
        try {
            connection.configureBlocking(false);
            try {
                connection.read(preludeFrame);
            } finally {
                connection.configureBlocking(true);
            }
        } catch (IOException e) {
            return false; // a dead runner: found out when the call sends its request
        }
        preludeReady = !preludeFrame.hasRemaining() && preludeFrame.get(0) == RunnerFrame.PRELUDE_READY;
        return preludeReady;
    }

    /** Taken for a call: no more pool-side reads; a half-read prelude frame is completed so the stream stays framed. */
    synchronized void claim() {
        claimed = true;
        if (preludeFrame.position() == 0 || !preludeFrame.hasRemaining()) {
            return;
        }
        try {
            while (preludeFrame.hasRemaining() && connection.read(preludeFrame) >= 0) {
                // the rest of the 5 bytes is already on its way
            }
        } catch (IOException e) {
            // a dead runner: found out when the call sends its request
        }
        preludeReady = !preludeFrame.hasRemaining() && preludeFrame.get(0) == RunnerFrame.PRELUDE_READY;
    }

    /** Sends the request; false when the container is no longer usable (it died while waiting in the pool). */
    boolean send(RunRequest request, int outputLimit, int stateLimit, ObjectMapper json) {
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("code", request.code());
        head.put("stdin", request.stdin());
        head.put("output_limit", outputLimit);
        head.put("session", request.inSession());
        head.put("state_limit", stateLimit);
        try {
            new RunnerFrame(RunnerFrame.REQUEST, json.writeValueAsBytes(head)).writeTo(connection);
            byte[] state = request.state() == null ? new byte[0] : request.state();
            new RunnerFrame(RunnerFrame.STATE, state).writeTo(connection);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Collects the runner's answer until the end of the connection or the deadline (the connection is closed:
     * timeout; the caller kills the container). The runner sends its exit frame only after every process of the
     * call has exited and all their output is sent, then exits; reading on to the end of the stream keeps anything
     * that arrives around the exit frame. A connection that ends without an exit frame means the container died
     * (137: its memory limit, as Podman on cgroup v1 does not set OOMKilled).
     */
    RunOutcome await(RunRequest request, boolean needsPrelude, Duration preludeWait, int outputLimit,
            int stateLimit, ObjectMapper json, CallTimer timer, ContainerEngine engine) {
        CappedOutput stdout = new CappedOutput(outputLimit);
        CappedOutput stderr = new CappedOutput(outputLimit);
        AtomicBoolean timedOut = new AtomicBoolean();
        Runnable expire = () -> {
            // Closing the connection ends the read below; the caller then kills the container.
            timedOut.set(true);
            closeQuietly();
        };
        // Code that needs the prelude starts only once it is imported; on a loaded machine that can take a while,
        // and the call's time limit is for the code. Until then the start timeout bounds the wait.
        boolean waitingForPrelude = needsPrelude && !preludeReady;
        ScheduledFuture<?> killer = timer.after(waitingForPrelude ? preludeWait.toMillis()
                : request.timeout().toMillis(), expire);
        byte[] state = null;
        JsonNode exit = null;
        String protocolError = null;
        try {
            int maxFrame = Math.max(outputLimit, stateLimit) + 1024;
            RunnerFrame frame;
            while ((frame = RunnerFrame.readFrom(connection, maxFrame)) != null) {
                switch (frame.type()) {
                    case RunnerFrame.STDOUT -> stdout.append(frame.payload());
                    case RunnerFrame.STDERR -> stderr.append(frame.payload());
                    case RunnerFrame.STATE -> state = frame.payload();
                    case RunnerFrame.EXIT -> {
                        if (exit != null) {
                            throw new IOException("runner sent a second exit frame");
                        }
                        exit = json.readTree(frame.payload());
                    }
                    case RunnerFrame.PRELUDE_READY -> {
                        if (waitingForPrelude) {
                            // the code starts now: its own time limit begins
                            waitingForPrelude = false;
                            killer.cancel(false);
                            killer = timer.after(request.timeout().toMillis(), expire);
                        }
                    }
                    default -> throw new IOException("runner sent an unknown frame type " + frame.type());
                }
            }
        } catch (IOException e) {
            if (!timedOut.get()) {
                protocolError = e.getMessage();
            }
        } finally {
            killer.cancel(false);
            closeQuietly();
        }
        if (timedOut.get() && waitingForPrelude) {
            stderr.note("The sandbox did not finish importing its prelude within " + preludeWait.toSeconds()
                    + " s (the machine is overloaded); the code did not start.");
            return new RunOutcome(ExecutionStatus.TIMEOUT, null, stdout.text(), stderr.text(), stdout.truncated(),
                    stderr.truncated(), null, false);
        }
        if (timedOut.get()) {
            stderr.note("Execution timed out after " + seconds(request) + " s; the container was killed.");
            return new RunOutcome(ExecutionStatus.TIMEOUT, null, stdout.text(), stderr.text(), stdout.truncated(),
                    stderr.truncated(), null, false);
        }
        if (exit != null && protocolError == null) {
            int code = exit.path("exit_code").asInt(1);
            boolean outCut = stdout.truncated() || exit.path("stdout_truncated").asBoolean(false);
            boolean errCut = stderr.truncated() || exit.path("stderr_truncated").asBoolean(false);
            return new RunOutcome(code == 0 ? ExecutionStatus.OK : ExecutionStatus.ERROR, code, stdout.text(),
                    stderr.text(), outCut, errCut, state, exit.path("session_reset").asBoolean(false));
        }
        Optional<Integer> code = waitForExit(engine);
        if (code.isPresent() && code.get() == 137) {
            stderr.note("Memory limit of " + memoryMb + " MB exceeded; the process was killed.");
            return new RunOutcome(ExecutionStatus.OOM, 137, stdout.text(), stderr.text(), stdout.truncated(),
                    stderr.truncated(), null, false);
        }
        stderr.note("The sandbox process ended without a result"
                + code.map(c -> " (exit code " + c + ")").orElse("")
                + (protocolError == null ? "." : ": " + protocolError + "."));
        return new RunOutcome(ExecutionStatus.ERROR, code.orElse(null), stdout.text(), stderr.text(),
                stdout.truncated(), stderr.truncated(), null, false);
    }

    private Optional<Integer> waitForExit(ContainerEngine engine) {
        long deadline = System.currentTimeMillis() + EXIT_WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            try {
                Optional<Integer> code = engine.exitCode(id);
                if (code.isPresent()) {
                    return code;
                }
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                break; // the engine cannot tell: reported as an error without exit code
            }
        }
        return Optional.empty();
    }

    private static String seconds(RunRequest request) {
        double s = request.timeout().toMillis() / 1000.0;
        return s == Math.rint(s) ? String.valueOf((long) s) : String.valueOf(s);
    }

    void closeQuietly() {
        try {
            connection.close();
        } catch (IOException e) {
            // closing after use or on timeout; nothing left to do
        }
    }
}

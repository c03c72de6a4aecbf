package ai.aster.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.aster.gateway.support.TestTokenizer;
import ai.aster.modeling.ChatTemplate;
import ai.aster.protocol.openai.ChatMessage;
import ai.aster.protocol.openai.CompletionChoice;
import ai.aster.protocol.openai.CompletionLogprobs;
import ai.aster.protocol.openai.CompletionRequest;
import ai.aster.protocol.openai.CompletionResponse;
import ai.aster.protocol.openai.TokenizeRequest;
import ai.aster.protocol.openai.TokenizeResponse;
import ai.aster.protocol.sandbox.ExecutionRequest;
import ai.aster.protocol.sandbox.ExecutionResult;
import ai.aster.protocol.sandbox.ExecutionStatus;
import ai.aster.protocol.tools.CodeInterpreterTool;
import ai.aster.protocol.tools.ToolProtocol;
import ai.aster.protocol.trajectory.Trajectory;
import ai.aster.protocol.trajectory.Turn;
import io.opentelemetry.api.OpenTelemetry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent loop's asynchronous contract, with scripted ports whose answers complete on another thread (as the
 * network's would): every step and every call to a port runs on the trajectory's home event loop, the tokens are
 * contiguous, and a cancel while the sandbox runs ends the trajectory and abandons the call.
 */
class AgentLoopTest {

    private static final String CALL = "<tool_call>\n{\"name\": \"code_interpreter\", \"arguments\": {\"code\": "
            + "\"print(6*7)\"}}\n</tool_call>";

    private Vertx vertx;
    private Context loop;
    private Thread loopThread;
    private final ExecutorService network = Executors.newSingleThreadExecutor();
    private final Set<Thread> callThreads = ConcurrentHashMap.newKeySet();
    private final ScriptedModel model = new ScriptedModel();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        loop = vertx.getOrCreateContext();
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        loop.runOnContext(v -> thread.complete(Thread.currentThread()));
        loopThread = thread.get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        network.shutdownNow();
        vertx.close();
    }

    @Test
    void aTrajectoryRunsEveryStepOnItsHomeLoopAndItsTokensAreContiguous() throws Exception {
        model.turns.addAll(List.of(CALL, CALL, "It is \\boxed{42}."));
        SandboxPort sandbox = new SandboxPort() {
            @Override
            public CompletableFuture<ExecutionResult> execute(ExecutionRequest request, long deadlineNanos) {
                callThreads.add(Thread.currentThread());
                return CompletableFuture.supplyAsync(() -> new ExecutionResult(ExecutionStatus.OK, 0, "42\n", "",
                        false, false, 3, request.sessionId()), network);
            }

            @Override
            public CompletableFuture<Void> deleteSession(String sessionId) {
                return CompletableFuture.completedFuture(null);
            }
        };
        TrajectoryOutcome outcome = start(sandbox).outcome().get(30, TimeUnit.SECONDS);

        assertEquals("stop", outcome.finishReason(), String.valueOf(outcome.failure()));
        assertEquals("It is \\boxed{42}.", outcome.message().content());
        assertEquals(2, outcome.message().toolTrace().size());
        assertEquals(Set.of(loopThread), callThreads, "a port was called off the trajectory's event loop");
        Trajectory trajectory = outcome.trajectory();
        assertEquals(3, trajectory.turns().size());
        assertEquals(2, trajectory.usage().toolCalls());
        // each completion was asked for the whole sequence so far: prompt, then per turn its tokens and the result's
        List<Integer> sequence = new ArrayList<>(trajectory.promptTokenIds());
        for (int i = 0; i < trajectory.turns().size(); i++) {
            assertEquals(sequence, model.prompts.get(i), "turn " + i + " was not decoded from the whole sequence");
            Turn turn = trajectory.turns().get(i);
            sequence.addAll(turn.completionTokenIds());
            if (turn.toolResult() != null) {
                sequence.addAll(turn.toolResult().tokenIds());
            }
        }
        assertEquals("42\n", trajectory.turns().get(0).toolResult().text());
    }

    @Test
    void aCancelWhileTheSandboxRunsEndsTheTrajectoryAndAbandonsTheCall() throws Exception {
        model.turns.add(CALL);
        CompletableFuture<ExecutionResult> pending = new CompletableFuture<>();
        CompletableFuture<Void> asked = new CompletableFuture<>();
        SandboxPort sandbox = new SandboxPort() {
            @Override
            public CompletableFuture<ExecutionResult> execute(ExecutionRequest request, long deadlineNanos) {
                asked.complete(null);
                return pending; // never answers
            }

            @Override
            public CompletableFuture<Void> deleteSession(String sessionId) {
                return CompletableFuture.completedFuture(null);
            }
        };
        AgentLoop.Running running = start(sandbox);
        asked.get(30, TimeUnit.SECONDS);
        running.cancel(); // from this thread, not the loop's
        TrajectoryOutcome outcome = running.outcome().get(30, TimeUnit.SECONDS);
        assertEquals("cancelled", outcome.finishReason());
        assertTrue(pending.isCancelled(), "the execution in flight was not cancelled");
    }

    @Test
    void aSandboxFailureEndsTheTrajectoryWithItsCause() throws Exception {
        model.turns.add(CALL);
        SandboxPort sandbox = new SandboxPort() {
            @Override
            public CompletableFuture<ExecutionResult> execute(ExecutionRequest request, long deadlineNanos) {
                return CompletableFuture.supplyAsync(() -> {
                    throw new DependencyUnavailableException("sandbox-service", "down", null);
                }, network);
            }

            @Override
            public CompletableFuture<Void> deleteSession(String sessionId) {
                return CompletableFuture.completedFuture(null);
            }
        };
        TrajectoryOutcome outcome = start(sandbox).outcome().get(30, TimeUnit.SECONDS);
        assertEquals("error", outcome.finishReason());
        assertTrue(outcome.failure() instanceof DependencyUnavailableException, String.valueOf(outcome.failure()));
    }

    @Test
    void withToolCallingOffTheAnswerStreamsBeforeTheTurnEnds() throws Exception {
        model.turns.add("<think>t</think>The answer is 42."); // streamed in thirds: "...The an" comes with the 2nd
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        model.chunkLog = order;
        TrajectoryEvents events = new TrajectoryEvents() {
            @Override
            public void content(String delta) {
                order.add("content " + delta);
            }
        };
        TrajectoryOutcome outcome = start(null, false, events).outcome().get(30, TimeUnit.SECONDS);
        assertEquals("The answer is 42.", outcome.message().content());
        assertTrue(order.indexOf("content The an") >= 0 && order.indexOf("content The an") < order.indexOf("chunk 2"),
                "the answer waited for the turn's end: " + order);
    }

    /** Starts a trajectory from the home loop, as the chat route does. */
    private AgentLoop.Running start(SandboxPort sandbox) throws Exception {
        return start(sandbox, true, TrajectoryEvents.NONE);
    }

    /** @param toolCalls false as with {@code tool_choice: "none"} */
    private AgentLoop.Running start(SandboxPort sandbox, boolean toolCalls, TrajectoryEvents events) throws Exception {
        AgentLoop agentLoop = new AgentLoop(model, sandbox, new ToolResultRenderer(model),
                OpenTelemetry.noop().getTracer("test"));
        TrajectorySpec spec = new TrajectorySpec("t-1", "m", "api", List.of(ChatMessage.user("What is 6*7?")),
                toolCalls ? List.of(CodeInterpreterTool.DEFINITION) : List.of(), toolCalls, Set.of(), toolCalls,
                ToolProtocol.named("hermes"), 0.0, null, null, 1L, null, 4096, 8, 10.0,
                System.nanoTime() + Duration.ofMinutes(1).toNanos(), null, null, false);
        Executor home = step -> loop.runOnContext(v -> step.run());
        CompletableFuture<AgentLoop.Running> running = new CompletableFuture<>();
        loop.runOnContext(v -> running.complete(agentLoop.start(spec, events, home)));
        return running.get(10, TimeUnit.SECONDS);
    }

    /**
     * The model service: the real Qwen3 chat template and the test tokenizer for tokenize; completions scripted by
     * turn, streamed as a few chunks from another thread.
     */
    private final class ScriptedModel implements ModelPort {
        final List<String> turns = Collections.synchronizedList(new ArrayList<>());
        final List<List<Integer>> prompts = Collections.synchronizedList(new ArrayList<>());
        volatile List<String> chunkLog = new ArrayList<>(); // "chunk i" just before chunk i is handed over
        private final ChatTemplate template = ChatTemplate.builtIn();

        @Override
        public CompletableFuture<TokenizeResponse> tokenize(TokenizeRequest request) {
            callThreads.add(Thread.currentThread());
            return CompletableFuture.supplyAsync(() -> {
                String text = request.messages() != null ? template.render(request.messages(), request.tools(),
                        !Boolean.FALSE.equals(request.addGenerationPrompt())) : request.prompt();
                List<Integer> ids = TestTokenizer.encode(text);
                return new TokenizeResponse(ids.size(), 40_000, ids, text);
            }, network);
        }

        @Override
        public CompletableFuture<Void> complete(CompletionRequest request, java.util.function.Consumer<CompletionResponse>
                onChunk, OutputGate gate, long deadlineNanos) {
            callThreads.add(Thread.currentThread());
            List<Integer> prompt = new ArrayList<>();
            request.prompt().forEach(id -> prompt.add(id.asInt()));
            int turn = prompts.size();
            prompts.add(prompt);
            String text = turns.get(turn);
            boolean call = text.endsWith("</tool_call>");
            return CompletableFuture.runAsync(() -> {
                // in three chunks; the last one carries the finish reason (and the stop string, which is returned)
                int a = text.length() / 3;
                int b = 2 * text.length() / 3;
                List<String> parts = List.of(text.substring(0, a), text.substring(a, b), text.substring(b));
                for (int i = 0; i < parts.size(); i++) {
                    String part = parts.get(i);
                    chunkLog.add("chunk " + i);
                    List<Integer> ids = TestTokenizer.encode(part);
                    List<Double> logprobs = Collections.nCopies(ids.size(), -0.1);
                    boolean last = b <= text.length() && part.equals(text.substring(b));
                    onChunk.accept(new CompletionResponse(null, CompletionResponse.OBJECT, 0, "m",
                            List.of(new CompletionChoice(0, part, new CompletionLogprobs(null, logprobs, null, null),
                                    last ? "stop" : null, last && call ? "</tool_call>" : null, ids)),
                            null, null, 1L));
                }
            }, network);
        }
    }
}

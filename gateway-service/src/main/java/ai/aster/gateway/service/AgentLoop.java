package ai.aster.gateway.service;

import ai.aster.protocol.answer.BoxedAnswer;
import ai.aster.protocol.openai.ChatMessage;
import ai.aster.protocol.openai.CompletionChoice;
import ai.aster.protocol.openai.CompletionRequest;
import ai.aster.protocol.openai.CompletionResponse;
import ai.aster.protocol.openai.StreamOptions;
import ai.aster.protocol.openai.TokenizeRequest;
import ai.aster.protocol.openai.TokenizeResponse;
import ai.aster.protocol.openai.ToolCall;
import ai.aster.protocol.openai.ToolTraceEntry;
import ai.aster.protocol.sandbox.ExecutionRequest;
import ai.aster.protocol.sandbox.ExecutionResult;
import ai.aster.protocol.tools.CodeInterpreterTool;
import ai.aster.protocol.tools.ToolCallParse;
import ai.aster.protocol.tools.ToolResultText;
import ai.aster.protocol.trajectory.Timings;
import ai.aster.protocol.trajectory.Trajectory;
import ai.aster.protocol.trajectory.TrajectoryUsage;
import ai.aster.protocol.trajectory.Turn;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import ai.aster.protocol.chat.ChatFormat;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The multi-turn tool loop of one trajectory: decode until a tool call ends a turn, run it in the sandbox, append the
 * result's tokens exactly as the chat template renders them, and decode on from the whole token sequence.
 * Generated tokens are never re-tokenized: the trajectory's tokens are exactly what the model conditioned on.
 * <p>Asynchronous, on one thread at a time: every step runs on the trajectory's home executor (its request's event
 * loop), which is also where its upstream calls are issued and its token stream is read. A blocking loop on a
 * virtual thread cost about four hand-offs per turn between that thread and the event loop, each a wake-up of a
 * sleeping thread (docs/benchmarks.md, gateway). Spans and timings of the model and sandbox calls come from
 * decorators of the ports ({@link TracedModelPort}, {@link TimedModelPort}, ...).
 */
public final class AgentLoop {

    /** Turn k of a seeded trajectory decodes with seed + k * SEED_STRIDE: reproducible, yet not the same draw. */
    public static final long SEED_STRIDE = 7919;

    /** Decoding continues in the same turn at most this often when a stop string was not a tool call. */
    private static final int MAX_CONTINUATIONS = 8;

    private final ModelPort model;
    private final SandboxPort sandbox;
    private final ToolResultRenderer renderer;
    private final Tracer tracer;

    public AgentLoop(ModelPort model, SandboxPort sandbox, ToolResultRenderer renderer, Tracer tracer) {
        this.model = new TracedModelPort(model, tracer);
        this.sandbox = new TracedSandboxPort(sandbox, tracer);
        this.renderer = renderer;
        this.tracer = tracer;
    }

    /** One trajectory on its way: its outcome when it ends (never exceptionally), and a way to stop it. */
    public interface Running {

        CompletableFuture<TrajectoryOutcome> outcome();

        /** Stops the trajectory (the client went away): it ends as {@code cancelled}. Any thread; idempotent. */
        void cancel();
    }

    /**
     * Starts a trajectory. {@code home} runs its steps one at a time, in order (an event loop); the ports are called
     * from there.
     */
    public Running start(TrajectorySpec spec, TrajectoryEvents events, Executor home) {
        Span span = tracer.spanBuilder("invoke_agent")
                .setAttribute("gen_ai.operation.name", "invoke_agent")
                .setAttribute("gen_ai.conversation.id", spec.id())
                .setAttribute("gen_ai.request.model", String.valueOf(spec.model()))
                .startSpan();
        Run run = new Run(spec, events, home, span);
        run.step(run::begin);
        return run;
    }

    /** The state of one run; touched only by its steps, which {@code home} runs one at a time. */
    private final class Run implements Running {
        final TrajectorySpec spec;
        final MessageAssembler assembler;
        final TrajectoryEvents events;
        final Executor home;
        final Span span;
        final io.opentelemetry.context.Context traceContext;
        final CompletableFuture<TrajectoryOutcome> outcome = new CompletableFuture<>();
        final TimedModelPort model = new TimedModelPort(AgentLoop.this.model);
        final TimedSandboxPort sandbox = new TimedSandboxPort(AgentLoop.this.sandbox);
        final long startNanos = System.nanoTime();
        final Instant createdAt = Instant.now();
        final List<Integer> sequence = new ArrayList<>();
        final List<Turn> turns = new ArrayList<>();
        final List<ToolTraceEntry> trace = new ArrayList<>();
        volatile boolean cancelled;
        CompletableFuture<?> inFlight; // the upstream call the run waits for, if any
        boolean finished;
        List<Integer> promptIds = List.of();
        int maxModelLen = Integer.MAX_VALUE;
        boolean startsInThink;
        ToolCall clientCall;
        TurnText turn; // the turn being decoded
        TurnText openTurn; // the turn being decoded, until its text is handed to the assembler
        int part; // decode calls made for the current turn
        boolean sawText;
        int completionTokens;
        int toolTokens;
        int toolRounds;
        int toolCalls;
        int formatErrors;
        Long policyVersion;

        Run(TrajectorySpec spec, TrajectoryEvents events, Executor home, Span span) {
            this.spec = spec;
            this.events = events;
            this.home = home;
            this.span = span;
            this.traceContext = io.opentelemetry.context.Context.current().with(span);
            this.assembler = new MessageAssembler(events, !spec.parseToolCalls());
        }

        @Override
        public CompletableFuture<TrajectoryOutcome> outcome() {
            return outcome;
        }

        @Override
        public void cancel() {
            if (cancelled) {
                return;
            }
            cancelled = true;
            step(() -> {
                if (inFlight != null) {
                    inFlight.cancel(true); // its continuation ends the run as cancelled
                } else {
                    finish("cancelled", null);
                }
            });
        }

        /** Runs {@code work} on the home executor, inside the trajectory's span; a failure ends the run. */
        void step(Runnable work) {
            home.execute(() -> {
                if (finished) {
                    return;
                }
                try (Scope ignored = traceContext.makeCurrent()) {
                    work.run();
                } catch (RuntimeException | Error e) {
                    fail(e);
                }
            });
        }

        /** Waits for an upstream call, then runs {@code next} with its value as the run's next step. */
        <T> void await(CompletableFuture<T> call, Consumer<T> next) {
            inFlight = call;
            if (cancelled) {
                call.cancel(true);
            }
            call.whenComplete((value, failure) -> step(() -> {
                inFlight = null;
                if (failure != null) {
                    fail(failure);
                } else {
                    next.accept(value);
                }
            }));
        }

        void fail(Throwable failure) {
            Throwable e = CompletionFailures.cause(failure);
            if (cancelled || e instanceof CancellationException) {
                finish("cancelled", null);
            } else if (e instanceof DeadlineExceededException) {
                finish("deadline", null);
            } else {
                finish("error", e instanceof RuntimeException r ? r : new IllegalStateException(e.toString(), e));
            }
        }

        void finish(String finish, RuntimeException failure) {
            if (finished) {
                return;
            }
            finished = true;
            TrajectoryOutcome result;
            try {
                if (openTurn != null) {
                    endTurn(openTurn, -1, true);
                }
                result = outcome(finish, failure);
            } catch (RuntimeException e) {
                result = null; // reported by the caller as a failure inside the gateway
                failure = e;
            }
            span.setAttribute("gen_ai.response.finish_reasons", finish);
            span.setAttribute("aster.tool_calls", toolCalls);
            if (failure != null) {
                span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
            }
            span.end();
            if (result == null) {
                outcome.completeExceptionally(failure);
            } else {
                outcome.complete(result);
            }
        }

        private void begin() {
            if (cancelled) {
                finish("cancelled", null);
                return;
            }
            await(model.tokenize(new TokenizeRequest(spec.model(), null, spec.messages(),
                    spec.templateTools().isEmpty() ? null : spec.templateTools(), true, null, null)), prompt -> {
                        promptIds = List.copyOf(prompt.tokens());
                        sequence.addAll(promptIds);
                        if (prompt.maxModelLen() > 0) {
                            maxModelLen = prompt.maxModelLen();
                        }
                        startsInThink = ChatFormat.endsWithOpenThink(prompt.prompt());
                        startTurn();
                    });
        }

        private void startTurn() {
            if (System.nanoTime() >= spec.deadlineNanos()) {
                finish("deadline", null);
                return;
            }
            turn = new TurnText(startsInThink);
            assembler.startTurn(startsInThink);
            openTurn = turn;
            part = 0;
            decodePart();
        }

        /** One decode call of the current turn (a turn takes more when a stop string was no tool call). */
        private void decodePart() {
            int budget = remainingBudget();
            if (budget <= 0) {
                recordTurn(turn, null, null);
                finish("length", null);
                return;
            }
            decode(turn, budget);
        }

        /** After a decode call: a tool call, an answer, or (a bare protocol stop string) more of the same turn. */
        private void decoded() {
            if ("length".equals(turn.finishReason)) {
                recordTurn(turn, null, null);
                finish("length", null);
                return;
            }
            ToolCallParse parse = spec.parseToolCalls()
                    ? spec.protocol().parse(turn.text.toString(), turn.startsInThink) : ToolCallParse.NONE;
            // a protocol stop string that was no tool call (a bare ``` fence): the model is not done
            if (parse instanceof ToolCallParse.None && endsWithProtocolStop(turn.text) && part++ < MAX_CONTINUATIONS) {
                decodePart();
                return;
            }
            switch (parse) {
                case ToolCallParse.None none -> {
                    endTurn(turn, -1, true);
                    recordTurn(turn, null, null);
                    finish("stop", null);
                }
                case ToolCallParse.Call call when spec.clientTools().contains(call.name()) -> {
                    endTurn(turn, call.start(), true);
                    clientCall = ToolCall.function("call_" + UUID.randomUUID().toString().replace("-", ""),
                            call.name(), call.arguments().toString());
                    events.toolCall(clientCall);
                    recordTurn(turn, new Turn.ToolCallRecord(call.name(), call.arguments().toString(), null), null);
                    finish("tool_calls", null);
                }
                default -> {
                    int start = parse instanceof ToolCallParse.Call c ? c.start()
                            : ((ToolCallParse.Malformed) parse).start();
                    endTurn(turn, start, false);
                    if (toolRounds >= spec.maxToolCalls()) {
                        recordTurn(turn, callRecord(parse, turn, start), null);
                        finish("max_tool_calls", null);
                        return;
                    }
                    toolRounds++;
                    runTool(turn, parse, start);
                }
            }
        }

        /** Ends the turn in the message assembler; a non-live assembler gets the turn's text only now, once. */
        private void endTurn(TurnText turn, int callStart, boolean toContent) {
            openTurn = null;
            if (!events.live()) {
                assembler.feed(turn.text.toString());
            }
            assembler.endTurn(callStart, toContent);
        }

        private int remainingBudget() {
            int context = maxModelLen == Integer.MAX_VALUE ? Integer.MAX_VALUE : maxModelLen - sequence.size();
            int tokens = spec.maxCompletionTokens() == null ? Integer.MAX_VALUE
                    : spec.maxCompletionTokens() - completionTokens;
            int budget = Math.min(context, tokens);
            return budget == Integer.MAX_VALUE ? 16_384 : budget;
        }

        private void decode(TurnText turn, int maxTokens) {
            ArrayNode ids = JsonNodeFactory.instance.arrayNode(sequence.size());
            for (int id : sequence) {
                ids.add(id);
            }
            List<String> stop = new ArrayList<>();
            if (spec.parseToolCalls()) {
                stop.addAll(spec.protocol().stopStrings());
            }
            if (spec.stop() != null) {
                stop.addAll(spec.stop());
            }
            Long seed = spec.seed() == null ? null : spec.seed() + turns.size() * SEED_STRIDE + turn.parts;
            CompletionRequest request = new CompletionRequest(spec.model(), ids, maxTokens, spec.temperature(),
                    spec.topP(), spec.topK(), seed, 1, stop.isEmpty() ? null : stop, null, 0, true,
                    new StreamOptions(true), true, null, true);
            int before = turn.tokenIds.size();
            turn.finishReason = null;
            turn.stopReason = null;
            await(model.complete(request, chunk -> onChunk(turn, chunk), events.gate(), spec.deadlineNanos()), v -> {
                turn.parts++;
                if (!turn.text.isEmpty() && turn.tokenIds.size() == before) {
                    throw new IllegalStateException("the model service returned text without token ids");
                }
                includeStopString(turn, () -> {
                    while (turn.logprobs.size() < turn.tokenIds.size()) {
                        turn.logprobs.add(null);
                    }
                    completionTokens += turn.tokenIds.size() - before;
                    sequence.addAll(turn.tokenIds.subList(before, turn.tokenIds.size()));
                    decoded();
                });
            });
        }

        /**
         * The hot path: runs once per streamed chunk (a token or a few), on the trajectory's event loop, where its
         * steps run too. Kept to appends; splitting thinking from the answer happens here only when a client streams.
         */
        private void onChunk(TurnText turn, CompletionResponse chunk) {
            if (chunk.policyVersion() != null && policyVersion == null) {
                policyVersion = chunk.policyVersion();
            }
            if (chunk.choices() == null) {
                return;
            }
            for (CompletionChoice choice : chunk.choices()) {
                if (choice.text() != null && !choice.text().isEmpty()) {
                    turn.text.append(choice.text());
                    if (!sawText) {
                        sawText = true;
                        events.firstText();
                    }
                    if (events.live()) {
                        assembler.feed(choice.text());
                    }
                }
                if (choice.tokenIds() != null) {
                    turn.tokenIds.addAll(choice.tokenIds());
                }
                if (choice.logprobs() != null && choice.logprobs().tokenLogprobs() != null) {
                    turn.logprobs.addAll(choice.logprobs().tokenLogprobs());
                }
                if (choice.finishReason() != null) {
                    turn.finishReason = choice.finishReason();
                }
                if (choice.stopReason() != null) {
                    turn.stopReason = choice.stopReason();
                }
            }
        }

        /**
         * The stop string must stay in the model's context. If the model service ended on it without returning it,
         * its tokens are appended, with unknown log-probs (null): they were forced by the stop, not sampled here,
         * and the log-prob the model gave them is not known. Then {@code next}.
         */
        private void includeStopString(TurnText turn, Runnable next) {
            if (!"stop".equals(turn.finishReason) || !(turn.stopReason instanceof String stop)
                    || !spec.protocol().stopStrings().contains(stop) || turn.text.toString().endsWith(stop)) {
                next.run();
                return;
            }
            await(model.tokenize(new TokenizeRequest(spec.model(), stop, null, null, null, null, false)), response -> {
                turn.text.append(stop);
                if (events.live()) {
                    assembler.feed(stop);
                }
                turn.tokenIds.addAll(response.tokens());
                while (turn.logprobs.size() < turn.tokenIds.size()) {
                    turn.logprobs.add(null);
                }
                next.run();
            });
        }

        private boolean endsWithProtocolStop(StringBuilder text) {
            String s = text.toString();
            return spec.protocol().stopStrings().stream().anyMatch(s::endsWith);
        }

        private void runTool(TurnText turn, ToolCallParse parse, int start) {
            String formatError = switch (parse) {
                case ToolCallParse.Malformed m -> m.reason();
                case ToolCallParse.Call c when !spec.builtinCode() || !CodeInterpreterTool.NAME.equals(c.name()) ->
                        "unknown tool '" + c.name() + "'; available: " + availableTools();
                case ToolCallParse.Call c when c.code() == null || c.code().isBlank() ->
                        "the " + CodeInterpreterTool.NAME + " call has no \"code\" argument";
                default -> null;
            };
            Turn.ToolCallRecord callRecord = callRecord(parse, turn, start);
            if (formatError != null) {
                formatErrors++;
                toolResult(turn, callRecord, "format_error", ToolResultText.formatError(formatError), 0);
                return;
            }
            String code = ((ToolCallParse.Call) parse).code();
            long t0 = System.nanoTime();
            await(sandbox.execute(ExecutionRequest.python(code, spec.id(), spec.toolTimeoutS()), spec.deadlineNanos()),
                    result -> {
                        toolCalls++;
                        long durationMs = result.durationMs() > 0 ? result.durationMs()
                                : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                        toolResult(turn, callRecord, result.status().wireName(),
                                ToolResultText.render(result, spec.toolTimeoutS()), durationMs);
                    });
        }

        /** The tool's result: traced, rendered into the model's context as the template would, then the next turn. */
        private void toolResult(TurnText turn, Turn.ToolCallRecord callRecord, String status, String resultText,
                long durationMs) {
            ToolTraceEntry entry = new ToolTraceEntry(trace.size(), callRecord.name(), callRecord.code(), status,
                    resultText, durationMs);
            trace.add(entry);
            events.toolTrace(entry);
            await(renderer.continuation(spec.model(), spec.protocol(), resultText), continuation ->
                    await(renderer.tokens(model, continuation, spec.model()), ids -> {
                        startsInThink = ChatFormat.endsWithOpenThink(continuation);
                        sequence.addAll(ids);
                        toolTokens += ids.size();
                        recordTurn(turn, callRecord, new Turn.ToolResultRecord(status, resultText, List.copyOf(ids),
                                durationMs));
                        startTurn();
                    }));
        }

        private Turn.ToolCallRecord callRecord(ToolCallParse parse, TurnText turn, int start) {
            return switch (parse) {
                case ToolCallParse.Call c when c.code() != null -> new Turn.ToolCallRecord(c.name(), c.code(), null);
                case ToolCallParse.Call c -> new Turn.ToolCallRecord(c.name(), c.arguments() == null ? null
                        : c.arguments().toString(), c.code() == null && CodeInterpreterTool.NAME.equals(c.name())
                        ? "missing code" : null);
                case ToolCallParse.Malformed m -> new Turn.ToolCallRecord(m.name(),
                        turn.text.substring(Math.min(start, turn.text.length())), m.reason());
                case ToolCallParse.None n -> null;
            };
        }

        private String availableTools() {
            List<String> names = new ArrayList<>();
            if (spec.builtinCode()) {
                names.add(CodeInterpreterTool.NAME);
            }
            names.addAll(spec.clientTools());
            return names.isEmpty() ? "none" : String.join(", ", names);
        }

        private void recordTurn(TurnText turn, Turn.ToolCallRecord call, Turn.ToolResultRecord result) {
            // unknown log-probs stay null (List.copyOf refuses nulls)
            turns.add(new Turn(turn.text.toString(), List.copyOf(turn.tokenIds),
                    java.util.Collections.unmodifiableList(new ArrayList<>(turn.logprobs)), turn.finishReason, call,
                    result));
        }

        private TrajectoryOutcome outcome(String finish, RuntimeException failure) {
            String content = assembler.content();
            ChatMessage message = new ChatMessage("assistant",
                    clientCall != null && content.isEmpty() ? null : content, null, assembler.reasoning(),
                    clientCall == null ? null : List.of(clientCall), null,
                    // with the built-in interpreter the trace is always there, empty or not: no special case for SDKs
                    spec.builtinCode() ? List.copyOf(trace) : trace.isEmpty() ? null : List.copyOf(trace));
            long totalNanos = System.nanoTime() - startNanos;
            long modelNanos = model.nanos();
            long toolNanos = sandbox.nanos();
            Trajectory trajectory = new Trajectory(spec.id(), createdAt, spec.source(), spec.model(), policyVersion,
                    spec.problemId(), spec.referenceAnswer(), spec.messages(), promptIds, List.copyOf(turns),
                    BoxedAnswer.last(content).orElse(null), finish,
                    new TrajectoryUsage(promptIds.size() + toolTokens, completionTokens, toolCalls, formatErrors),
                    new Timings(TimeUnit.NANOSECONDS.toMillis(totalNanos), TimeUnit.NANOSECONDS.toMillis(modelNanos),
                            TimeUnit.NANOSECONDS.toMillis(toolNanos)),
                    null);
            return new TrajectoryOutcome(message, finish, trajectory, failure,
                    new TrajectoryOutcome.Nanos(totalNanos, modelNanos, toolNanos, turns.size()));
        }
    }

    /** One turn's generated text, ids and log-probs, accumulated over its stream chunks. */
    private static final class TurnText {
        final boolean startsInThink;
        final StringBuilder text = new StringBuilder();
        final List<Integer> tokenIds = new ArrayList<>();
        final List<Double> logprobs = new ArrayList<>();
        String finishReason;
        Object stopReason;
        int parts;

        TurnText(boolean startsInThink) {
            this.startsInThink = startsInThink;
        }
    }
}

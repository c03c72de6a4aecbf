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
import java.util.concurrent.TimeUnit;

/**
 * The multi-turn tool loop of one trajectory: decode until a tool call ends a turn, run it in the sandbox, append the
 * result's tokens exactly as the chat template renders them, and decode on from the whole token sequence.
 * Generated tokens are never re-tokenized: the trajectory's tokens are exactly what the model conditioned on.
 * A plain class, blocking, run on a virtual thread; cancelled by interrupting that thread. Spans and timings of
 * the model and sandbox calls come from decorators of the ports ({@link TracedModelPort}, {@link TimedModelPort}, ...).
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

    public TrajectoryOutcome run(TrajectorySpec spec, TrajectoryEvents events) {
        Span span = tracer.spanBuilder("invoke_agent")
                .setAttribute("gen_ai.operation.name", "invoke_agent")
                .setAttribute("gen_ai.conversation.id", spec.id())
                .setAttribute("gen_ai.request.model", String.valueOf(spec.model()))
                .startSpan();
        try (Scope ignored = span.makeCurrent()) {
            Run run = new Run(spec, events);
            TrajectoryOutcome outcome = run.execute();
            span.setAttribute("gen_ai.response.finish_reasons", outcome.finishReason());
            span.setAttribute("aster.tool_calls", run.toolCalls);
            if (outcome.failed()) {
                span.setStatus(StatusCode.ERROR, outcome.failure().getMessage());
            }
            return outcome;
        } finally {
            span.end();
        }
    }

    /** The mutable state of one run. */
    private final class Run {
        final TrajectorySpec spec;
        final MessageAssembler assembler;
        final TrajectoryEvents events;
        final TimedModelPort model = new TimedModelPort(AgentLoop.this.model);
        final TimedSandboxPort sandbox = new TimedSandboxPort(AgentLoop.this.sandbox);
        final long startNanos = System.nanoTime();
        final Instant createdAt = Instant.now();
        final List<Integer> sequence = new ArrayList<>();
        final List<Turn> turns = new ArrayList<>();
        final List<ToolTraceEntry> trace = new ArrayList<>();
        List<Integer> promptIds = List.of();
        int maxModelLen = Integer.MAX_VALUE;
        boolean continuationStartsInThink;
        ToolCall clientCall;
        TurnText openTurn; // the turn being decoded, if any
        boolean sawText;
        int completionTokens;
        int toolTokens;
        int toolRounds;
        int toolCalls;
        int formatErrors;
        Long policyVersion;

        Run(TrajectorySpec spec, TrajectoryEvents events) {
            this.spec = spec;
            this.events = events;
            this.assembler = new MessageAssembler(events);
        }

        TrajectoryOutcome execute() {
            String finish;
            RuntimeException failure = null;
            try {
                finish = loop();
            } catch (DeadlineExceededException e) {
                finish = "deadline";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                finish = "cancelled";
            } catch (RuntimeException e) {
                if (Thread.currentThread().isInterrupted() || e.getCause() instanceof InterruptedException) {
                    finish = "cancelled";
                } else {
                    finish = "error";
                    failure = e;
                }
            }
            if (openTurn != null) {
                endTurn(openTurn, -1, true);
            }
            return outcome(finish, failure);
        }

        private String loop() throws InterruptedException {
            TokenizeResponse prompt = model.tokenize(new TokenizeRequest(spec.model(), null, spec.messages(),
                    spec.templateTools().isEmpty() ? null : spec.templateTools(), true, null, null));
            promptIds = List.copyOf(prompt.tokens());
            sequence.addAll(promptIds);
            if (prompt.maxModelLen() > 0) {
                maxModelLen = prompt.maxModelLen();
            }
            boolean startsInThink = ChatFormat.endsWithOpenThink(prompt.prompt());
            while (true) {
                if (System.nanoTime() >= spec.deadlineNanos()) {
                    return "deadline";
                }
                TurnText turn = new TurnText(startsInThink);
                assembler.startTurn(startsInThink);
                openTurn = turn;
                ToolCallParse parse = ToolCallParse.NONE;
                for (int part = 0; part <= MAX_CONTINUATIONS; part++) {
                    int budget = remainingBudget();
                    if (budget <= 0) {
                        recordTurn(turn, null, null);
                        return "length";
                    }
                    decode(turn, budget);
                    if ("length".equals(turn.finishReason)) {
                        recordTurn(turn, null, null);
                        return "length";
                    }
                    parse = spec.parseToolCalls() ? spec.protocol().parse(turn.text.toString(), turn.startsInThink)
                            : ToolCallParse.NONE;
                    // a protocol stop string that was no tool call (a bare ``` fence): the model is not done
                    if (!(parse instanceof ToolCallParse.None) || !endsWithProtocolStop(turn.text)) {
                        break;
                    }
                }
                switch (parse) {
                    case ToolCallParse.None none -> {
                        endTurn(turn, -1, true);
                        recordTurn(turn, null, null);
                        return "stop";
                    }
                    case ToolCallParse.Call call when spec.clientTools().contains(call.name()) -> {
                        endTurn(turn, call.start(), true);
                        clientCall = ToolCall.function("call_" + UUID.randomUUID().toString().replace("-", ""),
                                call.name(), call.arguments().toString());
                        events.toolCall(clientCall);
                        recordTurn(turn, new Turn.ToolCallRecord(call.name(), call.arguments().toString(), null), null);
                        return "tool_calls";
                    }
                    default -> {
                        int start = parse instanceof ToolCallParse.Call c ? c.start()
                                : ((ToolCallParse.Malformed) parse).start();
                        endTurn(turn, start, false);
                        if (toolRounds >= spec.maxToolCalls()) {
                            recordTurn(turn, callRecord(parse, turn, start), null);
                            return "max_tool_calls";
                        }
                        toolRounds++;
                        runTool(turn, parse, start);
                        startsInThink = continuationStartsInThink;
                    }
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

        private void decode(TurnText turn, int maxTokens) throws InterruptedException {
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
            model.complete(request, chunk -> onChunk(turn, chunk), events.gate(), spec.deadlineNanos());
            turn.parts++;
            if (!turn.text.isEmpty() && turn.tokenIds.size() == before) {
                throw new IllegalStateException("the model service returned text without token ids");
            }
            includeStopString(turn);
            while (turn.logprobs.size() < turn.tokenIds.size()) {
                turn.logprobs.add(null);
            }
            int generated = turn.tokenIds.size() - before;
            completionTokens += generated;
            sequence.addAll(turn.tokenIds.subList(before, turn.tokenIds.size()));
        }

        /**
         * The hot path: runs once per streamed chunk (a token or a few), on the upstream's event loop. Kept to
         * appends; splitting thinking from the answer happens here only when a client streams.
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
         * and the log-prob the model gave them is not known.
         */
        private void includeStopString(TurnText turn) {
            if (!"stop".equals(turn.finishReason) || !(turn.stopReason instanceof String stop)
                    || !spec.protocol().stopStrings().contains(stop) || turn.text.toString().endsWith(stop)) {
                return;
            }
            List<Integer> ids = model.tokenize(new TokenizeRequest(spec.model(), stop, null, null, null, null, false))
                    .tokens();
            turn.text.append(stop);
            if (events.live()) {
                assembler.feed(stop);
            }
            turn.tokenIds.addAll(ids);
            while (turn.logprobs.size() < turn.tokenIds.size()) {
                turn.logprobs.add(null);
            }
        }

        private boolean endsWithProtocolStop(StringBuilder text) {
            String s = text.toString();
            return spec.protocol().stopStrings().stream().anyMatch(s::endsWith);
        }

        private void runTool(TurnText turn, ToolCallParse parse, int start) throws InterruptedException {
            String formatError = switch (parse) {
                case ToolCallParse.Malformed m -> m.reason();
                case ToolCallParse.Call c when !spec.builtinCode() || !CodeInterpreterTool.NAME.equals(c.name()) ->
                        "unknown tool '" + c.name() + "'; available: " + availableTools();
                case ToolCallParse.Call c when c.code() == null || c.code().isBlank() ->
                        "the " + CodeInterpreterTool.NAME + " call has no \"code\" argument";
                default -> null;
            };
            Turn.ToolCallRecord callRecord = callRecord(parse, turn, start);
            String status;
            String resultText;
            long durationMs;
            if (formatError != null) {
                formatErrors++;
                status = "format_error";
                resultText = ToolResultText.formatError(formatError);
                durationMs = 0;
            } else {
                String code = ((ToolCallParse.Call) parse).code();
                long t0 = System.nanoTime();
                ExecutionResult result = sandbox.execute(ExecutionRequest.python(code, spec.id(), spec.toolTimeoutS()),
                        spec.deadlineNanos());
                toolCalls++;
                status = result.status().wireName();
                resultText = ToolResultText.render(result, spec.toolTimeoutS());
                durationMs = result.durationMs() > 0 ? result.durationMs()
                        : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            }
            ToolTraceEntry entry = new ToolTraceEntry(trace.size(), callRecord.name(), callRecord.code(), status,
                    resultText, durationMs);
            trace.add(entry);
            events.toolTrace(entry);

            String continuation = renderer.continuation(spec.model(), spec.protocol(), resultText);
            List<Integer> ids = renderer.tokens(model, continuation, spec.model());
            continuationStartsInThink = ChatFormat.endsWithOpenThink(continuation);
            sequence.addAll(ids);
            toolTokens += ids.size();
            recordTurn(turn, callRecord, new Turn.ToolResultRecord(status, resultText, List.copyOf(ids), durationMs));
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

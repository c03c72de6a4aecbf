package ai.aster.gateway.service;

import ai.aster.gateway.client.ModelServiceClient;
import ai.aster.gateway.client.SandboxClient;
import ai.aster.gateway.config.GatewayConfig;
import ai.aster.protocol.openai.ApiError;
import ai.aster.protocol.openai.ChatCompletionRequest;
import ai.aster.protocol.openai.ToolCall;
import ai.aster.protocol.openai.ToolTraceEntry;
import ai.aster.protocol.openai.Usage;
import io.opentelemetry.api.trace.Tracer;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Runs chat requests: admission (at most {@code max-concurrent-trajectories}, else 429), each trajectory on its
 * request's event loop ({@link AgentLoop}), and after each: metrics, the sandbox session dropped, the trajectory
 * published.
 */
@ApplicationScoped
public class ChatCompletionService {

    private static final Logger LOG = Logger.getLogger(ChatCompletionService.class);

    private final AgentLoop loop;
    private final ChatRequestPlanner planner;
    private final SandboxPort sandbox;
    private final TrajectoryPublisher publisher;
    private final GatewayMetrics metrics;
    private final GatewayConfig config;
    private final Vertx vertx;
    private final Semaphore slots;
    // blocking calls of the routes other than chat (the model list)
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("gateway-call-", 0).factory());

    public ChatCompletionService(ModelServiceClient model, SandboxClient sandbox, GatewayConfig config, Tracer tracer,
            TrajectoryPublisher publisher, GatewayMetrics metrics, Vertx vertx) {
        this.loop = new AgentLoop(model, sandbox, new ToolResultRenderer(model), tracer);
        this.planner = new ChatRequestPlanner(config);
        this.sandbox = sandbox;
        this.publisher = publisher;
        this.metrics = metrics;
        this.config = config;
        this.vertx = vertx;
        this.slots = new Semaphore(config.maxConcurrentTrajectories());
    }

    public PreparedChat plan(ChatCompletionRequest request, String source) {
        return planner.plan(request, source);
    }

    /** Runs blocking work (a call to a dependency) off the event loop. */
    public void offload(Runnable work) {
        threads.execute(work);
    }

    /**
     * Starts the request's trajectories. Throws a 429 {@link ApiException} when they do not fit now.
     *
     * @param arrivalNanos when the request arrived, for the time-to-first-token metric
     */
    public ChatExchange start(PreparedChat chat, long arrivalNanos, ChatObserver observer) {
        int n = chat.specs().size();
        if (!slots.tryAcquire(n)) {
            long retryAfter = Math.max(1, (long) Math.ceil(config.retryAfter().toMillis() / 1000.0));
            throw new ApiException(429, ApiError.overloaded("the gateway is running "
                    + config.maxConcurrentTrajectories() + " trajectories; retry after " + retryAfter + " s"),
                    retryAfter);
        }
        ChatExchange exchange = new ChatExchange();
        TrajectoryOutcome[] outcomes = new TrajectoryOutcome[n];
        AtomicInteger remaining = new AtomicInteger(n);
        AtomicBoolean firstToken = new AtomicBoolean();
        Executor home = home();
        for (int i = 0; i < n; i++) {
            int choice = i;
            TrajectorySpec spec = chat.specs().get(i);
            TrajectoryEvents events = timed(observer.events(choice), arrivalNanos, firstToken);
            AgentLoop.Running running = loop.start(spec, events, home);
            exchange.add(running);
            running.outcome().whenComplete((outcome, failure) -> {
                try {
                    if (failure != null) {
                        LOG.errorf(failure, "trajectory %s failed unexpectedly", spec.id());
                    }
                    slots.release();
                    outcomes[choice] = outcome;
                    afterTrajectory(spec, outcome);
                    if (outcome == null || outcome.failed()) {
                        exchange.cancel(); // the request fails as a whole: stop its other trajectories
                    }
                } finally {
                    if (remaining.decrementAndGet() == 0) {
                        observer.finished(result(chat, Arrays.asList(outcomes)));
                    }
                }
            });
        }
        return exchange;
    }

    /**
     * Where a request's trajectories run: the caller's event loop (the chat route's), so a token is read from the
     * model service, handed to the loop and written to the client on one thread; steps run one at a time, in order.
     */
    private Executor home() {
        // the request's own (duplicated) context when there is one: OpenTelemetry keeps the current span in it
        Context current = Vertx.currentContext();
        Context context = current != null && current.isEventLoopContext() ? current : vertx.getOrCreateContext();
        return step -> context.runOnContext(ignored -> step.run());
    }

    private void afterTrajectory(TrajectorySpec spec, TrajectoryOutcome outcome) {
        boolean cancelled = outcome == null || "cancelled".equals(outcome.finishReason());
        if (spec.builtinCode() && (cancelled || outcome.trajectory().usage().toolCalls() > 0)) {
            sandbox.deleteSession(spec.id()); // off the response's path: nobody waits for it
        }
        if (outcome == null) {
            return;
        }
        metrics.trajectoryEnded(outcome);
        if (!cancelled && spec.logTrajectory()) {
            publisher.publish(outcome.trajectory());
        }
    }

    private ChatResult result(PreparedChat chat, List<TrajectoryOutcome> outcomes) {
        ApiException failure = null;
        int prompt = 0;
        int completion = 0;
        int toolCalls = 0;
        int formatErrors = 0;
        Long policyVersion = null;
        for (int i = 0; i < outcomes.size(); i++) {
            TrajectoryOutcome outcome = outcomes.get(i);
            if (outcome == null) {
                failure = new ApiException(500, ApiError.internal("a trajectory failed inside the gateway"), null);
                continue;
            }
            if (outcome.failed() && failure == null) {
                failure = toApiError(outcome.failure());
            }
            var usage = outcome.trajectory().usage();
            int promptIds = outcome.trajectory().promptTokenIds().size();
            // the prompt once, plus every tool result each trajectory read
            prompt += (i == 0 ? usage.promptTokens() : usage.promptTokens() - promptIds);
            completion += usage.completionTokens();
            toolCalls += usage.toolCalls();
            formatErrors += usage.formatErrors();
            if (policyVersion == null) {
                policyVersion = outcome.trajectory().policyVersion();
            }
        }
        Usage usage = new Usage(prompt, completion, prompt + completion, toolCalls, formatErrors);
        return new ChatResult(chat, outcomes, usage, policyVersion, failure);
    }

    private static ApiException toApiError(RuntimeException failure) {
        if (failure instanceof DependencyUnavailableException d) {
            return new ApiException(503, ApiError.unavailable(d.getMessage()), null);
        }
        if (failure instanceof UpstreamRejectedException u) {
            return new ApiException(u.status() == 404 ? 404 : 400,
                    ApiError.invalidRequest(u.getMessage(), null), null);
        }
        return new ApiException(500, ApiError.internal("the trajectory failed: " + failure.getMessage()), null);
    }

    /** The observer's events, plus the time-to-first-token metric (first generated text of the request). */
    private TrajectoryEvents timed(TrajectoryEvents events, long arrivalNanos, AtomicBoolean first) {
        return new TrajectoryEvents() {
            @Override
            public boolean live() {
                return events.live();
            }

            @Override
            public void firstText() {
                if (!first.get() && first.compareAndSet(false, true)) {
                    metrics.firstToken(Duration.ofNanos(System.nanoTime() - arrivalNanos));
                }
                events.firstText();
            }

            @Override
            public void reasoning(String delta) {
                events.reasoning(delta);
            }

            @Override
            public void content(String delta) {
                events.content(delta);
            }

            @Override
            public void toolTrace(ToolTraceEntry entry) {
                events.toolTrace(entry);
            }

            @Override
            public void toolCall(ToolCall call) {
                events.toolCall(call);
            }

            @Override
            public OutputGate gate() {
                return events.gate();
            }
        };
    }

    @PreDestroy
    void shutdown() {
        threads.shutdownNow();
    }
}

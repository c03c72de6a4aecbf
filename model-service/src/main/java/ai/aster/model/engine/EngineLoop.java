package ai.aster.model.engine;

import ai.aster.modeling.Qwen3Model;
import ai.aster.modeling.Sampler;
import ai.aster.modeling.SamplingParams;
import ai.aster.modeling.Tokenizer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The one engine thread: schedule, run, update, repeated. Other threads talk to it only through its inbox
 * (submissions, weight swaps) and each request's cancel flag; everything else (scheduler, caches, model) is
 * touched by this thread alone.
 */
public final class EngineLoop implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EngineLoop.class);

    private final EngineSettings settings;
    private final ModelRunner runner;
    private final KvCacheManager caches;
    private final Scheduler scheduler;
    private final OutputProcessor outputs;
    private final LinkedBlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger runningRequests = new AtomicInteger();
    private final AtomicLong policyVersion;
    private final SplittableRandom seeds = new SplittableRandom();
    private final Thread thread;
    private volatile boolean stopping;

    private PendingSwap pendingSwap;
    private final List<Qwen3Model> retired = new ArrayList<>();

    private final Timer timeToFirstToken;
    private final Timer timePerOutputToken;
    private final Timer requestDuration;
    private final DistributionSummary batchSize;
    private final Counter tokensGenerated;

    private record PendingSwap(Qwen3Model model, CompletableFuture<Long> done, long deadlineNanos) {}

    /** A submitted request, as its caller holds it. */
    public static final class Submission {
        private final RequestState state;
        private final EngineLoop engine;

        private Submission(RequestState state, EngineLoop engine) {
            this.state = state;
            this.engine = engine;
        }

        /** The client went away: the engine drops the request at its next step. */
        public void cancel() {
            if (!state.cancelled) {
                state.cancelled = true;
                engine.inbox.offer(() -> { });
            }
        }
    }

    public EngineLoop(Qwen3Model model, Tokenizer tokenizer, EngineSettings settings, MeterRegistry registry) {
        this.settings = settings;
        this.runner = new ModelRunner(model);
        this.caches = new KvCacheManager(new PrefixCache(settings.prefixCacheBytes()), model::newCache);
        this.scheduler = new Scheduler(settings.maxBatchSize(), settings.maxTokensPerStep(), caches, this::newSequence);
        Set<Integer> eos = Arrays.stream(tokenizer.eosTokenIds()).boxed().collect(Collectors.toUnmodifiableSet());
        this.outputs = new OutputProcessor(tokenizer, eos);
        this.policyVersion = new AtomicLong(settings.initialPolicyVersion());

        this.timeToFirstToken = Timer.builder("gen_ai.server.time_to_first_token")
                .description("Time from arrival to the first generated token")
                .publishPercentileHistogram().register(registry);
        this.timePerOutputToken = Timer.builder("gen_ai.server.time_per_output_token")
                .description("Time between generated tokens after the first, per finished choice")
                .publishPercentileHistogram().register(registry);
        this.requestDuration = Timer.builder("gen_ai.server.request.duration")
                .description("Time from arrival to the last token of a request")
                .publishPercentileHistogram().register(registry);
        this.batchSize = DistributionSummary.builder("aster.model.batch.size")
                .description("Sequences in one engine step").publishPercentileHistogram().register(registry);
        this.tokensGenerated = Counter.builder("aster.model.tokens.generated")
                .description("Tokens generated over all requests").register(registry);
        FunctionCounter.builder("aster.model.prefix_cache.hit_tokens", caches, KvCacheManager::hitTokens)
                .description("Prompt tokens served from the prefix cache instead of being computed")
                .register(registry);
        FunctionCounter.builder("aster.model.prefix_cache.query_tokens", caches, KvCacheManager::queriedTokens)
                .description("Prompt tokens looked up in the prefix cache (hit rate = hit_tokens / query_tokens)")
                .register(registry);
        Gauge.builder("aster.model.prefix_cache.used", caches.prefixCache(), PrefixCache::usedBytes).baseUnit("bytes")
                .description("KV cache bytes held by the prefix cache").register(registry);
        Gauge.builder("aster.model.prefix_cache.capacity", settings, EngineSettings::prefixCacheBytes)
                .baseUnit("bytes").description("The prefix cache's byte budget").register(registry);
        Gauge.builder("aster.model.policy_version", policyVersion, AtomicLong::get)
                .description("Version of the weights being served; +1 on each POST /v1/weights").register(registry);
        Gauge.builder("aster.model.requests.running", runningRequests, AtomicInteger::get)
                .description("Requests being decoded").register(registry);
        Gauge.builder("aster.model.requests.waiting", queued, AtomicInteger::get)
                .description("Requests waiting for a batch slot").register(registry);

        this.thread = new Thread(this::run, "aster-engine");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /**
     * Queues a request; outputs arrive at {@code listener} on the engine thread.
     *
     * @throws EngineOverloadedException when the waiting queue is full
     */
    public Submission submit(EngineRequest request, RequestListener listener) {
        if (stopping) {
            throw new IllegalStateException("the engine is shutting down");
        }
        if (queued.incrementAndGet() > settings.maxQueuedRequests()) {
            queued.decrementAndGet();
            throw new EngineOverloadedException("the model server is at capacity: " + settings.maxQueuedRequests()
                    + " requests are waiting; retry later");
        }
        RequestState state = new RequestState(request, listener, System.nanoTime());
        inbox.offer(() -> scheduler.add(state));
        return new Submission(state, this);
    }

    /**
     * Swaps in new weights between steps once the running requests have finished (new requests wait meanwhile),
     * or after the drain timeout under them. The prefix cache is cleared.
     *
     * @return completes with the new policy version
     */
    public CompletableFuture<Long> swapWeights(Qwen3Model model) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        long deadline = System.nanoTime() + settings.reloadDrainTimeout().toNanos();
        inbox.offer(() -> {
            if (pendingSwap != null) {
                done.completeExceptionally(new IllegalStateException("another weights swap is in progress"));
            } else {
                pendingSwap = new PendingSwap(model, done, deadline);
            }
        });
        return done;
    }

    /** Empties the prefix cache (benchmarks compare against a cold cache). */
    public CompletableFuture<Void> clearPrefixCache() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        inbox.offer(() -> {
            caches.clear();
            done.complete(null);
        });
        return done;
    }

    public long policyVersion() {
        return policyVersion.get();
    }

    /** The engine thread's id (a benchmark reads its CPU time: with one PyTorch thread all compute runs on it). */
    public long threadId() {
        return thread.threadId();
    }

    public int runningRequests() {
        return runningRequests.get();
    }

    public int waitingRequests() {
        return queued.get();
    }

    /** Prompt tokens served from the prefix cache so far. */
    public long prefixHitTokens() {
        return caches.hitTokens();
    }

    public Qwen3Model model() {
        return runner.model();
    }

    private Sequence newSequence(RequestState request, int index, Sequence.Status status) {
        EngineRequest r = request.request;
        long seed = r.seed() != null ? r.seed() + index : seeds.nextLong();
        int logprobs = r.logprobs() == null ? 0 : r.logprobs();
        Sampler sampler = Sampler.of(new SamplingParams(r.temperature(), r.topP(), r.topK(), seed, logprobs));
        return new Sequence(request, index, sampler, status);
    }

    private void run() {
        while (!stopping) {
            try {
                step();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException | Error e) {
                // a bug in the loop itself: fail what is in flight rather than hang the clients
                LOG.error("engine step failed", e);
                for (RequestState request : scheduler.allRequests()) {
                    failRequest(request, "the engine failed: " + e.getMessage());
                }
            }
        }
        Runnable command;
        while ((command = inbox.poll()) != null) {
            command.run();
        }
        for (RequestState request : scheduler.allRequests()) {
            failRequest(request, "the model server is shutting down");
        }
        if (pendingSwap != null) {
            pendingSwap.done().completeExceptionally(new IllegalStateException("the model server is shutting down"));
        }
    }

    private void step() throws InterruptedException {
        Runnable command;
        while ((command = inbox.poll()) != null) {
            command.run();
        }
        List<RequestState> dropped = new ArrayList<>();
        queued.addAndGet(-scheduler.dropCancelled(dropped));
        runningRequests.addAndGet(-dropped.size());

        if (pendingSwap != null
                && (scheduler.runningCount() == 0 || System.nanoTime() > pendingSwap.deadlineNanos)) {
            swapNow();
        }
        if (scheduler.runningCount() == 0 && retired.size() > 0) {
            retired.forEach(Qwen3Model::close);
            retired.clear();
        }
        if (!scheduler.hasWork()) {
            waitForInbox();
            return;
        }
        List<RequestState> admitted = new ArrayList<>();
        SchedulerOutput plan = scheduler.schedule(pendingSwap == null, admitted);
        for (RequestState request : admitted) {
            request.policyVersion = policyVersion.get();
        }
        queued.addAndGet(-admitted.size());
        runningRequests.addAndGet(admitted.size());
        if (plan.isEmpty()) {
            waitForInbox();
            return;
        }
        batchSize.record(plan.works().size());
        RunnerOutput result;
        try {
            result = runner.execute(plan);
        } catch (RuntimeException e) {
            LOG.error("forward step failed", e);
            for (Work work : plan.works()) {
                failRequest(work.seq().owner, "the model failed during decoding: " + e.getMessage());
            }
            return;
        }
        update(plan, result);
    }

    private void waitForInbox() throws InterruptedException {
        Runnable command = inbox.poll(pendingSwap != null ? 10 : 1000, TimeUnit.MILLISECONDS);
        if (command != null) {
            command.run();
        }
    }

    private void update(SchedulerOutput plan, RunnerOutput result) {
        long now = System.nanoTime();
        Map<RequestState, List<ChoiceDelta>> byRequest = new LinkedHashMap<>();
        for (int i = 0; i < plan.works().size(); i++) {
            Work work = plan.works().get(i);
            Sequence seq = work.seq();
            if (work.samplers().isEmpty()) {
                seq.promptComputed += work.tokens().length; // a prompt chunk, more to come
                continue;
            }
            if (seq.status == Sequence.Status.PREFILL) {
                seq.promptComputed = seq.prompt().length;
                seq.status = Sequence.Status.DECODE;
                for (Sequence fork : work.forks()) {
                    fork.promptComputed = fork.prompt().length;
                    fork.status = Sequence.Status.DECODE;
                }
            }
            List<ai.aster.modeling.Sample> samples = result.samples().get(i);
            for (int j = 0; j < samples.size(); j++) {
                Sequence s = work.samplers().get(j);
                ChoiceDelta delta = outputs.process(s, samples.get(j), now);
                tokensGenerated.increment();
                if (s.generated.size() == 1 && s.index == 0) {
                    timeToFirstToken.record(now - s.owner.arrivalNanos, TimeUnit.NANOSECONDS);
                }
                if (delta.finished()) {
                    scheduler.finish(s);
                    if (s.generated.size() > 1) {
                        timePerOutputToken.record(
                                (s.lastTokenNanos - s.firstTokenNanos) / (s.generated.size() - 1), TimeUnit.NANOSECONDS);
                    }
                }
                byRequest.computeIfAbsent(s.owner, k -> new ArrayList<>()).add(delta);
            }
        }
        for (Map.Entry<RequestState, List<ChoiceDelta>> e : byRequest.entrySet()) {
            RequestState request = e.getKey();
            boolean finished = request.allFinished();
            if (finished) {
                runningRequests.decrementAndGet();
                requestDuration.record(now - request.arrivalNanos, TimeUnit.NANOSECONDS);
            }
            deliver(request, new RequestOutput(request.request.requestId(), e.getValue(), finished,
                    request.request.promptIds().length, request.completionTokens(), request.policyVersion));
        }
    }

    private void deliver(RequestState request, RequestOutput output) {
        try {
            request.listener.onOutput(output);
        } catch (RuntimeException e) {
            // a listener that throws (its client is gone) must not stop the engine
            LOG.debugf("listener of %s failed: %s", request.request.requestId(), e.getMessage());
            request.cancelled = true;
        }
    }

    private void failRequest(RequestState request, String message) {
        if (request.failed) {
            return;
        }
        request.failed = true;
        request.cancelled = true; // a waiting request leaves the queue at the next step
        boolean wasRunning = !request.sequences.isEmpty() && !request.allFinished();
        for (Sequence seq : request.sequences) {
            if (!seq.finished()) {
                scheduler.fail(seq);
            }
        }
        if (wasRunning) {
            runningRequests.decrementAndGet();
        }
        try {
            request.listener.onFailure(message);
        } catch (RuntimeException e) {
            LOG.debugf("listener of %s failed: %s", request.request.requestId(), e.getMessage());
        }
    }

    private void swapNow() {
        PendingSwap swap = pendingSwap;
        pendingSwap = null;
        Qwen3Model old = runner.model();
        runner.setModel(swap.model());
        caches.reset(swap.model()::newCache);
        long version = policyVersion.incrementAndGet();
        if (scheduler.runningCount() == 0) {
            old.close();
        } else {
            // swapped under running requests (drain timeout): their caches still live in the old model's memory
            LOG.warnf("weights swapped under %d running sequences after the drain timeout", scheduler.runningCount());
            for (RequestState request : scheduler.allRequests()) {
                request.policyVersion = version;
            }
            retired.add(old);
        }
        swap.done().complete(version);
    }

    /** Stops the loop, fails what is still in flight and frees the model. */
    @Override
    public void close() {
        stopping = true;
        inbox.offer(() -> { });
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!thread.isAlive()) {
            caches.clear();
            retired.forEach(Qwen3Model::close);
            runner.model().close();
        }
    }
}

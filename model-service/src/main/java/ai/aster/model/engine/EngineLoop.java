package ai.aster.model.engine;

import ai.aster.modeling.Qwen3Model;
import ai.aster.modeling.Sampler;
import ai.aster.modeling.SamplingParams;
import ai.aster.modeling.Tokenizer;
import io.micrometer.core.instrument.MeterRegistry;
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
    private final EngineMetrics metrics;
    private final LinkedBlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger runningRequests = new AtomicInteger();
    private final AtomicLong policyVersion;
    private final SplittableRandom seeds = new SplittableRandom();
    private final Thread thread;
    private volatile boolean stopping;

    private PendingSwap pendingSwap;

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
        this(model, tokenizer, settings, registry, ForwardPass.MODEL);
    }

    /** With another forward pass (tests inject faults through it). */
    EngineLoop(Qwen3Model model, Tokenizer tokenizer, EngineSettings settings, MeterRegistry registry,
            ForwardPass forwardPass) {
        this.settings = settings;
        this.runner = new ModelRunner(model, forwardPass);
        this.caches = new KvCacheManager(new PrefixCache(settings.prefixCacheBytes()), settings.kvCacheBytes(),
                model.config(), model::newCache);
        this.scheduler = new Scheduler(settings.maxBatchSize(), settings.maxTokensPerStep(), caches, this::newSequence);
        Set<Integer> eos = Arrays.stream(tokenizer.eosTokenIds()).boxed().collect(Collectors.toUnmodifiableSet());
        this.outputs = new OutputProcessor(tokenizer, eos);
        this.policyVersion = new AtomicLong(settings.initialPolicyVersion());
        this.metrics = new EngineMetrics(registry, caches, scheduler, runningRequests, queued, policyVersion,
                settings.prefixCacheBytes());
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
     * or after the drain timeout under them: then they are recomputed from their token ids on the new weights and
     * go on. The prefix cache is cleared.
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

    /** Requests preempted for KV memory so far (each was recomputed later). */
    public long preemptions() {
        return metrics.preemptions();
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
                && (scheduler.inFlightRequests() == 0 || System.nanoTime() > pendingSwap.deadlineNanos)) {
            swapNow();
        }
        if (!scheduler.hasWork()) {
            waitForInbox();
            return;
        }
        List<RequestState> admitted = new ArrayList<>();
        List<RequestState> unfit = new ArrayList<>();
        SchedulerOutput plan = scheduler.schedule(pendingSwap == null, admitted, unfit);
        for (RequestState request : admitted) {
            request.policyVersion = policyVersion.get();
        }
        queued.addAndGet(-admitted.size());
        runningRequests.addAndGet(admitted.size());
        for (RequestState request : unfit) {
            failRequest(request, "the request needs more KV cache than the engine's budget of "
                    + settings.kvCacheBytes() + " bytes (aster.model.kv-cache-bytes)");
        }
        if (plan.isEmpty()) {
            waitForInbox();
            return;
        }
        metrics.step(plan.works().size());
        RunnerOutput result = runner.execute(plan);
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
        long version = policyVersion.get();
        List<RequestState> failed = new ArrayList<>();
        List<Scheduler.Sampled> sampled = scheduler.update(plan, result, failed);
        for (RequestState request : failed) {
            int work = 0;
            while (work < plan.works().size()
                    && (plan.works().get(work).seq().owner != request || !result.failed(work))) {
                work++;
            }
            failRequest(request, "the model failed during decoding: " + result.failures().get(work));
        }
        Map<RequestState, List<ChoiceDelta>> byRequest = new LinkedHashMap<>();
        for (Scheduler.Sampled s : sampled) {
            Sequence seq = s.seq();
            if (seq.owner.failed) {
                continue;
            }
            ChoiceDelta delta = outputs.process(seq, s.sample(), now);
            metrics.token(seq, now);
            if (delta.finished()) {
                scheduler.finish(seq);
                metrics.finished(seq);
            }
            byRequest.computeIfAbsent(seq.owner, k -> new ArrayList<>()).add(delta);
        }
        for (Map.Entry<RequestState, List<ChoiceDelta>> e : byRequest.entrySet()) {
            RequestState request = e.getKey();
            request.producedBy(version);
            boolean finished = request.allFinished();
            if (finished) {
                runningRequests.decrementAndGet();
                metrics.requestDone(request, now);
            }
            deliver(request, new RequestOutput(request.request.requestId(), e.getValue(), finished,
                    request.request.promptIds().length, request.completionTokens(), version,
                    List.copyOf(request.policyVersions)));
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
        request.cancelled = true;
        LOG.warnf("request %s failed: %s", request.request.requestId(), message);
        boolean admitted = !request.sequences.isEmpty() && !request.allFinished();
        scheduler.fail(request);
        if (admitted) {
            runningRequests.decrementAndGet();
        } else if (request.sequences.isEmpty()) {
            queued.decrementAndGet();
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
        int inFlight = scheduler.inFlightRequests();
        if (inFlight > 0) {
            // the drain timeout passed: their caches belong to the old weights; recompute them on the new ones
            LOG.warnf("weights swapped under %d in-flight requests after the drain timeout: they are recomputed "
                    + "from their token ids on the new weights and go on", inFlight);
            scheduler.recomputeAll();
        }
        runner.setModel(swap.model());
        caches.reset(swap.model().config(), swap.model()::newCache);
        old.close();
        swap.done().complete(policyVersion.incrementAndGet());
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
            runner.model().close();
        }
    }
}

package ai.aster.model.engine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** The engine's meters (OpenTelemetry GenAI names where one exists); recorded on the engine thread. */
final class EngineMetrics {

    private final Timer timeToFirstToken;
    private final Timer timePerOutputToken;
    private final Timer requestDuration;
    private final DistributionSummary batchSize;
    private final Counter tokensGenerated;
    private final Scheduler scheduler;

    EngineMetrics(MeterRegistry registry, KvCacheManager caches, Scheduler scheduler, AtomicInteger running,
            AtomicInteger waiting, AtomicLong policyVersion, long prefixCacheCapacityBytes) {
        this.scheduler = scheduler;
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
        Gauge.builder("aster.model.prefix_cache.capacity", () -> prefixCacheCapacityBytes).baseUnit("bytes")
                .description("The prefix cache's byte budget").register(registry);
        Gauge.builder("aster.model.policy_version", policyVersion, AtomicLong::get)
                .description("Version of the weights being served; +1 on each POST /v1/weights").register(registry);
        FunctionCounter.builder("aster.model.preemptions", scheduler, Scheduler::preemptions)
                .description("Requests preempted because the KV budget was full (recomputed later)")
                .register(registry);
        Gauge.builder("aster.model.kv_cache.used", caches, KvCacheManager::usedBytes).baseUnit("bytes")
                .description("KV memory held by running sequences and the prefix cache").register(registry);
        Gauge.builder("aster.model.kv_cache.budget", caches, KvCacheManager::budgetBytes).baseUnit("bytes")
                .description("KV memory the engine may hold (aster.model.kv-cache-bytes)").register(registry);
        Gauge.builder("aster.model.requests.running", running, AtomicInteger::get)
                .description("Requests being decoded (preempted ones included)").register(registry);
        Gauge.builder("aster.model.requests.waiting", waiting, AtomicInteger::get)
                .description("Requests waiting for a batch slot").register(registry);
    }

    void step(int sequences) {
        batchSize.record(sequences);
    }

    void token(Sequence seq, long now) {
        tokensGenerated.increment();
        if (seq.generated.size() == 1 && seq.index == 0) {
            timeToFirstToken.record(now - seq.owner.arrivalNanos, TimeUnit.NANOSECONDS);
        }
    }

    void finished(Sequence seq) {
        if (seq.generated.size() > 1) {
            timePerOutputToken.record((seq.lastTokenNanos - seq.firstTokenNanos) / (seq.generated.size() - 1),
                    TimeUnit.NANOSECONDS);
        }
    }

    void requestDone(RequestState request, long now) {
        requestDuration.record(now - request.arrivalNanos, TimeUnit.NANOSECONDS);
    }

    long preemptions() {
        return scheduler.preemptions();
    }
}

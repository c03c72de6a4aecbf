package ai.aster.model.engine;

import java.time.Duration;

/**
 * Engine limits.
 *
 * @param maxBatchSize         sequences decoded together (each choice counts)
 * @param maxQueuedRequests    requests waiting for a slot before submissions are refused
 * @param maxTokensPerStep     tokens computed per step; longer prompts are prefilled in chunks
 * @param prefixCacheBytes     LRU cap of finished sequences' KV entries (0 = no prefix reuse)
 * @param kvCacheBytes         KV memory of running sequences and the prefix cache together
 * @param reloadDrainTimeout   how long a weights swap waits for running requests before swapping under them
 * @param initialPolicyVersion version of the weights loaded at start
 */
public record EngineSettings(
        int maxBatchSize,
        int maxQueuedRequests,
        int maxTokensPerStep,
        long prefixCacheBytes,
        long kvCacheBytes,
        Duration reloadDrainTimeout,
        long initialPolicyVersion) {

    public static EngineSettings defaults() {
        return new EngineSettings(64, 256, 2048, 1L << 30, 4L << 30, Duration.ofMinutes(2), 1);
    }
}

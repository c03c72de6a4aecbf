package ai.aster.model.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/** Every setting of the model service, under {@code aster.model}. */
@ConfigMapping(prefix = "aster.model")
public interface ModelServiceConfig {

    /** Which engine answers: {@code embedded} (this project's DJL decoder) or {@code openai} (an upstream server). */
    enum BackendKind { embedded, openai }

    /**
     * The model folder in Hugging Face layout (config.json, safetensors, tokenizer.json, tokenizer_config.json);
     * env {@code ASTER_MODEL_PATH}. Required by the embedded backend; optional for {@code openai}, where it only
     * serves the local tokenizer (usage counts, /v1/tokenize).
     */
    Optional<String> path();

    /** {@code embedded} (default) or {@code openai}. */
    @WithDefault("embedded")
    BackendKind backend();

    /** The served model name in responses and /v1/models; default the model folder's name (or the upstream's). */
    Optional<String> id();

    /** Tool-call protocol of the served model, reported by /v1/models: {@code hermes} or {@code markdown}. */
    @WithDefault("hermes")
    String toolProtocol();

    /** {@code cpu}, {@code gpu}, or unset: CUDA when DJL finds a GPU, CPU otherwise. */
    Optional<String> device();

    /** PyTorch intra-op threads (CPU); unset = one per core. 1 helps on a CPU shared with other busy processes. */
    Optional<Integer> computeThreads();

    /** Most sequences decoded together in one step (each choice of an {@code n} > 1 request counts). */
    @WithDefault("64")
    int maxBatchSize();

    /** Most requests waiting for a batch slot; one more is answered 429 with Retry-After. */
    @WithDefault("256")
    int maxQueuedRequests();

    /** Tokens one engine step may compute (decodes count 1 each); longer prompts are prefilled in chunks. */
    @WithDefault("2048")
    int maxTokensPerStep();

    /** Byte budget of the least-recently-used cache of finished sequences' KV entries (prefix reuse); 0 disables. */
    @WithDefault("1073741824")
    long prefixCacheBytes();

    /** Context length served; default (and upper bound) the model's {@code max_position_embeddings}. */
    Optional<Integer> maxModelLen();

    /** Seconds a client is told to wait (Retry-After) when the queue is full. */
    @WithDefault("1")
    int retryAfterSeconds();

    /** How long a weights swap waits for in-flight requests to finish before it swaps under them. */
    @WithDefault("120s")
    Duration reloadDrainTimeout();

    /**
     * The only folder POST /v1/weights reads checkpoints from (a request names a folder under it, relative or
     * absolute; {@code ..} and symbolic links out of it are refused). Relative to the working directory; default
     * {@code .aster/checkpoints} (what {@code ./aster up} uses, under the project root).
     */
    @WithDefault(".aster/checkpoints")
    String checkpointRoot();

    /**
     * Bytes of KV cache the engine may hold: the running sequences' caches plus the prefix cache. The scheduler
     * admits only what fits and preempts the newest request (recomputed later) when a step would exceed it; a
     * request that could not fit even alone is refused with 400. Unset: half the memory free after the model is
     * loaded (the GPU's on CUDA, MemAvailable of the machine on the CPU).
     */
    OptionalLong kvCacheBytes();

    /** The policy version reported before any reload (the embedded backend counts up from it). */
    @WithDefault("1")
    long initialPolicyVersion();

    /** Upstream OpenAI-compatible server (backend {@code openai}). */
    Upstream upstream();

    interface Upstream {
        /** Base URL without {@code /v1}, e.g. {@code http://vllm:8000}. */
        Optional<String> url();

        /** Bearer key sent upstream, if the upstream needs one. */
        Optional<String> apiKey();

        /** Model name sent upstream; default the first model the upstream lists. */
        Optional<String> model();

        /** Upper bound of one upstream call (a whole non-streamed completion, or the gap between stream events). */
        @WithDefault("600s")
        Duration timeout();

        /** Context length reported when the upstream does not list {@code max_model_len}. */
        @WithDefault("32768")
        int defaultMaxModelLen();
    }
}

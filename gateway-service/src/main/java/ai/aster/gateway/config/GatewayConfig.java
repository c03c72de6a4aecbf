package ai.aster.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Everything the gateway can be told, under {@code aster.gateway.*}. */
@ConfigMapping(prefix = "aster.gateway")
public interface GatewayConfig {

    /** Accepted API keys ({@code Authorization: Bearer <key>}). With none here nor in {@link #apiKey()}, auth is off. */
    Optional<List<String>> apiKeys();

    /** One more accepted key, set from the environment ({@code ASTER_API_KEY}) by application.properties. */
    Optional<String> apiKey();

    /** Base URL of model-service (tokenize, completions, models). */
    @WithDefault("http://localhost:8081")
    String modelServiceUrl();

    /** Synonym of {@link #modelServiceUrl()} (what the launcher sets); application.properties maps one onto the other. */
    Optional<String> modelUrl();

    /**
     * Connections kept to each internal service per event loop (one per trajectory decoding at once; a trajectory's
     * calls use its request's event loop, see LoopHttpClients).
     */
    @WithDefault("1024")
    int modelServiceConnections();

    /**
     * The shared internal token sent as {@code Authorization: Bearer} on every call to model-service and
     * sandbox-service. Required: application.properties fills it from {@code aster.internal-token} /
     * {@code ASTER_INTERNAL_TOKEN}; without one the gateway refuses to start.
     */
    Optional<String> internalToken();

    /** Base URL of sandbox-service (code executions, sessions). */
    @WithDefault("http://localhost:8082")
    String sandboxUrl();

    /** How the served model calls tools: {@code hermes} (Qwen3 {@code <tool_call>}) or {@code markdown} (ToRL). */
    @WithDefault("hermes")
    String toolProtocol();

    /** Model name reported when a request names none and the model service cannot be asked. */
    @WithDefault("aster")
    String defaultModel();

    /** Server-side code executions per trajectory when the request does not say ({@code max_tool_calls}). */
    @WithDefault("50")
    int defaultMaxToolCalls();

    /** The largest {@code max_tool_calls} a request may ask for. */
    @WithDefault("1000")
    int maxToolCallsLimit();

    /** Wall-clock limit of one code execution when the request does not say ({@code tool_timeout_s}). */
    @WithDefault("30s")
    Duration defaultToolTimeout();

    /** The largest {@code tool_timeout_s} a request may ask for. */
    @WithDefault("300s")
    Duration maxToolTimeout();

    /** Wall-clock budget of one trajectory, all turns and tool calls included; finish reason {@code deadline}. */
    @WithDefault("15m")
    Duration trajectoryDeadline();

    /** Longest silence allowed in the model's token stream (prefill included) before it counts as down. */
    @WithDefault("120s")
    Duration modelIdleTimeout();

    /** Timeout of the small model-service calls (tokenize, models). */
    @WithDefault("30s")
    Duration modelCallTimeout();

    /** Trajectories run at once (n counts n); beyond, requests get 429 with {@code Retry-After}. */
    @WithDefault("512")
    int maxConcurrentTrajectories();

    /** The {@code Retry-After} sent with a 429. */
    @WithDefault("1s")
    Duration retryAfter();

    /** The largest {@code n} (trajectories per request). */
    @WithDefault("64")
    int maxN();

    /** The largest request body accepted, in bytes. */
    @WithDefault("16777216")
    long maxBodyBytes();

    /** Trajectories publishing publishes to Kafka ({@code log_trajectory} can only turn it off per request). */
    @WithDefault("true")
    boolean publishTrajectories();

    /** Trajectories waiting for Kafka at once; beyond, new ones are dropped (and counted), never waited for. */
    @WithDefault("1024")
    int publishBufferSize();
}

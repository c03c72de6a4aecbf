package ai.aster.trainer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * Evaluation jobs ({@code POST /v1/evals}), keys {@code aster.trainer.eval.*}; listed in trainer-service/README.md.
 */
@ConfigMapping(prefix = "aster.trainer.eval")
public interface EvalConfig {

    /** The OpenAI-compatible API a job samples from when its request names none: the gateway, so tools run. */
    @WithDefault("http://127.0.0.1:8080/v1")
    String endpoint();

    /** The key for that endpoint; when unset, the first line of {@link #apiKeyFile()} (if it exists). */
    Optional<String> apiKey();

    /** Where {@code ./aster up} keeps the gateway's key. */
    @WithDefault(".aster/api-key")
    String apiKeyFile();

    /** Each job's run folder is {@code <runs-dir>/<job id>}: samples journal, settings, report. */
    @WithDefault(".aster/evals")
    String runsDir();

    /** Jobs that sample at the same time; later ones wait in order. */
    @WithDefault("1")
    int maxRunningJobs();

    /** Requests in flight per job when the request does not say. */
    @WithDefault("8")
    int defaultConcurrency();

    /** The longest one sample may take. */
    @WithDefault("1h")
    Duration requestTimeout();
}

package ai.aster.trainer.eval;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything one evaluation run needs.
 *
 * @param sampling       how samples are drawn (fixed for the life of a run folder)
 * @param k              samples per problem (paper: 16)
 * @param limit          only the first N problems; null = all
 * @param concurrency    requests in flight at once
 * @param endpoint       base URL of an OpenAI-compatible API, ending in {@code /v1}
 * @param apiKey         bearer key for it; null = none
 * @param requestTimeout the longest one sample may take (a 50-tool-call trajectory runs for minutes)
 * @param out            the run folder: {@code samples.jsonl}, {@code run.json}, {@code report.md}, {@code report.json}
 */
public record EvalSettings(SamplingSettings sampling, int k, Integer limit, int concurrency, URI endpoint,
        String apiKey, Duration requestTimeout, Path out) {

    public static final int DEFAULT_K = 16;
    public static final int DEFAULT_CONCURRENCY = 8;
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofHours(1);

    public EvalSettings {
        if (k < 1) {
            throw new EvalException("k (--k) must be at least 1");
        }
        if (limit != null && limit < 1) {
            throw new EvalException("limit (--limit) must be at least 1");
        }
        if (concurrency < 1) {
            throw new EvalException("concurrency (--concurrency) must be at least 1");
        }
        String scheme = endpoint == null ? null : endpoint.getScheme();
        if (endpoint == null || !("http".equals(scheme) || "https".equals(scheme)) || endpoint.getHost() == null) {
            throw new EvalException("endpoint (--endpoint) must be an http(s) URL such as http://127.0.0.1:8080/v1");
        }
    }
}

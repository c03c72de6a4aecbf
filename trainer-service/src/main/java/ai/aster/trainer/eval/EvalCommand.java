package ai.aster.trainer.eval;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The parsed arguments of {@code ./aster eval}. Defaults follow the ASTER paper (avg@16, temperature 0.6, top-p
 * 0.95, 50 tool calls) and the launcher's layout (the gateway on {@code ASTER_GATEWAY_PORT}, its key in
 * {@code .aster/api-key}, runs under {@code .aster/evals/}).
 *
 * @param out    the run folder; null = a new one under {@code <state>/evals/} (or, with resume, the latest
 *               unfinished run of this benchmark there)
 * @param model  the model id to request; null = the first one the endpoint lists
 */
public record EvalCommand(String benchmark, int k, double temperature, double topP, int maxToolCalls,
        Integer maxTokens, int concurrency, URI endpoint, String apiKey, String model, Integer limit, Path out,
        boolean resume, Duration requestTimeout, Path stateDir) {

    public static final String USAGE = """
            usage: ./aster eval --benchmark aime2025|aime2024|hmmt_feb2025|aime2026|FILE.jsonl [options]
              --k N                 samples per problem (16)
              --temperature T       sampling temperature (0.6)
              --top-p P             nucleus sampling (0.95)
              --max-tool-calls N    code executions per sample (50)
              --max-tokens N        completion tokens per sample (the server's default)
              --concurrency C       requests in flight (8)
              --endpoint URL        OpenAI-compatible API (http://127.0.0.1:$ASTER_GATEWAY_PORT/v1, the gateway)
              --api-key K           its key ($ASTER_API_KEY, else .aster/api-key)
              --model ID            model to request (the first the endpoint lists)
              --limit N             only the first N problems
              --out DIR             run folder (.aster/evals/<run id>); an existing one is resumed
              --resume              continue the latest unfinished run of this benchmark (or --out DIR)
              --request-timeout S   longest one sample may take, seconds (3600)
            """;

    /** @throws EvalException with a message for the user when an argument is wrong */
    public static EvalCommand parse(List<String> args, Map<String, String> env) {
        String benchmark = null;
        int k = EvalSettings.DEFAULT_K;
        double temperature = SamplingSettings.DEFAULT_TEMPERATURE;
        double topP = SamplingSettings.DEFAULT_TOP_P;
        int maxToolCalls = SamplingSettings.DEFAULT_MAX_TOOL_CALLS;
        Integer maxTokens = null;
        int concurrency = EvalSettings.DEFAULT_CONCURRENCY;
        String endpoint = null;
        String apiKey = null;
        String model = null;
        Integer limit = null;
        Path out = null;
        boolean resume = false;
        Duration timeout = EvalSettings.DEFAULT_REQUEST_TIMEOUT;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (name.equals("--resume")) {
                resume = true;
                continue;
            }
            if (name.equals("--help") || name.equals("-h")) {
                throw new EvalException(USAGE.strip());
            }
            if (value == null) {
                if (i + 1 >= args.size()) {
                    throw new EvalException(name + " needs a value\n" + USAGE.strip());
                }
                value = args.get(++i);
            }
            switch (name) {
                case "--benchmark" -> benchmark = value;
                case "--k" -> k = integer(name, value);
                case "--temperature" -> temperature = decimal(name, value);
                case "--top-p" -> topP = decimal(name, value);
                case "--max-tool-calls" -> maxToolCalls = integer(name, value);
                case "--max-tokens" -> maxTokens = integer(name, value);
                case "--concurrency" -> concurrency = integer(name, value);
                case "--endpoint" -> endpoint = value;
                case "--api-key" -> apiKey = value;
                case "--model" -> model = value;
                case "--limit" -> limit = integer(name, value);
                case "--out" -> out = Path.of(value);
                case "--request-timeout" -> timeout = Duration.ofSeconds(integer(name, value));
                default -> throw new EvalException("unknown option " + name + "\n" + USAGE.strip());
            }
        }
        if (benchmark == null) {
            throw new EvalException("--benchmark is required\n" + USAGE.strip());
        }
        Path state = Path.of(env.getOrDefault("ASTER_STATE_DIR", ".aster"));
        if (endpoint == null) {
            endpoint = "http://127.0.0.1:" + env.getOrDefault("ASTER_GATEWAY_PORT", "8080") + "/v1";
        }
        URI uri;
        try {
            uri = URI.create(endpoint);
        } catch (IllegalArgumentException e) {
            throw new EvalException("--endpoint is not a URL: " + endpoint);
        }
        if (apiKey == null) {
            apiKey = env.get("ASTER_API_KEY");
        }
        if (apiKey == null) {
            apiKey = readKey(state.resolve("api-key"));
        }
        return new EvalCommand(benchmark, k, temperature, topP, maxToolCalls, maxTokens, concurrency, uri, apiKey,
                model, limit, out, resume, timeout, state);
    }

    private static String readKey(Path file) {
        try {
            return java.nio.file.Files.isReadable(file) ? java.nio.file.Files.readString(file).strip() : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static int integer(String name, String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new EvalException(name + " must be a whole number, got '" + value + "'");
        }
    }

    private static double decimal(String name, String value) {
        try {
            return Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            throw new EvalException(name + " must be a number, got '" + value + "'");
        }
    }
}

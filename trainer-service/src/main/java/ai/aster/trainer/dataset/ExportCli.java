package ai.aster.trainer.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./aster export}: downloads {@code GET /v1/datasets/export} from the running trainer-service into a file
 * and prints how many rows it holds. Runs from the trainer's jar as a plain program, like {@code ./aster eval}.
 * Errors are one line on stderr: exit status 2 for bad arguments (the service's 400s included), 1 otherwise.
 */
public final class ExportCli {

    public static final String USAGE = """
            usage: ./aster export --format verl-rl|verl-sft|jsonl --out FILE [filters]
              --source api|rollout|eval     --correct true|false       --finish-reason REASON
              --min-tool-calls N            --max-tool-calls N         --problem-id ID
              --min-policy-version N        --max-policy-version N     --model ID
              --since 2026-11-30[T08:00:00Z]
              --data-source NAME   verl-rl's data_source (lighteval/MATH: verl's boxed-answer reward)
              --split NAME         verl-rl's extra_info.split (train)
              --url URL            the trainer (http://127.0.0.1:$ASTER_TRAINER_PORT, port 8083)
            The internal token is $ASTER_INTERNAL_TOKEN, else .aster/internal-token.
            """;

    /** Options passed on as query parameters ({@code --min-tool-calls} is {@code min_tool_calls}). */
    private static final Set<String> PARAMETERS = Set.of("format", "source", "correct", "finish-reason",
            "min-tool-calls", "max-tool-calls", "problem-id", "min-policy-version", "max-policy-version", "model",
            "since", "data-source", "split");

    private ExportCli() {}

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args), System.getenv(), System.out, System.err));
    }

    /** @return the exit status: 0 written, 1 the export failed, 2 bad arguments */
    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        Map<String, String> query = new LinkedHashMap<>();
        Path file = null;
        String url = "http://127.0.0.1:" + env.getOrDefault("ASTER_TRAINER_PORT", "8083");
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--help") || arg.equals("-h")) {
                out.print(USAGE);
                return 0;
            }
            if (!arg.startsWith("--") || i + 1 >= args.size()) {
                err.println("aster export: " + (arg.startsWith("--") ? arg + " needs a value" : "unexpected '" + arg
                        + "'") + " (./aster export --help)");
                return 2;
            }
            String name = arg.substring(2);
            String value = args.get(++i);
            if (name.equals("out")) {
                file = Path.of(value);
            } else if (name.equals("url")) {
                url = value.replaceAll("/+$", "");
            } else if (PARAMETERS.contains(name)) {
                query.put(name.replace('-', '_'), value);
            } else {
                err.println("aster export: unknown option " + arg + " (./aster export --help)");
                return 2;
            }
        }
        if (!query.containsKey("format") || file == null) {
            err.println("aster export: --format and --out are required (./aster export --help)");
            return 2;
        }
        String token = env.get("ASTER_INTERNAL_TOKEN");
        if (token == null || token.isBlank()) {
            Path tokenFile = Path.of(env.getOrDefault("ASTER_STATE_DIR", ".aster")).resolve("internal-token");
            try {
                token = Files.readString(tokenFile).strip();
            } catch (IOException e) {
                err.println("aster export: no internal token: set ASTER_INTERNAL_TOKEN, or start the platform with "
                        + "./aster up (it writes " + tokenFile + ")");
                return 1;
            }
        }
        return download(URI.create(url + "/v1/datasets/export?" + encode(query)), token, file, query.get("format"),
                url, out, err);
    }

    private static int download(URI uri, String token, Path file, String format, String base, PrintStream out,
            PrintStream err) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token).GET().build();
        try {
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    err.println("aster export: " + errorMessage(response.statusCode(), body.readAllBytes()));
                    return response.statusCode() == 400 ? 2 : 1;
                }
                Path absolute = file.toAbsolutePath();
                Files.createDirectories(absolute.getParent());
                Path partial = absolute.resolveSibling(absolute.getFileName() + ".part");
                Files.copy(body, partial, StandardCopyOption.REPLACE_EXISTING);
                Files.move(partial, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            String rows = response.headers().firstValue("X-Aster-Export-Rows").orElse("?");
            out.println("aster export: wrote " + rows + " rows (" + format + ") to " + file);
            return 0;
        } catch (ConnectException e) {
            err.println("aster export: trainer-service is not running at " + base + " (start the platform with "
                    + "./aster up)");
            return 1;
        } catch (IOException e) {
            err.println("aster export: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("aster export: interrupted");
            return 1;
        }
    }

    private static String errorMessage(int status, byte[] body) {
        try {
            JsonNode message = new ObjectMapper().readTree(body).at("/error/message");
            if (message.isTextual()) {
                return message.asText();
            }
        } catch (IOException e) {
            // not OpenAI's error shape: say what came back
        }
        return "the trainer answered HTTP " + status;
    }

    private static String encode(Map<String, String> query) {
        StringBuilder s = new StringBuilder();
        query.forEach((k, v) -> s.append(s.isEmpty() ? "" : "&").append(k).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return s.toString();
    }
}

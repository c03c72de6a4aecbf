package ai.aster.trainer.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a benchmark: one of the built-in names (the files ship in this jar under {@code benchmarks/}, so nobody
 * depends on a checkout's data folder) or a JSONL file with one {@code {"id", "problem", "answer"}} object a line.
 */
public final class BenchmarkLoader {

    /** Built-in benchmark name -> resource; the file names keep where the problems were taken from. */
    public static final Map<String, String> BUILT_IN = builtIn();

    private final ObjectMapper json;

    public BenchmarkLoader(ObjectMapper json) {
        this.json = json;
    }

    private static Map<String, String> builtIn() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("aime2025", "benchmarks/aime2025_matharena.jsonl");
        m.put("aime2024", "benchmarks/aime2024_matharena.jsonl");
        m.put("hmmt_feb2025", "benchmarks/hmmt_feb2025_matharena.jsonl");
        m.put("aime2026", "benchmarks/aime2026_llmeval.jsonl");
        return java.util.Collections.unmodifiableMap(m);
    }

    /** A built-in name or a path to a {@code .jsonl} file. */
    public Benchmark load(String nameOrFile) {
        if (nameOrFile == null || nameOrFile.isBlank()) {
            throw new EvalException("no benchmark given: " + choices());
        }
        String resource = BUILT_IN.get(nameOrFile);
        if (resource != null) {
            InputStream in = BenchmarkLoader.class.getClassLoader().getResourceAsStream(resource);
            if (in == null) {
                throw new IllegalStateException("built-in benchmark resource missing from the jar: " + resource);
            }
            return read(nameOrFile, new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        Path file = Path.of(nameOrFile);
        if (!Files.isRegularFile(file)) {
            throw new EvalException("unknown benchmark '" + nameOrFile + "': " + choices());
        }
        try {
            return read(nameOrFile, Files.newBufferedReader(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new EvalException("cannot read " + nameOrFile + ": " + e.getMessage(), e);
        }
    }

    /** Problems given inline (the REST API's {@code problems} field), checked as a file's lines are. */
    public Benchmark inline(String name, List<Problem> problems) {
        if (problems == null || problems.isEmpty()) {
            throw new EvalException("'problems' must be a non-empty array of {id, problem, answer}");
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < problems.size(); i++) {
            Problem p = problems.get(i);
            String where = "problems[" + i + "]";
            if (p == null || blank(p.id()) || blank(p.problem()) || blank(p.answer())) {
                throw new EvalException(where + " needs a non-empty id, problem and answer");
            }
            if (!ids.add(p.id())) {
                throw new EvalException(where + ": duplicate id '" + p.id() + "'");
            }
        }
        return new Benchmark(name, problems);
    }

    private Benchmark read(String name, Reader source) {
        List<Problem> problems = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        try (BufferedReader reader = new BufferedReader(source)) {
            String line;
            int lineNo = 0;
            while ((line = reader.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                Problem p = parse(name, lineNo, line);
                if (!ids.add(p.id())) {
                    throw new EvalException(name + " line " + lineNo + ": duplicate id '" + p.id() + "'");
                }
                problems.add(p);
            }
        } catch (IOException e) {
            throw new EvalException("cannot read " + name + ": " + e.getMessage(), e);
        }
        if (problems.isEmpty()) {
            throw new EvalException(name + " holds no problems (expected one {\"id\", \"problem\", \"answer\"} "
                    + "object a line)");
        }
        return new Benchmark(name, problems);
    }

    private Problem parse(String name, int lineNo, String line) {
        JsonNode node;
        try {
            node = json.readTree(line);
        } catch (JsonProcessingException e) {
            throw new EvalException(name + " line " + lineNo + ": not JSON (" + e.getOriginalMessage() + ")");
        }
        if (node == null || !node.isObject()) {
            throw new EvalException(name + " line " + lineNo + ": expected a JSON object");
        }
        String id = scalar(node.get("id"));
        String problem = scalar(node.get("problem"));
        String answer = scalar(node.get("answer"));
        for (var field : new String[][] {{"id", id}, {"problem", problem}, {"answer", answer}}) {
            if (blank(field[1])) {
                throw new EvalException(name + " line " + lineNo + ": missing or empty '" + field[0] + "'");
            }
        }
        return new Problem(id, problem, answer);
    }

    /** Ids and answers may be numbers in hand-written files ({@code "answer": 204}). */
    private static String scalar(JsonNode node) {
        return node == null || node.isNull() || node.isContainerNode() ? null : node.asText();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String choices() {
        return "use aime2025, aime2024, hmmt_feb2025, aime2026 or the path of a .jsonl file of "
                + "{\"id\", \"problem\", \"answer\"} lines";
    }
}

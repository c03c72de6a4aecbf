package ai.aster.trainer.bench;

import ai.aster.kafka.LocalKafka;
import ai.aster.trainer.support.TrainerProcess;
import ai.aster.trainer.support.TrajectoryTopic;
import ai.aster.trainer.support.Trajectories;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code ./aster bench trainer}: end-to-end ingest throughput of the packaged trainer (publish to Kafka until every
 * row is stored, graded) against a plain JDBC INSERT loop of the same rows into the same PostgreSQL, in one run;
 * then grading throughput over HTTP on every benchmark answer. Ratio last.
 *
 * <p>Options: {@code --n N} trajectories (default 300), {@code --turns T} per trajectory (default 30),
 * {@code --answers DIR} (default ../../shared/data/benchmarks).
 */
public final class TrainerBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        int n = intArg(args, "--n", 300);
        int turns = intArg(args, "--turns", 30);
        Path answers = Path.of(stringArg(args, "--answers", "../../shared/data/benchmarks"));
        Path dir = Files.createDirectories(Path.of("target", "bench-" + System.currentTimeMillis()));
        String run = UUID.randomUUID().toString().substring(0, 8);

        List<ObjectNode> trajectories = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            ObjectNode t = Trajectories.trajectory("bench-" + run + "-" + i, "bench-" + run, turns, i);
            t.put("reference_answer", i % 2 == 0 ? "5" : "6");
            trajectories.add(t);
            bytes += Trajectories.bytes(t).length;
        }
        System.out.printf("trajectories: %d of %d turns, %.0f KB each on average%n", n, turns, bytes / 1024.0 / n);

        int dbPort = freePort();
        try (LocalKafka kafka = LocalKafka.start(dir.resolve("kafka"));
                TrajectoryTopic topic = new TrajectoryTopic(kafka.bootstrapServers())) {
            TrainerProcess trainer = TrainerProcess.start(kafka.bootstrapServers(), dir.resolve("postgres"),
                    dir.resolve("trainer.log"), List.of("-Daster.trainer.db.port=" + dbPort, "-Xmx1g"));
            try {
                String jdbc = "jdbc:postgresql://127.0.0.1:" + dbPort + "/postgres";

                double baseline = plainInsertLoop(jdbc, trajectories);
                System.out.printf("baseline  plain JDBC INSERT loop (autocommit, one row per statement): %.1f trajectories/s%n",
                        baseline);

                long before = total(trainer);
                List<Map.Entry<String, byte[]>> records = new ArrayList<>();
                for (ObjectNode t : trajectories) {
                    records.add(Map.entry(t.get("id").asText(), Trajectories.bytes(t)));
                }
                long start = System.nanoTime();
                topic.publishAll(records);
                while (total(trainer) < before + n) {
                    Thread.sleep(50); // polling the service's own count: the end of this measurement
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                double ingest = n / seconds;
                System.out.printf("trainer   Kafka -> parse -> grade -> upsert (end to end, publish included): "
                        + "%.1f trajectories/s (%.2f s)%n", ingest, seconds);

                double grading = gradeBenchmarkAnswers(trainer, answers);
                System.out.printf("grading   POST /v1/grade/batch over every benchmark answer: %.0f answers/s%n", grading);
                System.out.printf("ratio     trainer ingest / plain INSERT loop: %.2fx%n", ingest / baseline);
            } finally {
                trainer.stop();
            }
        }
    }

    /** The same rows (columns and JSONB document) inserted one statement at a time, as a naive consumer would. */
    private static double plainInsertLoop(String jdbc, List<ObjectNode> trajectories) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", null)) {
            try (Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS bench_plain");
                s.execute("CREATE TABLE bench_plain (LIKE trajectories INCLUDING ALL)");
            }
            long start = System.nanoTime();
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO bench_plain (id, created_at, source, "
                    + "model, policy_version, problem_id, tool_calls, format_errors, finish_reason, completion_tokens, "
                    + "document) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)")) {
                for (ObjectNode t : trajectories) {
                    JsonNode usage = t.get("usage");
                    insert.setString(1, t.get("id").asText());
                    insert.setTimestamp(2, Timestamp.from(Instant.parse(t.get("created_at").asText())));
                    insert.setString(3, t.get("source").asText());
                    insert.setString(4, t.get("model").asText());
                    insert.setLong(5, t.get("policy_version").asLong());
                    insert.setString(6, t.get("problem_id").asText());
                    insert.setInt(7, usage.get("tool_calls").asInt());
                    insert.setInt(8, usage.get("format_errors").asInt());
                    insert.setString(9, t.get("finish_reason").asText());
                    insert.setInt(10, usage.get("completion_tokens").asInt());
                    insert.setString(11, JSON.writeValueAsString(t));
                    insert.executeUpdate();
                }
            }
            return trajectories.size() / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** Every answer of the benchmark files graded against a sentence ending in its boxed form. */
    private static double gradeBenchmarkAnswers(TrainerProcess trainer, Path dir) throws Exception {
        ArrayNode items = JSON.createArrayNode();
        try (var files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList()) {
                for (String line : Files.readAllLines(file)) {
                    if (!line.isBlank()) {
                        String answer = JSON.readTree(line).get("answer").asText();
                        items.addObject().put("gold", answer).put("prediction",
                                "Putting it together, the final answer is $\\boxed{" + answer + "}$.");
                    }
                }
            }
        }
        ObjectNode body = JSON.createObjectNode();
        body.set("items", items);
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(trainer.baseUrl() + "/v1/grade/batch"))
                .header("Authorization", "Bearer " + TrainerProcess.TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
        http.send(request, HttpResponse.BodyHandlers.ofString()); // warm-up (class loading, CAS start-up)
        long start = System.nanoTime();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        double seconds = (System.nanoTime() - start) / 1e9;
        if (response.statusCode() != 200) {
            throw new IOException("grade/batch answered " + response.statusCode() + ": " + response.body());
        }
        long correct = 0;
        for (JsonNode r : JSON.readTree(response.body()).get("results")) {
            correct += r.get("correct").asBoolean() ? 1 : 0;
        }
        System.out.printf("grading   %d answers, %d graded correct against their boxed form%n", items.size(), correct);
        return items.size() / seconds;
    }

    private static long total(TrainerProcess trainer) throws Exception {
        return JSON.readTree(trainer.get("/v1/stats")).get("total").asLong();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static int intArg(String[] args, String name, int fallback) {
        return Integer.parseInt(stringArg(args, name, Integer.toString(fallback)));
    }

    private static String stringArg(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}

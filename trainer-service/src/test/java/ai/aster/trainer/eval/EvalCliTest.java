package ai.aster.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: clear one-line errors, the defaults, and a whole run printed and written. */
class EvalCliTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> env, String... args) {
        return EvalCli.run(List.of(args), env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), GradingJudge::new);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void unknownBenchmarkIsOneClearLine() {
        assertEquals(2, run(Map.of(), "--benchmark", "aime1999"));
        assertTrue(err().startsWith("aster eval: unknown benchmark 'aime1999': use aime2025, aime2024, hmmt_feb2025, "
                + "aime2026 or the path of a .jsonl file"), err());
        assertFalse(err().contains("Exception"), err());
        assertFalse(err().contains("\tat "), err());
    }

    @Test
    void badNumbersAndUnknownOptionsAreRejectedBeforeAnythingIsSent() {
        assertEquals(2, run(Map.of(), "--benchmark", "aime2025", "--k", "two"));
        assertTrue(err().contains("--k must be a whole number, got 'two'"), err());
        assertEquals(2, run(Map.of(), "--benchmark", "aime2025", "--top-p", "1.5"));
        assertTrue(err().contains("top_p (--top-p) must be greater than 0 and at most 1"), err());
        assertEquals(2, run(Map.of(), "--benchmark", "aime2025", "--frobnicate", "1"));
        assertTrue(err().contains("unknown option --frobnicate"), err());
        assertEquals(2, run(Map.of()));
        assertTrue(err().contains("--benchmark is required"), err());
    }

    @Test
    void endpointThatDoesNotAnswerIsOneClearLine() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free once closed: nothing listens there
        }
        assertEquals(1, run(Map.of("ASTER_STATE_DIR", dir.toString()), "--benchmark", "aime2025", "--endpoint",
                "http://127.0.0.1:" + port + "/v1"));
        assertEquals("aster eval: the endpoint http://127.0.0.1:" + port + "/v1/ does not answer (is the platform "
                + "up? ./aster status)\n", err());
    }

    @Test
    void defaultsFollowThePaperAndTheLauncher() throws Exception {
        Files.writeString(dir.resolve("api-key"), "sk-from-file\n");
        EvalCommand c = EvalCommand.parse(List.of("--benchmark", "aime2024"),
                Map.of("ASTER_STATE_DIR", dir.toString(), "ASTER_GATEWAY_PORT", "9999"));
        assertEquals(16, c.k());
        assertEquals(0.6, c.temperature());
        assertEquals(0.95, c.topP());
        assertEquals(50, c.maxToolCalls());
        assertEquals(null, c.maxTokens());
        assertEquals("http://127.0.0.1:9999/v1", c.endpoint().toString());
        assertEquals("sk-from-file", c.apiKey());
        EvalCommand withEnvKey = EvalCommand.parse(List.of("--benchmark=aime2024", "--k=2"),
                Map.of("ASTER_STATE_DIR", dir.toString(), "ASTER_API_KEY", "sk-env"));
        assertEquals("sk-env", withEnvKey.apiKey());
        assertEquals(2, withEnvKey.k());
    }

    @Test
    void runsAFileBenchmarkPrintsAndWritesTheReport() throws Exception {
        Path file = dir.resolve("mine.jsonl");
        Files.writeString(file, """
                {"id": "right-a", "problem": "What is 6*7?", "answer": 42}
                {"id": "wrong-b", "problem": "What is 1/2 + 1/2?", "answer": "1"}
                """);
        try (ScriptedEndpoint server = new ScriptedEndpoint()) {
            int code = run(Map.of("ASTER_STATE_DIR", dir.toString()), "--benchmark", file.toString(), "--k", "3",
                    "--endpoint", server.url().toString(), "--api-key", "sk-x");
            assertEquals(0, code, err());
            String md = out.toString(StandardCharsets.UTF_8);
            assertTrue(md.contains("| avg@3 | 50.0% |"), md);
            Path runs = dir.resolve("evals");
            List<Path> folders;
            try (var list = Files.list(runs)) {
                folders = list.toList();
            }
            assertEquals(1, folders.size());
            assertTrue(folders.get(0).getFileName().toString().endsWith("-mine"), folders.toString());
            JsonNode report = EvalCli.json().readTree(folders.get(0).resolve("report.json").toFile());
            assertEquals(3, report.get("k").asInt());
            assertEquals(0.5, report.get("avg_at_k").asDouble());
            assertEquals("42", report.get("problems").get(0).get("answer").asText());
            assertEquals(md, Files.readString(folders.get(0).resolve("report.md")));
        }
    }
}

package ai.aster.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run stopped by a failing endpoint (and a line cut short by a crash) resumes without redrawing any sample. */
class ResumeTest {

    private static final Benchmark BENCH = new Benchmark("resume", List.of(new Problem("right-1", "1+1?", "2"),
            new Problem("wrong-2", "2+2?", "4"), new Problem("right-3", "3+3?", "6")));
    private static final SamplingSettings SAMPLING = new SamplingSettings("resume", "scripted", 0.6, 0.95, 50, 256);
    private static final int K = 4;

    private final ObjectMapper json = EvalCli.json();

    @TempDir
    Path dir;

    @Test
    void resumesWhereTheRunStopped() throws Exception {
        try (GradingJudge judge = new GradingJudge(); ScriptedEndpoint failing = new ScriptedEndpoint();
                ScriptedEndpoint healthy = new ScriptedEndpoint()) {
            failing.failFrom(6);
            EvalException stopped = assertThrows(EvalException.class, () -> runner(failing, judge).run(
                    RunFolder.open(json, dir, SAMPLING), BENCH, SAMPLING, K, 1, EvalProgress.NONE));
            assertTrue(stopped.getMessage().contains("scripted outage"), stopped.getMessage());
            assertTrue(stopped.getMessage().contains("5 new samples were kept"), stopped.getMessage());
            assertEquals(5, lines().size());
            // a crash in the middle of writing a line leaves half of it behind
            Files.writeString(dir.resolve(SampleJournal.FILE), "{\"problem_id\":\"right-3\",\"ind",
                    StandardCharsets.UTF_8, StandardOpenOption.APPEND);

            // the same folder against a server that works (a fresh one: nothing of the first run can reach it)
            EvalRunner runner = runner(healthy, judge);
            Counting progress = new Counting();
            EvalRunner.Result result = runner.run(RunFolder.open(json, dir, SAMPLING), BENCH, SAMPLING, K, 3,
                    progress);
            assertEquals(7, healthy.received().size(), "only the 7 missing samples are drawn again");
            assertEquals(5, progress.already);
            assertEquals(7, progress.done);
            assertEquals(12, lines().size());
            Set<String> keys = new HashSet<>();
            for (String line : lines()) {
                JsonNode s = json.readTree(line);
                assertTrue(keys.add(s.get("problem_id").asText() + "#" + s.get("index").asInt()), "no duplicate");
            }
            EvalReport report = result.report();
            assertEquals(12, report.samples());
            assertEquals(2.0 / 3, report.avgAtK(), 1e-12, "right-1 and right-3 always right, wrong-2 never");
            assertEquals(2.0 / 3, report.majAtK(), 1e-12);
            assertEquals(1.0, report.meanToolCalls());
            assertEquals(30.0, report.meanCompletionTokens());
            assertTrue(Files.isRegularFile(dir.resolve(RunFolder.REPORT_JSON)));
            assertTrue(Files.readString(dir.resolve(RunFolder.REPORT_MD)).contains("| avg@4 | 66.7% |"));

            // a finished run reruns from its journal alone
            runner.run(RunFolder.open(json, dir, SAMPLING), BENCH, SAMPLING, K, 3, EvalProgress.NONE);
            assertEquals(7, healthy.received().size());
        }
    }

    private EvalRunner runner(ScriptedEndpoint server, AnswerJudge judge) {
        return new EvalRunner(new ChatEndpoint(json, server.url(), "sk-test", Duration.ofSeconds(60)), judge);
    }

    @Test
    void survivesTheProcessBeingKilled() throws Exception {
        Path file = dir.resolve("three.jsonl");
        Files.writeString(file, """
                {"id": "right-1", "problem": "1+1?", "answer": "2"}
                {"id": "wrong-2", "problem": "2+2?", "answer": "4"}
                {"id": "right-3", "problem": "3+3?", "answer": "6"}
                """);
        Path out = dir.resolve("run");
        try (ScriptedEndpoint server = new ScriptedEndpoint()) {
            List<String> args = List.of("--benchmark", file.toString(), "--k", "2", "--concurrency", "1",
                    "--endpoint", server.url().toString(), "--api-key", "sk-test", "--out", out.toString());
            // one request at a time: when the 4th arrives, the first 3 samples are in the journal
            server.holdFrom(4);
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    EvalCli.class.getName()));
            command.addAll(args);
            Process child = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("child.log").toFile()).start();
            try {
                assertTrue(server.awaitHeld(300), "the child never reached its 4th sample: "
                        + Files.readString(dir.resolve("child.log")));
            } finally {
                child.destroyForcibly(); // SIGKILL: no shutdown hook, nothing graceful
                child.waitFor();
            }
            assertEquals(3, lines(out).size());
            server.release();
            int before = server.requestCount();

            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = EvalCli.run(args, Map.of(), new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8), GradingJudge::new);
            assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
            assertEquals(3, server.requestCount() - before, "only the 3 samples not yet journaled are drawn");
            assertEquals(6, lines(out).size());
            JsonNode report = json.readTree(out.resolve(RunFolder.REPORT_JSON).toFile());
            assertEquals(6, report.get("samples").asInt());
            assertEquals(2.0 / 3, report.get("avg_at_k").asDouble(), 1e-12);
        }
    }

    @Test
    void sendsTheEvaluationRequestShape() throws Exception {
        try (ScriptedEndpoint server = new ScriptedEndpoint()) {
            try (GradingJudge judge = new GradingJudge()) {
                runner(server, judge).run(RunFolder.open(json, dir, SAMPLING), BENCH.limit(1), SAMPLING, 2, 2,
                        EvalProgress.NONE);
            }
            assertEquals(2, server.received().size());
            ScriptedEndpoint.Received r = server.received().get(0);
            assertEquals("eval", r.source());
            assertEquals("Bearer sk-test", r.authorization());
            JsonNode body = r.body();
            assertEquals("scripted", body.get("model").asText());
            assertEquals(0.6, body.get("temperature").asDouble());
            assertEquals(0.95, body.get("top_p").asDouble());
            assertEquals(256, body.get("max_tokens").asInt());
            assertEquals(50, body.get("max_tool_calls").asInt());
            assertEquals("2", body.get("reference_answer").asText());
            assertEquals("right-1", body.get("problem_id").asText());
            assertTrue(body.get("messages").get(0).get("content").asText().startsWith("1+1?"));
            assertEquals(false, body.get("stream").asBoolean());
        }
    }

    @Test
    void refusesToMixSettingsInOneFolder() {
        RunFolder.open(json, dir, SAMPLING);
        SamplingSettings hotter = new SamplingSettings("resume", "scripted", 1.0, 0.95, 50, 256);
        EvalException e = assertThrows(EvalException.class, () -> RunFolder.open(json, dir, hotter));
        assertTrue(e.getMessage().contains("other settings"), e.getMessage());
    }

    private List<String> lines() throws Exception {
        return lines(dir);
    }

    private static List<String> lines(Path folder) throws Exception {
        return Files.readAllLines(folder.resolve(SampleJournal.FILE)).stream().filter(l -> !l.isBlank()).toList();
    }

    private static final class Counting implements EvalProgress {
        int already;
        int done;

        @Override
        public void started(int total, int alreadyDone, int correct) {
            already = alreadyDone;
        }

        @Override
        public void sampleDone(SampleOutcome sample) {
            done++;
        }
    }
}

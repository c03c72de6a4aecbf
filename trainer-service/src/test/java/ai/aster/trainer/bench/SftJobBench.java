package ai.aster.trainer.bench;

import ai.aster.kafka.LocalKafka;
import ai.aster.trainer.support.TrainerProcess;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The SFT figure of {@code ./aster bench train} as a user gets it: an SFT job ({@code POST /v1/jobs}, type sft) on
 * the packaged trainer-service, on a JSONL file of 8 tool-use conversations (Qwen3's template with the tool
 * definitions in the system prompt: somewhat over 512 byte-level tokens each), batch 8 in one micro-batch, no
 * weight sync. The job reports the tokens it trains on (the assistant's), so this figure is trained tokens/s. The wall time of a step is the time between its record and the previous one in
 * {@code GET /v1/jobs/{id}/steps} (polled every 100 ms): everything the job does around {@code sftStep} counts (the
 * step log, metrics, PNG curves). The first step is a warm-up and the last one carries the final checkpoint: both
 * are left out; the median of the others counts. The service runs with its own settings (PyTorch's default
 * thread count: one per core).
 *
 * <p>Usage: {@code SftJobBench --model DIR [--steps 5]}; run from trainer-service/ (bench.sh's class path).
 */
public final class SftJobBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH = 8;

    public static void main(String[] args) throws Exception {
        Path model = null;
        int timed = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--model" -> model = Path.of(args[++i]).toAbsolutePath();
                case "--steps" -> timed = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("usage: SftJobBench --model DIR [--steps N]");
            }
        }
        if (model == null || timed < 1) {
            throw new IllegalArgumentException("usage: SftJobBench --model DIR [--steps N >= 1]");
        }
        Path dir = Files.createDirectories(Path.of("target", "bench-sft-job-" + System.currentTimeMillis()));
        Path data = dir.resolve("conversations.jsonl");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < BATCH; i++) {
            lines.append(JSON.writeValueAsString(conversation(i))).append('\n');
        }
        Files.writeString(data, lines);
        int steps = timed + 2; // a warm-up step first, the final checkpoint's step last
        ObjectNode config = JSON.createObjectNode();
        config.put("model", model.toString());
        config.putObject("data").put("jsonl", data.toAbsolutePath().toString());
        config.put("steps", steps).put("batch_size", BATCH).put("micro_batch_size", BATCH).put("lr", 1e-5)
                .put("checkpoint_every", 1000).put("sync_weights", false);
        ObjectNode body = JSON.createObjectNode().put("type", "sft");
        body.set("config", config);

        HttpClient http = HttpClient.newHttpClient();
        try (LocalKafka kafka = LocalKafka.start(dir.resolve("kafka"))) {
            TrainerProcess trainer = TrainerProcess.start(kafka.bootstrapServers(), dir.resolve("postgres"),
                    dir.resolve("trainer.log"), List.of("-Daster.trainer.checkpoint-root="
                            + dir.resolve("checkpoints").toAbsolutePath(), "-Xmx1g"));
            try {
                HttpResponse<String> created = http.send(request(trainer, "/v1/jobs")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (created.statusCode() != 202) {
                    throw new IllegalStateException("POST /v1/jobs answered " + created.statusCode() + ": "
                            + created.body());
                }
                String id = JSON.readTree(created.body()).get("id").asText();
                System.out.printf("SFT job %s through trainer-service: %d steps of %d conversations (%s), one"
                        + " micro-batch, no weight sync%n", id, steps, BATCH, data);
                List<Double> arrivals = new ArrayList<>();
                JsonNode records = null;
                long started = System.nanoTime();
                while (true) {
                    records = JSON.readTree(trainer.get("/v1/jobs/" + id + "/steps")).get("data");
                    while (arrivals.size() < records.size()) {
                        arrivals.add((System.nanoTime() - started) / 1e9);
                        JsonNode r = records.get(arrivals.size() - 1);
                        System.out.printf("  step %d at %7.2f s: %.0f trained tokens, forward/backward %.2f s,"
                                + " optimizer %.2f s, loss %.4f%n", r.get("step").asInt(), arrivals.getLast(),
                                r.get("metrics").get("tokens").asDouble(),
                                r.get("seconds").get("forward_backward").asDouble(),
                                r.get("seconds").get("optimizer").asDouble(), r.get("metrics").get("loss").asDouble());
                    }
                    String status = JSON.readTree(trainer.get("/v1/jobs/" + id)).get("status").asText();
                    if (!status.equals("queued") && !status.equals("running")) {
                        if (!status.equals("succeeded") || records.size() < steps) {
                            throw new IllegalStateException("job " + id + " ended " + status + " after "
                                    + records.size() + " steps: " + trainer.get("/v1/jobs/" + id));
                        }
                        break;
                    }
                    Thread.sleep(100); // polling the job's own step log: the clock of this measurement
                }
                double[] seconds = new double[timed];
                double[] inStep = new double[timed];
                double tokens = records.get(1).get("metrics").get("tokens").asDouble();
                for (int s = 1; s <= timed; s++) {
                    seconds[s - 1] = arrivals.get(s) - arrivals.get(s - 1);
                    JsonNode phases = records.get(s).get("seconds");
                    inStep[s - 1] = phases.get("forward_backward").asDouble() + phases.get("optimizer").asDouble();
                }
                double wall = median(seconds);
                double step = median(inStep);
                System.out.printf("SFT job step, median of %d: %.2f s between step records, of which sftStep %.2f s"
                        + " (%.1f%% around it); %.0f trained tokens a step%n", timed, wall, step,
                        (wall - step) / wall * 100, tokens);
                System.out.printf("sft job trained tokens/s: %.0f (sftStep alone: %.0f)%n", tokens / wall,
                        tokens / step);
            } finally {
                trainer.stop();
            }
        }
    }

    /** A tool-use conversation: question, code call, its output, a worked answer. */
    private static ObjectNode conversation(int i) {
        int a = 13 + i;
        int b = 29 + 3 * i;
        ObjectNode c = JSON.createObjectNode();
        ArrayNode messages = c.putArray("messages");
        messages.addObject().put("role", "user").put("content", "A warehouse holds " + a + " crates of " + b
                + " boxes each. How many boxes are there in all? Check the product with code before answering.");
        ObjectNode call = messages.addObject().put("role", "assistant").put("content",
                "We need the product of the crate count and the boxes per crate. I will compute it exactly.");
        call.putArray("tool_calls").addObject().put("id", "call_" + i).put("type", "function")
                .putObject("function").put("name", "code_interpreter")
                .put("arguments", "{\"code\": \"print(" + a + " * " + b + ")\"}");
        messages.addObject().put("role", "tool").put("tool_call_id", "call_" + i).put("content", a * b + "\n");
        messages.addObject().put("role", "assistant").put("content", "The code printed " + a * b + ". As a check"
                + " by hand: " + a + " * " + b + " = " + a + " * " + (b - b % 10) + " + " + a + " * " + b % 10 + " = "
                + a * (b - b % 10) + " + " + a * (b % 10) + " = " + a * b + ", which agrees with the output. Every"
                + " crate holds the same number of boxes, so the total is the product.\nThe answer is \\boxed{"
                + a * b + "}.");
        ObjectNode tool = c.putArray("tools").addObject().put("type", "function");
        ObjectNode fn = tool.putObject("function").put("name", "code_interpreter").put("description",
                "Runs Python code and returns what it prints");
        fn.putObject("parameters").put("type", "object").putObject("properties").putObject("code")
                .put("type", "string");
        return c;
    }

    private static HttpRequest.Builder request(TrainerProcess trainer, String path) {
        return HttpRequest.newBuilder(URI.create(trainer.baseUrl() + path))
                .header("Authorization", "Bearer " + TrainerProcess.TOKEN).header("Content-Type",
                        "application/json");
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}

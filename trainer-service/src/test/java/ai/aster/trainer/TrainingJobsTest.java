package ai.aster.trainer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import ai.aster.trainer.service.IncomingRecord;
import ai.aster.trainer.service.TrajectoryIngest;
import ai.aster.trainer.support.LocalKafkaResource;
import ai.aster.trainer.support.TrainingData;
import ai.aster.trainer.support.Trajectories;
import ai.aster.trainer.train.JobView;
import ai.aster.trainer.train.TrainingJobs;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Training jobs through the real API: SFT on a tiny model made by ModelInit, from a JSONL file and from stored
 * trajectories (put there by the real ingest); cancel, resume, the step log, curves, metrics and 400s.
 */
@QuarkusTest
@WithTestResource(LocalKafkaResource.class)
class TrainingJobsTest {

    private static final String TOKEN = "test-internal-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path MODEL = TrainingData.model(Path.of("target/models/sft-jobs"));
    private static final Duration LONG = Duration.ofMinutes(5); // a bound for a loaded machine, not a pause

    @Inject
    TrajectoryIngest ingest;

    @Inject
    TrainingJobs jobs;

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    private static RequestSpecification api() {
        return given().header("Authorization", "Bearer " + TOKEN).contentType(ContentType.JSON);
    }

    private ObjectNode jsonlConfig(int steps) {
        Path data = TrainingData.jsonl(Path.of("target/sft-data/" + run + ".jsonl"), TrainingData.conversations(4));
        ObjectNode config = JSON.createObjectNode();
        config.put("model", MODEL.toAbsolutePath().toString());
        config.putObject("data").put("jsonl", data.toAbsolutePath().toString());
        config.put("steps", steps).put("batch_size", 4).put("micro_batch_size", 2).put("lr", 0.01)
                .put("warmup_steps", 1).put("checkpoint_every", 100);
        return config;
    }

    private static JsonPath submit(Map<String, Object> body) {
        return api().body(body).post("/v1/jobs").then().statusCode(202).extract().jsonPath();
    }

    private static JsonPath awaitStatus(String id, String status) {
        JsonPath[] view = new JsonPath[1];
        await().atMost(LONG).pollInterval(Duration.ofMillis(200)).until(() -> {
            view[0] = api().get("/v1/jobs/" + id).then().statusCode(200).extract().jsonPath();
            String now = view[0].getString("status");
            assertThat(now).as("job %s failed: %s", id, view[0].getString("error"))
                    .isIn("queued", "running", status);
            return status.equals(now);
        });
        return view[0];
    }

    private static List<Double> losses(String id) {
        JsonPath steps = api().get("/v1/jobs/" + id + "/steps").then().statusCode(200).extract().jsonPath();
        List<Integer> numbers = steps.getList("data.step", Integer.class);
        for (int i = 0; i < numbers.size(); i++) {
            assertThat(numbers.get(i)).as("step numbers run 1, 2, 3, ... without gaps or repeats").isEqualTo(i + 1);
        }
        return steps.getList("data.metrics.loss", Double.class);
    }

    @Test
    void sftOnAJsonlFileDrivesTheLossDown() throws Exception {
        String id = "sft-jsonl-" + run;
        JsonPath queued = submit(Map.of("type", "sft", "id", id, "config", jsonlConfig(8)));
        assertThat(queued.getString("id")).isEqualTo(id);
        assertThat(queued.getString("status")).isIn("queued", "running");

        JsonPath done = awaitStatus(id, "succeeded");
        assertThat(done.getInt("step")).isEqualTo(8);
        assertThat(done.getInt("total_steps")).isEqualTo(8);
        assertThat(done.getDouble("last.metrics.loss")).isPositive();
        assertThat(done.getMap("last.seconds")).containsKeys("forward_backward", "optimizer", "weights_sync");
        assertThat(done.getString("policy_version")).isNull(); // no weight sync asked for
        assertThat(done.getList("curves", String.class)).contains("loss", "grad_norm", "lr", "step_time");

        List<Double> loss = losses(id);
        assertThat(loss).hasSize(8);
        assertThat(loss.getLast()).as("loss %s", loss).isLessThan(loss.getFirst() * 0.6);

        Path folder = Path.of(done.getString("folder"));
        assertThat(folder.resolve("steps.jsonl")).exists();
        assertThat(Files.readAllLines(folder.resolve("steps.jsonl"))).hasSize(8);
        assertThat(JSON.readTree(folder.resolve("job.json").toFile()).path("status").asText()).isEqualTo("succeeded");
        assertThat(folder.resolve("checkpoints/step-000008/model.safetensors")).exists();
        assertThat(folder.resolve("checkpoints/step-000008/tokenizer.json")).exists();
        try (var names = Files.list(folder.resolve("checkpoints"))) {
            assertThat(names.map(p -> p.getFileName().toString())).containsExactly("step-000008");
        }
        for (String curve : List.of("loss", "grad_norm", "lr")) {
            assertThat(folder.resolve(curve + ".png")).exists();
            byte[] png = api().get("/v1/jobs/" + id + "/curves/" + curve + ".png").then().statusCode(200)
                    .contentType("image/png").extract().asByteArray();
            assertThat(png).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
        }
        api().get("/v1/jobs/" + id + "/curves/reward.png").then().statusCode(404);
        api().get("/v1/jobs/no-such-job").then().statusCode(404).body("error.param", equalTo("id"));
        assertThat(api().get("/v1/jobs").then().statusCode(200).extract().jsonPath().getList("data.id"))
                .contains(id);

        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("aster_trainer_job_running{kind=\"sft\"} 0.0")
                .contains("aster_trainer_job_running{kind=\"grpo\"} 0.0")
                .containsPattern("aster_trainer_step_seconds_count\\{phase=\"forward_backward\"\\} [1-9]")
                .contains("aster_trainer_policy_version").contains("aster_trainer_reward_mean")
                .contains("aster_trainer_accuracy").contains("aster_trainer_tool_calls_mean")
                .contains("aster_trainer_response_tokens_mean").contains("aster_trainer_clip_fraction")
                .contains("aster_trainer_consumer_lag");
    }

    /** The names of observability/README.md's "trainer-service metrics" table, on the live /q/metrics. */
    @Test
    void theTrainerExportsEveryNameOfTheObservabilityContract() throws Exception {
        String readme = Files.readString(Path.of("../observability/README.md"));
        int start = readme.indexOf("## trainer-service metrics");
        assertThat(start).isNotNegative();
        int end = readme.indexOf("\n## ", start + 1);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("`(aster_trainer_[a-z0-9_]+)`")
                .matcher(readme.substring(start, end < 0 ? readme.length() : end));
        java.util.Set<String> contract = new java.util.TreeSet<>();
        while (m.find()) {
            contract.add(m.group(1));
        }
        assertThat(contract).hasSizeGreaterThan(10);
        java.util.Set<String> exported = new java.util.TreeSet<>();
        given().get("/q/metrics").then().statusCode(200).extract().asString().lines()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).map(l -> l.split("[{ ]", 2)[0])
                .forEach(exported::add);
        assertThat(exported).containsAll(contract);
    }

    @Test
    void sftOnStoredTrajectoriesLearnsTheirModelTokens() {
        List<IncomingRecord> records = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ObjectNode t = TrainingData.smallVocabularyTrajectory(run + "-t" + i, "sft-store-" + run, 7000 + i);
            records.add(new IncomingRecord("aster.trajectories", 0, i, run + "-t" + i, Trajectories.bytes(t)));
        }
        ingest.store(ingest.prepare(records));

        ObjectNode config = JSON.createObjectNode().put("model", MODEL.toAbsolutePath().toString());
        config.putObject("data").putObject("store").put("problem_id", "sft-store-" + run).put("min_tool_calls", 1);
        config.put("steps", 6).put("batch_size", 3).put("lr", 0.01);
        String id = submit(Map.of("type", "sft", "config", config)).getString("id");
        JsonPath done = awaitStatus(id, "succeeded");
        assertThat(done.getDouble("last.metrics.tokens")).as("the model tokens of 3 trajectories, 2 turns of 60")
                .isEqualTo(360.0);
        List<Double> loss = losses(id);
        assertThat(loss.getLast()).as("loss %s", loss).isLessThan(loss.getFirst() * 0.6);

        ObjectNode none = config.deepCopy();
        ((ObjectNode) none.get("data").get("store")).put("problem_id", "nothing-" + run);
        String empty = submit(Map.of("type", "sft", "config", none)).getString("id");
        assertThat(awaitStatus(empty, "failed").getString("error")).contains("no stored trajectory matches");
    }

    @Test
    void aCancelledJobResumesItsLossCurveFromItsCheckpoint() {
        // more steps than any machine runs during this test: it ends only by being cancelled
        String id = "sft-resume-" + run;
        ObjectNode endless = jsonlConfig(100_000);
        submit(Map.of("type", "sft", "id", id, "config", endless));
        await().atMost(LONG).pollInterval(Duration.ofMillis(100)).until(() ->
                api().get("/v1/jobs/" + id).then().extract().jsonPath().getInt("step") >= 2);

        // a job queued behind it is dropped at once by DELETE and never runs
        String waiting = submit(Map.of("type", "sft", "config", jsonlConfig(5))).getString("id");
        assertThat(api().get("/v1/jobs/" + waiting).then().extract().jsonPath().getString("status"))
                .isEqualTo("queued");
        api().delete("/v1/jobs/" + waiting).then().statusCode(200).body("status", equalTo("cancelled"));
        // a job that is running cannot be submitted again
        api().body(Map.of("type", "sft", "id", id)).post("/v1/jobs").then().statusCode(400)
                .body("error.param", equalTo("id"));

        api().delete("/v1/jobs/" + id).then().statusCode(200);
        JsonPath cancelled = awaitStatus(id, "cancelled");
        int stoppedAt = cancelled.getInt("step");
        assertThat(stoppedAt).isGreaterThanOrEqualTo(2);
        assertThat(Path.of(cancelled.getString("folder"), "checkpoints", String.format("step-%06d", stoppedAt)))
                .as("a cancelled job leaves a checkpoint at the step it stopped").isDirectory();
        List<Double> before = losses(id);
        assertThat(before).hasSize(stoppedAt);
        assertThat(api().get("/v1/jobs/" + waiting).then().extract().jsonPath().getInt("step")).isZero();

        // the same id again, three more steps: it goes on from its checkpoint
        api().body(Map.of("type", "sft", "id", id, "config", with(endless, "steps", stoppedAt + 3))).post("/v1/jobs")
                .then().statusCode(202);
        awaitStatus(id, "succeeded");
        List<Double> loss = losses(id);
        assertThat(loss).hasSize(stoppedAt + 3);
        assertThat(loss.subList(0, stoppedAt)).isEqualTo(before);
        double first = loss.getFirst();
        double atStop = loss.get(stoppedAt - 1);
        double resumed = loss.get(stoppedAt);
        assertThat(resumed).as("loss %s: step %d continues from step %d, not from the start", loss, stoppedAt + 1,
                stoppedAt).isLessThan((first + atStop) / 2);
        api().body(Map.of("type", "sft", "id", "unknown-" + run, "resume", true)).post("/v1/jobs").then()
                .statusCode(404);
    }

    @Test
    void aJobRunningWhenTheTrainerDiedIsShownInterruptedAndCanBeResumed() throws Exception {
        String id = "sft-crashed-" + run;
        Path folder = Path.of("target/checkpoints-test", id);
        Files.createDirectories(folder);
        ObjectNode file = JSON.createObjectNode().put("id", id).put("type", "sft").put("status", "running")
                .put("step", 2).put("total_steps", 4).put("created_at", "2026-11-30T10:00:00Z");
        file.set("config", jsonlConfig(4));
        Files.writeString(folder.resolve("job.json"), file.toString());
        Files.writeString(folder.resolve("steps.jsonl"), "{\"step\":1,\"total_steps\":4,\"metrics\":{\"loss\":5.0},"
                + "\"seconds\":{}}\n{\"step\":2,\"total_steps\":4,\"metr"); // the torn line of a crash

        // what a restarted service reads back from the checkpoint root
        TrainingJobs restarted = new TrainingJobs(jobsInstance(), config, objectMapper, weights, metrics, curves);
        JobView view = restarted.get(id);
        assertThat(view.status().wire()).isEqualTo("failed");
        assertThat(view.error()).isEqualTo(TrainingJobs.INTERRUPTED);
        assertThat(view.step()).isEqualTo(2);
        assertThat(JSON.readTree(folder.resolve("job.json").toFile()).path("status").asText()).isEqualTo("failed");

        // resumed through the API: no checkpoint, so it starts over, and the torn log is cut back
        api().body(Map.of("type", "sft", "id", id, "resume", true)).post("/v1/jobs").then().statusCode(202);
        awaitStatus(id, "succeeded");
        assertThat(losses(id)).hasSize(4);
    }

    /** ./aster train: a YAML config with relative paths, followed to the end; status; a trainer that is not there. */
    @Test
    void theCommandLineStartsAJobAndFollowsItToTheEnd() throws Exception {
        Path data = TrainingData.jsonl(Path.of("target/sft-data/cli-" + run + ".jsonl"), TrainingData.conversations(2));
        Path yaml = Path.of("target/sft-data/cli-" + run + ".yaml");
        Files.writeString(yaml, "model: " + MODEL + "\ndata:\n  jsonl: " + data + "\nsteps: 3\nbatch_size: 2\n"
                + "lr: 0.01\n");
        String trainer = "http://127.0.0.1:" + io.restassured.RestAssured.port;
        Map<String, String> env = Map.of("ASTER_INTERNAL_TOKEN", TOKEN);
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        int status = ai.aster.trainer.cli.TrainCli.run(List.of("sft", "--config", yaml.toString(), "--id", "cli-" + run,
                "--trainer", trainer), env, new java.io.PrintStream(out, true), new java.io.PrintStream(err, true));
        assertThat(status).as(err.toString()).isZero();
        assertThat(err.toString()).contains("job cli-" + run + " succeeded at step 3/3")
                .contains("steps.jsonl").contains("loss.png");
        JsonPath job = api().get("/v1/jobs/cli-" + run).then().extract().jsonPath();
        assertThat(job.getString("config.model")).as("relative paths sent absolute")
                .isEqualTo(MODEL.toAbsolutePath().normalize().toString());

        out.reset();
        assertThat(ai.aster.trainer.cli.TrainCli.run(List.of("status", "cli-" + run, "--trainer", trainer), env,
                new java.io.PrintStream(out, true), new java.io.PrintStream(err, true))).isZero();
        assertThat(out.toString()).contains("cli-" + run).contains("succeeded").contains("step 3/3").contains("loss");

        err.reset();
        assertThat(ai.aster.trainer.cli.TrainCli.run(List.of("status", "--trainer", "http://127.0.0.1:9"), env,
                new java.io.PrintStream(out, true), new java.io.PrintStream(err, true))).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo("aster train: the trainer is not running at http://127.0.0.1:9/ "
                + "(start the platform with ./aster up)");

        err.reset();
        Files.writeString(yaml, "model: " + MODEL + "\ndata: {jsonl: " + data + "}\nbatch_size: 0\n");
        assertThat(ai.aster.trainer.cli.TrainCli.run(List.of("sft", "--config", yaml.toString(), "--trainer", trainer),
                env, new java.io.PrintStream(out, true), new java.io.PrintStream(err, true))).isEqualTo(2);
        assertThat(err.toString().strip()).startsWith("aster train: config.batch_size must be an integer >= 1");
    }

    @Test
    void badRequestsAnswer400NamingTheField() {
        ObjectNode good = jsonlConfig(2);
        bad(Map.of("type", "dpo", "config", good), "type");
        bad(Map.of("config", good), "type");
        bad(Map.of("type", "sft"), "config");
        bad(Map.of("type", "sft", "config", good, "id", "../escape"), "id");
        bad(Map.of("type", "sft", "config", with(good, "model", "/no/such/model")), "config.model");
        bad(Map.of("type", "sft", "config", with(good, "steps", 0)), "config.steps");
        bad(Map.of("type", "sft", "config", with(good, "batch_size", "eight")), "config.batch_size");
        bad(Map.of("type", "sft", "config", with(good, "micro_batch_size", 9)), "config.micro_batch_size");
        bad(Map.of("type", "sft", "config", with(good, "lr", -1)), "config.lr");
        bad(Map.of("type", "sft", "config", with(good, "learning_rate", 0.1)), "config.learning_rate");
        bad(Map.of("type", "sft", "config", with(good, "sync_weights", "yes")), "config.sync_weights");
        bad(Map.of("type", "sft", "config", with(good, "epochs", 2)), "config.epochs");
        ObjectNode noData = good.deepCopy();
        noData.putObject("data");
        bad(Map.of("type", "sft", "config", noData), "config.data");
        ObjectNode badSource = good.deepCopy();
        badSource.putObject("data").putObject("store").put("source", "web");
        bad(Map.of("type", "sft", "config", badSource), "config.data.store.source");
        ObjectNode missingFile = good.deepCopy();
        missingFile.putObject("data").put("jsonl", "/no/such/file.jsonl");
        bad(Map.of("type", "sft", "config", missingFile), "config.data.jsonl");
        given().contentType(ContentType.JSON).body(Map.of("type", "sft", "config", good)).post("/v1/jobs").then()
                .statusCode(401);
        assertThat(api().get("/v1/jobs").then().extract().jsonPath().getList("data.id", String.class))
                .noneMatch(i -> i.contains("escape"));
    }

    @Test
    void aWeightSyncThatFailsFailsTheJobWithTheReason() {
        ObjectNode config = with(jsonlConfig(2), "sync_weights", true);
        String id = submit(Map.of("type", "sft", "config", config)).getString("id");
        assertThat(awaitStatus(id, "failed").getString("error")).startsWith("weight sync failed: model-service at")
                .contains("cannot be reached");
    }

    private static ObjectNode with(ObjectNode config, String key, Object value) {
        ObjectNode copy = config.deepCopy();
        copy.set(key, JSON.valueToTree(value));
        return copy;
    }

    private static void bad(Map<String, Object> body, String param) {
        api().body(body).post("/v1/jobs").then().statusCode(400).body("error.param", equalTo(param))
                .body("error.type", equalTo("invalid_request_error"));
    }

    @Inject
    jakarta.enterprise.inject.Instance<ai.aster.trainer.train.TrainingRunFactory> factories;
    @Inject
    ai.aster.trainer.config.TrainerConfig config;
    @Inject
    ObjectMapper objectMapper;
    @Inject
    ai.aster.trainer.client.ModelWeightsClient weights;
    @Inject
    ai.aster.trainer.train.TrainingMetrics metrics;
    @Inject
    ai.aster.trainer.train.CurveDrawer curves;

    private jakarta.enterprise.inject.Instance<ai.aster.trainer.train.TrainingRunFactory> jobsInstance() {
        return factories;
    }
}

package ai.aster.trainer.replicate;

import ai.aster.trainer.cli.TrainerApi;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The trainer of the replication's platform: training jobs started and waited for ({@code POST /v1/jobs},
 * {@code GET /v1/jobs/{id}}), and the trajectory store counted by filter ({@code GET /v1/trajectories}).
 */
final class PlatformJobs {

    private static final Duration POLL = Duration.ofSeconds(2);

    private final TrainerApi api;
    private final ObjectMapper json;

    PlatformJobs(TrainerApi api, ObjectMapper json) {
        this.api = api;
        this.json = json;
    }

    /** Starts a job; returns its id. */
    String start(String type, String id, ObjectNode config) {
        ObjectNode body = json.createObjectNode().put("type", type).put("id", id);
        body.set("config", config);
        try {
            return api.post("v1/jobs", body).path("id").asText();
        } catch (TrainerApi.ApiException e) {
            throw new ReplicationException("the trainer refused the " + type + " job " + id + ": " + e.getMessage());
        }
    }

    /** Waits until the job ends; its view when it succeeded, else the job's id and error as the exception. */
    JsonNode await(String id, Progress progress) {
        JsonNode job = ended(id, progress);
        if (!"succeeded".equals(job.path("status").asText())) {
            throw unsuccessful(id, job);
        }
        return job;
    }

    /**
     * Waits until the job ends and returns its view, succeeded or failed (the caller decides what a failure means);
     * a cancelled job (not this program's doing) is an exception, as in {@link #await}.
     */
    JsonNode awaitEnd(String id, Progress progress) {
        JsonNode job = ended(id, progress);
        if ("cancelled".equals(job.path("status").asText())) {
            throw unsuccessful(id, job);
        }
        return job;
    }

    /** Polls the job's view until its status is final. */
    private JsonNode ended(String id, Progress progress) {
        while (true) {
            JsonNode job = get("v1/jobs/" + id);
            progress.update(job);
            switch (job.path("status").asText()) {
                case "succeeded", "failed", "cancelled" -> {
                    return job;
                }
                default -> sleep();
            }
        }
    }

    private static ReplicationException unsuccessful(String id, JsonNode job) {
        return new ReplicationException(job.path("type").asText() + " job " + id + " " + job.path("status").asText()
                + ": " + job.path("error").asText("no error given") + " (folder " + job.path("folder").asText() + ")");
    }

    /** How a job advances (a progress line per step). */
    interface Progress {
        void update(JsonNode job);
    }

    /** Trajectories the store holds that match the filters (every page). */
    int count(Map<String, String> filters) {
        int n = 0;
        String cursor = null;
        do {
            StringJoiner q = new StringJoiner("&", "v1/trajectories?", "");
            filters.forEach((k, v) -> q.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
            q.add("limit=1000");
            if (cursor != null) {
                q.add("cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
            }
            JsonNode page = get(q.toString());
            n += page.path("data").size();
            cursor = page.path("next_cursor").isTextual() ? page.path("next_cursor").asText() : null;
        } while (cursor != null);
        return n;
    }

    /** Waits until the store holds at least {@code expected} trajectories matching the filters. */
    void awaitStored(Map<String, String> filters, int expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int n;
        while ((n = count(filters)) < expected) {
            if (System.nanoTime() > deadline) {
                throw new ReplicationException("the store holds " + n + " of the " + expected + " trajectories "
                        + filters + " after " + timeout.toSeconds() + " s (is the trainer consuming Kafka? see its"
                        + " log)");
            }
            sleep();
        }
    }

    private JsonNode get(String path) {
        try {
            return api.get(path);
        } catch (TrainerApi.ApiException e) {
            throw new ReplicationException(e.getMessage());
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplicationException("interrupted");
        }
    }
}

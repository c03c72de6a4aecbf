package ai.aster.trainer.rest;

import ai.aster.protocol.openai.ApiError;
import ai.aster.trainer.train.JobRequest;
import ai.aster.trainer.train.JobView;
import ai.aster.trainer.train.StepRecord;
import ai.aster.trainer.train.TrainingJobs;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Training jobs: {@code POST /v1/jobs} queues one (202), {@code GET /v1/jobs[/{id}]} shows them,
 * {@code GET /v1/jobs/{id}/steps} is the step log, {@code GET /v1/jobs/{id}/curves/{name}.png} a curve, and
 * {@code DELETE /v1/jobs/{id}} cancels.
 */
@Path("/v1/jobs")
public class JobResource {

    private final TrainingJobs jobs;

    public JobResource(TrainingJobs jobs) {
        this.jobs = jobs;
    }

    @POST
    public Response submit(JobRequest request) {
        return Response.accepted(jobs.submit(request)).type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    @GET
    public Map<String, List<JobView>> list() {
        return Map.of("data", jobs.list());
    }

    @GET
    @Path("/{id}")
    public JobView get(@PathParam("id") String id) {
        return jobs.get(id);
    }

    @GET
    @Path("/{id}/steps")
    public Map<String, List<StepRecord>> steps(@PathParam("id") String id) {
        return Map.of("data", jobs.steps(id));
    }

    @GET
    @Path("/{id}/curves/{name}.png")
    @Produces("image/png")
    public Response curve(@PathParam("id") String id, @PathParam("name") String name) {
        return jobs.curve(id, name).map(png -> Response.ok(png.toFile(), "image/png")
                        .header("Cache-Control", "no-store").build())
                .orElseGet(() -> Response.status(404).type(MediaType.APPLICATION_JSON_TYPE)
                        .entity(ApiError.of("invalid_request_error", "job " + id + " has no curve '" + name
                                + "' (yet)", "name", "not_found")).build());
    }

    @DELETE
    @Path("/{id}")
    public JobView cancel(@PathParam("id") String id) {
        return jobs.cancel(id);
    }

    @ServerExceptionMapper
    public Response unknown(TrainingJobs.UnknownJobException e) {
        return Response.status(404).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(ApiError.of("invalid_request_error", e.getMessage(), "id", "not_found")).build();
    }
}

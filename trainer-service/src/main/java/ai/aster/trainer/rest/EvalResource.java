package ai.aster.trainer.rest;

import ai.aster.protocol.openai.ApiError;
import ai.aster.trainer.eval.EvalException;
import ai.aster.trainer.service.EvalJobView;
import ai.aster.trainer.service.EvalJobs;
import ai.aster.trainer.service.EvalRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Evaluation jobs: {@code POST /v1/evals} starts one (202 with its id), {@code GET /v1/evals/{id}} shows its
 * progress and then its report, {@code POST /v1/evals/{id}/resume} continues an interrupted one.
 */
@Path("/v1/evals")
public class EvalResource {

    private final EvalJobs jobs;

    public EvalResource(EvalJobs jobs) {
        this.jobs = jobs;
    }

    @POST
    public Response start(EvalRequest request) {
        if (request == null) {
            throw new EvalException("the request body must be a JSON object such as {\"benchmark\": \"aime2025\"}");
        }
        return Response.accepted(jobs.submit(request)).type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    @GET
    public Map<String, List<EvalJobView>> list() {
        return Map.of("data", jobs.list());
    }

    @GET
    @Path("/{id}")
    public EvalJobView get(@PathParam("id") String id) {
        return jobs.find(id).orElseThrow(() -> new EvalJobs.UnknownJobException(id));
    }

    @POST
    @Path("/{id}/resume")
    public Response resume(@PathParam("id") String id) {
        return Response.accepted(jobs.resume(id)).type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    @ServerExceptionMapper
    public Response invalid(EvalException e) {
        return error(400, ApiError.invalidRequest(e.getMessage(), null));
    }

    @ServerExceptionMapper
    public Response unknown(EvalJobs.UnknownJobException e) {
        return error(404, ApiError.of("invalid_request_error", e.getMessage(), "id", "not_found"));
    }

    private static Response error(int status, ApiError body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }
}

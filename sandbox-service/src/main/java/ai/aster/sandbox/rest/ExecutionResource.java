package ai.aster.sandbox.rest;

import ai.aster.protocol.sandbox.BatchExecutionRequest;
import ai.aster.protocol.sandbox.BatchExecutionResponse;
import ai.aster.protocol.sandbox.ExecutionRequest;
import ai.aster.protocol.sandbox.ExecutionResult;
import ai.aster.sandbox.service.ExecutionService;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The sandbox API. Calls block (waiting for a slot, a container, the code) on virtual threads, so the number of
 * waiting requests is bounded by the admission limits (429 beyond them), not by a worker pool.
 */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public class ExecutionResource {

    private final ExecutionService executions;
    private final StrictJson json;

    public ExecutionResource(ExecutionService executions, StrictJson json) {
        this.executions = executions;
        this.json = json;
    }

    @POST
    @Path("/executions")
    @RunOnVirtualThread
    public ExecutionResult execute(String body) {
        return executions.execute(json.parse(body, ExecutionRequest.class));
    }

    @POST
    @Path("/executions/batch")
    @RunOnVirtualThread
    public BatchExecutionResponse executeBatch(String body) {
        return executions.executeBatch(json.parse(body, BatchExecutionRequest.class));
    }

    @DELETE
    @Path("/sessions/{id}")
    public Response deleteSession(@PathParam("id") String id) {
        executions.deleteSession(id);
        return Response.noContent().build();
    }
}

package ai.aster.sandbox.rest;

import ai.aster.protocol.sandbox.BatchExecutionRequest;
import ai.aster.protocol.sandbox.BatchExecutionResponse;
import ai.aster.protocol.sandbox.ExecutionRequest;
import ai.aster.protocol.sandbox.ExecutionResult;
import ai.aster.sandbox.service.ExecutionService;
import ai.aster.sandbox.service.InvalidRequestException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.util.List;
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
 * waiting requests is bounded by the admission limits (429 beyond them), not by a worker pool. Bodies are read as text and parsed here, so that an empty body, a body that is not JSON, or a
 * missing content type all get the same 400 error body instead of the framework's defaults.
 */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public class ExecutionResource {

    private final ExecutionService executions;
    private final ObjectMapper json;

    public ExecutionResource(ExecutionService executions, ObjectMapper json) {
        this.executions = executions;
        // Strict about types: {"code": 12} is a mistake, not the program "12".
        this.json = json.copy();
        for (CoercionInputShape shape : List.of(CoercionInputShape.Integer, CoercionInputShape.Float,
                CoercionInputShape.Boolean)) {
            this.json.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
    }

    @POST
    @Path("/executions")
    @RunOnVirtualThread
    public ExecutionResult execute(String body) {
        return executions.execute(parse(body, ExecutionRequest.class));
    }

    @POST
    @Path("/executions/batch")
    @RunOnVirtualThread
    public BatchExecutionResponse executeBatch(String body) {
        return executions.executeBatch(parse(body, BatchExecutionRequest.class));
    }

    @DELETE
    @Path("/sessions/{id}")
    public Response deleteSession(@PathParam("id") String id) {
        executions.deleteSession(id);
        return Response.noContent().build();
    }

    private <T> T parse(String body, Class<T> type) {
        if (body == null || body.isBlank()) {
            throw new InvalidRequestException("the request body is empty; send a JSON object", null);
        }
        try {
            T value = json.readValue(body, type);
            if (value == null) {
                throw new InvalidRequestException("the request body must be a JSON object, not null", null);
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException("the request body is not valid JSON for this endpoint: "
                    + e.getOriginalMessage(), null);
        }
    }
}

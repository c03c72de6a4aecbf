package ai.aster.model.rest;

import ai.aster.model.service.ApiException;
import ai.aster.model.service.InferenceBackend;
import ai.aster.protocol.openai.ApiError;
import ai.aster.protocol.openai.ChatCompletionRequest;
import ai.aster.protocol.openai.CompletionRequest;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpServerResponse;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code /v1/completions} and {@code /v1/chat/completions}: JSON, or SSE with {@code stream: true}. */
@Path("/v1")
@Consumes(MediaType.APPLICATION_JSON)
@Produces({MediaType.APPLICATION_JSON, MediaType.SERVER_SENT_EVENTS})
public class CompletionResource {

    private final InferenceBackend backend;
    private final ObjectMapper json;

    public CompletionResource(InferenceBackend backend, ObjectMapper json) {
        this.backend = backend;
        this.json = json;
    }

    @POST
    @Path("/completions")
    public Response completions(CompletionRequest request, @Context HttpServerResponse connection) {
        requireBody(request);
        if (Boolean.TRUE.equals(request.stream())) {
            return ServerSentEvents.of(backend.streamCompletion(request), json, connection);
        }
        try (ClientDisconnect ignored = new ClientDisconnect(connection)) {
            return Response.ok(backend.completion(request), MediaType.APPLICATION_JSON_TYPE).build();
        } catch (InterruptedException e) {
            throw ClientDisconnect.gone();
        }
    }

    @POST
    @Path("/chat/completions")
    public Response chat(ChatCompletionRequest request, @Context HttpServerResponse connection) {
        requireBody(request);
        if (Boolean.TRUE.equals(request.stream())) {
            return ServerSentEvents.of(backend.streamChat(request), json, connection);
        }
        try (ClientDisconnect ignored = new ClientDisconnect(connection)) {
            return Response.ok(backend.chat(request), MediaType.APPLICATION_JSON_TYPE).build();
        } catch (InterruptedException e) {
            throw ClientDisconnect.gone();
        }
    }

    static void requireBody(Object request) {
        if (request == null) {
            throw new ApiException(400, ApiError.invalidRequest("a JSON request body is required", null));
        }
    }
}

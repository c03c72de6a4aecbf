package ai.aster.trainer.rest;

import ai.aster.protocol.openai.ApiError;
import ai.aster.trainer.service.InvalidRequestException;
import ai.aster.trainer.service.StoreUnavailableException;
import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error in OpenAI's shape, never a stack trace. */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response invalid(InvalidRequestException e) {
        return respond(400, ApiError.invalidRequest(e.getMessage(), e.param()));
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e) {
        return respond(400, ApiError.invalidRequest("request body is not valid JSON for this endpoint: "
                + e.getOriginalMessage(), null));
    }

    @ServerExceptionMapper
    public Response unavailable(StoreUnavailableException e) {
        return respond(503, ApiError.unavailable("trajectory store unavailable: " + e.getMessage()));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String type = switch (status) {
            case 404 -> "not_found_error";
            case 405 -> "invalid_request_error";
            default -> status >= 500 ? "server_error" : "invalid_request_error";
        };
        String code = status == 404 ? "not_found" : status >= 500 ? "internal_error" : "invalid_request";
        return respond(status, ApiError.of(type, e.getMessage(), null, code));
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("unexpected error", e);
        return respond(500, ApiError.internal(e.getClass().getSimpleName() + ": " + e.getMessage()));
    }

    private static Response respond(int status, ApiError body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }
}

package ai.aster.sandbox.rest;

import ai.aster.protocol.openai.ApiError;
import ai.aster.sandbox.service.EngineUnavailableException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Container engine or image unavailable: 503. */
@Provider
public class EngineUnavailableMapper implements ExceptionMapper<EngineUnavailableException> {
    @Override
    public Response toResponse(EngineUnavailableException e) {
        return Response.status(503).type(MediaType.APPLICATION_JSON)
                .header("Retry-After", 5)
                .entity(ApiError.unavailable("sandbox unavailable: " + e.getMessage())).build();
    }
}

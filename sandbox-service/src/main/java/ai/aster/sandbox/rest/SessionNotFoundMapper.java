package ai.aster.sandbox.rest;

import ai.aster.protocol.openai.ApiError;
import ai.aster.sandbox.service.SessionNotFoundException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Unknown session: 404. */
@Provider
public class SessionNotFoundMapper implements ExceptionMapper<SessionNotFoundException> {
    @Override
    public Response toResponse(SessionNotFoundException e) {
        return Response.status(404).type(MediaType.APPLICATION_JSON)
                .entity(ApiError.of("invalid_request_error", e.getMessage(), "session_id", "session_not_found"))
                .build();
    }
}

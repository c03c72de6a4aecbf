package ai.aster.sandbox.rest;

import ai.aster.protocol.openai.ApiError;
import ai.aster.sandbox.service.InvalidRequestException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Bad input: 400. */
@Provider
public class InvalidRequestMapper implements ExceptionMapper<InvalidRequestException> {
    @Override
    public Response toResponse(InvalidRequestException e) {
        return Response.status(400).type(MediaType.APPLICATION_JSON)
                .entity(ApiError.invalidRequest(e.getMessage(), e.param())).build();
    }
}

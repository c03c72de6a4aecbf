package ai.aster.model.rest;

import ai.aster.protocol.openai.ApiError;
import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** A body that does not parse (or has a field of the wrong type): 400 naming the problem, never a stack trace. */
@Provider
public class JsonProcessingExceptionMapper implements ExceptionMapper<JsonProcessingException> {

    @Override
    public Response toResponse(JsonProcessingException e) {
        return Response.status(400).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(ApiError.invalidRequest("the request body is not valid: " + e.getOriginalMessage(), null))
                .build();
    }
}

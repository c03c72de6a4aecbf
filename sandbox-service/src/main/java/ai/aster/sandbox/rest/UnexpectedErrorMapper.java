package ai.aster.sandbox.rest;

import ai.aster.protocol.openai.ApiError;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.jboss.logging.Logger;

/** Anything else: the OpenAI error shape with the right status, the cause in the log, never a stack trace out. */
@Provider
public class UnexpectedErrorMapper implements ExceptionMapper<RuntimeException> {

    private static final Logger LOG = Logger.getLogger(UnexpectedErrorMapper.class);

    @Override
    public Response toResponse(RuntimeException e) {
        if (e instanceof WebApplicationException web) {
            int status = web.getResponse().getStatus();
            String type = status >= 500 ? "server_error" : "invalid_request_error";
            return Response.status(status).type(MediaType.APPLICATION_JSON)
                    .entity(ApiError.of(type, web.getMessage(), null, "http_" + status)).build();
        }
        LOG.error("unexpected failure", e);
        return Response.status(500).type(MediaType.APPLICATION_JSON)
                .entity(ApiError.internal("internal error: " + e.getClass().getSimpleName())).build();
    }
}

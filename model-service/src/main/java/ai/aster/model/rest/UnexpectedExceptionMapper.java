package ai.aster.model.rest;

import ai.aster.protocol.openai.ApiError;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.jboss.logging.Logger;

/** Anything else: logged here, answered 500 with a one-line message. */
@Provider
public class UnexpectedExceptionMapper implements ExceptionMapper<Exception> {

    private static final Logger LOG = Logger.getLogger(UnexpectedExceptionMapper.class);

    @Override
    public Response toResponse(Exception e) {
        LOG.error("request failed", e);
        return Response.status(500).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(ApiError.internal(e.getClass().getSimpleName() + ": " + e.getMessage())).build();
    }
}

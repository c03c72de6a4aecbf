package ai.aster.sandbox.rest;

import ai.aster.protocol.openai.ApiError;
import ai.aster.sandbox.config.SandboxConfig;
import ai.aster.sandbox.service.OverloadedException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Saturation: 429 with Retry-After. */
@Provider
public class OverloadedMapper implements ExceptionMapper<OverloadedException> {

    private final SandboxConfig config;

    public OverloadedMapper(SandboxConfig config) {
        this.config = config;
    }

    @Override
    public Response toResponse(OverloadedException e) {
        return Response.status(429).type(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.RETRY_AFTER, config.admission().retryAfterS())
                .entity(ApiError.overloaded(e.getMessage())).build();
    }
}

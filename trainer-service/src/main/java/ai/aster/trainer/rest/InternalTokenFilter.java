package ai.aster.trainer.rest;

import ai.aster.protocol.auth.InternalToken;
import ai.aster.protocol.openai.ApiError;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every REST call needs the internal token ({@code Authorization: Bearer}): 401 when it is missing, 403 when it is
 * wrong, in OpenAI's error shape. Health and metrics ({@code /q/*}) are not REST resources and stay open. The
 * trajectory viewer's static files ({@code /ui/}) hold no data and stay open too: the page sends the token itself.
 */
public class InternalTokenFilter {

    private final InternalToken token;

    public InternalTokenFilter(InternalTokenHolder holder) {
        this.token = holder.token();
    }

    @ServerRequestFilter(preMatching = true)
    public Response check(ContainerRequestContext request) {
        if (isViewerFile(request.getUriInfo().getPath())) {
            return null;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (InternalToken.fromAuthorization(header).isEmpty()) {
            return error(Response.Status.UNAUTHORIZED, ApiError.of("authentication_error",
                    "missing internal token: send Authorization: Bearer <ASTER_INTERNAL_TOKEN>", null,
                    "missing_token"));
        }
        if (!token.matchesAuthorization(header)) {
            return error(Response.Status.FORBIDDEN, ApiError.of("permission_error",
                    "wrong internal token", null, "invalid_token"));
        }
        return null;
    }

    private static boolean isViewerFile(String path) {
        return path.equals("/ui") || path.startsWith("/ui/");
    }

    private static Response error(Response.Status status, ApiError body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }
}

package ai.aster.gateway.client;

import ai.aster.protocol.sandbox.ExecutionRequest;
import ai.aster.protocol.sandbox.ExecutionResult;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** sandbox-service (URL: {@code aster.gateway.sandbox-url}), with the internal token on every call. */
@RegisterRestClient(configKey = "sandbox-service")
@ClientHeaderParam(name = "Authorization", value = "Bearer ${aster.gateway.internal-token}")
interface SandboxRestClient {

    @POST
    @Path("/v1/executions")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<ExecutionResult> execute(ExecutionRequest request);

    @DELETE
    @Path("/v1/sessions/{id}")
    Uni<Response> deleteSession(@PathParam("id") String sessionId);

    @GET
    @Path("/q/health/ready")
    Uni<Response> ready();
}

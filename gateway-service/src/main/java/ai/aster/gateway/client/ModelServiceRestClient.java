package ai.aster.gateway.client;

import ai.aster.protocol.openai.ModelList;
import ai.aster.protocol.openai.TokenizeRequest;
import ai.aster.protocol.openai.TokenizeResponse;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * model-service's small calls (URL: {@code aster.gateway.model-service-url}); the token stream goes through
 * {@link ModelServiceClient}'s raw HTTP client. The internal token goes on every call.
 */
@RegisterRestClient(configKey = "model-service")
@ClientHeaderParam(name = "Authorization", value = "Bearer ${aster.gateway.internal-token}")
@Path("/v1")
interface ModelServiceRestClient {

    @POST
    @Path("/tokenize")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<TokenizeResponse> tokenize(TokenizeRequest request);

    @GET
    @Path("/models")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<ModelList> models();
}

package ai.aster.gateway.client;

import ai.aster.protocol.openai.CompletionRequest;
import ai.aster.protocol.openai.ModelList;
import ai.aster.protocol.openai.TokenizeRequest;
import ai.aster.protocol.openai.TokenizeResponse;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import org.jboss.resteasy.reactive.RestStreamElementType;

/** model-service's OpenAI-compatible API (URL: {@code aster.gateway.model-service-url}). */
@RegisterRestClient(configKey = "model-service")
@Path("/v1")
interface ModelServiceRestClient {

    @POST
    @Path("/tokenize")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<TokenizeResponse> tokenize(TokenizeRequest request);

    /** The SSE events' data, raw: JSON chunks, then {@code [DONE]}. */
    @POST
    @Path("/completions")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.TEXT_PLAIN)
    Multi<String> completions(CompletionRequest request);

    @GET
    @Path("/models")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<ModelList> models();
}

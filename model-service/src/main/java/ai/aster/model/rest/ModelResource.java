package ai.aster.model.rest;

import ai.aster.model.service.InferenceBackend;
import ai.aster.protocol.openai.DetokenizeRequest;
import ai.aster.protocol.openai.DetokenizeResponse;
import ai.aster.protocol.openai.ModelList;
import ai.aster.protocol.openai.TokenizeRequest;
import ai.aster.protocol.openai.TokenizeResponse;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** {@code /v1/models}, {@code /v1/tokenize}, {@code /v1/detokenize}. */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public class ModelResource {

    private final InferenceBackend backend;

    public ModelResource(InferenceBackend backend) {
        this.backend = backend;
    }

    @GET
    @Path("/models")
    public ModelList models() {
        return ModelList.of(List.of(backend.model()));
    }

    @POST
    @Path("/tokenize")
    @Consumes(MediaType.APPLICATION_JSON)
    public TokenizeResponse tokenize(TokenizeRequest request) {
        CompletionResource.requireBody(request);
        return backend.tokenize(request);
    }

    @POST
    @Path("/detokenize")
    @Consumes(MediaType.APPLICATION_JSON)
    public DetokenizeResponse detokenize(DetokenizeRequest request) {
        CompletionResource.requireBody(request);
        return backend.detokenize(request);
    }
}

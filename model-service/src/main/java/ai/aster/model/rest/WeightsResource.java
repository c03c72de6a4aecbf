package ai.aster.model.rest;

import ai.aster.model.service.InferenceBackend;
import ai.aster.protocol.openai.WeightsRequest;
import ai.aster.protocol.openai.WeightsResponse;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code POST /v1/weights}: hot-reload a checkpoint from under {@code aster.model.checkpoint-root}. Guarded, like
 * every endpoint, by the internal token ({@link InternalTokenFilter}).
 */
@Path("/v1/weights")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class WeightsResource {

    private final InferenceBackend backend;

    public WeightsResource(InferenceBackend backend) {
        this.backend = backend;
    }

    @POST
    public WeightsResponse load(WeightsRequest request) throws InterruptedException {
        CompletionResource.requireBody(request);
        return backend.loadWeights(request);
    }
}

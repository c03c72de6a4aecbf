package ai.aster.model.rest;

import ai.aster.model.config.ModelServiceConfig;
import ai.aster.model.service.ApiException;
import ai.aster.model.service.InferenceBackend;
import ai.aster.protocol.openai.ApiError;
import ai.aster.protocol.openai.WeightsRequest;
import ai.aster.protocol.openai.WeightsResponse;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

/** {@code POST /v1/weights} (admin): hot-reload a checkpoint; guarded by {@code aster.model.admin-key} if set. */
@Path("/v1/weights")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class WeightsResource {

    private final InferenceBackend backend;
    private final ModelServiceConfig config;

    public WeightsResource(InferenceBackend backend, ModelServiceConfig config) {
        this.backend = backend;
        this.config = config;
    }

    @POST
    public WeightsResponse load(WeightsRequest request, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization)
            throws InterruptedException {
        config.adminKey().ifPresent(key -> {
            if (!("Bearer " + key).equals(authorization)) {
                throw new ApiException(401, ApiError.of("authentication_error",
                        "POST /v1/weights needs the admin key as 'Authorization: Bearer <key>'", null,
                        "invalid_api_key"));
            }
        });
        CompletionResource.requireBody(request);
        return backend.loadWeights(request);
    }
}

package ai.aster.gateway.client;

import ai.aster.protocol.openai.ModelList;
import ai.aster.protocol.openai.TokenizeRequest;
import ai.aster.protocol.openai.TokenizeResponse;
import io.smallrye.mutiny.Uni;

/**
 * model-service's small calls (URL: {@code aster.gateway.model-service-url}), over {@link InternalHttp}
 * ({@link InternalModelHttp}) with the internal token; the token stream goes through {@link ModelServiceClient}'s
 * own reader. A non-2xx answer fails with a {@code WebApplicationException}.
 */
interface ModelServiceRestClient {

    Uni<TokenizeResponse> tokenize(TokenizeRequest request);

    Uni<ModelList> models();
}

package ai.aster.gateway.client;

import ai.aster.gateway.config.GatewayConfig;
import ai.aster.protocol.openai.ModelList;
import ai.aster.protocol.openai.TokenizeRequest;
import ai.aster.protocol.openai.TokenizeResponse;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import jakarta.enterprise.context.ApplicationScoped;

/** model-service's small calls over {@link InternalHttp} (URL: {@code aster.gateway.model-service-url}). */
@ApplicationScoped
class InternalModelHttp implements ModelServiceRestClient {

    private final InternalHttp http;
    private final String base;

    InternalModelHttp(InternalHttp http, GatewayConfig config) {
        this.http = http;
        this.base = config.modelServiceUrl().replaceAll("/+$", "");
    }

    @Override
    public Uni<TokenizeResponse> tokenize(TokenizeRequest request) {
        return http.call(HttpMethod.POST, base + "/v1/tokenize", request, TokenizeResponse.class);
    }

    @Override
    public Uni<ModelList> models() {
        return http.call(HttpMethod.GET, base + "/v1/models", null, ModelList.class);
    }
}

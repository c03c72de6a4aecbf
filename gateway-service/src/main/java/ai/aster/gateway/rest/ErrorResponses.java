package ai.aster.gateway.rest;

import ai.aster.protocol.openai.ApiError;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/** Every error leaves as OpenAI's {@code {"error": {...}}} with its status; never a stack trace. */
final class ErrorResponses {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ErrorResponses() {}

    static void send(RoutingContext rc, int status, ApiError error, Long retryAfterS) {
        HttpServerResponse response = rc.response();
        if (response.ended() || response.closed()) {
            return;
        }
        if (response.headWritten()) {
            // a stream has started: the error goes as its last event
            response.end("data: " + json(error) + "\n\n");
            return;
        }
        response.setStatusCode(status).putHeader("Content-Type", "application/json");
        if (retryAfterS != null) {
            response.putHeader("Retry-After", Long.toString(retryAfterS));
        }
        response.end(json(error));
    }

    static String json(ApiError error) {
        try {
            return JSON.writeValueAsString(error);
        } catch (JsonProcessingException e) {
            return "{\"error\":{\"message\":\"internal error\",\"type\":\"server_error\",\"param\":null,\"code\":null}}";
        }
    }
}

package ai.aster.protocol.openai;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The body of every error, as OpenAI sends it: {@code {"error": {"message", "type", "param", "code"}}}. */
public record ApiError(Detail error) {

    /** One error; {@code param} names the offending request field, {@code code} is a stable machine-readable word. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Detail(String message, String type, String param, String code) {}

    public static ApiError of(String type, String message, String param, String code) {
        return new ApiError(new Detail(message, type, param, code));
    }

    /** 400: the request is malformed or out of range. */
    public static ApiError invalidRequest(String message, String param) {
        return of("invalid_request_error", message, param, "invalid_request");
    }

    /** 429: the server is saturated; try again after the Retry-After header. */
    public static ApiError overloaded(String message) {
        return of("rate_limit_error", message, null, "overloaded");
    }

    /** 503: a dependency (container engine, model, sandbox) is unavailable. */
    public static ApiError unavailable(String message) {
        return of("service_unavailable", message, null, "service_unavailable");
    }

    /** 500: a failure inside the server; the message says what, never a stack trace. */
    public static ApiError internal(String message) {
        return of("server_error", message, null, "internal_error");
    }
}

package ai.aster.model.service;

import ai.aster.protocol.openai.ApiError;

/** A failure with its HTTP status and OpenAI-shaped body; {@code retryAfterSeconds} only for 429/503. */
public class ApiException extends RuntimeException {

    private final int status;
    private final ApiError error;
    private final Integer retryAfterSeconds;

    public ApiException(int status, ApiError error, Integer retryAfterSeconds) {
        super(error.error().message());
        this.status = status;
        this.error = error;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public ApiException(int status, ApiError error) {
        this(status, error, null);
    }

    public static ApiException badRequest(String message, String param) {
        return new ApiException(400, ApiError.invalidRequest(message, param));
    }

    /** 422: the request is well-formed but what it points at cannot be used (a broken checkpoint). */
    public static ApiException unprocessable(String message, String param) {
        return new ApiException(422, ApiError.of("invalid_request_error", message, param, "unprocessable"));
    }

    public int status() {
        return status;
    }

    public ApiError error() {
        return error;
    }

    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }
}

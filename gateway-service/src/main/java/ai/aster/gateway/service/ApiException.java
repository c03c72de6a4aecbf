package ai.aster.gateway.service;

import ai.aster.protocol.openai.ApiError;

/** A request the gateway answers with an error body in OpenAI's shape; {@code retryAfterS} only for 429. */
public class ApiException extends RuntimeException {

    private final int status;
    private final ApiError error;
    private final Long retryAfterS;

    public ApiException(int status, ApiError error, Long retryAfterS) {
        super(error.error().message(), null, false, false);
        this.status = status;
        this.error = error;
        this.retryAfterS = retryAfterS;
    }

    public static ApiException invalid(String message, String param) {
        return new ApiException(400, ApiError.invalidRequest(message, param), null);
    }

    public int status() {
        return status;
    }

    public ApiError error() {
        return error;
    }

    public Long retryAfterS() {
        return retryAfterS;
    }
}

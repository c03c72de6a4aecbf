package ai.aster.sandbox.rest;

import ai.aster.sandbox.service.InvalidRequestException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * Request bodies, read as text and parsed here, so that an empty body, a body that is not JSON, or a missing
 * content type all get the same 400 error body instead of the framework's defaults. Strict about types:
 * {@code {"code": 12}} is a mistake, not the program "12".
 */
@ApplicationScoped
public class StrictJson {

    private final ObjectMapper json;

    public StrictJson(ObjectMapper json) {
        this.json = json.copy();
        for (CoercionInputShape shape : List.of(CoercionInputShape.Integer, CoercionInputShape.Float,
                CoercionInputShape.Boolean)) {
            this.json.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
    }

    <T> T parse(String body, Class<T> type) {
        if (body == null || body.isBlank()) {
            throw new InvalidRequestException("the request body is empty; send a JSON object", null);
        }
        try {
            T value = json.readValue(body, type);
            if (value == null) {
                throw new InvalidRequestException("the request body must be a JSON object, not null", null);
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException("the request body is not valid JSON for this endpoint: "
                    + e.getOriginalMessage(), null);
        }
    }
}

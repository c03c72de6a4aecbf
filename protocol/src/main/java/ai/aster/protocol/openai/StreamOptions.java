package ai.aster.protocol.openai;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** {@code stream_options}: with {@code include_usage} a last chunk with empty {@code choices} carries the usage. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
public record StreamOptions(Boolean includeUsage) {

    public boolean wantsUsage() {
        return Boolean.TRUE.equals(includeUsage);
    }
}

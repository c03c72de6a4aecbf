package ai.aster.sandbox.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.aster.protocol.sandbox.ExecutionRequest;
import ai.aster.sandbox.config.SandboxConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RequestValidatorTest {

    private final RequestValidator validator = new RequestValidator(new SmallRyeConfigBuilder()
            .withMapping(SandboxConfig.class)
            .withConverter(Duration.class, 200, new DurationConverter()) // Quarkus's "30s" syntax
            .build()
            .getConfigMapping(SandboxConfig.class));

    @Test
    void fillsInDefaults() {
        RequestValidator.ValidCall call = validator.validate(ExecutionRequest.python("print(1)"), "");
        assertThat(call.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(call.memoryMb()).isEqualTo(1024);
        assertThat(call.sessionId()).isNull();
    }

    @Test
    void acceptsFractionalTimeoutAndPython3() {
        var call = validator.validate(new ExecutionRequest("1", "Python3", "s-1", 0.5, 256, "in"), "");
        assertThat(call.timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(call.memoryMb()).isEqualTo(256);
    }

    @Test
    void namesTheOffendingFieldWithTheBatchPrefix() {
        assertThatThrownBy(() -> validator.validate(new ExecutionRequest("1", null, null, Double.NaN, null, null),
                "executions[2]."))
                .isInstanceOf(InvalidRequestException.class)
                .extracting(e -> ((InvalidRequestException) e).param())
                .isEqualTo("executions[2].timeout_s");
        assertThatThrownBy(() -> validator.validate(new ExecutionRequest("1", null, null, null, 63, null), ""))
                .extracting(e -> ((InvalidRequestException) e).param())
                .isEqualTo("memory_mb");
        assertThatThrownBy(() -> validator.validate(null, "executions[0]."))
                .extracting(e -> ((InvalidRequestException) e).param())
                .isEqualTo("executions[0]");
    }

    @Test
    void codeLimitCountsUtf8Bytes() {
        String justOver = "é".repeat(512 * 1024 + 1); // 2 bytes each
        assertThatThrownBy(() -> validator.validate(ExecutionRequest.python(justOver), ""))
                .extracting(e -> ((InvalidRequestException) e).param())
                .isEqualTo("code");
        validator.validate(ExecutionRequest.python("é".repeat(512 * 1024)), "");
    }
}

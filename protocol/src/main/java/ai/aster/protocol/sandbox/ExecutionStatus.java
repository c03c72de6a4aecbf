package ai.aster.protocol.sandbox;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How an execution ended. */
public enum ExecutionStatus {
    /** exit code 0 */
    @JsonProperty("ok") OK,
    /** non-zero exit code (an exception, a syntax error, {@code sys.exit(n)}) */
    @JsonProperty("error") ERROR,
    /** killed at the wall-clock limit */
    @JsonProperty("timeout") TIMEOUT,
    /** killed by the memory limit */
    @JsonProperty("oom") OOM,
    /** not run: the service could not take it (saturation inside a batch, engine failure) */
    @JsonProperty("rejected") REJECTED;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

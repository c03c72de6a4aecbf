package ai.aster.trainer.train;

import com.fasterxml.jackson.annotation.JsonValue;

/** Where a training job is: waiting for the training thread, on it, or ended one of three ways. */
public enum JobStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    @JsonValue
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public boolean ended() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}

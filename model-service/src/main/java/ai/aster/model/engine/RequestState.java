package ai.aster.model.engine;

import java.util.ArrayList;
import java.util.List;

/** A request inside the engine: its choices (sequences), its listener and whether the client went away. */
public final class RequestState {

    final EngineRequest request;
    final RequestListener listener;
    final long arrivalNanos;
    /** The choices; filled when the scheduler admits the request (choice 0 first, the others fork from it). */
    final List<Sequence> sequences = new ArrayList<>();
    /** Set from any thread on client disconnect; the engine drops the request at its next step. */
    volatile boolean cancelled;
    boolean failed;
    /** The weights version of the latest tokens (set at admission, then at every step that samples). */
    long policyVersion;
    /** Every version that produced tokens of this request, in order: two after a swap under it. */
    final List<Long> policyVersions = new ArrayList<>();

    RequestState(EngineRequest request, RequestListener listener, long arrivalNanos) {
        this.request = request;
        this.listener = listener;
        this.arrivalNanos = arrivalNanos;
    }

    public EngineRequest request() {
        return request;
    }

    /** Tokens of this step came from weights {@code version}. */
    void producedBy(long version) {
        policyVersion = version;
        if (policyVersions.isEmpty() || policyVersions.get(policyVersions.size() - 1) != version) {
            policyVersions.add(version);
        }
    }

    boolean allFinished() {
        return !sequences.isEmpty() && sequences.stream().allMatch(Sequence::finished);
    }

    int completionTokens() {
        int total = 0;
        for (Sequence s : sequences) {
            total += s.generated.size();
        }
        return total;
    }
}

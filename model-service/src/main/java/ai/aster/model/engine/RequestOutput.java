package ai.aster.model.engine;

import java.util.List;

/**
 * Everything a request produced in one engine step, handed to its listener.
 *
 * @param finished         all choices have ended
 * @param promptTokens     the prompt's length
 * @param completionTokens tokens generated so far over all choices
 * @param policyVersion    the weights version that produced these tokens
 * @param policyVersions   every version that produced tokens of the request so far, in order (one entry unless the
 *                         weights were swapped under it)
 */
public record RequestOutput(
        String requestId,
        List<ChoiceDelta> deltas,
        boolean finished,
        int promptTokens,
        int completionTokens,
        long policyVersion,
        List<Long> policyVersions) {}

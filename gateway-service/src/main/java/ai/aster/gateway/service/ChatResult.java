package ai.aster.gateway.service;

import ai.aster.protocol.openai.Usage;
import java.util.List;

/**
 * A finished chat request: one outcome per choice, the usage over all of them, and the error to answer with when
 * a trajectory failed ({@code failure} null otherwise).
 */
public record ChatResult(PreparedChat chat, List<TrajectoryOutcome> outcomes, Usage usage, Long policyVersion,
        ApiException failure) {}

package ai.aster.trainer.service;

import ai.aster.protocol.trajectory.Trajectory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A trajectory as received: {@code document} is the published JSON itself (fields this version does not know are
 * kept), {@code trajectory} its typed view.
 */
public record ParsedTrajectory(ObjectNode document, Trajectory trajectory) {}

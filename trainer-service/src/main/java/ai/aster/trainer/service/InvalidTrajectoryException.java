package ai.aster.trainer.service;

/** A message on the trajectory topic that is not a storable trajectory; its message is the dead-letter reason. */
public class InvalidTrajectoryException extends Exception {
    public InvalidTrajectoryException(String reason) {
        super(reason);
    }
}

package ai.aster.trainer.eval;

/**
 * One benchmark problem.
 *
 * @param id      stable id (sent as {@code problem_id}, the key of the per-problem table and of resumed samples)
 * @param problem the statement sent to the model as the user message
 * @param answer  the reference answer (LaTeX or plain), graded against each sample's answer
 */
public record Problem(String id, String problem, String answer) {}

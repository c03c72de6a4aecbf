package ai.aster.trainer.train.grpo;

import ai.aster.modeling.train.TrainingSequence;
import ai.aster.trainer.service.TokenView;

/**
 * A stored rollout as the trainer trains it: the token view's exact sequence, trained on the model's tokens only,
 * with the log-probs the model service reported while sampling. A turn whose log-probs are incomplete (a token
 * without one) cannot be importance-weighted, so its tokens are left out of the loss and the turn is counted.
 *
 * @param sequence     the sequence for {@link ai.aster.modeling.train.GrpoAdvantages}
 * @param turnsSkipped model turns left out of the loss for incomplete log-probs
 */
public record RolloutSequence(TrainingSequence sequence, int turnsSkipped) {

    /** Null when the view holds fewer than two tokens (nothing to predict). */
    public static RolloutSequence of(TokenView view) {
        int n = view.tokenIds().size();
        if (n < 2) {
            return null;
        }
        int[] tokens = new int[n];
        boolean[] mask = new boolean[n];
        float[] logprobs = new float[n];
        for (int t = 0; t < n; t++) {
            tokens[t] = view.tokenIds().get(t);
            Double lp = view.logprobs().get(t);
            logprobs[t] = lp == null ? Float.NaN : lp.floatValue();
        }
        int skipped = 0;
        for (TokenView.Segment segment : view.segments()) {
            if (!TokenView.MODEL.equals(segment.kind())) {
                continue;
            }
            boolean complete = true;
            for (int t = segment.start(); t < segment.end(); t++) {
                complete &= Float.isFinite(logprobs[t]);
            }
            if (!complete) {
                skipped++;
                continue;
            }
            for (int t = Math.max(1, segment.start()); t < segment.end(); t++) {
                mask[t] = true;
            }
        }
        return new RolloutSequence(new TrainingSequence(tokens, mask, logprobs), skipped);
    }
}

package ai.aster.trainer.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * maj@k for one problem: the samples' extracted answers are grouped by equivalence (the grader decides that
 * {@code 1/2} and {@code 0.5} are one answer), the largest group wins (ties go to the group whose first member came
 * first), and the vote is right when that group's answers are graded correct. Samples without an answer do not vote.
 */
public final class MajorityVote {

    private final AnswerJudge judge;

    public MajorityVote(AnswerJudge judge) {
        this.judge = judge;
    }

    /**
     * @param answer  the winning answer as first written; null when no sample had one
     * @param votes   samples in its group
     * @param correct the group's answer is graded equal to the reference
     */
    public record Result(String answer, int votes, boolean correct) {

        public static final Result NONE = new Result(null, 0, false);
    }

    /** @param samples one problem's samples, in index order */
    public Result vote(List<SampleOutcome> samples) {
        List<Group> groups = new ArrayList<>();
        for (SampleOutcome s : samples) {
            if (s.extracted() == null || s.extracted().isBlank()) {
                continue;
            }
            Group home = null;
            for (Group g : groups) {
                if (g.answer.equals(s.extracted()) || judge.sameAnswer(g.answer, s.extracted())) {
                    home = g;
                    break;
                }
            }
            if (home == null) {
                home = new Group(s.extracted());
                groups.add(home);
            }
            home.members.add(s);
        }
        Group best = null;
        for (Group g : groups) {
            if (best == null || g.members.size() > best.members.size()) {
                best = g;
            }
        }
        if (best == null) {
            return Result.NONE;
        }
        // equivalent answers share one grade; a majority of the group's own grades settles a grader disagreement
        long correct = best.members.stream().filter(SampleOutcome::correct).count();
        return new Result(best.answer, best.members.size(), correct * 2 > best.members.size());
    }

    private static final class Group {
        final String answer;
        final List<SampleOutcome> members = new ArrayList<>();

        Group(String answer) {
            this.answer = answer;
        }
    }
}

package ai.aster.trainer.service;

import ai.aster.protocol.trajectory.Trajectory;
import ai.aster.protocol.trajectory.Turn;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The exact token sequence a trajectory's model saw, rebuilt from the published record: the prompt's ids, then per
 * turn the completion's ids and, after a tool call, the ids of the tool result appended to the context. Parallel
 * arrays, one entry per token: {@code mask} says who wrote the token ({@code prompt}, {@code model} — the only ones
 * trained — or {@code tool}); {@code logprobs} is the sampling log-prob of model tokens (null for the others, and
 * for a model token whose log-prob the model service did not report). {@code segments} are the runs, in order.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TokenView(
        List<Integer> tokenIds,
        List<String> mask,
        List<Double> logprobs,
        List<Segment> segments,
        int promptTokens,
        int modelTokens,
        int toolTokens,
        boolean logprobsComplete) {

    public static final String PROMPT = "prompt";
    public static final String MODEL = "model";
    public static final String TOOL = "tool";

    /** A run of tokens of one kind: {@code [start, end)} in the sequence; {@code turn} is null for the prompt. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Segment(String kind, Integer turn, int start, int end) {}

    public static TokenView of(Trajectory trajectory) {
        List<Integer> ids = new ArrayList<>();
        List<String> mask = new ArrayList<>();
        List<Double> logprobs = new ArrayList<>();
        List<Segment> segments = new ArrayList<>();
        boolean complete = true;
        int prompt = append(ids, mask, logprobs, segments, PROMPT, null, trajectory.promptTokenIds(), null);
        int model = 0;
        int tool = 0;
        List<Turn> turns = trajectory.turns() == null ? List.of() : trajectory.turns();
        for (int t = 0; t < turns.size(); t++) {
            Turn turn = turns.get(t);
            List<Integer> completion = turn.completionTokenIds() == null ? List.of() : turn.completionTokenIds();
            List<Double> turnLogprobs = turn.completionLogprobs();
            // not contains(null): an immutable list (List.of) throws on it
            if (turnLogprobs == null || turnLogprobs.size() != completion.size()
                    || turnLogprobs.stream().anyMatch(Objects::isNull)) {
                complete = false;
            }
            model += append(ids, mask, logprobs, segments, MODEL, t, completion, turnLogprobs);
            if (turn.toolResult() != null) {
                tool += append(ids, mask, logprobs, segments, TOOL, t, turn.toolResult().tokenIds(), null);
            }
        }
        return new TokenView(ids, mask, logprobs, segments, prompt, model, tool, complete);
    }

    private static int append(List<Integer> ids, List<String> mask, List<Double> logprobs, List<Segment> segments,
            String kind, Integer turn, List<Integer> tokens, List<Double> tokenLogprobs) {
        if (tokens == null || tokens.isEmpty()) {
            return 0;
        }
        int start = ids.size();
        for (int i = 0; i < tokens.size(); i++) {
            ids.add(tokens.get(i));
            mask.add(kind);
            logprobs.add(tokenLogprobs != null && i < tokenLogprobs.size() ? tokenLogprobs.get(i) : null);
        }
        segments.add(new Segment(kind, turn, start, ids.size()));
        return tokens.size();
    }
}

package ai.aster.trainer.train.sft;

import ai.aster.modeling.ChatTemplate;
import ai.aster.modeling.Tokenizer;
import ai.aster.modeling.train.TrainingSequence;
import ai.aster.trainer.service.PageCursor;
import ai.aster.trainer.service.TokenView;
import ai.aster.trainer.service.TrajectoryPage;
import ai.aster.trainer.service.TrajectoryQuery;
import ai.aster.trainer.service.TrajectoryService;
import ai.aster.trainer.service.TrajectorySummary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * The training sequences of an SFT job: stored trajectories selected by filter (their {@link TokenView}: the exact
 * tokens, model tokens learnt, prompt and tool tokens not), or the conversations of a JSONL file rendered through
 * the model's chat template ({@link ConversationEncoder}). Sequences longer than {@code max_seq_len} are skipped and
 * counted.
 */
final class SftDataLoader {

    private static final int PAGE = 1000;

    /** @param skippedTooLong sequences over {@code max_seq_len}; @param skippedEmpty trajectories with no model token */
    record Loaded(List<TrainingSequence> sequences, int skippedTooLong, int skippedEmpty) {}

    private final TrajectoryService trajectories;
    private final ObjectMapper json;

    SftDataLoader(TrajectoryService trajectories, ObjectMapper json) {
        this.trajectories = trajectories;
        this.json = json;
    }

    Loaded load(SftSettings s) {
        List<TrainingSequence> all = s.store() != null ? fromStore(s.store()) : fromJsonl(s);
        List<TrainingSequence> kept = new ArrayList<>();
        int tooLong = 0;
        int empty = 0;
        for (TrainingSequence seq : all) {
            if (seq == null) {
                empty++;
            } else if (seq.tokens().length > s.maxSeqLen()) {
                tooLong++;
            } else {
                kept.add(seq);
            }
        }
        return new Loaded(kept, tooLong, empty);
    }

    private List<TrainingSequence> fromStore(SftSettings.StoreSelection sel) {
        List<TrainingSequence> out = new ArrayList<>();
        PageCursor after = null;
        int remaining = sel.limit();
        while (remaining > 0) {
            TrajectoryPage page = trajectories.list(new TrajectoryQuery(sel.source(), sel.problemId(), null, null,
                    null, sel.minToolCalls(), sel.maxToolCalls(), sel.finishReason(), sel.correct(), null, after,
                    Math.min(remaining, PAGE)));
            for (TrajectorySummary summary : page.data()) {
                trajectories.get(summary.id()).ifPresent(d -> out.add(sequence(d.tokenView())));
            }
            remaining -= page.data().size();
            if (page.nextCursor() == null || page.data().isEmpty()) {
                break;
            }
            after = PageCursor.decode(page.nextCursor()).orElseThrow();
        }
        return out;
    }

    /** Null when the trajectory has nothing to learn (no model token after the first position). */
    private static TrainingSequence sequence(TokenView view) {
        int n = view.tokenIds().size();
        if (n < 2) {
            return null;
        }
        int[] tokens = new int[n];
        boolean[] mask = new boolean[n];
        boolean any = false;
        for (int i = 0; i < n; i++) {
            tokens[i] = view.tokenIds().get(i);
            mask[i] = i > 0 && TokenView.MODEL.equals(view.mask().get(i));
            any |= mask[i];
        }
        return any ? new TrainingSequence(tokens, mask) : null;
    }

    private List<TrainingSequence> fromJsonl(SftSettings s) {
        List<TrainingSequence> out = new ArrayList<>();
        try (Tokenizer tokenizer = Tokenizer.load(s.model());
                BufferedReader in = Files.newBufferedReader(s.jsonl(), StandardCharsets.UTF_8)) {
            ConversationEncoder encoder = new ConversationEncoder(tokenizer, ChatTemplate.forModel(s.model()), json);
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                String where = s.jsonl().getFileName() + " line " + number;
                JsonNode conversation;
                try {
                    conversation = json.readTree(line);
                } catch (IOException e) {
                    throw new IllegalArgumentException(where + " is not JSON");
                }
                out.add(encoder.encode(conversation, where));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + s.jsonl() + ": " + e.getMessage(), e);
        }
        return out;
    }
}

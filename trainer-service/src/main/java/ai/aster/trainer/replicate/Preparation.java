package ai.aster.trainer.replicate;

import ai.aster.modeling.ChatTemplate;
import ai.aster.modeling.ModelInit;
import ai.aster.modeling.Qwen3Config;
import ai.aster.trainer.curriculum.Curriculum;
import ai.aster.trainer.curriculum.CurriculumCli;
import ai.aster.trainer.curriculum.CurriculumProblem;
import ai.aster.trainer.curriculum.Family;
import ai.aster.trainer.curriculum.Split;
import ai.aster.trainer.teach.TeacherText;
import ai.aster.trainer.teach.TeachingStyle;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The stage before any service runs: the curriculum's training pool and held-out problems (split by construction),
 * and a fresh model whose tokenizer learnt its BPE merges from the text the teacher will write (so the byte-level
 * model's sequences get short).
 */
public final class Preparation {

    private final ObjectMapper json;
    private final PrintStream err;

    public Preparation(ObjectMapper json, PrintStream err) {
        this.json = json;
        this.err = err;
    }

    public void prepare(RunLayout layout, ReplicateSettings settings) throws IOException {
        long start = System.currentTimeMillis();
        String loadAtStart = MachineLoad.now();
        List<Family> families = List.of(Family.values());
        List<CurriculumProblem> train = Curriculum.generate(Split.TRAIN, settings.trainPool(), settings.seed(),
                families, settings.levels());
        // another seed for the held-out draw: its problems are held out by their text whatever the seed
        List<CurriculumProblem> heldOut = Curriculum.generate(Split.HELDOUT, settings.heldOut(), settings.seed() + 1,
                families, settings.levels());
        write(layout.trainProblems(), train);
        write(layout.heldOutProblems(), heldOut);
        String corpus = corpus(train);
        Files.writeString(layout.corpus(), corpus, StandardCharsets.UTF_8);
        ReplicateSettings.ModelSize m = settings.model();
        ModelInit.write(layout.model(), new ModelInit.Options(m.hidden(), m.layers(), m.heads(), m.kvHeads(),
                m.headDim(), m.intermediate(), m.maxPosition(), settings.seed(), "f32"), corpus, m.merges());
        Qwen3Config config = Qwen3Config.read(layout.model().resolve("config.json"));
        err.printf("aster replicate: %d training and %d held-out problems; model %,d parameters (vocabulary %d)%n",
                train.size(), heldOut.size(), config.parameterCount(), config.vocabSize());
        ObjectNode prepared = json.createObjectNode().put("started_at_ms", start)
                .put("seconds", (System.currentTimeMillis() - start) / 1000.0).put("load_at_start", loadAtStart);
        json.writerWithDefaultPrettyPrinter().writeValue(layout.prepared().toFile(), prepared);
    }

    /**
     * The tokenizer's corpus: for every training problem, in both styles, what the teacher will write without
     * running code, rendered with the Qwen3 chat template the fresh model ships.
     */
    String corpus(List<CurriculumProblem> problems) {
        TeacherText text = new TeacherText(ChatTemplate.ofJinja(ModelInit.qwen3ChatTemplate(), null, "<|im_end|>"),
                json);
        StringBuilder out = new StringBuilder();
        for (CurriculumProblem p : problems) {
            for (TeachingStyle style : TeachingStyle.values()) {
                out.append(text.withoutOutputs(p, style)).append('\n');
            }
        }
        return out.toString();
    }

    private static void write(Path file, List<CurriculumProblem> problems) throws IOException {
        Files.createDirectories(file.getParent());
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            CurriculumCli.write(problems, w);
        }
    }
}

package ai.aster.trainer.replicate;

import ai.aster.trainer.curriculum.CurriculumProblem;
import ai.aster.trainer.eval.AnswerJudge;
import ai.aster.trainer.eval.Benchmark;
import ai.aster.trainer.eval.ChatEndpoint;
import ai.aster.trainer.eval.ConsoleProgress;
import ai.aster.trainer.eval.EvalException;
import ai.aster.trainer.eval.EvalRunner;
import ai.aster.trainer.eval.Problem;
import ai.aster.trainer.eval.RunFolder;
import ai.aster.trainer.eval.SampleJournal;
import ai.aster.trainer.eval.SampleOutcome;
import ai.aster.trainer.eval.SamplingSettings;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Evaluates whatever the model service serves on the held-out problems, through the gateway (the public API, code
 * run server-side) with the evaluation harness in process: k samples a problem at the preset's temperature, one
 * run folder per evaluation under the run's {@code evals/}.
 */
final class HeldOutEvaluation {

    private final ChatEndpoint endpoint;
    private final AnswerJudge judge;
    private final ObjectMapper json;
    private final String model;
    private final List<CurriculumProblem> problems;
    private final Benchmark benchmark;
    private final ReplicateSettings.Eval settings;
    private final Path evals;
    private final PrintStream err;

    HeldOutEvaluation(ChatEndpoint endpoint, AnswerJudge judge, ObjectMapper json, String model,
            List<CurriculumProblem> problems, Path heldOutFile, ReplicateSettings.Eval settings, Path evals,
            PrintStream err) {
        this.endpoint = endpoint;
        this.judge = judge;
        this.json = json;
        this.model = model;
        this.problems = problems;
        this.benchmark = new Benchmark(heldOutFile.toString(),
                problems.stream().map(p -> new Problem(p.id(), p.problem(), p.answer())).toList());
        this.settings = settings;
        this.evals = evals;
        this.err = err;
    }

    /** Evaluates the served checkpoint (already loaded) with a budget of {@code maxToolCalls} code calls. */
    EvalPoint evaluate(String setting, int step, int maxToolCalls, Path checkpoint) {
        String name = setting + "-step" + step + "-tools" + maxToolCalls;
        SamplingSettings sampling = new SamplingSettings(benchmark.name(), model, settings.temperature(),
                SamplingSettings.DEFAULT_TOP_P, maxToolCalls, settings.maxTokens());
        RunFolder folder = RunFolder.open(json, evals.resolve(name), sampling);
        try (ConsoleProgress progress = new ConsoleProgress("eval " + name, err)) {
            new EvalRunner(endpoint, judge).run(folder, benchmark, sampling, settings.k(), settings.concurrency(),
                    progress);
        } catch (EvalException e) {
            throw new ReplicationException("evaluation " + name + " failed: " + e.getMessage(), e);
        }
        List<SampleOutcome> samples;
        try (SampleJournal journal = folder.journal()) {
            samples = journal.samplesOf(benchmark.problems(), settings.k());
        }
        return EvalPoint.of(setting, step, maxToolCalls, checkpoint.toString(), folder.dir().toString(), problems,
                samples);
    }
}

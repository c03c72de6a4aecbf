package ai.aster.trainer.teach;

import ai.aster.modeling.ChatTemplate;
import ai.aster.modeling.Tokenizer;
import ai.aster.protocol.answer.BoxedAnswer;
import ai.aster.protocol.chat.ChatFormat;
import ai.aster.protocol.chat.ToolResultTemplate;
import ai.aster.protocol.openai.ChatMessage;
import ai.aster.protocol.sandbox.ExecutionRequest;
import ai.aster.protocol.sandbox.ExecutionResult;
import ai.aster.protocol.sandbox.ExecutionStatus;
import ai.aster.protocol.tools.CodeInterpreterTool;
import ai.aster.protocol.tools.HermesProtocol;
import ai.aster.protocol.tools.ToolCallParse;
import ai.aster.protocol.tools.ToolResultText;
import ai.aster.protocol.trajectory.Timings;
import ai.aster.protocol.trajectory.Trajectory;
import ai.aster.protocol.trajectory.TrajectoryUsage;
import ai.aster.protocol.trajectory.Turn;
import ai.aster.trainer.curriculum.CurriculumProblem;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The programmatic teacher: writes an expert trajectory for a curriculum problem in the model's chat format
 * (thinking in {@code <think>}, hermes {@code <tool_call>}s of {@code code_interpreter}, a final {@code \boxed{}}),
 * running every call in the real sandbox (one session per trajectory, as the gateway does, or many trajectories'
 * calls in one execution: {@link #teachTogether}), and records it
 * token-exactly as the gateway would log it for the model whose tokenizer and chat template it holds: the prompt
 * rendered with the code-interpreter tool, each turn's text tokenized as the model's completion, each result
 * appended as the chat template renders a {@code tool} message ({@link ToolResultTemplate}). Answers are taken from
 * the sandbox's output and must equal the problem's reference answer.
 */
public final class Teacher {

    /** The trajectory source of teacher-written trajectories. */
    public static final String SOURCE = "sft";
    /** The model name the trajectories carry (the gateway's default model name). */
    public static final String MODEL_NAME = "aster";
    private static final double TOOL_TIMEOUT_S = 30;
    /** A batched execution's limit: the slowest problems (a sieve to 10^7 and sympy's check) take about 2 s. */
    private static final double BATCH_SECONDS_PER_PROBLEM = 5;
    private static final double MAX_BATCH_TIMEOUT_S = 600;

    private final Tokenizer tokenizer;
    private final TeacherText text;
    private final ToolResultTemplate resultTemplate;
    private final SandboxExecutions sandbox;
    private final SandboxNotebooks notebooks;
    private final HermesProtocol protocol = new HermesProtocol();

    public Teacher(Tokenizer tokenizer, ChatTemplate template, SandboxExecutions sandbox, ObjectMapper json) {
        this.tokenizer = tokenizer;
        this.text = new TeacherText(template, json);
        this.sandbox = sandbox;
        this.notebooks = new SandboxNotebooks(sandbox, json);
        this.resultTemplate = ToolResultTemplate.fromRendering(template.render(ToolResultTemplate.SAMPLE, null, true));
    }

    /** The id of the teacher's trajectory of a problem in a style: the same problem and style give the same id. */
    public static String trajectoryId(CurriculumProblem problem, TeachingStyle style) {
        return SOURCE + "-" + style.wireName() + "-" + problem.id();
    }

    /** One problem, its calls run one by one in a sandbox session (as the gateway runs a model's calls). */
    public Trajectory teach(CurriculumProblem problem, TeachingStyle style) {
        String id = trajectoryId(problem, style);
        long start = System.nanoTime();
        ExpertSolutions.Solution solution = ExpertSolutions.of(problem, style);
        List<ExecutionResult> results = new ArrayList<>();
        try {
            for (ExpertSolutions.Step step : solution.steps()) {
                ExecutionResult result = sandbox.execute(ExecutionRequest.python(step.code(), id, TOOL_TIMEOUT_S));
                results.add(result);
                if (result.status() != ExecutionStatus.OK) {
                    break;
                }
            }
        } finally {
            sandbox.deleteSession(id);
        }
        return write(id, problem, solution, results, start);
    }

    /**
     * Many problems, all their calls run in one sandbox execution ({@link SandboxNotebooks}); one outcome per
     * problem, in order: its trajectory, or why the teacher could not write it.
     */
    public List<Attempt> teachTogether(List<CurriculumProblem> problems, TeachingStyle style) {
        long start = System.nanoTime();
        List<ExpertSolutions.Solution> solutions = problems.stream().map(p -> ExpertSolutions.of(p, style)).toList();
        List<List<ExecutionResult>> results = notebooks.run(solutions.stream()
                .map(s -> s.steps().stream().map(ExpertSolutions.Step::code).toList()).toList(),
                Math.min(MAX_BATCH_TIMEOUT_S, TOOL_TIMEOUT_S + BATCH_SECONDS_PER_PROBLEM * problems.size()));
        List<Attempt> attempts = new ArrayList<>();
        for (int i = 0; i < problems.size(); i++) {
            CurriculumProblem problem = problems.get(i);
            try {
                attempts.add(new Attempt(write(trajectoryId(problem, style), problem, solutions.get(i), results.get(i),
                        start), null));
            } catch (TeachingException e) {
                attempts.add(new Attempt(null, e));
            }
        }
        return attempts;
    }

    /** A problem's trajectory, or the reason the teacher could not write it. */
    public record Attempt(Trajectory trajectory, TeachingException failure) {}

    /** The trajectory of a solution whose calls gave {@code results} (stopping at the first that was not ok). */
    private Trajectory write(String id, CurriculumProblem problem, ExpertSolutions.Solution solution,
            List<ExecutionResult> results, long start) {
        List<ChatMessage> messages = TeacherText.messages(problem);
        String prompt = this.text.prompt(messages);
        List<Integer> promptIds = ids(prompt);
        boolean startsInThink = ChatFormat.endsWithOpenThink(prompt);
        List<Turn> turns = new ArrayList<>();
        int completionTokens = 0;
        int toolTokens = 0;
        long toolMs = 0;
        String previousOutput = null;
        String answer = null;
        for (int i = 0; i < solution.steps().size(); i++) {
            ExpertSolutions.Step step = solution.steps().get(i);
            String thought = previousOutput == null ? step.thought()
                    : "The output was: " + summary(previousOutput) + "\n\n" + step.thought();
            String text = this.text.callTurn(thought, step.code(), startsInThink);
            checkParses(text, startsInThink, step.code());
            ExecutionResult result = i < results.size() ? results.get(i) : null;
            if (result == null || result.status() != ExecutionStatus.OK) {
                throw new TeachingException(problem.id() + ": call " + (i + 1) + (result == null ? " did not run"
                        : " ended " + result.status().wireName() + ": "
                        + ToolResultText.render(result, TOOL_TIMEOUT_S).strip()));
            }
            String resultText = ToolResultText.render(result, TOOL_TIMEOUT_S);
            String continuation = resultTemplate.wrap(resultText);
            List<Integer> completion = ids(text);
            List<Integer> resultIds = ids(continuation);
            completionTokens += completion.size();
            toolTokens += resultIds.size();
            toolMs += result.durationMs();
            turns.add(new Turn(text, completion, null, "stop",
                    new Turn.ToolCallRecord(CodeInterpreterTool.NAME, step.code(), null),
                    new Turn.ToolResultRecord(result.status().wireName(), resultText, resultIds,
                            result.durationMs())));
            if (i == solution.answerStep()) {
                answer = lastLine(resultText);
            }
            previousOutput = resultText;
            startsInThink = ChatFormat.endsWithOpenThink(continuation);
        }
        if (answer == null || !answer.matches("-?\\d+") || !answer.equals(problem.answer())) {
            throw new TeachingException(problem.id() + ": the sandbox printed " + answer + ", the reference answer is "
                    + problem.answer());
        }
        String content = TeacherText.answerContent(answer);
        String finalText = TeacherText.finalTurn("The output was: " + summary(previousOutput) + "\n\n"
                + solution.conclusion().formatted(answer), answer, startsInThink);
        List<Integer> finalIds = ids(finalText);
        completionTokens += finalIds.size();
        turns.add(new Turn(finalText, finalIds, null, "stop", null, null));
        long totalMs = (System.nanoTime() - start) / 1_000_000;
        return new Trajectory(id, Instant.now(), SOURCE, MODEL_NAME, null, problem.id(), problem.answer(), messages,
                promptIds, List.copyOf(turns), BoxedAnswer.last(content).orElseThrow(), "stop",
                new TrajectoryUsage(promptIds.size() + toolTokens, completionTokens, solution.steps().size(), 0),
                new Timings(totalMs, 0, toolMs), null);
    }

    /** The gateway's parser must read the teacher's call as exactly this code, or the model would learn a wrong format. */
    private void checkParses(String text, boolean startsInThink, String code) {
        if (!(protocol.parse(text, startsInThink) instanceof ToolCallParse.Call call) || !code.equals(call.code())) {
            throw new IllegalStateException("the hermes parser does not read the teacher's call back: " + text);
        }
    }

    private List<Integer> ids(String text) {
        return Arrays.stream(tokenizer.encode(text)).boxed().toList();
    }

    private static String lastLine(String output) {
        String[] lines = output.strip().split("\n");
        return lines.length == 0 ? null : lines[lines.length - 1].strip();
    }

    /** The output as the thinking quotes it: whole when short, else its last line. */
    private static String summary(String output) {
        String s = output.strip();
        return s.length() <= 200 ? s : "..." + lastLine(s);
    }
}

package ai.aster.trainer.teach;

import ai.aster.modeling.ChatTemplate;
import ai.aster.protocol.chat.ChatFormat;
import ai.aster.protocol.openai.ChatMessage;
import ai.aster.protocol.tools.CodeInterpreterTool;
import ai.aster.trainer.curriculum.CurriculumProblem;
import ai.aster.trainer.eval.ChatEndpoint;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/**
 * The text the teacher writes, apart from what the sandbox answers: the prompt as the chat template renders it with
 * the code-interpreter tool, each call's turn (thinking, then the hermes call), the final turn (thinking, then the
 * boxed answer). {@link Teacher} writes trajectories with it; a tokenizer is trained on {@link #withoutOutputs}
 * before any model (or sandbox) exists.
 */
public final class TeacherText {

    private final ChatTemplate template;
    private final ObjectMapper json;

    public TeacherText(ChatTemplate template, ObjectMapper json) {
        this.template = template;
        this.json = json;
    }

    /**
     * The conversation the teacher answers: half the problems (by id) as the evaluation asks them, with its "Please
     * reason step by step..." suffix, half bare, as a user or SDK asks. A model taught only the suffixed form
     * misread bare questions (every bare multiplication became a gcd problem).
     */
    public static List<ChatMessage> messages(CurriculumProblem problem) {
        boolean bare = Math.floorMod(problem.id().hashCode(), 2) == 1;
        return List.of(ChatMessage.user(problem.problem() + (bare ? "" : ChatEndpoint.PROMPT_SUFFIX)));
    }

    /** The prompt the model sees, rendered with the code-interpreter tool and the generation prompt. */
    public String prompt(List<ChatMessage> messages) {
        return template.render(messages, List.of(CodeInterpreterTool.DEFINITION), true);
    }

    /** A turn that thinks, then calls the code interpreter with {@code code}. */
    public String callTurn(String thought, String code, boolean startsInThink) {
        return thinking(thought, startsInThink) + "\n\n" + ChatFormat.TOOL_CALL_OPEN + "\n" + callJson(code) + "\n"
                + ChatFormat.TOOL_CALL_CLOSE;
    }

    /** The final answer's text (the message content). */
    public static String answerContent(String answer) {
        return "The answer is \\boxed{" + answer + "}.";
    }

    /** The last turn: thinking, the answer, the end of the turn. */
    public static String finalTurn(String thought, String answer, boolean startsInThink) {
        return thinking(thought, startsInThink) + "\n\n" + answerContent(answer) + ChatFormat.IM_END;
    }

    /**
     * What the teacher will write for a problem in a style, without running anything: the prompt, each call's
     * thought and code, and the conclusion with the reference answer (the outputs the thinking quotes are left out).
     */
    public String withoutOutputs(CurriculumProblem problem, TeachingStyle style) {
        ExpertSolutions.Solution solution = ExpertSolutions.of(problem, style);
        String prompt = prompt(messages(problem));
        StringBuilder text = new StringBuilder(prompt);
        boolean startsInThink = ChatFormat.endsWithOpenThink(prompt);
        for (ExpertSolutions.Step step : solution.steps()) {
            text.append(callTurn(step.thought(), step.code(), startsInThink)).append('\n');
        }
        text.append(finalTurn(solution.conclusion().formatted(problem.answer()), problem.answer(), startsInThink));
        return text.toString();
    }

    /** A turn's thinking block; without the opening tag when the context already opened it. */
    private static String thinking(String thought, boolean startsInThink) {
        return (startsInThink ? "" : ChatFormat.THINK_OPEN) + "\n" + thought + "\n" + ChatFormat.THINK_CLOSE;
    }

    private String callJson(String code) {
        try {
            return "{\"name\": \"" + CodeInterpreterTool.NAME + "\", \"arguments\": {\"code\": "
                    + json.writeValueAsString(code) + "}}";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

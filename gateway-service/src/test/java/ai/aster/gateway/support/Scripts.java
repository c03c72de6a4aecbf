package ai.aster.gateway.support;

import ai.aster.gateway.service.AgentLoop;

/** Turn texts the scripted model writes, in the shapes real models emit. */
public final class Scripts {

    private Scripts() {}

    /** A hermes call of the built-in tool; the code is JSON-escaped the way models write it. */
    public static String hermesCall(String code) {
        return "<tool_call>\n{\"name\": \"code_interpreter\", \"arguments\": {\"code\": \"" + escape(code)
                + "\"}}\n</tool_call>";
    }

    public static String think(String thought) {
        return "<think>\n" + thought + "\n</think>\n\n";
    }

    /** The three-turn trajectory most tests use: state set in one call is read by the next. */
    public static String stateful(ScriptedModelServer.Turn turn) {
        return switch (turn.index()) {
            case 0 -> think("I will compute with Python.") + "Let me compute.\n" + hermesCall("x = 2 + 3\nprint(x)");
            case 1 -> think("The sandbox printed " + turn.lastResult().strip() + ". Now reuse x.")
                    + hermesCall("print(x * 10)");
            default -> think("Got " + turn.lastResult().strip() + ".") + "The answer is \\boxed{5} (seed "
                    + (turn.seed() == null ? null : turn.seed() - turn.index() * AgentLoop.SEED_STRIDE) + ").";
        };
    }

    private static String escape(String code) {
        return code.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}

package ai.aster.modeling.jinja;

import java.util.List;

/** Statement nodes of the template language. */
sealed interface Node {

    record Text(String text) implements Node {}

    record Output(Expr expr) implements Node {}

    /** if / elif chain: conditions.get(i) guards bodies.get(i); otherwise is the else body (may be empty). */
    record If(List<Expr> conditions, List<List<Node>> bodies, List<Node> otherwise) implements Node {}

    /** for targets in iterable [if filter]: body [else otherwise]. */
    record For(List<String> targets, Expr iterable, Expr filter, List<Node> body, List<Node> otherwise)
            implements Node {}

    /** set name = value, or set ns.attr = value (attribute non-null). */
    record Set(String name, String attribute, Expr value) implements Node {}

    /** {% set name %}...{% endset %}. */
    record SetBlock(String name, List<Node> body) implements Node {}

    record Macro(String name, List<String> params, List<Expr> defaults, List<Node> body) implements Node {}

    record Break() implements Node {}

    record Continue() implements Node {}
}

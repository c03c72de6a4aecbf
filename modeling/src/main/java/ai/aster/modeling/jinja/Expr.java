package ai.aster.modeling.jinja;

import java.util.List;
import java.util.Map;

/** Expression nodes of the template language. */
sealed interface Expr {

    record Literal(Object value) implements Expr {}

    record Name(String name) implements Expr {}

    record ListExpr(List<Expr> items) implements Expr {}

    record TupleExpr(List<Expr> items) implements Expr {}

    record DictExpr(List<Expr> keys, List<Expr> values) implements Expr {}

    record Attr(Expr target, String name) implements Expr {}

    record Item(Expr target, Expr key) implements Expr {}

    record Slice(Expr target, Expr start, Expr stop, Expr step) implements Expr {}

    record Call(Expr callee, List<Expr> args, Map<String, Expr> kwargs) implements Expr {}

    record Filter(Expr target, String name, List<Expr> args, Map<String, Expr> kwargs) implements Expr {}

    record Test(Expr target, String name, List<Expr> args, boolean negated) implements Expr {}

    record Unary(String op, Expr operand) implements Expr {}

    record Binary(String op, Expr left, Expr right) implements Expr {}

    record Conditional(Expr condition, Expr then, Expr otherwise) implements Expr {}
}

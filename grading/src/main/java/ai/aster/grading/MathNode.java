package ai.aster.grading;

import java.math.BigDecimal;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A parsed answer: numbers, symbols, arithmetic, relations, sets, tuples, intervals and matrices. The parser builds
 * it from LaTeX or plain text; {@link Equivalence} compares two of them; {@link #toString()} is the readable form
 * reported as {@code gold_parsed}/{@code prediction_parsed}.
 */
sealed interface MathNode {

    /** A literal number; {@code decimal} when written with a decimal point (then compared after rounding). */
    record Num(BigDecimal value, boolean decimal) implements MathNode {
        @Override
        public String toString() {
            return decimal ? value.toPlainString() : value.toBigInteger().toString();
        }
    }

    /** A variable such as {@code x} or {@code a_37}. */
    record Sym(String name) implements MathNode {
        @Override
        public String toString() {
            return name;
        }
    }

    /** The constants pi, e, the imaginary unit and infinity. */
    enum Const implements MathNode {
        PI("Pi"),
        E("E"),
        I("I"),
        INFINITY("Infinity");

        final String display;

        Const(String display) {
            this.display = display;
        }

        @Override
        public String toString() {
            return display;
        }
    }

    /** A word answer, {@code \text{Evelyn}}. */
    record Text(String text) implements MathNode {
        @Override
        public String toString() {
            return "\"" + text + "\"";
        }
    }

    record Add(List<MathNode> terms) implements MathNode {
        @Override
        public String toString() {
            return terms.stream().map(MathNode::toString).collect(Collectors.joining(" + ", "(", ")"));
        }
    }

    record Mul(List<MathNode> factors) implements MathNode {
        @Override
        public String toString() {
            return factors.stream().map(MathNode::toString).collect(Collectors.joining("*"));
        }
    }

    record Neg(MathNode x) implements MathNode {
        @Override
        public String toString() {
            return "-" + x;
        }
    }

    record Div(MathNode num, MathNode den) implements MathNode {
        @Override
        public String toString() {
            return "(" + num + ")/(" + den + ")";
        }
    }

    record Pow(MathNode base, MathNode exp) implements MathNode {
        @Override
        public String toString() {
            return "(" + base + ")^(" + exp + ")";
        }
    }

    /**
     * A function: the known ones use Symja's names ({@code Sqrt}, {@code Sin}, {@code Log}, {@code Abs},
     * {@code Factorial}, {@code Binomial}, {@code Floor}, {@code Ceiling}, {@code Ratio} for {@code a:b}); anything
     * else is an undefined function such as {@code f(x)}.
     */
    record Fn(String name, List<MathNode> args) implements MathNode {
        @Override
        public String toString() {
            return name + args.stream().map(MathNode::toString).collect(Collectors.joining(", ", "(", ")"));
        }
    }

    /** {@code x\%}: equal to {@code x/100}, and also accepted as plain {@code x} (the MATH convention). */
    record Percent(MathNode x) implements MathNode {
        @Override
        public String toString() {
            return x + "%";
        }
    }

    /** A chain of relations {@code a < b <= c}; ops are {@code = != < <= > >=}. */
    record Rel(List<MathNode> operands, List<String> ops) implements MathNode {
        @Override
        public String toString() {
            StringBuilder s = new StringBuilder().append(operands.getFirst());
            for (int i = 0; i < ops.size(); i++) {
                s.append(' ').append(ops.get(i)).append(' ').append(operands.get(i + 1));
            }
            return s.toString();
        }
    }

    record SetOf(List<MathNode> items) implements MathNode {
        @Override
        public String toString() {
            return items.stream().map(MathNode::toString).collect(Collectors.joining(", ", "{", "}"));
        }
    }

    /** {@code (a, b, c)}; a two-element one written with parentheses may also mean an open interval. */
    record TupleOf(List<MathNode> items, boolean parenthesised) implements MathNode {
        @Override
        public String toString() {
            return items.stream().map(MathNode::toString).collect(Collectors.joining(", ", "(", ")"));
        }
    }

    record Interval(MathNode lo, MathNode hi, boolean loOpen, boolean hiOpen) implements MathNode {
        @Override
        public String toString() {
            return (loOpen ? "(" : "[") + lo + ", " + hi + (hiOpen ? ")" : "]");
        }
    }

    record Union(List<MathNode> parts) implements MathNode {
        @Override
        public String toString() {
            return parts.stream().map(MathNode::toString).collect(Collectors.joining(" U "));
        }
    }

    record Matrix(List<List<MathNode>> rows) implements MathNode {
        @Override
        public String toString() {
            return rows.stream()
                    .map(r -> r.stream().map(MathNode::toString).collect(Collectors.joining(", ", "[", "]")))
                    .collect(Collectors.joining(", ", "[", "]"));
        }
    }

    /** {@code a \pm b} (a may be null for {@code \pm b}): the set of both signs. */
    record PlusMinus(MathNode a, MathNode b) implements MathNode {
        @Override
        public String toString() {
            return (a == null ? "" : a + " ") + "+- " + b;
        }
    }
}

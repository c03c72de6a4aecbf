package ai.aster.grading;

import ai.aster.grading.MathNode.Add;
import ai.aster.grading.MathNode.Const;
import ai.aster.grading.MathNode.Div;
import ai.aster.grading.MathNode.Fn;
import ai.aster.grading.MathNode.Mul;
import ai.aster.grading.MathNode.Neg;
import ai.aster.grading.MathNode.Num;
import ai.aster.grading.MathNode.Percent;
import ai.aster.grading.MathNode.Pow;
import ai.aster.grading.MathNode.Sym;
import ai.aster.grading.MathNode.Text;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Writes a scalar {@link MathNode} in Symja's input syntax. Variables get generated lower-case names
 * ({@code qv1, qv2}) because Symja's relaxed parser folds case and knows many short names ({@code E}, {@code I},
 * {@code N}, {@code D}); decimals are written as exact fractions so that {@code 0.5x = x/2} simplifies to zero.
 */
final class SymjaForm {

    private static final Set<String> KNOWN = Set.of("Sqrt", "Sin", "Cos", "Tan", "Cot", "Sec", "Csc", "ArcSin",
            "ArcCos", "ArcTan", "Sinh", "Cosh", "Tanh", "Log", "Exp", "Abs", "Floor", "Ceiling", "Factorial",
            "Binomial", "GCD", "LCM", "Max", "Min", "Det");

    private final Map<String, String> names = new HashMap<>();

    /** The Symja text of {@code a - b}. */
    String difference(MathNode a, MathNode b) {
        return "(" + write(a) + ")-(" + write(b) + ")";
    }

    String write(MathNode n) {
        return switch (n) {
            case Num num -> exact(num.value());
            case Const c -> c.display;
            case Sym(String name) -> variable(name);
            case Text(String text) -> variable("text:" + text);
            case Neg(MathNode x) -> "(-(" + write(x) + "))";
            case Add(var terms) -> join(terms, "+");
            case Mul(var factors) -> join(factors, "*");
            case Div(MathNode a, MathNode b) -> "((" + write(a) + ")/(" + write(b) + "))";
            case Pow(MathNode b, MathNode e) -> "((" + write(b) + ")^(" + write(e) + "))";
            case Percent(MathNode x) -> "((" + write(x) + ")/100)";
            case Fn(String name, var args) when name.equals("Ratio") -> "((" + write(args.get(0)) + ")/(" + write(args.get(1)) + "))";
            case Fn(String name, var args) -> (KNOWN.contains(name) ? name : variable("fn:" + name))
                    + args.stream().map(this::write).collect(Collectors.joining(",", "(", ")"));
            default -> throw new NumericValue.Unsupported();
        };
    }

    private String join(List<MathNode> parts, String op) {
        return parts.stream().map(p -> "(" + write(p) + ")").collect(Collectors.joining(op, "(", ")"));
    }

    private String variable(String name) {
        return names.computeIfAbsent(name, k -> "qv" + (names.size() + 1));
    }

    private static String exact(BigDecimal d) {
        BigDecimal s = d.stripTrailingZeros();
        if (s.scale() <= 0) {
            return s.toBigInteger().toString();
        }
        return "(" + s.unscaledValue() + "/10^" + s.scale() + ")";
    }
}

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
import java.util.Map;

/**
 * Double-precision value of a real expression, with variables bound to given values: the quick test that rejects
 * unequal answers (and finds equal ones) before any symbolic work. Throws {@link Unsupported} for what it cannot
 * evaluate (undefined functions, the imaginary unit, sets).
 */
final class NumericValue {

    static final class Unsupported extends RuntimeException {
        Unsupported() {
            super(null, null, false, false);
        }
    }

    private NumericValue() {}

    static double evaluate(MathNode n, Map<String, Double> vars) {
        return switch (n) {
            case Num num -> num.value().doubleValue();
            case Const c -> switch (c) {
                case PI -> Math.PI;
                case E -> Math.E;
                case INFINITY -> Double.POSITIVE_INFINITY;
                case I -> throw new Unsupported();
            };
            case Sym(String name) -> {
                Double v = vars.get(name);
                if (v == null) {
                    throw new Unsupported();
                }
                yield v;
            }
            case Neg(MathNode x) -> -evaluate(x, vars);
            case Add(var terms) -> {
                double s = 0;
                for (MathNode t : terms) {
                    s += evaluate(t, vars);
                }
                yield s;
            }
            case Mul(var factors) -> {
                double p = 1;
                for (MathNode f : factors) {
                    p *= evaluate(f, vars);
                }
                yield p;
            }
            case Div(MathNode a, MathNode b) -> evaluate(a, vars) / evaluate(b, vars);
            case Percent(MathNode x) -> evaluate(x, vars) / 100;
            case Pow(MathNode b, MathNode e) -> power(evaluate(b, vars), e, vars);
            case Fn fn -> function(fn, vars);
            default -> throw new Unsupported();
        };
    }

    private static double power(double base, MathNode e, Map<String, Double> vars) {
        double exp = evaluate(e, vars);
        if (base < 0 && exp != Math.rint(exp)) {
            // a real odd root of a negative number: (-8)^(1/3) = -2
            ExactValue q = ExactValue.evaluate(e);
            if (q != null && q.den().testBit(0)) {
                double r = Math.pow(-base, exp);
                return q.num().testBit(0) ? -r : r;
            }
            throw new Unsupported();
        }
        return Math.pow(base, exp);
    }

    private static double function(Fn fn, Map<String, Double> vars) {
        var a = fn.args();
        if (a.isEmpty()) {
            throw new Unsupported();
        }
        double x = evaluate(a.getFirst(), vars);
        return switch (fn.name()) {
            case "Sqrt" -> x < 0 ? nan() : Math.sqrt(x);
            case "Sin" -> Math.sin(x);
            case "Cos" -> Math.cos(x);
            case "Tan" -> Math.tan(x);
            case "Cot" -> 1 / Math.tan(x);
            case "Sec" -> 1 / Math.cos(x);
            case "Csc" -> 1 / Math.sin(x);
            case "ArcSin" -> Math.asin(x);
            case "ArcCos" -> Math.acos(x);
            case "ArcTan" -> Math.atan(x);
            case "Sinh" -> Math.sinh(x);
            case "Cosh" -> Math.cosh(x);
            case "Tanh" -> Math.tanh(x);
            case "Exp" -> Math.exp(x);
            case "Abs" -> Math.abs(x);
            case "Floor" -> Math.floor(x);
            case "Ceiling" -> Math.ceil(x);
            case "Log" -> a.size() == 2 ? Math.log(evaluate(a.get(1), vars)) / Math.log(x) : Math.log(x);
            case "Factorial" -> {
                if (x < 0 || x != Math.rint(x) || x > 170) {
                    throw new Unsupported();
                }
                double f = 1;
                for (int i = 2; i <= (int) x; i++) {
                    f *= i;
                }
                yield f;
            }
            case "Binomial" -> {
                double k = evaluate(a.get(1), vars);
                if (k != Math.rint(k) || k < 0 || k > 1000) {
                    throw new Unsupported();
                }
                double r = 1;
                for (int i = 0; i < (int) k; i++) {
                    r = r * (x - i) / (i + 1);
                }
                yield r;
            }
            case "Ratio" -> x / evaluate(a.get(1), vars);
            default -> throw new Unsupported();
        };
    }

    private static double nan() {
        return Double.NaN;
    }
}

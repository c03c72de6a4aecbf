package ai.aster.grading;

import ai.aster.grading.MathNode.Add;
import ai.aster.grading.MathNode.Div;
import ai.aster.grading.MathNode.Fn;
import ai.aster.grading.MathNode.Mul;
import ai.aster.grading.MathNode.Neg;
import ai.aster.grading.MathNode.Num;
import ai.aster.grading.MathNode.Percent;
import ai.aster.grading.MathNode.Pow;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Exact rational arithmetic on answers made only of numbers, + - * /, integer powers, factorials and binomials: the
 * fast path that decides {@code 7/2 = 3.5 = \frac{14}{4}} and {@code 2^{25} \cdot 26!} without a computer algebra
 * system. Sizes are bounded so a hostile answer ({@code 9^{9^{9}}}) is simply "not exact".
 */
record ExactValue(BigInteger num, BigInteger den) {

    private static final int MAX_BITS = 20_000;
    private static final int MAX_FACTORIAL = 2_000;

    ExactValue {
        if (den.signum() == 0) {
            throw new ArithmeticException("division by zero");
        }
        if (den.signum() < 0) {
            num = num.negate();
            den = den.negate();
        }
        BigInteger g = num.gcd(den);
        if (!g.equals(BigInteger.ONE) && g.signum() != 0) {
            num = num.divide(g);
            den = den.divide(g);
        }
        if (num.bitLength() > MAX_BITS || den.bitLength() > MAX_BITS) {
            throw new ArithmeticException("too large");
        }
    }

    static ExactValue of(long n) {
        return new ExactValue(BigInteger.valueOf(n), BigInteger.ONE);
    }

    static ExactValue of(BigDecimal d) {
        BigDecimal s = d.stripTrailingZeros();
        if (s.scale() <= 0) {
            return new ExactValue(s.toBigIntegerExact(), BigInteger.ONE);
        }
        return new ExactValue(s.unscaledValue(), BigInteger.TEN.pow(s.scale()));
    }

    /** The exact value of a node, or null when it is not a rational number (symbols, radicals, pi) or too large. */
    static ExactValue evaluate(MathNode node) {
        try {
            return eval(node);
        } catch (ArithmeticException | NotExact e) {
            return null;
        }
    }

    private static final class NotExact extends RuntimeException {
        NotExact() {
            super(null, null, false, false);
        }
    }

    private static ExactValue eval(MathNode n) {
        return switch (n) {
            case Num num -> of(num.value());
            case Neg(MathNode x) -> eval(x).negate();
            case Add(var terms) -> {
                ExactValue acc = of(0);
                for (MathNode t : terms) {
                    acc = acc.plus(eval(t));
                }
                yield acc;
            }
            case Mul(var factors) -> {
                ExactValue acc = of(1);
                for (MathNode f : factors) {
                    acc = acc.times(eval(f));
                }
                yield acc;
            }
            case Div(MathNode a, MathNode b) -> eval(a).divide(eval(b));
            case Percent(MathNode x) -> eval(x).divide(of(100));
            case Pow(MathNode b, MathNode e) -> {
                ExactValue exp = eval(e);
                if (!exp.den.equals(BigInteger.ONE) || exp.num.bitLength() > 31) {
                    throw new NotExact();
                }
                yield eval(b).pow(exp.num.intValueExact());
            }
            case Fn(String name, var args) when name.equals("Factorial") && args.size() == 1 -> {
                ExactValue x = eval(args.getFirst());
                if (!x.den.equals(BigInteger.ONE) || x.num.signum() < 0 || x.num.compareTo(BigInteger.valueOf(MAX_FACTORIAL)) > 0) {
                    throw new NotExact();
                }
                BigInteger f = BigInteger.ONE;
                for (int i = 2; i <= x.num.intValue(); i++) {
                    f = f.multiply(BigInteger.valueOf(i));
                }
                yield new ExactValue(f, BigInteger.ONE);
            }
            case Fn(String name, var args) when name.equals("Binomial") && args.size() == 2 -> {
                ExactValue a = eval(args.get(0));
                ExactValue b = eval(args.get(1));
                if (!a.den.equals(BigInteger.ONE) || !b.den.equals(BigInteger.ONE) || b.num.signum() < 0
                        || b.num.compareTo(BigInteger.valueOf(MAX_FACTORIAL)) > 0) {
                    throw new NotExact();
                }
                BigInteger r = BigInteger.ONE;
                int k = b.num.intValue();
                for (int i = 0; i < k; i++) {
                    r = r.multiply(a.num.subtract(BigInteger.valueOf(i))).divide(BigInteger.valueOf(i + 1));
                }
                yield new ExactValue(r, BigInteger.ONE);
            }
            default -> throw new NotExact();
        };
    }

    ExactValue negate() {
        return new ExactValue(num.negate(), den);
    }

    ExactValue plus(ExactValue o) {
        return new ExactValue(num.multiply(o.den).add(o.num.multiply(den)), den.multiply(o.den));
    }

    ExactValue times(ExactValue o) {
        return new ExactValue(num.multiply(o.num), den.multiply(o.den));
    }

    ExactValue divide(ExactValue o) {
        return new ExactValue(num.multiply(o.den), den.multiply(o.num));
    }

    ExactValue pow(int e) {
        if ((long) Math.max(num.bitLength(), den.bitLength()) * Math.abs((long) e) > MAX_BITS) {
            throw new ArithmeticException("too large");
        }
        ExactValue r = new ExactValue(num.pow(Math.abs(e)), den.pow(Math.abs(e)));
        return e < 0 ? of(1).divide(r) : r;
    }

    BigDecimal toBigDecimal() {
        return new BigDecimal(num).divide(new BigDecimal(den), new MathContext(60, RoundingMode.HALF_EVEN));
    }
}

package ai.aster.trainer.curriculum;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The problem families of the curriculum, each phrased exactly as issue 10 asks (a held-out test asks fresh
 * instances in these phrasings), with three levels of difficulty by the size of the numbers. Two-step families
 * need the first step's output for the second.
 */
public enum Family {

    /** {@code What is A * B?}, A and B of 6 to 12 digits. */
    MULTIPLY("multiply", 1) {
        @Override
        Instance draw(int level, Random rnd) {
            int[] d = switch (level) { case 1 -> new int[] {6, 7}; case 2 -> new int[] {8, 10}; default -> new int[] {11, 12}; };
            long a = withDigits(rnd, d[0], d[1]);
            long b = withDigits(rnd, d[0], d[1]);
            return new Instance("What is " + a + " * " + b + "?",
                    BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)).toString(), params("a", a, "b", b));
        }
    },
    /** {@code What is A^E mod M?}, A < 10^6, E < 10^6, M < 2·10^9. */
    POWER_MOD("power_mod", 1) {
        @Override
        Instance draw(int level, Random rnd) {
            long[] p = powerModParams(level, rnd);
            return new Instance("What is " + p[0] + "^" + p[1] + " mod " + p[2] + "?",
                    powMod(p[0], p[1], p[2]).toString(), params("a", p[0], "e", p[1], "m", p[2]));
        }
    },
    /** {@code How many primes are there between A and B?}, inclusive, B ≤ 10^7, B − A ≤ 10^6. */
    PRIME_COUNT("prime_count", 1) {
        @Override
        Instance draw(int level, Random rnd) {
            long[] w = switch (level) {
                case 1 -> new long[] {100, 1_000, 100_000};
                case 2 -> new long[] {1_000, 100_000, 1_000_000};
                default -> new long[] {100_000, 1_000_000, 10_000_000};
            };
            long width = uniform(rnd, w[0], w[1]);
            long b = uniform(rnd, width + 1, w[2]);
            long a = b - width;
            return new Instance("How many primes are there between " + a + " and " + b + "?",
                    Long.toString(ExactArithmetic.primesBetween(a, b)), params("a", a, "b", b));
        }
    },
    /** {@code What is the sum of the digits of A^E?}, A < 100, E < 300. */
    DIGIT_SUM_POWER("digit_sum_power", 1) {
        @Override
        Instance draw(int level, Random rnd) {
            long[] r = switch (level) {
                case 1 -> new long[] {2, 9, 10, 50};
                case 2 -> new long[] {10, 99, 20, 150};
                default -> new long[] {2, 99, 150, 299};
            };
            long a = uniform(rnd, r[0], r[1]);
            long e = uniform(rnd, r[2], r[3]);
            return new Instance("What is the sum of the digits of " + a + "^" + e + "?",
                    Integer.toString(ExactArithmetic.digitSum(BigInteger.valueOf(a).pow((int) e))),
                    params("a", a, "e", e));
        }
    },
    /** {@code What is gcd(A, B)?}, A, B < 10^15, built as g·x and g·y so that the gcd is not usually 1. */
    GCD("gcd", 1) {
        @Override
        Instance draw(int level, Random rnd) {
            int digits = switch (level) { case 1 -> 6; case 2 -> 10; default -> 15; };
            long bound = pow10(digits); // A, B < bound
            long g = uniform(rnd, 2, pow10(digits / 2));
            long a = g * uniform(rnd, 1, (bound - 1) / g);
            long b = g * uniform(rnd, 1, (bound - 1) / g);
            return new Instance("What is gcd(" + a + ", " + b + ")?",
                    BigInteger.valueOf(a).gcd(BigInteger.valueOf(b)).toString(), params("a", a, "b", b));
        }
    },
    /** {@code How many ways are there to choose K items from N?}, N ≤ 200. */
    CHOOSE("choose", 1) {
        @Override
        Instance draw(int level, Random rnd) {
            long[] r = switch (level) { case 1 -> new long[] {10, 30}; case 2 -> new long[] {31, 100}; default -> new long[] {101, 200}; };
            int n = (int) uniform(rnd, r[0], r[1]);
            int k = (int) uniform(rnd, 2, n - 2);
            return new Instance("How many ways are there to choose " + k + " items from " + n + "?",
                    ExactArithmetic.binomial(n, k).toString(), params("k", k, "n", n));
        }
    },
    /** {@code Let N = A^E mod M. How many positive divisors does N have?} (N ≥ 1; instances with N = 0 are redrawn). */
    POWER_MOD_DIVISORS("power_mod_divisors", 2) {
        @Override
        Instance draw(int level, Random rnd) {
            long[] p = powerModParams(level, rnd);
            long n = powMod(p[0], p[1], p[2]).longValueExact();
            if (n == 0) {
                return null;
            }
            return new Instance("Let N = " + p[0] + "^" + p[1] + " mod " + p[2]
                    + ". How many positive divisors does N have?",
                    Long.toString(ExactArithmetic.divisorCount(n)), params("a", p[0], "e", p[1], "m", p[2]));
        }
    },
    /** {@code Let N = A * B. What is the sum of the digits of N?} */
    PRODUCT_DIGIT_SUM("product_digit_sum", 2) {
        @Override
        Instance draw(int level, Random rnd) {
            Instance product = MULTIPLY.draw(level, rnd);
            long a = Long.parseLong(product.params().get("a"));
            long b = Long.parseLong(product.params().get("b"));
            return new Instance("Let N = " + a + " * " + b + ". What is the sum of the digits of N?",
                    Integer.toString(ExactArithmetic.digitSum(new BigInteger(product.answer()))), product.params());
        }
    };

    public static final int MIN_LEVEL = 1;
    public static final int MAX_LEVEL = 3;

    private final String wireName;
    private final int steps;

    Family(String wireName, int steps) {
        this.wireName = wireName;
        this.steps = steps;
    }

    /** A problem of this family with its exact answer and its numbers; null when the draw must be repeated. */
    abstract Instance draw(int level, Random rnd);

    public String wireName() {
        return wireName;
    }

    /** How many computations the problem chains (the second needs the first one's output). */
    public int steps() {
        return steps;
    }

    public static Family parse(String name) {
        for (Family f : values()) {
            if (f.wireName.equals(name)) {
                return f;
            }
        }
        StringBuilder known = new StringBuilder();
        for (Family f : values()) {
            known.append(known.isEmpty() ? "" : ", ").append(f.wireName);
        }
        throw new IllegalArgumentException("unknown family '" + name + "' (known: " + known + ")");
    }

    /** One drawn problem: its text, exact answer, and the numbers in it by name (for a teacher's code). */
    record Instance(String problem, String answer, Map<String, String> params) {}

    private static long[] powerModParams(int level, Random rnd) {
        return switch (level) {
            case 1 -> new long[] {uniform(rnd, 2, 999), uniform(rnd, 2, 999), uniform(rnd, 2, 99_999)};
            case 2 -> new long[] {uniform(rnd, 2, 99_999), uniform(rnd, 2, 99_999), uniform(rnd, 2, 9_999_999)};
            default -> new long[] {uniform(rnd, 2, 999_999), uniform(rnd, 2, 999_999), uniform(rnd, 2, 1_999_999_999)};
        };
    }

    private static BigInteger powMod(long a, long e, long m) {
        return BigInteger.valueOf(a).modPow(BigInteger.valueOf(e), BigInteger.valueOf(m));
    }

    private static Map<String, String> params(Object... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], String.valueOf(kv[i + 1]));
        }
        return m;
    }

    /** Uniform in [lo, hi], both inclusive. */
    static long uniform(Random rnd, long lo, long hi) {
        return lo + rnd.nextLong(hi - lo + 1);
    }

    /** A number whose digit count is uniform in [minDigits, maxDigits], then uniform among those numbers. */
    static long withDigits(Random rnd, int minDigits, int maxDigits) {
        int d = (int) uniform(rnd, minDigits, maxDigits);
        return uniform(rnd, pow10(d - 1), pow10(d) - 1);
    }

    static long pow10(int n) {
        long p = 1;
        for (int i = 0; i < n; i++) {
            p *= 10;
        }
        return p;
    }
}

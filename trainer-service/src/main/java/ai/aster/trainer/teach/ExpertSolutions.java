package ai.aster.trainer.teach;

import ai.aster.trainer.curriculum.CurriculumProblem;
import java.util.List;
import java.util.Map;

/**
 * What the programmatic teacher thinks and runs for a curriculum problem: a list of steps (a thought, then Python
 * code), one of which prints the answer on its last line. Sparse is one step; dense computes the parts, inspects
 * them and checks the answer with a second method. The numbers come from the problem's {@code params}.
 */
public final class ExpertSolutions {

    /** One tool call: the thinking before it, the code it runs. */
    public record Step(String thought, String code) {}

    /**
     * @param steps       the calls, in order
     * @param answerStep  the step whose output's last line is the answer
     * @param conclusion  the thinking of the final turn, before the boxed answer ({@code %s}: the answer)
     */
    public record Solution(List<Step> steps, int answerStep, String conclusion) {}

    private ExpertSolutions() {}

    public static Solution of(CurriculumProblem problem, TeachingStyle style) {
        Map<String, String> p = problem.params();
        return switch (problem.family()) {
            case "multiply" -> multiply(p, style);
            case "power_mod" -> powerMod(p, style);
            case "prime_count" -> primeCount(p, style);
            case "digit_sum_power" -> digitSumPower(p, style);
            case "gcd" -> gcd(p, style);
            case "choose" -> choose(p, style);
            case "power_mod_divisors" -> powerModDivisors(p, style);
            case "product_digit_sum" -> productDigitSum(p, style);
            default -> throw new IllegalArgumentException("no expert solution for family " + problem.family());
        };
    }

    private static Solution multiply(Map<String, String> p, TeachingStyle style) {
        String a = p.get("a");
        String b = p.get("b");
        Step compute = new Step("I need the exact product of " + a + " and " + b + ". Multiplying numbers this large"
                + " by hand is error-prone, so I will let Python compute it with exact integers.",
                "a = " + a + "\nb = " + b + "\nproduct = a * b\nprint(product)");
        if (style == TeachingStyle.SPARSE) {
            return new Solution(List.of(compute), 0, "Python's integers are exact, so the product is %s.");
        }
        return new Solution(List.of(compute,
                new Step("Let me check the size of the result: the product of a " + a.length() + "-digit and a "
                        + b.length() + "-digit number has " + (a.length() + b.length() - 1) + " or "
                        + (a.length() + b.length()) + " digits.",
                        "print(len(str(a)), len(str(b)), len(str(product)))"),
                new Step("The length is consistent. Now I verify with a second method: long multiplication, adding"
                        + " a times each digit of b shifted by its place value.",
                        "check = sum(a * int(d) * 10**i for i, d in enumerate(reversed(str(b))))\n"
                                + "print(check, check == product)")),
                0, "Both methods give the same product, %s.");
    }

    private static Solution powerMod(Map<String, String> p, TeachingStyle style) {
        String a = p.get("a");
        String e = p.get("e");
        String m = p.get("m");
        Step compute = new Step("I need " + a + "^" + e + " mod " + m + ". Python's three-argument pow does modular"
                + " exponentiation exactly.", "a, e, m = " + a + ", " + e + ", " + m + "\nresult = pow(a, e, m)\n"
                + "print(result)");
        if (style == TeachingStyle.SPARSE) {
            return new Solution(List.of(compute), 0, "The modular power is %s.");
        }
        return new Solution(List.of(compute,
                new Step("Let me look at the exponent in binary; square-and-multiply takes one step per bit.",
                        "print(bin(e)[2:], len(bin(e)) - 2, 'bits')"),
                new Step("I verify with my own square-and-multiply loop instead of the built-in pow.",
                        "r, base, k = 1 % m, a % m, e\nwhile k:\n    if k & 1:\n        r = r * base % m\n"
                                + "    base = base * base % m\n    k >>= 1\nprint(r, r == result)")),
                0, "The built-in pow and my own square-and-multiply agree: the result is %s.");
    }

    private static Solution primeCount(Map<String, String> p, TeachingStyle style) {
        String a = p.get("a");
        String b = p.get("b");
        Step compute = new Step("I need the number of primes p with " + a + " <= p <= " + b + ", both ends included."
                + " A sieve of Eratosthenes up to " + b + " counts them exactly.",
                "lo, hi = " + a + ", " + b + "\nsieve = bytearray([1]) * (hi + 1)\nsieve[0] = sieve[1] = 0\n"
                        + "for q in range(2, int(hi ** 0.5) + 1):\n    if sieve[q]:\n"
                        + "        sieve[q * q::q] = bytearray(len(range(q * q, hi + 1, q)))\n"
                        + "count = sum(sieve[lo:hi + 1])\ndel sieve\nprint(count)");
        if (style == TeachingStyle.SPARSE) {
            return new Solution(List.of(compute), 0, "The sieve counts %s primes in the range.");
        }
        return new Solution(List.of(compute,
                new Step("Let me check the range size and whether the endpoints themselves are prime, since both"
                        + " are included.",
                        "from sympy import isprime\nprint(hi - lo + 1, 'numbers;', isprime(lo), isprime(hi))"),
                new Step("Now a second method: sympy's prime counting function, primepi(hi) - primepi(lo - 1).",
                        "from sympy import primepi\ncheck = int(primepi(hi) - primepi(lo - 1))\n"
                                + "print(check, check == count)")),
                0, "The sieve and primepi agree: there are %s primes in the range.");
    }

    private static Solution digitSumPower(Map<String, String> p, TeachingStyle style) {
        String a = p.get("a");
        String e = p.get("e");
        Step compute = new Step("I need the digit sum of " + a + "^" + e + ", a number with hundreds of digits at"
                + " most. Python computes the power exactly, then I add its decimal digits.",
                "n = " + a + " ** " + e + "\ns = sum(int(d) for d in str(n))\nprint(s)");
        if (style == TeachingStyle.SPARSE) {
            return new Solution(List.of(compute), 0, "The digit sum is %s.");
        }
        return new Solution(List.of(compute,
                new Step("Let me see how long the number is and how it starts.",
                        "print(len(str(n)), str(n)[:20])"),
                new Step("I verify the digit sum with arithmetic instead of strings: repeated division by 10.",
                        "t, k = 0, n\nwhile k:\n    k, r = divmod(k, 10)\n    t += r\nprint(t, t == s)")),
                0, "Both ways give a digit sum of %s.");
    }

    private static Solution gcd(Map<String, String> p, TeachingStyle style) {
        String a = p.get("a");
        String b = p.get("b");
        Step compute = new Step("I need the greatest common divisor of " + a + " and " + b + ". math.gcd computes it"
                + " exactly.", "import math\na, b = " + a + ", " + b + "\ng = math.gcd(a, b)\nprint(g)");
        if (style == TeachingStyle.SPARSE) {
            return new Solution(List.of(compute), 0, "The greatest common divisor is %s.");
        }
        return new Solution(List.of(compute,
                new Step("Let me inspect the cofactors: a/g and b/g must be coprime.",
                        "print(a // g, b // g, math.gcd(a // g, b // g), a % g, b % g)"),
                new Step("The cofactors are coprime. A second method: Euclid's algorithm by hand.",
                        "x, y = a, b\nwhile y:\n    x, y = y, x % y\nprint(x, x == g)")),
                0, "math.gcd and Euclid's algorithm agree: the gcd is %s.");
    }

    private static Solution choose(Map<String, String> p, TeachingStyle style) {
        String k = p.get("k");
        String n = p.get("n");
        Step compute = new Step("The number of ways to choose " + k + " items from " + n + " is the binomial"
                + " coefficient C(" + n + ", " + k + "). math.comb computes it exactly.",
                "import math\nn, k = " + n + ", " + k + "\nways = math.comb(n, k)\nprint(ways)");
        if (style == TeachingStyle.SPARSE) {
            return new Solution(List.of(compute), 0, "C(n, k) = %s.");
        }
        return new Solution(List.of(compute,
                new Step("Let me check the symmetry C(n, k) = C(n, n - k) and how many digits the result has.",
                        "print(math.comb(n, n - k) == ways, len(str(ways)))"),
                new Step("A second method: the multiplicative formula, one exact integer division at a time.",
                        "c = 1\nfor i in range(1, k + 1):\n    c = c * (n - k + i) // i\nprint(c, c == ways)")),
                0, "Both formulas give %s ways.");
    }

    private static Solution powerModDivisors(Map<String, String> p, TeachingStyle style) {
        String a = p.get("a");
        String e = p.get("e");
        String m = p.get("m");
        if (style == TeachingStyle.SPARSE) {
            return new Solution(List.of(new Step("First N = " + a + "^" + e + " mod " + m + ", then the number of"
                    + " its positive divisors. I compute both in one go.", "from sympy import divisor_count\n"
                    + "N = pow(" + a + ", " + e + ", " + m + ")\nprint(N)\nprint(divisor_count(N))")),
                    0, "N has %s positive divisors.");
        }
        return new Solution(List.of(
                new Step("Two steps: first N = " + a + "^" + e + " mod " + m + ", then count the divisors of N."
                        + " I start with N.", "N = pow(" + a + ", " + e + ", " + m + ")\nprint(N)"),
                new Step("Now I factor N; the divisor count is the product of (exponent + 1) over its prime"
                        + " factors.", "from sympy import factorint\nf = factorint(N)\nprint(f)"),
                new Step("I multiply (exponent + 1) over the factorization.",
                        "d = 1\nfor exponent in f.values():\n    d *= exponent + 1\nprint(d)"),
                new Step("A second method: sympy's divisor_count directly.",
                        "from sympy import divisor_count\ncheck = int(divisor_count(N))\nprint(check, check == d)")),
                2, "The factorization and divisor_count agree: N has %s positive divisors.");
    }

    private static Solution productDigitSum(Map<String, String> p, TeachingStyle style) {
        String a = p.get("a");
        String b = p.get("b");
        if (style == TeachingStyle.SPARSE) {
            return new Solution(List.of(new Step("First N = " + a + " * " + b + ", then the sum of its digits. I"
                    + " compute both in one go.", "N = " + a + " * " + b + "\nprint(N)\n"
                    + "print(sum(int(d) for d in str(N)))")), 0, "The digit sum of N is %s.");
        }
        return new Solution(List.of(
                new Step("Two steps: first N = " + a + " * " + b + ", then the sum of the digits of N. I start"
                        + " with the exact product.", "a, b = " + a + ", " + b + "\nN = a * b\nprint(N)"),
                new Step("Now the sum of the digits of N.", "s = sum(int(d) for d in str(N))\nprint(s)"),
                new Step("I check it: a digit sum is congruent to the number mod 9, and recomputing by division"
                        + " must give the same sum.", "t, k = 0, N\nwhile k:\n    k, r = divmod(k, 10)\n"
                        + "    t += r\nprint(t, t == s, N % 9 == s % 9)")),
                1, "Both computations give a digit sum of %s.");
    }
}

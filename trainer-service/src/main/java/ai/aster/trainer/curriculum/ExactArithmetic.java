package ai.aster.trainer.curriculum;

import java.math.BigInteger;
import java.util.BitSet;

/** The exact answers of the curriculum's problems: big integers, and a segmented sieve for prime counts. */
public final class ExactArithmetic {

    private ExactArithmetic() {}

    /** Primes p with lo ≤ p ≤ hi: a sieve of the primes up to √hi, then one over [lo, hi] only. */
    public static long primesBetween(long lo, long hi) {
        if (hi < 2 || hi < lo) {
            return 0;
        }
        long from = Math.max(lo, 2);
        int root = (int) Math.sqrt((double) hi) + 1;
        BitSet composite = new BitSet(root + 1);
        int width = (int) (hi - from + 1);
        BitSet crossed = new BitSet(width);
        for (int p = 2; p <= root; p++) {
            if (composite.get(p)) {
                continue;
            }
            for (long m = (long) p * p; m <= root; m += p) {
                composite.set((int) m);
            }
            long first = Math.max((long) p * p, (from + p - 1) / p * p);
            for (long m = first; m <= hi; m += p) {
                crossed.set((int) (m - from));
            }
        }
        return width - crossed.cardinality();
    }

    /** The number of positive divisors of n ≥ 1, by trial division (n here is below 2·10^9). */
    public static long divisorCount(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("divisors of " + n + " are not counted");
        }
        long count = 1;
        long rest = n;
        for (long p = 2; p * p <= rest; p++) {
            int e = 0;
            while (rest % p == 0) {
                rest /= p;
                e++;
            }
            count *= e + 1;
        }
        return rest > 1 ? count * 2 : count;
    }

    public static int digitSum(BigInteger n) {
        int sum = 0;
        for (char c : n.abs().toString().toCharArray()) {
            sum += c - '0';
        }
        return sum;
    }

    /** C(n, k), exactly. */
    public static BigInteger binomial(int n, int k) {
        if (k < 0 || k > n) {
            return BigInteger.ZERO;
        }
        int kk = Math.min(k, n - k);
        BigInteger c = BigInteger.ONE;
        for (int i = 1; i <= kk; i++) {
            c = c.multiply(BigInteger.valueOf(n - kk + i)).divide(BigInteger.valueOf(i));
        }
        return c;
    }
}

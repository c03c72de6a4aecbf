package ai.aster.trainer.eval;

/**
 * The unbiased pass@k estimator of Chen et al. (2021): with n samples of which c are correct, the chance that at
 * least one of k samples drawn without replacement is correct, {@code 1 - C(n-c, k) / C(n, k)}.
 */
public final class PassAtK {

    private PassAtK() {
    }

    /**
     * @param n samples drawn
     * @param c of them correct
     * @param k samples the metric imagines drawing (at most n)
     */
    public static double estimate(int n, int c, int k) {
        if (n < 1 || c < 0 || c > n || k < 1 || k > n) {
            throw new IllegalArgumentException("pass@k needs 0 <= c <= n and 1 <= k <= n, got n=" + n + " c=" + c
                    + " k=" + k);
        }
        if (c == 0) {
            return 0.0;
        }
        if (n - c < k) {
            return 1.0;
        }
        // C(n-c, k) / C(n, k) = prod_{i=n-c+1}^{n} (1 - k/i): a product of factors in (0, 1), which never overflows
        double allWrong = 1.0;
        for (int i = n - c + 1; i <= n; i++) {
            allWrong *= 1.0 - (double) k / i;
        }
        return 1.0 - allWrong;
    }
}

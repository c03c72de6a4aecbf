package ai.aster.trainer.curriculum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.aster.trainer.eval.Benchmark;
import ai.aster.trainer.eval.BenchmarkLoader;
import ai.aster.trainer.eval.EvalCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CurriculumTest {

    private static final List<Family> ALL = List.of(Family.values());
    private static final List<Integer> LEVELS = List.of(1, 2, 3);

    /** The issue's phrasings, one regex per family, numbers captured in order. */
    private static final Map<String, Pattern> PHRASING = Map.of(
            "multiply", Pattern.compile("What is (\\d+) \\* (\\d+)\\?"),
            "power_mod", Pattern.compile("What is (\\d+)\\^(\\d+) mod (\\d+)\\?"),
            "prime_count", Pattern.compile("How many primes are there between (\\d+) and (\\d+)\\?"),
            "digit_sum_power", Pattern.compile("What is the sum of the digits of (\\d+)\\^(\\d+)\\?"),
            "gcd", Pattern.compile("What is gcd\\((\\d+), (\\d+)\\)\\?"),
            "choose", Pattern.compile("How many ways are there to choose (\\d+) items from (\\d+)\\?"),
            "power_mod_divisors", Pattern.compile(
                    "Let N = (\\d+)\\^(\\d+) mod (\\d+)\\. How many positive divisors does N have\\?"),
            "product_digit_sum", Pattern.compile("Let N = (\\d+) \\* (\\d+)\\. What is the sum of the digits of N\\?"));

    @Test
    void sameSeedSameProblemsAndALargerCountExtendsASmallerOne() {
        List<CurriculumProblem> a = Curriculum.generate(Split.TRAIN, 200, 7, ALL, LEVELS);
        List<CurriculumProblem> b = Curriculum.generate(Split.TRAIN, 200, 7, ALL, LEVELS);
        List<CurriculumProblem> longer = Curriculum.generate(Split.TRAIN, 300, 7, ALL, LEVELS);
        List<CurriculumProblem> other = Curriculum.generate(Split.TRAIN, 200, 8, ALL, LEVELS);
        assertThat(a).isEqualTo(b);
        assertThat(longer.subList(0, 200)).isEqualTo(a);
        assertThat(other).isNotEqualTo(a);
    }

    @Test
    void everyFamilyAndLevelIsPhrasedAsTheIssueAsksWithinItsRanges() {
        List<CurriculumProblem> problems = Curriculum.generate(Split.TRAIN, 24 * 20, 1, ALL, LEVELS);
        Map<String, Long> perFamily = problems.stream()
                .collect(Collectors.groupingBy(CurriculumProblem::family, Collectors.counting()));
        assertThat(perFamily).hasSize(8).allSatisfy((family, n) -> assertThat(n).isEqualTo(60));
        for (CurriculumProblem p : problems) {
            Matcher m = PHRASING.get(p.family()).matcher(p.problem());
            assertThat(m.matches()).as(p.problem()).isTrue();
            assertThat(p.answer()).matches("\\d+");
            assertThat(p.level()).isBetween(1, 3);
            assertThat(p.split()).isEqualTo("train");
            assertThat(p.id()).startsWith(p.family() + "-" + p.level() + "-");
            long[] n = new long[m.groupCount()];
            for (int i = 0; i < n.length; i++) {
                n[i] = Long.parseLong(m.group(i + 1));
            }
            switch (p.family()) {
                case "multiply", "product_digit_sum" -> {
                    assertThat(Long.toString(n[0]).length()).isBetween(6, 12);
                    assertThat(Long.toString(n[1]).length()).isBetween(6, 12);
                }
                case "power_mod", "power_mod_divisors" -> {
                    assertThat(n[0]).isLessThan(1_000_000);
                    assertThat(n[1]).isLessThan(1_000_000);
                    assertThat(n[2]).isLessThan(2_000_000_000L).isGreaterThan(1);
                }
                case "prime_count" -> {
                    assertThat(n[1]).isLessThanOrEqualTo(10_000_000);
                    assertThat(n[1] - n[0]).isBetween(0L, 1_000_000L);
                }
                case "digit_sum_power" -> {
                    assertThat(n[0]).isLessThan(100);
                    assertThat(n[1]).isLessThan(300);
                }
                case "gcd" -> {
                    assertThat(n[0]).isLessThan(1_000_000_000_000_000L);
                    assertThat(n[1]).isLessThan(1_000_000_000_000_000L);
                }
                case "choose" -> {
                    assertThat(n[1]).isLessThanOrEqualTo(200);
                    assertThat(n[0]).isLessThanOrEqualTo(n[1]);
                }
                default -> throw new AssertionError(p.family());
            }
            assertThat(p.steps()).isEqualTo(p.family().contains("_divisors") || p.family().equals("product_digit_sum")
                    ? 2 : 1);
        }
        // levels are about size: the largest products of level 3 are longer than those of level 1
        assertThat(maxDigits(problems, "multiply", 1)).isLessThanOrEqualTo(7);
        assertThat(maxDigits(problems, "multiply", 3)).isGreaterThanOrEqualTo(11);
    }

    @Test
    void answersAgreeWithAnIndependentComputation() {
        List<CurriculumProblem> problems = Curriculum.generate(Split.TRAIN, 8 * 6, 3, ALL, List.of(1, 2));
        for (CurriculumProblem p : problems) {
            Matcher m = PHRASING.get(p.family()).matcher(p.problem());
            assertThat(m.matches()).isTrue();
            long x = Long.parseLong(m.group(1));
            long y = Long.parseLong(m.group(2));
            String expected = switch (p.family()) {
                case "multiply" -> schoolbookProduct(Long.toString(x), Long.toString(y));
                case "product_digit_sum" -> Integer.toString(digitSum(schoolbookProduct(Long.toString(x),
                        Long.toString(y))));
                case "power_mod" -> Long.toString(repeatedMultiplication(x, y, Long.parseLong(m.group(3))));
                case "power_mod_divisors" -> Long.toString(divisorsByScan(
                        repeatedMultiplication(x, y, Long.parseLong(m.group(3)))));
                case "prime_count" -> Long.toString(primesByTrialDivision(x, y));
                case "digit_sum_power" -> Integer.toString(digitSum(BigInteger.valueOf(x).pow((int) y).toString()));
                case "gcd" -> Long.toString(euclid(x, y));
                case "choose" -> pascal((int) y, (int) x).toString();
                default -> throw new AssertionError(p.family());
            };
            assertThat(p.answer()).as(p.problem()).isEqualTo(expected);
        }
    }

    @Test
    void knownAnswers() {
        assertThat(ExactArithmetic.primesBetween(1, 100)).isEqualTo(25);
        assertThat(ExactArithmetic.primesBetween(2, 2)).isEqualTo(1);
        assertThat(ExactArithmetic.primesBetween(1, 10_000_000)).isEqualTo(664_579);
        assertThat(ExactArithmetic.primesBetween(9_000_000, 10_000_000)).isEqualTo(664_579 - 602_489);
        assertThat(ExactArithmetic.divisorCount(2024)).isEqualTo(16); // 2^3 * 11 * 23
        assertThat(ExactArithmetic.divisorCount(1)).isEqualTo(1);
        assertThat(ExactArithmetic.binomial(200, 100).toString())
                .isEqualTo("90548514656103281165404177077484163874504589675413336841320");
    }

    @Test
    void trainAndHeldoutNeverShareAProblemWhateverTheSeed() {
        Set<String> train = new HashSet<>();
        for (long seed = 0; seed < 3; seed++) {
            for (CurriculumProblem p : Curriculum.generate(Split.TRAIN, 1200, seed, ALL, LEVELS)) {
                train.add(p.problem());
                assertThat(Split.of(p.problem())).isEqualTo(Split.TRAIN);
            }
        }
        Set<String> heldout = new HashSet<>();
        for (long seed = 0; seed < 3; seed++) {
            for (CurriculumProblem p : Curriculum.generate(Split.HELDOUT, 300, seed, ALL, LEVELS)) {
                heldout.add(p.problem());
                assertThat(p.split()).isEqualTo("heldout");
            }
        }
        assertThat(heldout).hasSizeGreaterThan(800);
        assertThat(train).doesNotContainAnyElementsOf(heldout);
        // the split is a property of the text: about one problem in ten is held out
        long held = train.stream().filter(t -> Split.of(t) == Split.HELDOUT).count();
        assertThat(held).isZero();
        long sampleHeld = java.util.stream.IntStream.range(0, 10_000).mapToObj(i -> "What is " + i + " * 7?")
                .filter(t -> Split.of(t) == Split.HELDOUT).count();
        assertThat(sampleHeld).isBetween(850L, 1150L);
    }

    @Test
    void aFamilyWithFewInstancesSaysSoInsteadOfLooping() {
        assertThatThrownBy(() -> Curriculum.generate(Split.HELDOUT, 1000, 0, List.of(Family.CHOOSE), List.of(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no more distinct heldout");
    }

    @Test
    void theCommandWritesJsonlTheEvalHarnessReads(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("heldout.jsonl");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = CurriculumCli.run(List.of("--split", "heldout", "--count", "16", "--seed", "5", "--out",
                file.toString(), "--families", "multiply,gcd", "--levels", "2,3"), System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(rc).as(err.toString(StandardCharsets.UTF_8)).isZero();
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(16);
        assertThat(lines.get(0)).startsWith("{\"id\":").contains("\"family\":\"multiply\"", "\"split\":\"heldout\"");
        Benchmark benchmark = new BenchmarkLoader(EvalCli.json()).load(file.toString());
        assertThat(benchmark.problems()).hasSize(16);
        assertThat(benchmark.problems().get(0).problem()).matches(PHRASING.get("multiply"));

        ByteArrayOutputStream err2 = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err2, true, StandardCharsets.UTF_8);
        assertThat(CurriculumCli.run(List.of("--families", "primes"), System.out, errStream)).isEqualTo(2);
        assertThat(CurriculumCli.run(List.of("--count", "x"), System.out, errStream)).isEqualTo(2);
        assertThat(CurriculumCli.run(List.of("--levels", "4"), System.out, errStream)).isEqualTo(2);
        assertThat(CurriculumCli.run(List.of("--split", "test"), System.out, errStream)).isEqualTo(2);
        assertThat(err2.toString(StandardCharsets.UTF_8)).contains("unknown family 'primes'",
                "--count must be an integer", "levels are 1 to 3", "--split must be train or heldout")
                .doesNotContain("Exception");
    }

    // ---- independent computations (no BigInteger shortcuts where the product code uses them)

    private static String schoolbookProduct(String a, String b) {
        int[] r = new int[a.length() + b.length()];
        for (int i = a.length() - 1; i >= 0; i--) {
            for (int j = b.length() - 1; j >= 0; j--) {
                int sum = (a.charAt(i) - '0') * (b.charAt(j) - '0') + r[i + j + 1];
                r[i + j + 1] = sum % 10;
                r[i + j] += sum / 10;
            }
        }
        StringBuilder s = new StringBuilder();
        for (int d : r) {
            if (!(s.isEmpty() && d == 0)) {
                s.append(d);
            }
        }
        return s.isEmpty() ? "0" : s.toString();
    }

    private static int digitSum(String n) {
        return n.chars().map(c -> c - '0').sum();
    }

    /** a^e mod m by e multiplications (e < 10^5 at the levels used here). */
    private static long repeatedMultiplication(long a, long e, long m) {
        long r = 1 % m;
        for (long i = 0; i < e; i++) {
            r = r * (a % m) % m; // m < 10^7 at these levels: no overflow
        }
        return r;
    }

    private static long divisorsByScan(long n) {
        long count = 0;
        for (long d = 1; d * d <= n; d++) {
            if (n % d == 0) {
                count += d * d == n ? 1 : 2;
            }
        }
        return count;
    }

    private static long primesByTrialDivision(long lo, long hi) {
        long count = 0;
        for (long n = Math.max(2, lo); n <= hi; n++) {
            boolean prime = true;
            for (long d = 2; d * d <= n; d++) {
                if (n % d == 0) {
                    prime = false;
                    break;
                }
            }
            if (prime) {
                count++;
            }
        }
        return count;
    }

    private static long euclid(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    private static BigInteger pascal(int n, int k) {
        BigInteger[] row = {BigInteger.ONE};
        for (int i = 1; i <= n; i++) {
            BigInteger[] next = new BigInteger[i + 1];
            next[0] = BigInteger.ONE;
            next[i] = BigInteger.ONE;
            for (int j = 1; j < i; j++) {
                next[j] = row[j - 1].add(row[j]);
            }
            row = next;
        }
        return row[k];
    }

    private static int maxDigits(List<CurriculumProblem> problems, String family, int level) {
        return problems.stream().filter(p -> p.family().equals(family) && p.level() == level)
                .map(p -> PHRASING.get(family).matcher(p.problem())).filter(Matcher::matches)
                .mapToInt(m -> m.group(1).length()).max().orElseThrow();
    }
}

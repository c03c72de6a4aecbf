package ai.aster.grading;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** One row per grading rule: gold, prediction, expected verdict (default options). */
class RuleTableTest {

    private static AnswerGrader grader;

    @BeforeAll
    static void start() {
        grader = new AnswerGrader();
    }

    @AfterAll
    static void stop() {
        grader.close();
    }

    @ParameterizedTest(name = "{0} | {1} -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            # extraction: rightmost box, brace matching, final-answer phrase, answer:, plain number
            42 | first \\boxed{41} fails the check in step two. Therefore the answer is \\boxed{42} | true
            \\frac{1}{2} | $\\boxed{\\frac{1}{2}}$ | true
            12 | The final answer is $12$. I hope it is correct. | true
            12 | Answer: 12 | true
            12 | we count 3 cases and get 12 | true
            12 | \\fbox{12} | true
            # normalisation
            \\frac{1}{2} | \\left( \\dfrac{1}{2} \\right) | true
            5 | $5\\text{ cm}^2$ | true
            90 | $90^\\circ$ | true
            1000000 | $1{,}000{,}000$ | true
            1000000 | $1,000,000$ | true
            \\frac{1}{2} | $\\frac12$ | true
            \\frac{7}{2} | $3\\frac{1}{2}$ | true
            (1, \\infty) | $(1, \\infty)$ | true
            25\\% | $25$ | true
            25\\% | $0.25$ | true
            # numbers: exact unless a float is involved
            \\frac{1}{3} | $0.333333$ | true
            \\frac{1}{3} | $0.3333$ | false
            2^{25} \\cdot 26! | $13532215908553332190020108288000000$ | true
            2^{25} \\cdot 26! | $13532215908553332190020108288000001$ | false
            0.5 | $\\frac{1}{2}$ | true
            # radicals and powers
            \\sqrt{8} | $2\\sqrt{2}$ | true
            \\sqrt{\\frac{95}{24}} | $\\frac{\\sqrt{570}}{12}$ | true
            \\sqrt{\\frac{95}{24}} | $\\frac{\\sqrt{570}}{11}$ | false
            2^{10} | $1024$ | true
            8^{1/3} | $2$ | true
            # algebra through Symja
            (x-1)(x+1) | $x^2-1$ | true
            (x-1)(x+1) | $x^2+1$ | false
            \\tan^2(y)+1 | $\\sec^2(y)$ | true
            1-\\frac{2}{\\pi} | $\\frac{\\pi-2}{\\pi}$ | true
            # sets, tuples, intervals
            \\{1, 2, 3\\} | $\\{3, 1, 2\\}$ | true
            \\{1, 2, 3\\} | $\\{3, 1\\}$ | false
            (1, 2) | $(2, 1)$ | false
            [0, 1) | $[0, 1)$ | true
            [0, 1) | $(0, 1)$ | false
            (-\\infty, -3] \\cup [2, \\infty) | $[2, \\infty) \\cup (-\\infty, -3]$ | true
            1 \\pm \\sqrt{19} | $1-\\sqrt{19}, 1+\\sqrt{19}$ | true
            # relations and equations
            x = 3 | $3$ | true
            3 | $x = 3$ | true
            y = 2x + 1 | $2x - y + 1 = 0$ | true
            x < 3 | $3 > x$ | true
            x < 3 | $x > 3$ | false
            $-2 \\le x \\le 7$ | $[-2, 7]$ | true
            # matrices
            \\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix} | $\\begin{bmatrix}1 & 2 \\\\ 3 & 4\\end{bmatrix}$ | true
            \\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix} | $\\begin{pmatrix}1 & 2 \\\\ 4 & 3\\end{pmatrix}$ | false
            # words
            \\text{Evelyn} | $\\boxed{\\text{Evelyn}}$ | true
            \\text{(C)} | $\\boxed{C}$ | true
            """)
    void rule(String gold, String prediction, boolean expected) {
        GradeResult r = grader.grade(gold, prediction);
        assertEquals(expected, r.correct(), () -> "gold " + r.goldParsed() + " prediction " + r.predictionParsed());
    }
}

package ai.aster.grading;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The knobs of one grading call, mirroring Math-Verify's {@code parse(..., extraction_config)} and
 * {@code verify(..., float_rounding, strict, allow_set_relation_comp, timeout_seconds)}.
 *
 * @param extraction           targets both gold and prediction are extracted with (default LaTeX then expression)
 * @param floatRounding        decimal places numbers are rounded to when a float is involved (default 6)
 * @param strict               when false, a variable assignment or relation is compared by its right-hand side
 *                             ({@code x=3} matches {@code 3}) and a set matches a bare list; default true
 * @param allowSetRelationComp when true, a set may match a relation or interval that describes it
 *                             ({@code (1,2)} matches {@code 1<x<2}); default false
 * @param timeout              wall-clock limit of one comparison (default 5 s); past it the answer is wrong
 */
public record GradeOptions(
        List<ExtractionTarget> extraction,
        int floatRounding,
        boolean strict,
        boolean allowSetRelationComp,
        Duration timeout) {

    public static final List<ExtractionTarget> DEFAULT_EXTRACTION = List.of(ExtractionTarget.LATEX, ExtractionTarget.EXPR);
    public static final int DEFAULT_FLOAT_ROUNDING = 6;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    public GradeOptions {
        Objects.requireNonNull(extraction, "extraction");
        Objects.requireNonNull(timeout, "timeout");
        if (extraction.isEmpty()) {
            throw new IllegalArgumentException("extraction needs at least one target (latex, expr)");
        }
        if (floatRounding < 0 || floatRounding > 30) {
            throw new IllegalArgumentException("float_rounding must be between 0 and 30, was " + floatRounding);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        extraction = List.copyOf(extraction);
    }

    /** Math-Verify's defaults: LaTeX and expression extraction, 6 decimals, strict, no set/relation mixing, 5 s. */
    public static GradeOptions defaults() {
        return new GradeOptions(DEFAULT_EXTRACTION, DEFAULT_FLOAT_ROUNDING, true, false, DEFAULT_TIMEOUT);
    }

    public GradeOptions withExtraction(List<ExtractionTarget> targets) {
        return new GradeOptions(targets, floatRounding, strict, allowSetRelationComp, timeout);
    }

    public GradeOptions withFloatRounding(int places) {
        return new GradeOptions(extraction, places, strict, allowSetRelationComp, timeout);
    }

    public GradeOptions withStrict(boolean value) {
        return new GradeOptions(extraction, floatRounding, value, allowSetRelationComp, timeout);
    }

    public GradeOptions withAllowSetRelationComp(boolean value) {
        return new GradeOptions(extraction, floatRounding, strict, value, timeout);
    }

    public GradeOptions withTimeout(Duration value) {
        return new GradeOptions(extraction, floatRounding, strict, allowSetRelationComp, value);
    }
}

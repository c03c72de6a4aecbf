package ai.aster.trainer.service;

import ai.aster.grading.AnswerGrader;
import ai.aster.grading.ExtractionTarget;
import ai.aster.grading.GradeOptions;
import ai.aster.grading.GradeResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Grading on request, with the grading library's {@link AnswerGrader} (the one the ingest uses). */
@ApplicationScoped
public class GradeService {

    static final int MAX_BATCH = 10_000;
    static final int MAX_TEXT = 1_000_000;

    private final AnswerGrader grader;

    public GradeService(AnswerGrader grader) {
        this.grader = grader;
    }

    public GradeResponse grade(GradeRequest request) {
        if (request == null) {
            throw new InvalidRequestException("a JSON body {gold, prediction} is required", null);
        }
        return grade(request, options(request.extraction(), request.floatRounding(), request.strict(),
                request.allowSetRelationComp(), GradeOptions.defaults(), ""), "");
    }

    public GradeResponse.Batch gradeBatch(GradeBatchRequest batch) {
        if (batch == null || batch.items() == null) {
            throw new InvalidRequestException("a JSON body {items: [{gold, prediction}, ...]} is required", "items");
        }
        if (batch.items().size() > MAX_BATCH) {
            throw new InvalidRequestException("at most " + MAX_BATCH + " items per batch; got " + batch.items().size(),
                    "items");
        }
        GradeOptions shared = options(batch.extraction(), batch.floatRounding(), batch.strict(),
                batch.allowSetRelationComp(), GradeOptions.defaults(), "");
        List<GradeResponse> results = new ArrayList<>(batch.items().size());
        for (int i = 0; i < batch.items().size(); i++) {
            GradeRequest item = batch.items().get(i);
            String prefix = "items[" + i + "].";
            if (item == null) {
                throw new InvalidRequestException("item is null", "items[" + i + "]");
            }
            GradeOptions options = options(item.extraction(), item.floatRounding(), item.strict(),
                    item.allowSetRelationComp(), shared, prefix);
            results.add(grade(item, options, prefix));
        }
        return new GradeResponse.Batch(results);
    }

    private GradeResponse grade(GradeRequest request, GradeOptions options, String prefix) {
        text(request.gold(), prefix + "gold");
        text(request.prediction(), prefix + "prediction");
        GradeResult result = grader.grade(request.gold(), request.prediction(), options);
        return new GradeResponse(result.correct(), result.goldParsed(), result.predictionParsed());
    }

    private static void text(String value, String param) {
        if (value == null) {
            throw new InvalidRequestException(param + " is required (a string)", param);
        }
        if (value.length() > MAX_TEXT) {
            throw new InvalidRequestException(param + " is longer than " + MAX_TEXT + " characters", param);
        }
    }

    private static GradeOptions options(List<String> extraction, Integer floatRounding, Boolean strict,
            Boolean allowSetRelationComp, GradeOptions base, String prefix) {
        GradeOptions options = base;
        if (extraction != null) {
            if (extraction.isEmpty()) {
                throw new InvalidRequestException("extraction needs at least one of latex, expr", prefix + "extraction");
            }
            List<ExtractionTarget> targets = new ArrayList<>();
            for (String name : extraction) {
                targets.add(target(name, prefix + "extraction"));
            }
            options = options.withExtraction(targets);
        }
        if (floatRounding != null) {
            if (floatRounding < 0 || floatRounding > 30) {
                throw new InvalidRequestException("float_rounding must be between 0 and 30; was " + floatRounding,
                        prefix + "float_rounding");
            }
            options = options.withFloatRounding(floatRounding);
        }
        if (strict != null) {
            options = options.withStrict(strict);
        }
        if (allowSetRelationComp != null) {
            options = options.withAllowSetRelationComp(allowSetRelationComp);
        }
        return options;
    }

    private static ExtractionTarget target(String name, String param) {
        if (name != null) {
            for (ExtractionTarget t : ExtractionTarget.values()) {
                if (t.name().toLowerCase(Locale.ROOT).equals(name.strip().toLowerCase(Locale.ROOT))) {
                    return t;
                }
            }
        }
        throw new InvalidRequestException("extraction targets are latex and expr; got '" + name + "'", param);
    }
}

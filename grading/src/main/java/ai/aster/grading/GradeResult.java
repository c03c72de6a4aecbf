package ai.aster.grading;

import java.util.List;

/**
 * The verdict of one grading call, as Math-Verify's {@code verify(parse(gold), parse(prediction))}.
 *
 * @param correct          whether any parsed form of the prediction equals any parsed form of the gold
 * @param goldParsed       what was extracted from the gold: the symbolic form first, then the extracted text
 *                         (empty when nothing could be extracted)
 * @param predictionParsed the same for the prediction
 */
public record GradeResult(boolean correct, List<String> goldParsed, List<String> predictionParsed) {

    public GradeResult {
        goldParsed = List.copyOf(goldParsed);
        predictionParsed = List.copyOf(predictionParsed);
    }
}

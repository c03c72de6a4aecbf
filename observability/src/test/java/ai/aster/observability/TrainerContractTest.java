package ai.aster.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The aster_trainer_* names the training dashboard and rules use are a contract, written down in one place
 * (observability/README.md, section "trainer-service metrics"). Every such name used must be listed there, and every
 * listed name used, so the list is exactly what the trainer has to export (trainer-service's TrainingJobsTest checks
 * that its live /q/metrics has each of them).
 */
class TrainerContractTest {

    private static final Pattern NAME = Pattern.compile("`(aster_trainer_[a-z0-9_]+)`");

    static Set<String> documentedTrainerNames() {
        String readme = ObservabilityFiles.readString(ObservabilityFiles.root().resolve("README.md"));
        int start = readme.indexOf("## trainer-service metrics");
        assertTrue(start >= 0, "README.md has no \"## trainer-service metrics\" section");
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        Set<String> names = new TreeSet<>();
        Matcher m = NAME.matcher(section);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    static Set<String> usedTrainerNames() {
        Set<String> names = new TreeSet<>();
        Stream.concat(ObservabilityFiles.ruleQueries().stream(), ObservabilityFiles.dashboardQueries().stream())
                .flatMap(q -> PromQlNames.of(q.expr()).stream())
                .filter(n -> n.startsWith("aster_trainer_"))
                .forEach(names::add);
        return names;
    }

    @Test
    void theTrainerNamesUsedAreExactlyTheDocumentedContract() {
        assertEquals(documentedTrainerNames(), usedTrainerNames());
    }
}

package ai.aster.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

class PromQlNamesTest {

    @Test
    void findsMetricNamesAndSkipsFunctionsLabelsKeywordsAndDurations() {
        assertEquals(Set.of("a_sum", "a_count", "up"), PromQlNames.of(
                "sum by (job, le) (rate(a_sum{job=~\"x-.*\", status=\"429\"}[5m])) / ignoring (status) group_left "
                        + "sum(rate(a_count[1h] offset 1h)) > 0.5 and on () up == 0"));
        assertEquals(Set.of("b_bucket"), PromQlNames.of("histogram_quantile(0.95, sum by (le) (rate(b_bucket[5m])))"));
        assertEquals(Set.of("c"), PromQlNames.of("max by (quantile) (c) / 1000"));
    }
}

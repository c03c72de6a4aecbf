package ai.aster.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What reaches the dead-letter topic, and with which reason. */
class TrajectoryParserTest {

    private final TrajectoryParser parser = new TrajectoryParser(new ObjectMapper().registerModule(new JavaTimeModule()));

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aMinimalTrajectoryParsesAndKeepsUnknownFields() throws Exception {
        ParsedTrajectory p = parser.parse("t1", utf8(
                "{\"id\":\"t1\",\"created_at\":\"2026-11-30T08:00:00Z\",\"source\":\"rollout\",\"future_field\":[1]}"));
        assertThat(p.trajectory().id()).isEqualTo("t1");
        assertThat(p.document().has("future_field")).isTrue();
    }

    @Test
    void theTeachersSourceIsAccepted() throws Exception {
        assertThat(parser.parse("t2", utf8("{\"id\":\"t2\",\"created_at\":\"2026-11-30T08:00:00Z\",\"source\":\"sft\"}"))
                .trajectory().source()).isEqualTo("sft");
    }

    @Test
    void reasonsSayWhatIsWrong() {
        reason(null, new byte[0], "empty message");
        reason(null, utf8("{oops"), "not JSON");
        reason(null, new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'}, "not JSON");
        reason(null, utf8("[1,2]"), "not a JSON object");
        reason(null, utf8("{\"source\":\"api\",\"created_at\":\"2026-11-30T08:00:00Z\"}"), "missing id");
        reason(null, utf8("{\"id\":\"a\",\"source\":\"api\"}"), "missing created_at");
        reason(null, utf8("{\"id\":\"a\",\"created_at\":\"2026-11-30T08:00:00Z\",\"source\":\"web\"}"), "source must be");
        reason("b", utf8("{\"id\":\"a\",\"created_at\":\"2026-11-30T08:00:00Z\",\"source\":\"api\"}"), "record key b differs");
        reason(null, utf8("{\"id\":\"a\",\"created_at\":\"yesterday\",\"source\":\"api\"}"), "not a trajectory");
        reason(null, utf8("{\"id\":\"a\",\"created_at\":\"2026-11-30T08:00:00Z\",\"source\":\"api\",\"turns\":3}"),
                "not a trajectory");
    }

    private void reason(String key, byte[] value, String expected) {
        assertThatThrownBy(() -> parser.parse(key, value)).isInstanceOf(InvalidTrajectoryException.class)
                .hasMessageStartingWith(expected);
    }
}

package ai.aster.sandbox.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CappedOutputTest {

    @Test
    void keepsEverythingBelowTheCap() {
        CappedOutput out = new CappedOutput(10);
        out.append("abc".getBytes(StandardCharsets.UTF_8));
        out.append("def".getBytes(StandardCharsets.UTF_8));
        assertThat(out.text()).isEqualTo("abcdef");
        assertThat(out.truncated()).isFalse();
    }

    @Test
    void cutsAtTheCapAndRemembersIt() {
        CappedOutput out = new CappedOutput(5);
        out.append("abc".getBytes(StandardCharsets.UTF_8));
        out.append("defgh".getBytes(StandardCharsets.UTF_8));
        out.append("ij".getBytes(StandardCharsets.UTF_8));
        assertThat(out.text()).isEqualTo("abcde");
        assertThat(out.truncated()).isTrue();
    }

    @Test
    void exactlyAtTheCapIsNotTruncated() {
        CappedOutput out = new CappedOutput(3);
        out.append("abc".getBytes(StandardCharsets.UTF_8));
        out.append(new byte[0]);
        assertThat(out.truncated()).isFalse();
    }

    @Test
    void notesGoOnTheirOwnLineBeyondTheCap() {
        CappedOutput out = new CappedOutput(3);
        out.append("abcdef".getBytes(StandardCharsets.UTF_8));
        out.note("killed");
        assertThat(out.text()).isEqualTo("abc\nkilled\n");
        CappedOutput empty = new CappedOutput(3);
        empty.note("killed");
        assertThat(empty.text()).isEqualTo("killed\n");
    }
}

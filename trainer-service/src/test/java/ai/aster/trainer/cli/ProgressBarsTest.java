package ai.aster.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import me.tongfei.progressbar.ProgressBar;
import org.junit.jupiter.api.Test;

/** In a log a bar writes whole lines, no carriage returns; on a terminal it redraws in place. */
class ProgressBarsTest {

    @Test
    void inALogABarWritesPlainLines() {
        String out = render(false);
        assertFalse(out.contains("\r"), "carriage returns in a log: " + out);
        assertTrue(out.contains("teach") && out.contains("5/5"), out);
        assertTrue(out.endsWith("\n"), out);
    }

    @Test
    void onATerminalABarRedrawsInPlace() {
        String out = render(true);
        assertTrue(out.contains("\r"), out);
        assertTrue(out.contains("5/5"), out);
    }

    private static String render(boolean terminal) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (ProgressBar bar = ProgressBars.on(err, "teach", terminal).setInitialMax(5).build()) {
            bar.stepTo(5);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}

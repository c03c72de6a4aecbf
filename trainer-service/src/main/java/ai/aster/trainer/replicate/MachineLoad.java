package ai.aster.trainer.replicate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine's load average as {@code /proc/loadavg} gives it (1, 5 and 15 minutes), for the report. */
final class MachineLoad {

    private MachineLoad() {}

    static String now() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return parts.length >= 3 ? parts[0] + " " + parts[1] + " " + parts[2] : "unknown";
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}

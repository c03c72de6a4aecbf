package ai.aster.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A single-node Kafka broker (KRaft: broker and controller in one process) run from the official Kafka jars in a
 * child JVM. The launcher ({@code ./aster up}) and the integration tests start the very same broker this way, so
 * what the tests see is what users run. No Docker, no ZooKeeper.
 *
 * <p>The jars come from {@code local-kafka/target/lib} (copied there by the build); pass another folder with the
 * system property {@code aster.kafka.lib}.
 */
public final class LocalKafka implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Process process;
    private final int port;
    private final Path logFile;

    private LocalKafka(Process process, int port, Path logFile) {
        this.process = process;
        this.port = port;
        this.logFile = logFile;
    }

    /** Starts a broker that keeps its data in {@code dataDir}, on free ports, and waits until it serves. */
    public static LocalKafka start(Path dataDir) {
        return start(dataDir, freePort(), freePort(), defaultLibDir());
    }

    /**
     * Starts a broker on {@code port} (clients) and {@code controllerPort} (KRaft quorum). An existing formatted
     * {@code dataDir} is reused, so topics survive a restart.
     */
    public static LocalKafka start(Path dataDir, int port, int controllerPort, Path libDir) {
        try {
            if (!Files.isDirectory(libDir) || listJars(libDir).isEmpty()) {
                throw new IllegalStateException("Kafka jars not found in " + libDir
                        + ": build them with `mvn -pl local-kafka package` (or set -Daster.kafka.lib)");
            }
            Files.createDirectories(dataDir);
            Path logDirs = dataDir.resolve("data");
            Path properties = dataDir.resolve("server.properties");
            Files.writeString(properties, serverProperties(port, controllerPort, logDirs));
            Path logFile = dataDir.resolve("broker.log");
            String classpath = libDir.toAbsolutePath() + "/*";
            if (!Files.exists(logDirs.resolve("meta.properties"))) {
                format(classpath, properties, logFile);
            }
            Process process = javaProcess(classpath, List.of("kafka.Kafka", properties.toString()), logFile, true)
                    .start();
            LocalKafka broker = new LocalKafka(process, port, logFile);
            broker.awaitReady();
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start Kafka in " + dataDir, e);
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path logFile() {
        return logFile;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stops the broker (a controlled shutdown first, then a kill after 20 s). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Blocks until the broker prints that it started and accepts connections, or fails with its log's tail. */
    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Kafka exited with " + process.exitValue() + ":\n" + tail(logFile));
            }
            if (Files.exists(logFile) && Files.readString(logFile).contains("Kafka Server started") && accepts(port)) {
                return;
            }
            sleep(200);
        }
        close();
        throw new IllegalStateException("Kafka did not start within " + START_TIMEOUT + ":\n" + tail(logFile));
    }

    private static void format(String classpath, Path properties, Path logFile) throws IOException {
        Process format = javaProcess(classpath, List.of("kafka.tools.StorageTool", "format", "-t", clusterId(),
                "-c", properties.toString(), "--standalone"), logFile, false).start();
        try {
            if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
                format.destroyForcibly();
                throw new IllegalStateException("Kafka storage format failed:\n" + tail(logFile));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while formatting Kafka storage", e);
        }
    }

    private static ProcessBuilder javaProcess(String classpath, List<String> mainAndArgs, Path logFile, boolean append) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        // A small broker: it carries trajectories of one machine, not a cluster's traffic.
        command.addAll(List.of("-Xms128m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Djava.awt.headless=true", "-cp", classpath));
        command.addAll(mainAndArgs);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.redirectOutput(append ? ProcessBuilder.Redirect.appendTo(logFile.toFile())
                : ProcessBuilder.Redirect.to(logFile.toFile()));
        return builder;
    }

    static String serverProperties(int port, int controllerPort, Path logDirs) {
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + logDirs.toAbsolutePath(),
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=true",
                // A 50-call trajectory carries tens of thousands of token ids and log-probs: allow 16 MiB records
                // (the gateway's producer allows as much).
                "message.max.bytes=16777216",
                "replica.fetch.max.bytes=16777216",
                // Trajectories are the training data: keep them a week by default on a local broker.
                "log.retention.hours=168",
                "");
    }

    /**
     * A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (what {@code random-uuid} prints), never
     * starting with '-': {@code kafka-storage format -t -xyz} reads such an id as an option and fails (one fresh
     * start in 64 did), which is why Kafka's own {@code Uuid.randomUuid} draws again in that case too.
     */
    static String clusterId() {
        while (true) {
            UUID uuid = UUID.randomUUID();
            ByteBuffer bytes = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                    .putLong(uuid.getLeastSignificantBits());
            String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
            if (!id.startsWith("-")) {
                return id;
            }
        }
    }

    static Path defaultLibDir() {
        String configured = System.getProperty("aster.kafka.lib");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        // From any module directory of the checkout (tests run there) or the root (the launcher).
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("local-kafka/target/lib");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return Path.of("local-kafka/target/lib");
    }

    private static List<Path> listJars(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".jar")).toList();
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String tail(Path logFile) {
        try {
            if (!Files.exists(logFile)) {
                return "(no log)";
            }
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
    }

    /**
     * {@code LocalKafka --data DIR [--port N] [--controller-port N]}: runs a broker in the foreground until this
     * process is stopped (the launcher runs it in the background and stops it with a signal).
     */
    public static void main(String[] args) throws InterruptedException {
        Path data = Path.of(".aster/kafka");
        int port = 9092;
        int controllerPort = 9093;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--controller-port" -> controllerPort = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: LocalKafka --data DIR [--port 9092] [--controller-port 9093]");
                    System.exit(2);
                }
            }
        }
        LocalKafka broker = start(data, port, controllerPort, defaultLibDir());
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "kafka-shutdown"));
        System.out.println("Kafka ready on " + broker.bootstrapServers() + " (log: " + broker.logFile() + ")");
        broker.process.waitFor();
        System.exit(broker.process.exitValue() == 0 ? 0 : 1);
    }
}

package ai.aster.sandbox.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Every setting of sandbox-service (prefix {@code aster.sandbox}). */
@ConfigMapping(prefix = "aster.sandbox")
public interface SandboxConfig {

    /** Docker Engine API endpoint (Docker or Podman's compatible socket); the engine must run on this host. */
    @WithDefault("unix:///run/podman/podman.sock")
    String dockerHost();

    /** Image every call runs in; see sandbox-service/image/ for how to build it. */
    @WithDefault("aster-sandbox:latest")
    String image();

    /**
     * Name written into the {@code ai.aster.sandbox.instance} label of this service's containers. At start the service
     * removes leftovers carrying its own name; give concurrent services (and test suites) distinct names.
     */
    @WithDefault("default")
    String instance();

    /**
     * Host directory under which each container gets its own socket directory (bind-mounted read-only at /ipc).
     * Defaults to {@code <java.io.tmpdir>/aster-sandbox-<instance>}.
     */
    Optional<String> ipcDir();

    /**
     * Most containers that may exist at once (starting, pooled, running, being removed). A start waits for room (a
     * pool refill waits for the next round); a call that gets none within the acquire timeout is answered 429.
     */
    @WithDefault("64")
    int maxLiveContainers();

    /** Most memory, in MiB, that the memory limits of all live containers may add up to; same rules as above. */
    @WithDefault("65536")
    long maxTotalMemoryMb();

    Pool pool();

    Limits limits();

    Admission admission();

    Sessions sessions();

    /** The pre-warmed pool. */
    interface Pool {
        /** Containers kept started, prelude imported, waiting for one call each. */
        @WithDefault("8")
        int size();

        /** How many containers may be starting at the same time (refills, on-demand containers). */
        @WithDefault("8")
        int maxStarting();

        /**
         * How long a call waits for a free execution slot (then 429), and then how long it waits for a container
         * (a ready pooled one, or room to start its own); when the engine answers, running out of that wait is
         * saturation (429), not an outage (503).
         */
        @WithDefault("30s")
        Duration acquireTimeout();

        /** How long a starting container may take to connect to the service before it is discarded. */
        @WithDefault("30s")
        Duration startTimeout();
    }

    /** Per-container limits and the defaults and maxima of per-call limits. */
    interface Limits {
        /** Default wall-clock limit of one call, in seconds. */
        @WithDefault("30")
        double defaultTimeoutS();

        /** Largest timeout_s a request may ask for. */
        @WithDefault("600")
        double maxTimeoutS();

        /** Memory limit of the pre-warmed containers, in MiB; a call asking for another value gets its own. */
        @WithDefault("1024")
        int defaultMemoryMb();

        /** Smallest memory_mb a request may ask for (the interpreter with the prelude needs about 100 MiB). */
        @WithDefault("64")
        int minMemoryMb();

        /** Largest memory_mb a request may ask for. */
        @WithDefault("16384")
        int maxMemoryMb();

        /** Process limit per container (contains fork bombs). */
        @WithDefault("64")
        long pids();

        /** CPU quota per container, in CPUs. */
        @WithDefault("1.0")
        double cpus();

        /** Size of the writable tmpfs at /work, in MiB. */
        @WithDefault("64")
        int workDirMb();

        /** Cap of stdout and of stderr, each, in bytes. */
        @WithDefault("65536")
        int outputBytes();

        /** Largest code (and stdin) accepted, in bytes. */
        @WithDefault("1048576")
        int maxCodeBytes();

        /** Most executions in one batch request. */
        @WithDefault("1024")
        int maxBatchSize();
    }

    /** Back-pressure. */
    interface Admission {
        /** Executions running at the same time. */
        @WithDefault("32")
        int maxConcurrent();

        /** Executions waiting for a slot; one more is answered 429. */
        @WithDefault("128")
        int maxQueued();

        /** Seconds put in the Retry-After header of a 429. */
        @WithDefault("1")
        int retryAfterS();
    }

    /** Session state kept between calls (pickled globals, outside the containers). */
    interface Sessions {
        /** A session unused this long is dropped. */
        @WithDefault("20m")
        Duration idleTtl();

        /** Largest state of one session, in bytes; larger names are dropped with a note in stderr. */
        @WithDefault("16777216")
        int maxStateBytes();

        /** Total state of all sessions, in bytes; beyond it the least recently used sessions are dropped. */
        @WithDefault("1073741824")
        long maxTotalBytes();
    }
}

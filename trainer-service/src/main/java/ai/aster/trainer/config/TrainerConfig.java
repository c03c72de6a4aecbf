package ai.aster.trainer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.util.Optional;

/**
 * trainer-service configuration ({@code aster.*}); every key is also listed in trainer-service/README.md.
 * The database keys ({@code aster.trainer.db.*}) are read before Quarkus builds its datasource, by
 * {@link ai.aster.trainer.repository.EmbeddedDatabaseConfigSourceFactory}; they are mapped here so that they are
 * documented and validated in one place.
 */
@ConfigMapping(prefix = "aster")
public interface TrainerConfig {

    /**
     * The internal services' shared secret ({@code ASTER_INTERNAL_TOKEN}): every API call must carry it as
     * {@code Authorization: Bearer}. No default: the service refuses to start without one.
     */
    @WithName("internal-token")
    Optional<String> internalToken();

    Trainer trainer();

    interface Trainer {
        Db db();

        /**
         * Training jobs ({@code POST /v1/jobs}): each job's folder is {@code <checkpoint-root>/<job id>/}. The same
         * root as model-service's {@code aster.model.checkpoint-root}, which confines {@code POST /v1/weights} to it,
         * so the checkpoints written here can be hot-reloaded.
         */
        @WithDefault(".aster/checkpoints")
        String checkpointRoot();

        /** model-service, which a job with {@code sync_weights: true} asks to load each checkpoint. */
        @WithDefault("http://127.0.0.1:8081")
        String modelEndpoint();

        /**
         * PyTorch intra-op threads for training (process-wide); unset keeps PyTorch's default (one per core). On a
         * CPU shared with other busy processes 1 is much faster.
         */
        Optional<Integer> computeThreads();
    }

    interface Db {
        /**
         * The data directory of the embedded PostgreSQL used when no database URL is configured
         * ({@code ASTER_DB_URL} or {@code quarkus.datasource.jdbc.url}). Kept across restarts.
         */
        @WithDefault(".aster/postgres")
        String dataDir();

        /** The embedded PostgreSQL's port; 0 picks a free one at each start. */
        @WithDefault("0")
        int port();
    }
}

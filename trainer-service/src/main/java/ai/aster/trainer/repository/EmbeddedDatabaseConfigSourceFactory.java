package ai.aster.trainer.repository;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Decides where the trajectory store lives before Quarkus builds its datasource: {@code quarkus.datasource.jdbc.url}
 * when set anywhere, else {@code ASTER_DB_URL} (with {@code ASTER_DB_USER} / {@code ASTER_DB_PASSWORD}), else an
 * embedded PostgreSQL in {@code aster.trainer.db.data-dir}.
 *
 * <p>A config source is the one place that runs before the datasource reads its URL, so the embedded server starts
 * here, lazily: only when the runtime configuration asks for the URL (never while the application is being built),
 * and the source lists no property names so that build-time scans never trigger it.
 */
public class EmbeddedDatabaseConfigSourceFactory implements ConfigSourceFactory {

    static final String URL = "quarkus.datasource.jdbc.url";
    static final String USERNAME = "quarkus.datasource.username";
    static final String PASSWORD = "quarkus.datasource.password";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (present(context, URL)) {
            return List.of();
        }
        String externalUrl = value(context, "ASTER_DB_URL");
        if (externalUrl != null) {
            return List.of(new DatabaseLocationSource(() -> new DatabaseLocation(externalUrl,
                    value(context, "ASTER_DB_USER"), value(context, "ASTER_DB_PASSWORD"))));
        }
        String dataDir = value(context, "aster.trainer.db.data-dir");
        String port = value(context, "aster.trainer.db.port");
        Path dir = Path.of(dataDir == null ? ".aster/postgres" : dataDir).toAbsolutePath().normalize();
        int fixedPort = port == null ? 0 : Integer.parseInt(port.strip());
        return List.of(new DatabaseLocationSource(() -> EmbeddedDatabase.startOrReuse(dir, fixedPort).location()));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(100);
    }

    private static boolean present(ConfigSourceContext context, String name) {
        return value(context, name) != null;
    }

    private static String value(ConfigSourceContext context, String name) {
        ConfigValue value = context.getValue(name);
        return value == null || value.getValue() == null || value.getValue().isBlank() ? null : value.getValue();
    }
}

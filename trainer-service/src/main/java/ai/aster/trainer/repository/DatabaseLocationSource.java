package ai.aster.trainer.repository;

import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Answers the datasource's URL and credentials from a {@link DatabaseLocation} resolved on first use (starting the
 * embedded server is that resolution). Its ordinal is below application.properties', so any explicit setting wins.
 */
final class DatabaseLocationSource implements ConfigSource {

    private final Supplier<DatabaseLocation> resolve;
    private volatile DatabaseLocation location;

    DatabaseLocationSource(Supplier<DatabaseLocation> resolve) {
        this.resolve = resolve;
    }

    @Override
    public Set<String> getPropertyNames() {
        // Deliberately empty: listing the URL would make build-time scans resolve it (start a server at build).
        return Set.of();
    }

    @Override
    public Map<String, String> getProperties() {
        return Map.of();
    }

    @Override
    public String getValue(String propertyName) {
        return switch (propertyName) {
            case EmbeddedDatabaseConfigSourceFactory.URL -> location().jdbcUrl();
            case EmbeddedDatabaseConfigSourceFactory.USERNAME -> location().username();
            case EmbeddedDatabaseConfigSourceFactory.PASSWORD -> location().password();
            default -> null;
        };
    }

    private DatabaseLocation location() {
        DatabaseLocation current = location;
        if (current == null) {
            synchronized (this) {
                current = location;
                if (current == null) {
                    current = resolve.get();
                    location = current;
                }
            }
        }
        return current;
    }

    @Override
    public String getName() {
        return "aster-trajectory-store-location";
    }

    @Override
    public int getOrdinal() {
        return 100;
    }
}

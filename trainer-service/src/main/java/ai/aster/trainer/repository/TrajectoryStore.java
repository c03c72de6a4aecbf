package ai.aster.trainer.repository;

import ai.aster.trainer.service.PageCursor;
import ai.aster.trainer.service.RowRejectedException;
import ai.aster.trainer.service.StoreStats;
import ai.aster.trainer.service.StoreUnavailableException;
import ai.aster.trainer.service.StoredDocument;
import ai.aster.trainer.service.StoredTrajectory;
import ai.aster.trainer.service.TrajectoryPage;
import ai.aster.trainer.service.TrajectoryQuery;
import ai.aster.trainer.service.TrajectorySummary;
import ai.aster.trainer.service.TrajectoryWriter;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.sql.SQLRecoverableException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The trajectories table (see db/migration): idempotent upserts by id, keyset-paginated queries, aggregates.
 * Plain JDBC: one statement per operation, no ORM between the JSONB document and the wire.
 */
@ApplicationScoped
public class TrajectoryStore implements TrajectoryWriter {

    // A re-delivery of an identical document changes nothing (no dead tuple, no stored_at bump).
    private static final String UPSERT = """
            INSERT INTO trajectories (id, created_at, source, model, policy_version, problem_id, tool_calls,
                format_errors, finish_reason, completion_tokens, reward, correct, document)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)
            ON CONFLICT (id) DO UPDATE SET created_at = EXCLUDED.created_at, source = EXCLUDED.source,
                model = EXCLUDED.model, policy_version = EXCLUDED.policy_version, problem_id = EXCLUDED.problem_id,
                tool_calls = EXCLUDED.tool_calls, format_errors = EXCLUDED.format_errors,
                finish_reason = EXCLUDED.finish_reason, completion_tokens = EXCLUDED.completion_tokens,
                reward = EXCLUDED.reward, correct = EXCLUDED.correct, document = EXCLUDED.document, stored_at = now()
            WHERE trajectories.document IS DISTINCT FROM EXCLUDED.document""";

    private static final String SUMMARY_COLUMNS = "id, created_at, source, model, policy_version, problem_id, "
            + "tool_calls, format_errors, finish_reason, completion_tokens, reward, correct";

    private final AgroalDataSource dataSource;

    public TrajectoryStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void upsertAll(List<StoredTrajectory> rows) throws RowRejectedException {
        try (Connection connection = connect()) {
            connection.setAutoCommit(false);
            try (PreparedStatement statement = connection.prepareStatement(UPSERT)) {
                for (StoredTrajectory row : rows) {
                    bind(statement, row);
                    statement.addBatch();
                }
                statement.executeBatch();
                connection.commit();
            } catch (SQLException e) {
                rollbackQuietly(connection);
                throw classify(e);
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public void upsert(StoredTrajectory row) throws RowRejectedException {
        upsertAll(List.of(row));
    }

    public Optional<String> findDocument(String id) {
        try (Connection connection = connect();
                PreparedStatement statement = connection.prepareStatement(
                        "SELECT document::text FROM trajectories WHERE id = ?")) {
            statement.setString(1, id);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    public long count() {
        try (Connection connection = connect();
                PreparedStatement statement = connection.prepareStatement("SELECT count(*) FROM trajectories");
                ResultSet rs = statement.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    public TrajectoryPage query(TrajectoryQuery q) {
        List<Object> params = new ArrayList<>();
        String sql = "SELECT " + SUMMARY_COLUMNS + " FROM trajectories WHERE true" + filters(q, params)
                + " ORDER BY created_at DESC, id DESC LIMIT ?";
        params.add(q.limit() + 1);
        try (Connection connection = connect();
                PreparedStatement statement = prepare(connection, sql, params)) {
            List<TrajectorySummary> rows = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    rows.add(summary(rs));
                }
            }
            String next = null;
            if (rows.size() > q.limit()) {
                rows = rows.subList(0, q.limit());
                TrajectorySummary last = rows.getLast();
                next = new PageCursor(last.createdAt(), last.id()).encode();
            }
            return new TrajectoryPage(List.copyOf(rows), next);
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /**
     * One keyset page of whole documents (JSON text) under the same filters and order as {@link #query}, for
     * walking the store a page at a time: the page after the last one is empty.
     *
     * @param gradedOnly only trajectories that were graded on ingest, i.e. that carry a reference answer
     */
    public List<StoredDocument> documents(TrajectoryQuery q, boolean gradedOnly) {
        List<Object> params = new ArrayList<>();
        String sql = "SELECT id, created_at, document::text, correct, reward FROM trajectories WHERE true" + filters(q, params)
                + (gradedOnly ? " AND correct IS NOT NULL" : "") + " ORDER BY created_at DESC, id DESC LIMIT ?";
        params.add(q.limit());
        try (Connection connection = connect();
                PreparedStatement statement = prepare(connection, sql, params);
                ResultSet rs = statement.executeQuery()) {
            List<StoredDocument> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(new StoredDocument(new PageCursor(rs.getTimestamp(2).toInstant(), rs.getString(1)),
                        rs.getString(3), (Boolean) rs.getObject(4), (Double) rs.getObject(5)));
            }
            return rows;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /** The WHERE conditions of a query's filters and cursor (each starting with AND), their values into params. */
    private static String filters(TrajectoryQuery q, List<Object> params) {
        StringBuilder sql = new StringBuilder();
        where(sql, params, "source = ?", q.source());
        where(sql, params, "problem_id = ?", q.problemId());
        where(sql, params, "model = ?", q.model());
        where(sql, params, "policy_version >= ?", q.minPolicyVersion());
        where(sql, params, "policy_version <= ?", q.maxPolicyVersion());
        where(sql, params, "tool_calls >= ?", q.minToolCalls());
        where(sql, params, "tool_calls <= ?", q.maxToolCalls());
        where(sql, params, "finish_reason = ?", q.finishReason());
        where(sql, params, "correct = ?", q.correct());
        where(sql, params, "created_at >= ?", q.since() == null ? null : Timestamp.from(q.since()));
        if (q.after() != null) {
            sql.append(" AND (created_at, id) < (?, ?)");
            params.add(Timestamp.from(q.after().createdAt()));
            params.add(q.after().id());
        }
        return sql.toString();
    }

    private static PreparedStatement prepare(Connection connection, String sql, List<Object> params)
            throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        try {
            for (int i = 0; i < params.size(); i++) {
                statement.setObject(i + 1, params.get(i));
            }
            return statement;
        } catch (SQLException e) {
            statement.close();
            throw e;
        }
    }

    public StoreStats stats() {
        try (Connection connection = connect()) {
            Map<String, Long> bySource = groupCount(connection, "source");
            Map<String, Long> byFinishReason = groupCount(connection, "coalesce(finish_reason, 'unknown')");
            Map<String, Long> histogram = groupCount(connection, "tool_calls");
            long total = bySource.values().stream().mapToLong(Long::longValue).sum();
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT count(correct), count(*) FILTER (WHERE correct) FROM trajectories");
                    ResultSet rs = statement.executeQuery()) {
                rs.next();
                long graded = rs.getLong(1);
                long correct = rs.getLong(2);
                return new StoreStats(total, bySource, byFinishReason, histogram, graded, correct,
                        graded == 0 ? null : (double) correct / graded);
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private static Map<String, Long> groupCount(Connection connection, String expression) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement("SELECT " + expression
                + " AS k, count(*) FROM trajectories GROUP BY 1 ORDER BY 1");
                ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getLong(2));
            }
        }
        return counts;
    }

    private static void where(StringBuilder sql, List<Object> params, String condition, Object value) {
        if (value != null) {
            sql.append(" AND ").append(condition);
            params.add(value);
        }
    }

    private static TrajectorySummary summary(ResultSet rs) throws SQLException {
        return new TrajectorySummary(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getString(3),
                rs.getString(4), (Long) rs.getObject(5), rs.getString(6), rs.getInt(7), rs.getInt(8), rs.getString(9),
                rs.getInt(10), (Double) rs.getObject(11), (Boolean) rs.getObject(12));
    }

    private static void bind(PreparedStatement s, StoredTrajectory row) throws SQLException {
        s.setString(1, row.id());
        s.setTimestamp(2, Timestamp.from(row.createdAt()));
        s.setString(3, row.source());
        s.setString(4, row.model());
        setNullable(s, 5, row.policyVersion(), Types.BIGINT);
        s.setString(6, row.problemId());
        s.setInt(7, row.toolCalls());
        s.setInt(8, row.formatErrors());
        s.setString(9, row.finishReason());
        s.setInt(10, row.completionTokens());
        setNullable(s, 11, row.reward(), Types.DOUBLE);
        setNullable(s, 12, row.correct(), Types.BOOLEAN);
        s.setString(13, row.document());
    }

    private static void setNullable(PreparedStatement s, int index, Object value, int type) throws SQLException {
        if (value == null) {
            s.setNull(index, type);
        } else {
            s.setObject(index, value, type);
        }
    }

    private Connection connect() throws SQLException {
        return dataSource.getConnection();
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it
        }
    }

    /**
     * A data problem (SQLState classes 22 data exception, 23 integrity, 54 limit exceeded) is the row's fault;
     * anything else (connection lost, server shutting down, pool exhausted) is the database's, and is retried.
     */
    private static RowRejectedException classify(SQLException e) {
        String state = rootState(e);
        if (state != null && (state.startsWith("22") || state.startsWith("23") || state.startsWith("54"))) {
            return new RowRejectedException(firstLine(e), e);
        }
        throw unavailable(e);
    }

    /** A batch failure (BatchUpdateException) carries the statement's own error as its next exception. */
    private static String rootState(SQLException e) {
        SQLException detail = e.getNextException() != null ? e.getNextException() : e;
        return detail.getSQLState() != null ? detail.getSQLState() : e.getSQLState();
    }

    private static StoreUnavailableException unavailable(SQLException e) {
        String kind = e instanceof SQLTransientException || e instanceof SQLRecoverableException
                ? "database unavailable" : "database error";
        return new StoreUnavailableException(kind + ": " + firstLine(e), e);
    }

    private static String firstLine(SQLException e) {
        SQLException detail = e.getNextException() != null ? e.getNextException() : e;
        String message = String.valueOf(detail.getMessage());
        return message.lines().findFirst().orElse(message);
    }
}

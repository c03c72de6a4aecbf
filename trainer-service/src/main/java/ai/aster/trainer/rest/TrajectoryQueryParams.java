package ai.aster.trainer.rest;

import ai.aster.trainer.service.InvalidRequestException;
import ai.aster.trainer.service.PageCursor;
import ai.aster.trainer.service.TrajectoryQuery;
import jakarta.ws.rs.QueryParam;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * The query string of {@code GET /v1/trajectories}, taken as text so that a bad value gets a 400 naming the
 * parameter and what it accepts (not a bare 404, which is what JAX-RS answers for an unparsable typed parameter).
 */
public class TrajectoryQueryParams {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 1000;
    private static final Set<String> SOURCES = TrajectoryQuery.SOURCES;
    private static final Set<String> FINISH_REASONS = TrajectoryQuery.FINISH_REASONS;

    @QueryParam("source") String source;
    @QueryParam("problem_id") String problemId;
    @QueryParam("model") String model;
    @QueryParam("min_policy_version") String minPolicyVersion;
    @QueryParam("max_policy_version") String maxPolicyVersion;
    @QueryParam("min_tool_calls") String minToolCalls;
    @QueryParam("max_tool_calls") String maxToolCalls;
    @QueryParam("finish_reason") String finishReason;
    @QueryParam("correct") String correct;
    @QueryParam("since") String since;
    @QueryParam("cursor") String cursor;
    @QueryParam("limit") String limit;

    TrajectoryQuery toQuery() {
        Long minVersion = nonNegativeLong("min_policy_version", minPolicyVersion);
        Long maxVersion = nonNegativeLong("max_policy_version", maxPolicyVersion);
        if (minVersion != null && maxVersion != null && minVersion > maxVersion) {
            throw new InvalidRequestException("min_policy_version " + minVersion + " is above max_policy_version "
                    + maxVersion, "min_policy_version");
        }
        Integer minTools = nonNegativeInt("min_tool_calls", minToolCalls);
        Integer maxTools = nonNegativeInt("max_tool_calls", maxToolCalls);
        if (minTools != null && maxTools != null && minTools > maxTools) {
            throw new InvalidRequestException("min_tool_calls " + minTools + " is above max_tool_calls " + maxTools,
                    "min_tool_calls");
        }
        Integer pageSize = nonNegativeInt("limit", limit);
        if (pageSize != null && (pageSize < 1 || pageSize > MAX_LIMIT)) {
            throw new InvalidRequestException("limit must be between 1 and " + MAX_LIMIT + ", was " + pageSize, "limit");
        }
        PageCursor after = blank(cursor) ? null : PageCursor.decode(cursor.strip()).orElseThrow(() ->
                new InvalidRequestException("cursor is not a next_cursor this service returned", "cursor"));
        return new TrajectoryQuery(oneOf("source", source, SOURCES), text(problemId), text(model), minVersion,
                maxVersion, minTools, maxTools, oneOf("finish_reason", finishReason, FINISH_REASONS),
                bool("correct", correct), instant("since", since), after, pageSize == null ? DEFAULT_LIMIT : pageSize);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String text(String s) {
        return blank(s) ? null : s.strip();
    }

    private static String oneOf(String param, String value, Set<String> allowed) {
        if (blank(value)) {
            return null;
        }
        if (!allowed.contains(value.strip())) {
            throw new InvalidRequestException(param + " must be one of " + String.join(", ", allowed.stream().sorted()
                    .toList()) + "; was '" + value + "'", param);
        }
        return value.strip();
    }

    private static Long nonNegativeLong(String param, String value) {
        if (blank(value)) {
            return null;
        }
        try {
            long parsed = Long.parseLong(value.strip());
            if (parsed >= 0) {
                return parsed;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw new InvalidRequestException(param + " must be a non-negative integer; was '" + value + "'", param);
    }

    private static Integer nonNegativeInt(String param, String value) {
        Long parsed = nonNegativeLong(param, value);
        if (parsed != null && parsed > Integer.MAX_VALUE) {
            throw new InvalidRequestException(param + " is too large: " + value, param);
        }
        return parsed == null ? null : parsed.intValue();
    }

    private static Boolean bool(String param, String value) {
        if (blank(value)) {
            return null;
        }
        return switch (value.strip()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidRequestException(param + " must be true or false; was '" + value + "'", param);
        };
    }

    /** An ISO-8601 instant ({@code 2026-11-30T08:00:00Z}) or a date ({@code 2026-11-30}, midnight UTC). */
    private static Instant instant(String param, String value) {
        if (blank(value)) {
            return null;
        }
        String v = value.strip();
        try {
            return v.length() == 10 ? LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new InvalidRequestException(param + " must be an ISO-8601 instant (2026-11-30T08:00:00Z) or date "
                    + "(2026-11-30); was '" + value + "'", param);
        }
    }
}

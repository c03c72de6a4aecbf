package ai.aster.gateway.service;

import java.util.List;

/** A validated chat request: one spec per choice ({@code n}), plus what the response needs. */
public record PreparedChat(
        String id, long created, String model, boolean stream, boolean includeUsage, List<TrajectorySpec> specs) {}

-- One row per trajectory id: the whole published JSON, plus the columns the API filters and aggregates on.
CREATE TABLE trajectories (
    id                TEXT        PRIMARY KEY,
    created_at        TIMESTAMPTZ NOT NULL,
    source            TEXT        NOT NULL,
    model             TEXT,
    policy_version    BIGINT,
    problem_id        TEXT,
    tool_calls        INTEGER     NOT NULL DEFAULT 0,
    format_errors     INTEGER     NOT NULL DEFAULT 0,
    finish_reason     TEXT,
    completion_tokens INTEGER     NOT NULL DEFAULT 0,
    reward            DOUBLE PRECISION,
    correct           BOOLEAN,
    stored_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    document          JSONB       NOT NULL
);

-- keyset pagination walks (created_at, id) descending; the filters narrow it
CREATE INDEX trajectories_created_id ON trajectories (created_at DESC, id DESC);
CREATE INDEX trajectories_source ON trajectories (source, created_at DESC);
CREATE INDEX trajectories_problem ON trajectories (problem_id) WHERE problem_id IS NOT NULL;
CREATE INDEX trajectories_model_version ON trajectories (model, policy_version);
CREATE INDEX trajectories_tool_calls ON trajectories (tool_calls);
CREATE INDEX trajectories_finish_reason ON trajectories (finish_reason);
CREATE INDEX trajectories_correct ON trajectories (correct) WHERE correct IS NOT NULL;

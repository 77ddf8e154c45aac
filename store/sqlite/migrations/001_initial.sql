-- The error log, fingerprint groups, patterns, tasks and insights.
-- Timestamps are UTC ISO-8601 text with microseconds ('2024-05-01T12:00:00.000000+00:00'): one
-- fixed width, so text order is time order. JSON columns hold json.dumps text.

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    workspace TEXT NOT NULL,
    description TEXT NOT NULL,
    domain TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'succeeded', 'failed', 'abandoned')),
    created_at TEXT NOT NULL,
    completed_at TEXT,
    tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd REAL NOT NULL DEFAULT 0,
    duration_s REAL,
    protocol_version INTEGER
);
CREATE INDEX tasks_workspace ON tasks (workspace, id);

CREATE TABLE action_items (
    id INTEGER PRIMARY KEY,
    workspace TEXT NOT NULL,
    task_id INTEGER NOT NULL REFERENCES tasks (id),
    parent_id INTEGER REFERENCES action_items (id),
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX action_items_workspace_task ON action_items (workspace, task_id, id);
CREATE INDEX action_items_parent ON action_items (parent_id) WHERE parent_id IS NOT NULL;

CREATE TABLE executions (
    id INTEGER PRIMARY KEY,
    workspace TEXT NOT NULL,
    task_id INTEGER NOT NULL REFERENCES tasks (id),
    action_id INTEGER REFERENCES action_items (id),
    kind TEXT NOT NULL,
    passed INTEGER CHECK (passed IN (0, 1)),
    tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd REAL NOT NULL DEFAULT 0,
    duration_ms REAL NOT NULL DEFAULT 0,
    details TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
);
CREATE INDEX executions_workspace_task ON executions (workspace, task_id, id);

-- The time-indexed error log. Never updated or deleted, so ids only grow.
CREATE TABLE errors (
    id INTEGER PRIMARY KEY,
    workspace TEXT NOT NULL,
    created_at TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    fingerprint_version INTEGER NOT NULL,
    category TEXT NOT NULL,
    source TEXT NOT NULL,
    error_type TEXT,
    message TEXT NOT NULL,
    traceback TEXT,
    code TEXT,
    task_id INTEGER REFERENCES tasks (id),
    action_id INTEGER REFERENCES action_items (id),
    action_category TEXT,
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX errors_workspace ON errors (workspace, id);
CREATE INDEX errors_workspace_created ON errors (workspace, created_at);
CREATE INDEX errors_workspace_fingerprint ON errors (workspace, fingerprint, id);
CREATE INDEX errors_workspace_task ON errors (workspace, task_id, id) WHERE task_id IS NOT NULL;

CREATE TABLE patterns (
    id INTEGER PRIMARY KEY,
    workspace TEXT NOT NULL,
    title TEXT NOT NULL,
    signature TEXT NOT NULL,
    category TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'emerging' CHECK (status IN ('emerging', 'confirmed', 'merged')),
    frequency INTEGER NOT NULL DEFAULT 0,
    distinct_tasks INTEGER NOT NULL DEFAULT 0,
    fingerprints INTEGER NOT NULL DEFAULT 0,
    cohesion REAL NOT NULL DEFAULT 1.0,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    -- Always a live pattern: merging into a pattern re-points everything merged into the absorbed ones.
    merged_into INTEGER REFERENCES patterns (id),
    updated_at TEXT NOT NULL,
    CHECK ((status = 'merged') = (merged_into IS NOT NULL))
);
-- list_patterns: live patterns, most frequent first, then most recent.
CREATE INDEX patterns_live ON patterns (workspace, frequency DESC, last_seen DESC, id DESC) WHERE merged_into IS NULL;
CREATE INDEX patterns_workspace_status ON patterns (workspace, status);
CREATE INDEX patterns_merged_into ON patterns (workspace, merged_into) WHERE merged_into IS NOT NULL;

-- Fingerprint groups: every error with one fingerprint, the unit pattern mining clusters.
CREATE TABLE signatures (
    workspace TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    pattern_id INTEGER NOT NULL REFERENCES patterns (id),
    category TEXT NOT NULL,
    title TEXT NOT NULL,
    features TEXT NOT NULL DEFAULT '{}',
    count INTEGER NOT NULL DEFAULT 0,
    distinct_tasks INTEGER NOT NULL DEFAULT 0,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    first_error_id INTEGER NOT NULL REFERENCES errors (id),
    mined INTEGER NOT NULL DEFAULT 0 CHECK (mined IN (0, 1)),
    PRIMARY KEY (workspace, fingerprint)
);
CREATE INDEX signatures_workspace_pattern ON signatures (workspace, pattern_id);
CREATE INDEX signatures_unmined ON signatures (workspace) WHERE mined = 0;

-- Distinct tasks per group and per pattern, so the counters grow by plain increments.
CREATE TABLE signature_tasks (
    workspace TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    task_id INTEGER NOT NULL REFERENCES tasks (id),
    PRIMARY KEY (workspace, fingerprint, task_id)
) WITHOUT ROWID;

CREATE TABLE pattern_tasks (
    workspace TEXT NOT NULL,
    pattern_id INTEGER NOT NULL REFERENCES patterns (id),
    task_id INTEGER NOT NULL REFERENCES tasks (id),
    PRIMARY KEY (workspace, pattern_id, task_id)
) WITHOUT ROWID;

CREATE TABLE insights (
    id INTEGER PRIMARY KEY,
    workspace TEXT NOT NULL,
    pattern_id INTEGER NOT NULL REFERENCES patterns (id),
    rule TEXT NOT NULL,
    example_wrong TEXT,
    example_right TEXT,
    source TEXT NOT NULL,
    model TEXT,
    tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd REAL NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX insights_workspace_pattern ON insights (workspace, pattern_id, id);

-- Grows whenever a workspace's pattern library changes (new pattern, merge, status or text change).
CREATE TABLE library_versions (
    workspace TEXT PRIMARY KEY,
    version INTEGER NOT NULL
);

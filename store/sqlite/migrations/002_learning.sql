-- The learning loop: protocol rules, protocol versions and their delta log, experiments on rules,
-- per-(rule, task) observations, and a workspace's own action-taxonomy categories.
-- Timestamps and JSON columns as in 001.

CREATE TABLE protocol_rules (
    id INTEGER PRIMARY KEY,
    workspace TEXT NOT NULL,
    text TEXT NOT NULL,
    scope TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('candidate', 'trial', 'adopted', 'retired')),
    example_wrong TEXT,
    example_right TEXT,
    pattern_id INTEGER REFERENCES patterns (id),
    insight_id INTEGER REFERENCES insights (id),
    provenance TEXT NOT NULL DEFAULT '{}',
    helpful INTEGER NOT NULL DEFAULT 0 CHECK (helpful >= 0),
    harmful INTEGER NOT NULL DEFAULT 0 CHECK (harmful >= 0),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX protocol_rules_workspace_status ON protocol_rules (workspace, status, id);
CREATE INDEX protocol_rules_workspace_pattern ON protocol_rules (workspace, pattern_id, id);
-- One rule text per targeted pattern, so concurrent proposals of the same insight cannot duplicate it.
CREATE UNIQUE INDEX protocol_rules_text ON protocol_rules (workspace, coalesce(pattern_id, 0), text);

-- Version n of a workspace's protocol is the fold of every delta op of versions 1..n; version 0
-- is the empty protocol and has no row.
CREATE TABLE protocol_versions (
    workspace TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    created_at TEXT NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (workspace, version)
) WITHOUT ROWID;

CREATE TABLE protocol_ops (
    workspace TEXT NOT NULL,
    version INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('add', 'edit', 'deprecate', 'restore')),
    rule_id INTEGER NOT NULL REFERENCES protocol_rules (id),
    before TEXT,
    after TEXT NOT NULL,
    PRIMARY KEY (workspace, version, seq),
    FOREIGN KEY (workspace, version) REFERENCES protocol_versions (workspace, version),
    CHECK ((op = 'add') = (before IS NULL))
) WITHOUT ROWID;
CREATE INDEX protocol_ops_rule ON protocol_ops (workspace, rule_id);

CREATE TABLE experiments (
    id INTEGER PRIMARY KEY,
    workspace TEXT NOT NULL,
    rule_id INTEGER NOT NULL REFERENCES protocol_rules (id),
    family TEXT NOT NULL,
    ordinal INTEGER NOT NULL CHECK (ordinal >= 1),
    share REAL NOT NULL CHECK (share > 0 AND share < 1),
    alpha REAL NOT NULL CHECK (alpha > 0 AND alpha < 1),
    harm_alpha REAL NOT NULL CHECK (harm_alpha > 0 AND harm_alpha < 1),
    sample_cap INTEGER NOT NULL CHECK (sample_cap >= 1),
    status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'adopted', 'retired', 'stopped')),
    t_tasks INTEGER NOT NULL DEFAULT 0,
    t_events INTEGER NOT NULL DEFAULT 0,
    t_failures INTEGER NOT NULL DEFAULT 0,
    c_tasks INTEGER NOT NULL DEFAULT 0,
    c_events INTEGER NOT NULL DEFAULT 0,
    c_failures INTEGER NOT NULL DEFAULT 0,
    h_tasks INTEGER NOT NULL DEFAULT 0,
    h_events INTEGER NOT NULL DEFAULT 0,
    h_failures INTEGER NOT NULL DEFAULT 0,
    e_value REAL NOT NULL DEFAULT 1,
    e_max REAL NOT NULL DEFAULT 1,
    harm_e_value REAL NOT NULL DEFAULT 1,
    started_at TEXT NOT NULL,
    decided_at TEXT,
    decision TEXT,
    CHECK ((status = 'running') = (decided_at IS NULL))
);
-- The alpha-spending index j is unique within its family, and a rule has at most one running trial.
CREATE UNIQUE INDEX experiments_family_ordinal ON experiments (workspace, family, ordinal);
CREATE UNIQUE INDEX experiments_running_rule ON experiments (workspace, rule_id) WHERE status = 'running';
CREATE INDEX experiments_workspace_rule ON experiments (workspace, rule_id, id);

-- Which arm a task was in for a rule (recorded when the rule was relevant to it), and the
-- outcome once the task closed. One row per (rule, task): an outcome is recorded once.
CREATE TABLE rule_observations (
    workspace TEXT NOT NULL,
    rule_id INTEGER NOT NULL REFERENCES protocol_rules (id),
    task_id INTEGER NOT NULL REFERENCES tasks (id),
    experiment_id INTEGER REFERENCES experiments (id),
    arm TEXT NOT NULL CHECK (arm IN ('treatment', 'control', 'holdout')),
    recurred INTEGER CHECK (recurred IN (0, 1)),
    succeeded INTEGER CHECK (succeeded IN (0, 1)),
    assigned_at TEXT NOT NULL,
    observed_at TEXT,
    PRIMARY KEY (workspace, rule_id, task_id),
    CHECK ((recurred IS NULL) = (observed_at IS NULL))
) WITHOUT ROWID;
CREATE INDEX rule_observations_task ON rule_observations (workspace, task_id);
CREATE INDEX rule_observations_experiment ON rule_observations (workspace, experiment_id, arm);

CREATE TABLE taxonomy_categories (
    workspace TEXT NOT NULL,
    category TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    keywords TEXT NOT NULL DEFAULT '[]',
    error_categories TEXT NOT NULL DEFAULT '[]',
    phase TEXT,
    always INTEGER NOT NULL DEFAULT 0 CHECK (always IN (0, 1)),
    position INTEGER NOT NULL DEFAULT 500,
    created_at TEXT NOT NULL,
    PRIMARY KEY (workspace, category)
) WITHOUT ROWID;

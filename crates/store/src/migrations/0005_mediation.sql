-- Mediation cases (矛盾纠纷调解): the public part's projection, rewritten on
-- every save from the fold, with what the case adds to the figures. `households` is the case's linked households,
-- comma-joined, for the household page. The private part has no projection
-- beyond its document: it is read whole, by the one case it belongs to.
CREATE TABLE mediations (
    id             TEXT PRIMARY KEY,
    grid           TEXT NOT NULL,
    case_type      TEXT NOT NULL,
    stage          TEXT,
    warning        INTEGER NOT NULL,
    kind           TEXT NOT NULL,
    source         TEXT NOT NULL,
    reporter       TEXT NOT NULL,
    registered_at  TEXT NOT NULL,
    deadline       TEXT,
    concluded_at   TEXT,
    households     TEXT NOT NULL,
    from_issue     TEXT,
    refused_events INTEGER NOT NULL,
    summary        TEXT NOT NULL,
    -- What the case adds to the figures (model::mediation::CaseFacts): 0 or 1,
    -- on_time NULL while not concluded.
    agreed         INTEGER NOT NULL,
    confirmed      INTEGER NOT NULL,
    followed_up    INTEGER NOT NULL,
    fully_performed INTEGER NOT NULL,
    on_time        INTEGER
);
CREATE INDEX mediations_stage ON mediations (stage, warning);
CREATE INDEX mediations_grid ON mediations (grid);
CREATE INDEX mediations_from_issue ON mediations (from_issue) WHERE from_issue IS NOT NULL;

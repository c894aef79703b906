//! The SQLite schema and its migrations, tracked with `PRAGMA user_version`.

/// Migrations in order; migration `i` moves the database to version `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE approved (
    name          TEXT PRIMARY KEY,
    reference     TEXT NOT NULL,
    repository    TEXT,
    tag           TEXT,
    digest        TEXT,
    config_digest TEXT,
    platform      TEXT,
    approved_by   TEXT NOT NULL,
    reason        TEXT,
    approved_at   TEXT NOT NULL,
    config        TEXT NOT NULL
);
CREATE INDEX approved_repository ON approved(repository);
CREATE INDEX approved_digest ON approved(digest);
CREATE TABLE approved_files (
    name   TEXT NOT NULL REFERENCES approved(name) ON DELETE CASCADE,
    path   TEXT NOT NULL,
    type   TEXT NOT NULL,
    mode   TEXT NOT NULL,
    uid    INTEGER NOT NULL,
    gid    INTEGER NOT NULL,
    size   INTEGER NOT NULL,
    sha256 TEXT,
    layer  INTEGER NOT NULL,
    PRIMARY KEY (name, path)
) WITHOUT ROWID;
CREATE TABLE approved_findings (
    name        TEXT NOT NULL REFERENCES approved(name) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL,
    code        TEXT NOT NULL,
    severity    TEXT NOT NULL,
    path        TEXT,
    sha256      TEXT,
    layer       INTEGER,
    title       TEXT NOT NULL,
    evidence    TEXT NOT NULL,
    PRIMARY KEY (name, fingerprint)
) WITHOUT ROWID;
CREATE TABLE events (
    id     INTEGER PRIMARY KEY,
    time   TEXT NOT NULL,
    action TEXT NOT NULL,
    name   TEXT NOT NULL,
    detail TEXT
);
CREATE TABLE scans (
    id           INTEGER PRIMARY KEY,
    time         TEXT NOT NULL,
    reference    TEXT NOT NULL,
    digest       TEXT,
    baseline     TEXT,
    verdict      TEXT NOT NULL,
    findings     INTEGER NOT NULL,
    new_findings INTEGER
);
CREATE TABLE layer_cache (
    key       TEXT PRIMARY KEY,
    data      BLOB NOT NULL,
    created   TEXT NOT NULL
);
"#,
    r#"
CREATE TABLE approved_packages (
    name    TEXT NOT NULL REFERENCES approved(name) ON DELETE CASCADE,
    manager TEXT NOT NULL,
    package TEXT NOT NULL,
    version TEXT NOT NULL,
    arch    TEXT NOT NULL,
    PRIMARY KEY (name, manager, package, arch)
) WITHOUT ROWID;
"#,
    r#"
CREATE TABLE serve_jobs (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    digest      TEXT NOT NULL,
    repository  TEXT NOT NULL,
    registry    TEXT NOT NULL,
    reference   TEXT NOT NULL,
    origin      TEXT NOT NULL,
    state       TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    not_before  REAL NOT NULL,
    lease_owner TEXT,
    lease_until REAL,
    last_error  TEXT,
    auth        TEXT,
    created     REAL NOT NULL,
    started     REAL,
    finished    REAL,
    verdict     TEXT,
    result      TEXT
);
CREATE INDEX serve_jobs_ready ON serve_jobs(state, not_before);
CREATE INDEX serve_jobs_digest ON serve_jobs(digest, finished);
CREATE TABLE serve_requests (
    id         INTEGER PRIMARY KEY,
    job        INTEGER NOT NULL REFERENCES serve_jobs(id),
    origin     TEXT NOT NULL,
    repository TEXT NOT NULL,
    tag        TEXT,
    event_id   TEXT,
    received   REAL NOT NULL
);
CREATE INDEX serve_requests_job ON serve_requests(job);
CREATE TABLE serve_outbox (
    id         INTEGER PRIMARY KEY,
    event_id   TEXT NOT NULL,
    target     TEXT NOT NULL,
    body       TEXT NOT NULL,
    state      TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    not_before REAL NOT NULL,
    last_error TEXT,
    created    REAL NOT NULL,
    delivered  REAL,
    UNIQUE (event_id, target)
);
CREATE INDEX serve_outbox_ready ON serve_outbox(state, not_before);
"#,
    // 4: audit history (`stowaway audit`): one row per run, one per image
    // (by digest, or by reference while unpinned) with its findings'
    // fingerprints, so the next run reports what appeared, disappeared and
    // which findings are new.
    r#"
CREATE TABLE audit_runs (
    id        INTEGER PRIMARY KEY,
    time      TEXT NOT NULL,
    source    TEXT NOT NULL,
    verdict   TEXT NOT NULL,
    workloads INTEGER NOT NULL,
    images    INTEGER NOT NULL
);
CREATE TABLE audit_images (
    run          INTEGER NOT NULL REFERENCES audit_runs(id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    reference    TEXT NOT NULL,
    verdict      TEXT NOT NULL,
    fingerprints TEXT NOT NULL,
    PRIMARY KEY (run, key)
) WITHOUT ROWID;
"#,
];

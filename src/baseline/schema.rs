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
];

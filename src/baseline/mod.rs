//! The baseline store: one SQLite database (WAL, migrations by
//! `user_version`, every write in a transaction) holding approved images as
//! facts (file manifest, findings, config), scan history, and the per-layer
//! cache. Many processes may use it at once: readers never wait on a
//! writer, writers wait for each other up to a timeout.

mod audit;
mod busy;
mod export;
mod schema;

pub use audit::{AuditImageRecord, AuditRun, AuditRunRecord};
pub use export::{ExportFile, FORMAT_VERSION};

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::facts::{FileRecord, FindingRecord, ImageFacts, ImageMeta, PackageRecord};
use crate::model::Verdict;
use crate::time::now_rfc3339;

/// An approved image, without its files.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Approval {
    pub name: String,
    pub image: ImageMeta,
    pub approved_by: String,
    pub reason: Option<String>,
    pub approved_at: String,
    pub files: usize,
    pub findings: usize,
}

/// A scan to record in the history.
pub struct ScanRecord<'a> {
    pub reference: &'a str,
    pub digest: Option<&'a str>,
    pub baseline: Option<&'a str>,
    pub verdict: Verdict,
    pub findings: usize,
    pub new_findings: Option<usize>,
}

/// The store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// Where the database is when no `--db` is given: `$STOWAWAY_DB`, else
/// `$XDG_DATA_HOME/stowaway/stowaway.db`, else `~/.local/share/stowaway/stowaway.db`.
pub fn default_path() -> PathBuf {
    if let Some(p) = std::env::var_os("STOWAWAY_DB").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    data.join("stowaway").join("stowaway.db")
}

impl Store {
    /// Open (creating and migrating if needed) the database at `path`. An
    /// existing store that cannot be written (a read-only file or
    /// filesystem) is opened read-only: reading commands work, writes fail
    /// with SQLite's "readonly database" error naming the file.
    /// A store another connection keeps locked past the busy timeout is an
    /// error, never a reason to read it read-only.
    pub fn open(path: &Path) -> Result<Store> {
        match Self::open_writable(path) {
            Ok(s) => Ok(s),
            Err(f) if !f.busy && path.is_file() => Self::open_read_only(path).map_err(|_| f.error),
            Err(f) => Err(f.error),
        }
    }

    /// Open an existing store only for reading, never creating, migrating or
    /// locking it (SQLite's `immutable` mode: right for a read-only
    /// filesystem, where no one can be writing it).
    pub fn open_read_only(path: &Path) -> Result<Store> {
        use rusqlite::OpenFlags;
        let uri = format!("file:{}?immutable=1", uri_escape(path));
        let conn = Connection::open_with_flags(
            &uri,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| db_err(path, e))?;
        let store = Store {
            conn,
            path: path.into(),
        };
        let version: i64 = store
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| store.err(e))?;
        if version as usize != schema::MIGRATIONS.len() {
            return Err(Error::Baseline {
                db: path.into(),
                reason: format!(
                    "read-only store has schema version {version}, this stowaway needs {}; \
                     open it once where it can be written to migrate it",
                    schema::MIGRATIONS.len()
                ),
            });
        }
        Ok(store)
    }

    /// True if this store cannot be written.
    pub fn is_read_only(&self) -> bool {
        self.conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(true)
    }

    fn open_writable(path: &Path) -> std::result::Result<Store, OpenFailure> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let conn = Connection::open(path).map_err(|e| OpenFailure::db(path, e))?;
        let mut store = Store {
            conn,
            path: path.into(),
        };
        store.setup()?;
        Ok(store)
    }

    fn err(&self, e: rusqlite::Error) -> Error {
        db_err(&self.path, e)
    }

    /// Connection settings, WAL mode and migrations. Every statement here
    /// that can fail with SQLITE_BUSY without waiting is retried.
    fn setup(&mut self) -> std::result::Result<(), OpenFailure> {
        let path = self.path.clone();
        let fail = |e| OpenFailure::db(&path, e);
        self.conn.busy_timeout(busy::TIMEOUT).map_err(fail)?;
        // Read first: a connection learns that the file is already in WAL
        // mode only by reading it, and then the switch below is a no-op that
        // takes no lock. Only the first opens of a fresh file switch it, and
        // those can race (see `busy`).
        busy::retry(|| self.schema_version()).map_err(fail)?;
        busy::retry(|| {
            self.conn
                .query_row("PRAGMA journal_mode=WAL", [], |r| r.get::<_, String>(0))
        })
        .map_err(fail)?;
        self.conn
            .execute_batch("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")
            .map_err(fail)?;
        let version = busy::retry(|| self.schema_version()).map_err(fail)?;
        if version > schema::MIGRATIONS.len() {
            return Err(Error::Baseline {
                db: self.path.clone(),
                reason: format!(
                    "database schema version {version} is newer than this stowaway understands ({})",
                    schema::MIGRATIONS.len()
                ),
            }
            .into());
        }
        if version < schema::MIGRATIONS.len() {
            busy::retry(|| self.migrate()).map_err(fail)?;
        }
        Ok(())
    }

    /// `PRAGMA user_version`: how many migrations the file has had.
    fn schema_version(&self) -> rusqlite::Result<usize> {
        let v: i64 = (self.conn).query_row("PRAGMA user_version", [], |r| r.get(0))?;
        Ok(v as usize)
    }

    /// Apply the migrations the file lacks, in one write transaction.
    fn migrate(&mut self) -> rusqlite::Result<()> {
        let tx = (self.conn).transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Re-read inside the write lock: another process may have migrated.
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        for (i, m) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(m)?;
            tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))?;
        }
        tx.commit()
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Approve `facts` under `name`, replacing an earlier approval of that
    /// name, all in one transaction.
    pub fn approve(
        &mut self,
        name: &str,
        facts: &ImageFacts,
        approved_by: &str,
        reason: Option<&str>,
    ) -> Result<()> {
        self.approve_at(name, facts, approved_by, reason, &now_rfc3339())
    }

    fn approve_at(
        &mut self,
        name: &str,
        facts: &ImageFacts,
        by: &str,
        reason: Option<&str>,
        at: &str,
    ) -> Result<()> {
        let path = self.path.clone();
        let e = |e: rusqlite::Error| db_err(&path, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        tx.execute("DELETE FROM approved WHERE name = ?1", [name])
            .map_err(e)?;
        let m = &facts.image;
        tx.execute(
            "INSERT INTO approved (name, reference, repository, tag, digest, config_digest, platform, approved_by, reason, approved_at, config)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                name,
                m.reference,
                m.repository,
                m.tag,
                m.digest,
                m.config_digest,
                m.platform,
                by,
                reason,
                at,
                serde_json::to_string(&facts.config).unwrap_or_default()
            ],
        )
        .map_err(e)?;
        insert_files(&tx, name, &facts.files).map_err(e)?;
        insert_packages(&tx, name, &facts.packages).map_err(e)?;
        insert_findings(&tx, name, &facts.findings).map_err(e)?;
        pause_for_tests();
        tx.execute(
            "INSERT INTO events (time, action, name, detail) VALUES (?1, 'approve', ?2, ?3)",
            params![
                now_rfc3339(),
                name,
                m.digest.clone().unwrap_or_else(|| m.reference.clone())
            ],
        )
        .map_err(e)?;
        tx.commit().map_err(e)
    }

    /// Every approval, by name.
    pub fn list(&self) -> Result<Vec<Approval>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT a.name, a.reference, a.repository, a.tag, a.digest, a.config_digest, a.platform, a.approved_by, a.reason, a.approved_at,
                        (SELECT COUNT(*) FROM approved_files f WHERE f.name = a.name),
                        (SELECT COUNT(*) FROM approved_findings g WHERE g.name = a.name)
                 FROM approved a ORDER BY a.name",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| {
                Ok(Approval {
                    name: r.get(0)?,
                    image: ImageMeta {
                        reference: r.get(1)?,
                        repository: r.get(2)?,
                        tag: r.get(3)?,
                        digest: r.get(4)?,
                        config_digest: r.get(5)?,
                        platform: r.get(6)?,
                    },
                    approved_by: r.get(7)?,
                    reason: r.get(8)?,
                    approved_at: r.get(9)?,
                    files: r.get::<_, i64>(10)? as usize,
                    findings: r.get::<_, i64>(11)? as usize,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))
    }

    /// One approval with its facts.
    pub fn get(&self, name: &str) -> Result<Option<(Approval, ImageFacts)>> {
        let Some(approval) = self.list()?.into_iter().find(|a| a.name == name) else {
            return Ok(None);
        };
        let config: String = self
            .conn
            .query_row("SELECT config FROM approved WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .map_err(|e| self.err(e))?;
        let facts = ImageFacts {
            image: approval.image.clone(),
            config: serde_json::from_str(&config).unwrap_or_default(),
            files: read_files(&self.conn, name).map_err(|e| self.err(e))?,
            findings: read_findings(&self.conn, name).map_err(|e| self.err(e))?,
            packages: read_packages(&self.conn, name).map_err(|e| self.err(e))?,
        };
        Ok(Some((approval, facts)))
    }
    /// Withdraw an approval. Returns false if there was none.
    pub fn revoke(&mut self, name: &str) -> Result<bool> {
        let path = self.path.clone();
        let e = |e: rusqlite::Error| db_err(&path, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        let n = tx
            .execute("DELETE FROM approved WHERE name = ?1", [name])
            .map_err(e)?;
        if n > 0 {
            tx.execute(
                "INSERT INTO events (time, action, name, detail) VALUES (?1, 'revoke', ?2, NULL)",
                params![now_rfc3339(), name],
            )
            .map_err(e)?;
        }
        tx.commit().map_err(e)?;
        Ok(n > 0)
    }

    /// Approvals of a repository, newest first.
    pub fn approvals_of(&self, repository: &str) -> Result<Vec<Approval>> {
        let mut v: Vec<Approval> = self
            .list()?
            .into_iter()
            .filter(|a| a.image.repository.as_deref() == Some(repository))
            .collect();
        v.sort_by(|a, b| b.approved_at.cmp(&a.approved_at).then(a.name.cmp(&b.name)));
        Ok(v)
    }

    /// Record a scan in the history.
    pub fn record_scan(&self, s: &ScanRecord<'_>) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO scans (time, reference, digest, baseline, verdict, findings, new_findings) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    now_rfc3339(),
                    s.reference,
                    s.digest,
                    s.baseline,
                    s.verdict.as_str(),
                    s.findings as i64,
                    s.new_findings.map(|n| n as i64)
                ],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// A cached layer result.
    pub fn cache_get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        self.conn
            .query_row("SELECT data FROM layer_cache WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Store a layer result.
    pub fn cache_put(&self, key: &str, data: &[u8]) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO layer_cache (key, data, created) VALUES (?1, ?2, ?3)",
                params![key, data, now_rfc3339()],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// `PRAGMA integrity_check`: "ok" when the database is sound.
    pub fn integrity_check(&self) -> Result<String> {
        self.conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }
}

/// The store as a layer cache, shareable between scan threads.
pub struct SharedCache(pub std::sync::Mutex<Store>);

impl crate::layer::cache::LayerCache for SharedCache {
    fn get(&self, key: &str) -> Option<Vec<u8>> {
        self.0.lock().ok()?.cache_get(key).ok().flatten()
    }
    fn put(&self, key: &str, data: &[u8]) {
        if let Ok(s) = self.0.lock() {
            let _ = s.cache_put(key, data);
        }
    }
}

/// A path as the path part of an SQLite `file:` URI.
fn uri_escape(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut out = String::new();
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Store an approval's file manifest.
fn insert_files(db: &Connection, name: &str, files: &[FileRecord]) -> rusqlite::Result<()> {
    let mut ins = db.prepare("INSERT OR REPLACE INTO approved_files (name, path, type, mode, uid, gid, size, sha256, layer) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")?;
    for f in files {
        ins.execute(params![
            name,
            f.path,
            f.kind,
            f.mode,
            f.uid as i64,
            f.gid as i64,
            f.size as i64,
            f.sha256,
            f.layer as i64
        ])?;
    }
    Ok(())
}

/// Store an approval's installed packages.
fn insert_packages(
    db: &Connection,
    name: &str,
    packages: &[PackageRecord],
) -> rusqlite::Result<()> {
    let mut ins = db.prepare("INSERT OR IGNORE INTO approved_packages (name, manager, package, version, arch) VALUES (?1, ?2, ?3, ?4, ?5)")?;
    for p in packages {
        ins.execute(params![
            name,
            p.manager,
            p.name,
            p.version,
            p.arch.as_deref().unwrap_or("")
        ])?;
    }
    Ok(())
}

/// Store an approval's findings.
fn insert_findings(
    db: &Connection,
    name: &str,
    findings: &[FindingRecord],
) -> rusqlite::Result<()> {
    let mut ins = db.prepare("INSERT OR IGNORE INTO approved_findings (name, fingerprint, code, severity, path, sha256, layer, title, evidence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")?;
    for f in findings {
        ins.execute(params![
            name,
            f.fingerprint,
            f.code,
            f.severity.as_str(),
            f.path,
            f.sha256,
            f.layer.map(|l| l as i64),
            f.title,
            serde_json::to_string(&f.evidence).unwrap_or_default()
        ])?;
    }
    Ok(())
}

/// An approval's file manifest, by path.
fn read_files(db: &Connection, name: &str) -> rusqlite::Result<Vec<FileRecord>> {
    let mut st = db.prepare("SELECT path, type, mode, uid, gid, size, sha256, layer FROM approved_files WHERE name = ?1 ORDER BY path")?;
    let rows = st.query_map([name], |r| {
        Ok(FileRecord {
            path: r.get(0)?,
            kind: r.get(1)?,
            mode: r.get(2)?,
            uid: r.get::<_, i64>(3)? as u64,
            gid: r.get::<_, i64>(4)? as u64,
            size: r.get::<_, i64>(5)? as u64,
            sha256: r.get(6)?,
            layer: r.get::<_, i64>(7)? as usize,
        })
    })?;
    rows.collect()
}

/// An approval's findings, by fingerprint.
fn read_findings(db: &Connection, name: &str) -> rusqlite::Result<Vec<FindingRecord>> {
    let mut st = db.prepare("SELECT fingerprint, code, severity, path, sha256, layer, title, evidence FROM approved_findings WHERE name = ?1 ORDER BY fingerprint")?;
    let rows = st.query_map([name], |r| {
        let sev: String = r.get(2)?;
        let ev: String = r.get(7)?;
        Ok(FindingRecord {
            fingerprint: r.get(0)?,
            code: r.get(1)?,
            severity: sev.parse().unwrap_or(crate::finding::Severity::Info),
            path: r.get(3)?,
            sha256: r.get(4)?,
            layer: r.get::<_, Option<i64>>(5)?.map(|l| l as usize),
            title: r.get(6)?,
            evidence: serde_json::from_str(&ev).unwrap_or_default(),
            items: Vec::new(),
            subject: None,
        })
    })?;
    rows.collect()
}

/// An approval's installed packages.
fn read_packages(db: &Connection, name: &str) -> rusqlite::Result<Vec<PackageRecord>> {
    let mut st = db.prepare("SELECT manager, package, version, arch FROM approved_packages WHERE name = ?1 ORDER BY manager, package, arch")?;
    let rows = st.query_map([name], |r| {
        let arch: String = r.get(3)?;
        Ok(PackageRecord {
            manager: r.get(0)?,
            name: r.get(1)?,
            version: r.get(2)?,
            arch: (!arch.is_empty()).then_some(arch),
        })
    })?;
    rows.collect()
}

/// Why a store could not be opened writable; `busy` when another
/// connection held the lock past the timeout.
struct OpenFailure {
    error: Error,
    busy: bool,
}

impl OpenFailure {
    fn db(path: &Path, e: rusqlite::Error) -> OpenFailure {
        OpenFailure {
            busy: busy::is_busy(&e),
            error: db_err(path, e),
        }
    }
}

impl From<Error> for OpenFailure {
    fn from(error: Error) -> OpenFailure {
        OpenFailure { error, busy: false }
    }
}

fn db_err(path: &Path, e: rusqlite::Error) -> Error {
    Error::Baseline {
        db: path.into(),
        reason: e.to_string(),
    }
}

/// Tests stop a process in the middle of an approval to check atomicity:
/// `STOWAWAY_TEST_APPROVE_PAUSE_MS` sleeps inside the write transaction,
/// after creating the file named by `STOWAWAY_TEST_APPROVE_MARKER`.
fn pause_for_tests() {
    if let Some(ms) = std::env::var("STOWAWAY_TEST_APPROVE_PAUSE_MS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        if let Some(marker) = std::env::var_os("STOWAWAY_TEST_APPROVE_MARKER") {
            let _ = std::fs::write(marker, b"in transaction");
        }
        std::thread::sleep(Duration::from_millis(ms));
    }
}

#[cfg(test)]
mod tests;

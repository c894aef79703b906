//! The audit history in the store (migration 4): each `stowaway audit` run
//! (or merge of shard reports) with, per image, its verdict and the
//! fingerprints of its findings. Plain values in and out; what changed is
//! computed by the audit front end.

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{Store, db_err};
use crate::error::Result;
use crate::time::now_rfc3339;

/// One image of an audit run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditImageRecord {
    /// The digest, or the reference of an unpinned image never resolved.
    pub key: String,
    pub reference: String,
    pub verdict: String,
    pub fingerprints: Vec<String>,
}

/// An audit run to record.
pub struct AuditRunRecord<'a> {
    pub source: &'a str,
    pub verdict: &'a str,
    pub workloads: usize,
    pub images: &'a [AuditImageRecord],
}

/// A recorded audit run.
#[derive(Clone, Debug)]
pub struct AuditRun {
    pub id: i64,
    pub time: String,
    pub source: String,
    pub images: Vec<AuditImageRecord>,
}

impl Store {
    /// Record an audit run; its id.
    pub fn record_audit(&mut self, run: &AuditRunRecord<'_>) -> Result<i64> {
        let path = self.path.clone();
        let err = |e| db_err(&path, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        tx.execute(
            "INSERT INTO audit_runs (time, source, verdict, workloads, images) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![now_rfc3339(), run.source, run.verdict, run.workloads as i64, run.images.len() as i64],
        )
        .map_err(err)?;
        let id = tx.last_insert_rowid();
        {
            let mut stmt = tx
                .prepare("INSERT OR REPLACE INTO audit_images (run, key, reference, verdict, fingerprints) VALUES (?1, ?2, ?3, ?4, ?5)")
                .map_err(err)?;
            for i in run.images {
                let fps = serde_json::to_string(&i.fingerprints).unwrap_or_else(|_| "[]".into());
                stmt.execute(params![id, i.key, i.reference, i.verdict, fps])
                    .map_err(err)?;
            }
        }
        tx.commit().map_err(err)?;
        Ok(id)
    }

    /// An audit run by id, or the newest one (`None`).
    pub fn audit_run(&self, id: Option<i64>) -> Result<Option<AuditRun>> {
        let head = self
            .conn
            .query_row(
                "SELECT id, time, source FROM audit_runs WHERE ?1 IS NULL OR id = ?1 ORDER BY id DESC LIMIT 1",
                [id],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((id, time, source)) = head else {
            return Ok(None);
        };
        let mut stmt = self
            .conn
            .prepare("SELECT key, reference, verdict, fingerprints FROM audit_images WHERE run = ?1 ORDER BY key")
            .map_err(|e| self.err(e))?;
        let images = stmt
            .query_map([id], |r| {
                let fps: String = r.get(3)?;
                Ok(AuditImageRecord {
                    key: r.get(0)?,
                    reference: r.get(1)?,
                    verdict: r.get(2)?,
                    fingerprints: serde_json::from_str(&fps).unwrap_or_default(),
                })
            })
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))?;
        Ok(Some(AuditRun {
            id,
            time,
            source,
            images,
        }))
    }
}

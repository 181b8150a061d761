//! The audit trail: who (user, device) changed which record when.
//!
//! One row per applied change to a document (a device's push, an admin's
//! import of a revoked device's changes, the hub's own writes: spreadsheet
//! imports, demo data, claim grants), and per enrolment, revocation and
//! lifting of enrolment locks, per change of the street's time limits, and per admin read of what the hub holds
//! (and per reveal of ID numbers in full, by an admin on the hub or a user on a device). Rows are written in the transaction that makes
//! the change, so the trail never disagrees with the documents. `gridline hub audit` reads it.

use gridline_model::Instant;
use rusqlite::{params, Transaction};

use crate::{Hub, Result};

/// What happened, as stored in `audit.action`.
pub mod action {
    /// A device's pushed change, applied.
    pub const PUSH: &str = "push";
    /// A document the hub wrote itself on an admin's request (spreadsheet import, demo data).
    pub const HUB_WRITE: &str = "hub-write";
    /// The hub granted or refused a wish claim (its own event).
    pub const CLAIM_GRANT: &str = "claim-grant";
    pub const CLAIM_REFUSE: &str = "claim-refuse";
    /// A device enrolled with a code.
    pub const ENROL: &str = "enrol";
    /// An admin cleared recorded bad enrolment codes (`gridline hub enrol-unlock`).
    pub const ENROL_UNLOCK: &str = "enrol-unlock";
    /// An admin revoked a device.
    pub const REVOKE: &str = "revoke";
    /// An admin imported a revoked device's exported change.
    pub const IMPORT: &str = "import";
    /// An admin's import refused a change (recorded, nothing applied).
    pub const IMPORT_REFUSED: &str = "import-refused";
    /// A device's push the hub refused (anything but `missing_deps`).
    pub const REFUSED: &str = "refused";
    /// A device's push naming a record the hub holds but the device may not
    /// read: answered as an unknown id, recorded here with the record's kind.
    pub const PROBE: &str = "probe";
    /// An admin read what the hub holds (`gridline hub households|issues|wishes|show`).
    pub const ADMIN_READ: &str = "admin-read";
    /// An admin showed a record's ID numbers in full (`gridline hub show --reveal`).
    pub const ADMIN_REVEAL: &str = "admin-reveal";
    /// An admin set the street's time limits (`gridline hub limits set`).
    pub const LIMITS: &str = "limits";
    /// A device's user showed a household's ID numbers in full (the app,
    /// `gridline household show --reveal`, an export), as its reveal entry
    /// says; the user is the device's binding's.
    pub const DEVICE_REVEAL: &str = "device-reveal";
    /// An admin asked for a device to be wiped (`gridline hub wipe`).
    pub const WIPE_REQUEST: &str = "wipe-request";
    /// The device erased its store and key, after the hub held all it had.
    pub const WIPED: &str = "wiped";
}

/// One audit row to write.
pub(crate) struct Entry<'a> {
    pub at: Instant,
    pub device_id: Option<&'a str>,
    pub user_id: &'a str,
    /// The record (document id), the device id for enrolment and revocation,
    /// or the source cleared (`*` for all) for lifting enrolment locks.
    pub doc_id: &'a str,
    /// Record kind (`household`, `wish`, …), `device` or `enrolment`.
    pub kind: &'a str,
    pub action: &'a str,
    pub admin: Option<&'a str>,
    pub detail: &'a str,
}

pub(crate) fn write(tx: &Transaction<'_>, e: &Entry<'_>) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO audit (at, device_id, user_id, doc_id, kind, action, admin, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        gridline_records::fmt_time(e.at),
        e.device_id,
        e.user_id,
        e.doc_id,
        e.kind,
        e.action,
        e.admin,
        e.detail,
    ])?;
    Ok(())
}

/// A filter for [`Hub::audit`]; empty fields match everything.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub record: Option<String>,
    pub user: Option<String>,
    pub device: Option<String>,
    /// Rows at or after this time.
    pub since: Option<Instant>,
    /// The most recent `limit` rows (default 100).
    pub limit: Option<usize>,
}

/// One audit row as read back.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub user_id: String,
    pub device_id: Option<String>,
    pub record: String,
    pub kind: String,
    pub action: String,
    pub admin: Option<String>,
    pub detail: String,
}

impl Hub {
    /// Audit rows matching `q`, oldest first (the most recent `limit` of them).
    pub fn audit(&self, q: &AuditQuery) -> Result<Vec<AuditRow>> {
        let mut sql = String::from(
            "SELECT id, at, user_id, device_id, doc_id, kind, action, admin, detail FROM audit WHERE 1 = 1",
        );
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        if let Some(r) = &q.record {
            sql.push_str(" AND doc_id = ?");
            args.push(r.clone().into());
        }
        if let Some(u) = &q.user {
            sql.push_str(" AND user_id = ?");
            args.push(u.clone().into());
        }
        if let Some(d) = &q.device {
            sql.push_str(" AND device_id = ?");
            args.push(d.clone().into());
        }
        if let Some(t) = q.since {
            sql.push_str(" AND at >= ?");
            args.push(gridline_records::fmt_time(t).into());
        }
        sql.push_str(" ORDER BY id DESC LIMIT ?");
        args.push((q.limit.unwrap_or(100).min(i64::MAX as usize) as i64).into());
        let conn = self.conn();
        let mut st = conn.prepare(&sql)?;
        let mut rows = st
            .query_map(rusqlite::params_from_iter(args), |r| {
                Ok(AuditRow {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    user_id: r.get(2)?,
                    device_id: r.get(3)?,
                    record: r.get(4)?,
                    kind: r.get(5)?,
                    action: r.get(6)?,
                    admin: r.get(7)?,
                    detail: r.get(8)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.reverse();
        Ok(rows)
    }
}

/// A filter for [`Hub::reveals`]; empty fields match everything.
#[derive(Debug, Clone, Default)]
pub struct RevealQuery {
    pub user: Option<String>,
    /// Reveals made at or after this time.
    pub since: Option<Instant>,
    /// The most recent `limit` reveals (default 100).
    pub limit: Option<usize>,
}

/// One reveal of ID numbers on a device, as the hub audited it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RevealRow {
    /// The device's entry id (UUID v7).
    pub id: String,
    /// The audit row it is.
    pub audit_id: i64,
    /// When the numbers were shown, as the device said.
    pub at: String,
    /// When the hub took the entry.
    pub received_at: String,
    pub user_id: String,
    pub user_name: String,
    pub device_id: String,
    pub household: String,
    /// The household's community when the reveal arrived, if the hub held it.
    pub community: Option<String>,
    /// `app`, `cli` or `export`.
    pub via: String,
    pub reason: Option<String>,
}

impl Hub {
    /// Reveals of ID numbers on devices matching `q`, oldest first (the
    /// most recent `limit` of them).
    pub fn reveals(&self, q: &RevealQuery) -> Result<Vec<RevealRow>> {
        let mut sql = String::from(
            "SELECT id, audit_id, at, received_at, user_id, user_name, device_id, household,
                    community, via, reason FROM reveals WHERE 1 = 1",
        );
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        if let Some(u) = &q.user {
            sql.push_str(" AND user_id = ?");
            args.push(u.clone().into());
        }
        if let Some(t) = q.since {
            sql.push_str(" AND at >= ?");
            args.push(gridline_records::fmt_time(t).into());
        }
        sql.push_str(" ORDER BY at DESC, id DESC LIMIT ?");
        args.push((q.limit.unwrap_or(100).min(i64::MAX as usize) as i64).into());
        let conn = self.conn();
        let mut st = conn.prepare(&sql)?;
        let mut rows = st
            .query_map(rusqlite::params_from_iter(args), |r| {
                Ok(RevealRow {
                    id: r.get(0)?,
                    audit_id: r.get(1)?,
                    at: r.get(2)?,
                    received_at: r.get(3)?,
                    user_id: r.get(4)?,
                    user_name: r.get(5)?,
                    device_id: r.get(6)?,
                    household: r.get(7)?,
                    community: r.get(8)?,
                    via: r.get(9)?,
                    reason: r.get(10)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.reverse();
        Ok(rows)
    }
}

//! What the hub holds, read by its admin: households, issues and wishes (all,
//! or one grid's), and one record in full (`gridline hub households|issues|wishes|show`).
//!
//! Read-only, and audited: every read writes one `admin-read` row naming the
//! admin, in the same transaction that reads, so no read happens without its
//! row. ID numbers stay masked; showing them in full is asked for per record
//! and is its own `admin-reveal` row (DESIGN §7: every reveal is audited).
//! Admins do not edit records (DESIGN §3), so nothing here writes a document.

use gridline_model::permission::Kind;
use gridline_model::text;
use gridline_model::{GridId, HouseholdPrivate, Instant, IssueState, RecordId, WishState};
use gridline_records::{private, Record};
use rusqlite::{params, OptionalExtension, Transaction};

use crate::{audit, Error, Hub, Result};

/// Which records to list.
#[derive(Debug, Clone, Default)]
pub struct AdminQuery {
    /// Only this grid's records.
    pub grid: Option<GridId>,
    /// At most this many, the most recently changed first (default 100).
    pub limit: Option<usize>,
}

/// One page of a listing and how many match in all.
#[derive(Debug, Clone)]
pub struct Listing {
    pub records: Vec<Held>,
    /// Every record of the kind matching the query (not only those shown).
    pub total: usize,
}

/// A record as the hub holds it.
#[derive(Debug, Clone)]
pub struct Held {
    pub record: Record,
    /// When the hub last stored a change to it (RFC 3339).
    pub updated_at: String,
}

/// One record in full, as `hub show` prints it.
#[derive(Debug, Clone)]
pub struct Shown {
    pub held: Held,
    /// A household's private part (ID numbers, sensitive tags), when the hub holds one.
    pub private: Option<HouseholdPrivate>,
    /// The workflow state of an issue.
    pub issue_state: Option<IssueState>,
    /// The workflow state of a wish, with the hub's own grants.
    pub wish_state: Option<WishState>,
    /// Whether ID numbers were asked for in full (and the reveal audited).
    pub revealed: bool,
}

impl Hub {
    /// Households the hub holds, the most recently changed first; audited.
    pub fn admin_households(&self, q: &AdminQuery, admin: &str, now: Instant) -> Result<Listing> {
        self.admin_list(Kind::Household, q, admin, now)
    }

    /// Issues the hub holds, the most recently changed first; audited.
    pub fn admin_issues(&self, q: &AdminQuery, admin: &str, now: Instant) -> Result<Listing> {
        self.admin_list(Kind::Issue, q, admin, now)
    }

    /// Wishes the hub holds, the most recently changed first; audited.
    pub fn admin_wishes(&self, q: &AdminQuery, admin: &str, now: Instant) -> Result<Listing> {
        self.admin_list(Kind::Wish, q, admin, now)
    }

    fn admin_list(&self, kind: Kind, q: &AdminQuery, admin: &str, now: Instant) -> Result<Listing> {
        let admin = admin_name(admin)?;
        let limit = q.limit.unwrap_or(100).min(i64::MAX as usize) as i64;
        let grid = q.grid.as_ref().map(|g| g.to_string());
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let total: i64 = tx.query_row(
            "SELECT count(*) FROM documents WHERE kind = ?1 AND (?2 IS NULL OR grid = ?2)",
            params![kind.key(), grid],
            |r| r.get(0),
        )?;
        let rows: Vec<(String, Vec<u8>, String)> = tx
            .prepare(
                "SELECT id, bytes, updated_at FROM documents
                 WHERE kind = ?1 AND (?2 IS NULL OR grid = ?2) ORDER BY seq DESC LIMIT ?3",
            )?
            .query_map(params![kind.key(), grid, limit], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let records = rows
            .into_iter()
            .map(|(id, bytes, updated_at)| {
                Ok(Held {
                    record: self.decode(&id, &bytes)?,
                    updated_at,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let scope = grid.as_deref().unwrap_or("*");
        audit::write(
            &tx,
            &audit::Entry {
                at: now,
                device_id: None,
                user_id: admin,
                doc_id: scope,
                kind: kind.key(),
                action: audit::action::ADMIN_READ,
                admin: Some(admin),
                detail: &format!("list {} of {total}", records.len()),
            },
        )?;
        tx.commit()?;
        Ok(Listing {
            records,
            total: total as usize,
        })
    }

    /// One record in full; audited. ID numbers are the caller's to mask
    /// unless `reveal`, which is audited as a reveal of this record's.
    pub fn admin_show(&self, id: &str, reveal: bool, admin: &str, now: Instant) -> Result<Shown> {
        let admin = admin_name(admin)?;
        let id = id.trim();
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let Some(held) = held(self, &tx, id)? else {
            return Err(Error::NotFound(id.to_owned()));
        };
        let private = match &held.record {
            Record::Household(h) => {
                let pid = private::doc_id(h.id).to_string();
                match held_record(self, &tx, &pid)? {
                    Some(Held {
                        record: Record::HouseholdPrivate(p),
                        ..
                    }) => Some(p),
                    _ => None,
                }
            }
            Record::HouseholdPrivate(p) => Some(p.clone()),
            _ => None,
        };
        let issue_state = match &held.record {
            Record::Issue(i) => Some(i.state_with(&self.street_limits()?)),
            _ => None,
        };
        let wish_state = match &held.record {
            Record::Wish(w) => Some(w.state(Some(&self.actor_hex()))),
            _ => None,
        };
        let kind = held.record.kind().key();
        let revealed = reveal && private.as_ref().is_some_and(|p| !p.id_numbers.is_empty());
        for (action, detail) in [
            (audit::action::ADMIN_READ, "show".to_owned()),
            (
                audit::action::ADMIN_REVEAL,
                format!(
                    "{} id numbers",
                    private.as_ref().map_or(0, |p| p.id_numbers.len())
                ),
            ),
        ] {
            if action == audit::action::ADMIN_REVEAL && !revealed {
                continue;
            }
            audit::write(
                &tx,
                &audit::Entry {
                    at: now,
                    device_id: None,
                    user_id: admin,
                    doc_id: id,
                    kind,
                    action,
                    admin: Some(admin),
                    detail: &detail,
                },
            )?;
        }
        tx.commit()?;
        Ok(Shown {
            held,
            private,
            issue_state,
            wish_state,
            revealed,
        })
    }

    /// A stored document as a record; one that does not read is damage.
    fn decode(&self, id: &str, bytes: &[u8]) -> Result<Record> {
        gridline_records::load(bytes, &self.actor)
            .and_then(|doc| Record::read(&doc))
            .map_err(|e| {
                Error::Damaged(text!(
                    "记录 {id} 已损坏，无法读取：{e}；请从备份恢复 hub.db",
                    "record {id} is damaged and cannot be read: {e}; restore hub.db from a backup"
                ))
            })
    }
}

fn held(hub: &Hub, tx: &Transaction<'_>, id: &str) -> Result<Option<Held>> {
    // Ids are compared as the hub stores them: lower-case hyphenated UUIDs.
    let id = RecordId::parse_str(id)
        .map(|u| u.to_string())
        .unwrap_or_else(|_| id.to_owned());
    held_record(hub, tx, &id)
}

fn held_record(hub: &Hub, tx: &Transaction<'_>, id: &str) -> Result<Option<Held>> {
    let row: Option<(Vec<u8>, String)> = tx
        .query_row(
            "SELECT bytes, updated_at FROM documents WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    row.map(|(bytes, updated_at)| {
        Ok(Held {
            record: hub.decode(id, &bytes)?,
            updated_at,
        })
    })
    .transpose()
}

/// The admin named in the audit trail: someone, not blank.
pub(crate) fn admin_name(admin: &str) -> Result<&str> {
    let admin = admin.trim();
    if admin.is_empty() {
        return Err(gridline_model::Invalid::new(
            "admin",
            text!("管理员姓名为空", "no admin named"),
            text!(
                "请用 --admin 写明查看的管理员，记入审计",
                "name the admin with --admin, for the audit trail"
            ),
        )
        .into());
    }
    Ok(admin)
}

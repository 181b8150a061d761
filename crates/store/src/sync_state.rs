//! What the sync engine needs from the store: unsent documents, acknowledgements,
//! refused copies, and removing or replacing a document with its projection.

use gridline_model::permission::Kind;
use gridline_model::{Instant, RecordId};
use gridline_records::Record;
use rusqlite::{params, OptionalExtension};

use crate::{Error, Result, Store};

/// A document with changes the hub has not acknowledged.
#[derive(Debug, Clone)]
pub struct Unsent {
    pub id: RecordId,
    pub bytes: Vec<u8>,
    pub heads: String,
    /// Heads the hub acknowledged last (comma-separated hex), empty if never.
    pub acked_heads: String,
}

/// A pushed record the hub refused, and the hub's version of it, if the
/// device may read one.
#[derive(Debug, Clone, Copy)]
pub struct Refusal<'a> {
    pub id: RecordId,
    pub reason: &'a gridline_model::Text,
    /// The hub's saved document and the record it holds.
    pub hub_version: Option<(&'a [u8], &'a Record)>,
}

/// A read-only copy of a record the hub refused.
#[derive(Debug, Clone)]
pub struct RefusedCopy {
    pub id: String,
    pub kind: String,
    pub bytes: Vec<u8>,
    /// Why the hub refused it, in both languages.
    pub reason: gridline_model::Text,
    pub refused_at: String,
}

impl Store {
    /// Documents with unsent changes (demo and trial records never sync),
    /// households first: the hub accepts a new case or topic only beside a
    /// household it holds, so a household made offline reaches it before
    /// the dispute reported on it, even when the household was edited last.
    pub fn unsent(&self, limit: usize) -> Result<Vec<Unsent>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, bytes, heads, acked_heads FROM documents
             WHERE sync_state IN ('local', 'pending') AND demo = 0
             ORDER BY kind != 'household', updated_at LIMIT ?1",
        )?;
        let rows = st
            .query_map([limit as i64], |r| {
                Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<Vec<(String, Vec<u8>, String, String)>>>()?;
        rows.into_iter()
            .map(|(id, bytes, heads, acked_heads)| {
                Ok(Unsent {
                    id: RecordId::parse_str(&id).map_err(|_| Error::Damaged(id.clone()))?,
                    bytes,
                    heads,
                    acked_heads,
                })
            })
            .collect()
    }

    /// The hub holds `heads` of this document: it is in sync if the device
    /// has nothing newer.
    pub fn acknowledge(&mut self, id: RecordId, heads: &str) -> Result<()> {
        self.acknowledge_all(&[(id, heads.to_owned())])
    }

    /// Many acknowledgements in one transaction (one sync's worth).
    pub fn acknowledge_all(&mut self, acks: &[(RecordId, String)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        for (id, heads) in acks {
            acknowledge_in(&tx, &id.to_string(), heads)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Whether the hub holds this document exactly as this device does
    /// (`None` when the device does not hold it).
    pub fn fully_acknowledged(&self, id: RecordId) -> Result<Option<bool>> {
        Ok(self
            .conn
            .query_row(
                "SELECT heads = acked_heads FROM documents WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Forget what the hub acknowledged, so the next push sends the whole document.
    pub fn forget_ack(&mut self, id: RecordId) -> Result<()> {
        self.conn.execute(
            "UPDATE documents SET acked_heads = '' WHERE id = ?1",
            [id.to_string()],
        )?;
        Ok(())
    }

    pub fn refused_copies(&self) -> Result<Vec<RefusedCopy>> {
        let mut st = self.conn.prepare_cached("SELECT id, kind, bytes, reason, refused_at, reason_en FROM refused_copies ORDER BY refused_at DESC")?;
        let rows = st
            .query_map([], |r| {
                Ok(RefusedCopy {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    bytes: r.get(2)?,
                    reason: {
                        let zh: String = r.get(3)?;
                        let en: String = r.get(5)?;
                        // A row from before 0004 holds both in one string.
                        let en = if en.is_empty() { zh.clone() } else { en };
                        gridline_model::Text::new(zh, en)
                    },
                    refused_at: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Removes a document and its projection (a record the hub never accepted,
    /// after its refused copy is kept; or one that left the device's scope).
    pub fn remove(&mut self, id: RecordId) -> Result<()> {
        let tx = self.conn.transaction()?;
        remove_in(&tx, &id.to_string())?;
        tx.commit()?;
        Ok(())
    }

    /// What the device does when the hub refuses pushed records, in one
    /// transaction, so a crash leaves all of it done or none: for each, keep
    /// the device's version as a read-only copy and return to the hub's
    /// version (or to none when the hub has none the device may read); then
    /// write `meta` (the device's fresh actor, and that it must announce it).
    /// Were the actor switched in a later transaction, a crash between would
    /// leave the device writing as the refused actor, whose every later change
    /// the hub refuses again.
    pub fn take_refusals(
        &mut self,
        refusals: &[Refusal<'_>],
        meta: &[(&str, &str)],
        now: Instant,
    ) -> Result<()> {
        let hub = self.hub_actor()?;
        let limits = self.street_limits()?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for r in refusals {
            let key = r.id.to_string();
            tx.execute(
                "INSERT OR REPLACE INTO refused_copies (id, kind, bytes, reason, reason_en, refused_at)
                 SELECT id, kind, bytes, ?2, ?3, ?4 FROM documents WHERE id = ?1",
                params![key, r.reason.zh, r.reason.en, gridline_records::fmt_time(now)],
            )?;
            remove_in(&tx, &key)?;
            if let Some((bytes, record)) = r.hub_version {
                let mut doc = automerge::AutoCommit::load(bytes)?;
                let saved = crate::Saved::of(&mut doc, true);
                let heads = saved.heads.clone();
                crate::write_doc(
                    &tx,
                    saved.acked(heads),
                    record,
                    crate::Origin::Remote,
                    now,
                    hub.as_deref(),
                    &limits,
                )?;
            }
        }
        for (k, v) in meta {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![k, v],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Marks every document not yet synced as trial data that never syncs
    /// (records made in trial mode, before the device enrolled).
    pub fn retire_trial_records(&mut self) -> Result<usize> {
        Ok(self.conn.execute(
            "UPDATE documents SET demo = 1 WHERE demo = 0 AND sync_state = 'local'",
            [],
        )?)
    }
}

/// Deletes a document and its projection rows inside `tx`.
fn remove_in(tx: &rusqlite::Transaction<'_>, key: &str) -> Result<()> {
    let kind: Option<String> = tx
        .query_row("SELECT kind FROM documents WHERE id = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?;
    // Its photos' references go with it; the files of others' photos no
    // record here references any more are removed by the device
    // (`Device::tidy_photos`), never one taken here and unsent.
    tx.execute("DELETE FROM photo_refs WHERE doc_id = ?1", [key])?;
    match kind.as_deref().and_then(Kind::parse) {
        Some(Kind::Household) => {
            tx.execute("DELETE FROM households WHERE id = ?1", [key])?;
            tx.execute(
                "DELETE FROM household_tags WHERE household_id = ?1 AND sensitive = 0",
                [key],
            )?;
            tx.execute("DELETE FROM residents WHERE household_id = ?1", [key])?;
            tx.execute("DELETE FROM search_keys WHERE household_id = ?1", [key])?;
            crate::merges::forget(tx, key)?;
        }
        Some(Kind::HouseholdPrivate) => {
            let bytes: Vec<u8> =
                tx.query_row("SELECT bytes FROM documents WHERE id = ?1", [key], |r| {
                    r.get(0)
                })?;
            let p = gridline_records::private::read(&automerge::AutoCommit::load(&bytes)?)?;
            let household = p.household.to_string();
            tx.execute(
                "DELETE FROM private_parts WHERE household_id = ?1",
                [&household],
            )?;
            tx.execute(
                "DELETE FROM household_tags WHERE household_id = ?1 AND sensitive = 1",
                [&household],
            )?;
        }
        Some(Kind::Visit) => {
            tx.execute("DELETE FROM visits WHERE id = ?1", [key])?;
        }
        Some(Kind::Issue) => {
            tx.execute("DELETE FROM issues WHERE id = ?1", [key])?;
        }
        Some(Kind::Wish) => {
            tx.execute("DELETE FROM wishes WHERE id = ?1", [key])?;
        }
        Some(Kind::Mediation) => {
            tx.execute("DELETE FROM mediations WHERE id = ?1", [key])?;
        }
        Some(Kind::Deliberation) => {
            tx.execute("DELETE FROM deliberations WHERE id = ?1", [key])?;
        }
        Some(Kind::MediationPrivate) | None => {}
    }
    tx.execute("DELETE FROM documents WHERE id = ?1", [key])?;
    Ok(())
}

pub(crate) fn acknowledge_in(tx: &rusqlite::Transaction<'_>, id: &str, heads: &str) -> Result<()> {
    tx.prepare_cached(
        "UPDATE documents SET acked_heads = ?2,
            sync_state = CASE WHEN heads = ?2 THEN 'synced' WHEN sync_state = 'local' THEN 'pending' ELSE sync_state END
         WHERE id = ?1 AND demo = 0",
    )?
    .execute(params![id, heads])?;
    Ok(())
}

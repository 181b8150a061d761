//! The street's time limits as this device last received them from the hub
//! (`meta.street_limits`, JSON; the defaults until a hub sends any), and the
//! re-projection of what they decide: each issue's deadline, each case's
//! deadline and whether it concluded on time.

use automerge::AutoCommit;
use gridline_model::StreetLimits;
use gridline_records::Record;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::{projection, Error, Result, Store};

/// The `meta` key the limits are kept under.
const KEY: &str = "street_limits";

/// The limits stored in `conn`'s meta, or the defaults.
pub(crate) fn read(conn: &Connection) -> Result<StreetLimits> {
    let stored: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([KEY], |r| r.get(0))
        .optional()?;
    match stored {
        None => Ok(StreetLimits::default()),
        Some(json) => serde_json::from_str(&json).map_err(|_| Error::Damaged(json)),
    }
}

impl Store {
    /// The street's time limits every fold of an issue or a case here takes.
    pub fn street_limits(&self) -> Result<StreetLimits> {
        read(&self.conn)
    }

    /// Stores limits the hub sent and, in the same transaction, rewrites the
    /// projection of every issue and case by them, so no list ever shows a
    /// deadline by the old limits beside one by the new. Returns whether
    /// they differed from the stored ones (when not, nothing is written).
    pub fn set_street_limits(&mut self, limits: &StreetLimits) -> Result<bool> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if read(&tx)? == *limits {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![KEY, serde_json::to_string(limits).expect("limits are plain numbers")],
        )?;
        reproject(&tx, limits)?;
        tx.commit()?;
        Ok(true)
    }
}

/// Every issue and case the limits bear on projected again under `limits`:
/// those with a deadline (a dispatched issue, an accepted case). Any other
/// gets one only from a later step, folded then under the limits it holds.
fn reproject(tx: &Transaction<'_>, limits: &StreetLimits) -> Result<()> {
    let hub = tx
        .query_row("SELECT value FROM meta WHERE key = 'hub_actor'", [], |r| {
            r.get::<_, String>(0)
        })
        .optional()?;
    let mut st = tx.prepare(
        "SELECT bytes FROM documents WHERE id IN
           (SELECT id FROM issues WHERE deadline IS NOT NULL
            UNION ALL SELECT id FROM mediations WHERE deadline IS NOT NULL)",
    )?;
    let mut rows = st.query([])?;
    while let Some(row) = rows.next()? {
        let bytes: Vec<u8> = row.get(0)?;
        let record = Record::read(&AutoCommit::load(&bytes)?)?;
        projection::project(tx, &record, hub.as_deref(), limits)?;
    }
    Ok(())
}

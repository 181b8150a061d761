//! Household merges in the projection: each household's direct edge (from
//! its own events, [`gridline_model::merge::fold`]) and every merged
//! household's final survivor ([`gridline_model::merge::resolve`]).
//!
//! Relinking is done here, at read time, not by rewriting anyone's records:
//! a visit, issue or wish keeps the household id it was made for, and the
//! survivor's page asks [`Store::merged_into`] for the ids that now stand
//! under it. A record made after the merge for the merged id (on a device
//! that had not heard of it yet) lands under the survivor the same way.
//! Lists, counts, rosters and duplicate detection leave out every household
//! in `household_survivors` ([`NOT_MERGED`]).

use gridline_model::merge::{fold, resolve};
use gridline_model::{GridId, MergeEvent, RecordId};
use gridline_records::fmt_time;
use rusqlite::{params, OptionalExtension, Transaction};
use std::collections::BTreeMap;

use crate::{Result, Store};

/// A SQL condition on `h.id`: the household is not merged into another.
pub(crate) const NOT_MERGED: &str = "h.id NOT IN (SELECT household_id FROM household_survivors)";

/// A merged household's standing merge, as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeRow {
    /// The survivor its own events name.
    pub into: String,
    /// The final survivor after chains and cycles (what to link to).
    pub survivor: String,
    /// The final survivor's address, when this device holds it.
    pub survivor_address: Option<String>,
    pub by_user: String,
    pub by_role: String,
    pub at: String,
    pub reason: String,
}

/// Rewrites `household`'s edge from its events and, when the edge changed,
/// every survivor (a new edge can end a chain or close a cycle elsewhere).
pub(crate) fn project(
    tx: &Transaction<'_>,
    household: RecordId,
    grid: &GridId,
    events: &[MergeEvent],
) -> Result<()> {
    let id = household.to_string();
    let state = fold(household, grid, events);
    let was: Option<String> = tx
        .prepare_cached("SELECT into_id FROM household_merges WHERE household_id = ?1")?
        .query_row([&id], |r| r.get(0))
        .optional()?;
    let now = state.merged.as_ref().map(|m| m.into.to_string());
    match &state.merged {
        Some(m) => {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO household_merges (household_id, into_id, by_user, by_role, at, reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                id,
                m.into.to_string(),
                m.by.user,
                m.by.role.key(),
                fmt_time(m.at),
                m.reason
            ])?;
        }
        None => {
            tx.prepare_cached("DELETE FROM household_merges WHERE household_id = ?1")?
                .execute([&id])?;
        }
    }
    if was != now {
        resolve_all(tx)?;
    }
    Ok(())
}

/// Forgets `household`'s edge when its document leaves this device (out of
/// scope, or refused): no merge row outlives the record it is about, and
/// survivors are resolved again without it.
pub(crate) fn forget(tx: &Transaction<'_>, household: &str) -> Result<()> {
    let n = tx
        .prepare_cached("DELETE FROM household_merges WHERE household_id = ?1")?
        .execute([household])?;
    if n > 0 {
        resolve_all(tx)?;
    }
    Ok(())
}

/// `household_survivors` from every edge held here.
fn resolve_all(tx: &Transaction<'_>) -> Result<()> {
    let mut edges = BTreeMap::new();
    {
        let mut st = tx.prepare_cached("SELECT household_id, into_id FROM household_merges")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (a, b) = row?;
            // Ids were written by `project` from parsed events.
            if let (Ok(a), Ok(b)) = (a.parse::<RecordId>(), b.parse::<RecordId>()) {
                edges.insert(a, b);
            }
        }
    }
    tx.execute("DELETE FROM household_survivors", [])?;
    let mut ins = tx.prepare_cached(
        "INSERT INTO household_survivors (household_id, survivor_id) VALUES (?1, ?2)",
    )?;
    for (from, to) in resolve(&edges) {
        ins.execute(params![from.to_string(), to.to_string()])?;
    }
    Ok(())
}

impl Store {
    /// The household's standing merge, if it is merged (a household that
    /// survives a cycle has an edge but no row in the survivors table, and
    /// is not merged).
    pub fn merge_of(&self, household: &str) -> Result<Option<MergeRow>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT m.into_id, s.survivor_id, h.address, m.by_user, m.by_role, m.at, m.reason
                   FROM household_survivors s JOIN household_merges m ON m.household_id = s.household_id
                   LEFT JOIN households h ON h.id = s.survivor_id
                  WHERE s.household_id = ?1",
            )?
            .query_row([household], |r| {
                Ok(MergeRow {
                    into: r.get(0)?,
                    survivor: r.get(1)?,
                    survivor_address: r.get(2)?,
                    by_user: r.get(3)?,
                    by_role: r.get(4)?,
                    at: r.get(5)?,
                    reason: r.get(6)?,
                })
            })
            .optional()?)
    }

    /// The households merged (directly or through a chain) into `survivor`,
    /// by id: their visits, issues, wishes and residents show on its page.
    pub fn merged_into(&self, survivor: &str) -> Result<Vec<String>> {
        let mut st = self.conn.prepare_cached(
            "SELECT household_id FROM household_survivors WHERE survivor_id = ?1 ORDER BY household_id",
        )?;
        let rows = st
            .query_map([survivor], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }
}

//! The monthly report's reads: each issue's facts (migration 0011) for the
//! issues a period bears on, within a grid prefix (a community or street).

use automerge::AutoCommit;
use gridline_model::monthly::{IssueFacts, Period};
use gridline_model::parse_time;
use gridline_records::{fmt_time, Record};
use rusqlite::{params, Connection, OptionalExtension};

use crate::projection::{self, decode_facts};
use crate::{street_limits, Error, Result, Store};

impl Store {
    /// The facts of every issue under `grid_prefix` (a community's or a
    /// street's code; `""` for all) that `period` bears on: reported,
    /// accepted, closed, due or evaluated in it. Read from the
    /// projection alone: no document is loaded.
    pub fn issue_facts(&self, grid_prefix: &str, period: Period) -> Result<Vec<IssueFacts>> {
        let (start, end) = (fmt_time(period.start), fmt_time(period.end));
        let like = format!("{}%", grid_prefix.replace(['%', '_'], ""));
        let mut st = self.conn.prepare_cached(
            "SELECT category, reported_at, accepted_at, facts
               FROM issues
              WHERE grid LIKE ?3 AND stage IS NOT NULL
                AND ((reported_at >= ?1 AND reported_at < ?2)
                  OR (accepted_at >= ?1 AND accepted_at < ?2)
                  OR (facts_from < ?2 AND facts_to >= ?1))",
        )?;
        let mut rows = st.query(params![start, end, like])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let time = |i: usize| -> Result<Option<gridline_model::Instant>> {
                let s: Option<String> = r.get(i)?;
                s.map(|s| {
                    parse_time(&s).ok_or_else(|| Error::Damaged(format!("issues: time {s:?}")))
                })
                .transpose()
            };
            let mut f = IssueFacts {
                category: r.get(0)?,
                reported_at: time(1)?
                    .ok_or_else(|| Error::Damaged("issues: no reported_at".into()))?,
                accepted_at: time(2)?,
                cycles: Vec::new(),
                closings: Vec::new(),
                evaluations: Vec::new(),
                send_backs: Vec::new(),
            };
            let facts: String = r.get(3)?;
            decode_facts(&facts, &mut f);
            let bears = [Some(f.reported_at), f.accepted_at]
                .into_iter()
                .flatten()
                .chain(f.cycles.iter().map(|c| c.deadline))
                .chain(f.closings.iter().copied())
                .chain(f.evaluations.iter().map(|e| e.at))
                .chain(f.send_backs.iter().map(|s| s.at))
                .any(|t| period.holds(t));
            if bears {
                out.push(f);
            }
        }
        Ok(out)
    }
}

/// Issues stored before migration 0011 projected again, once, so their
/// facts are there: run on open while the `reproject_issues` mark stands,
/// in one transaction with the mark's removal.
pub(crate) fn finish_migration(conn: &mut Connection) -> Result<()> {
    let marked = conn
        .query_row(
            "SELECT 1 FROM meta WHERE key = 'reproject_issues'",
            [],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if !marked {
        return Ok(());
    }
    // Immediate: a second process opening at the same moment waits for the
    // write lock here rather than failing to upgrade a read, and finds the
    // mark gone once the first is done.
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let still: bool = tx
        .query_row(
            "SELECT 1 FROM meta WHERE key = 'reproject_issues'",
            [],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if !still {
        return Ok(());
    }
    let limits = street_limits::read(&tx)?;
    let hub: Option<String> = tx
        .query_row("SELECT value FROM meta WHERE key = 'hub_actor'", [], |r| {
            r.get(0)
        })
        .optional()?;
    {
        let mut st = tx.prepare("SELECT d.bytes FROM documents d JOIN issues i ON i.id = d.id")?;
        let mut rows = st.query([])?;
        while let Some(row) = rows.next()? {
            let bytes: Vec<u8> = row.get(0)?;
            // A document this build cannot read keeps the row it had (no
            // facts, so no month counts it) rather than stopping every open.
            let Ok(record) = AutoCommit::load(&bytes)
                .map_err(|_| ())
                .and_then(|d| Record::read(&d).map_err(|_| ()))
            else {
                continue;
            };
            projection::project(&tx, &record, hub.as_deref(), &limits)?;
        }
    }
    tx.execute("DELETE FROM meta WHERE key = 'reproject_issues'", [])?;
    tx.commit()?;
    Ok(())
}

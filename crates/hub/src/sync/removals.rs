//! Removals: documents that moved out of what a device is sent.

use gridline_model::User;
use rusqlite::{params, Transaction};

use super::page::DocRow;
use super::place::{row_sent, row_target};
use crate::Result;

/// A move as the removals query reads it: where a document was (and how it
/// stood) and where it is now.
struct MoveRow {
    id: String,
    old_grid: String,
    old_household: Option<String>,
    /// Rows from before migration 0003 carry no standing: it did not change.
    old_open: Option<bool>,
    old_claimant: Option<String>,
    now: DocRow,
}

/// Documents that moved out of `user`'s scope between two cursors.
pub(super) fn removals(
    tx: &Transaction<'_>,
    user: &User,
    from: u64,
    to: u64,
) -> Result<Vec<String>> {
    let mut st = tx.prepare_cached(
        "SELECT m.doc_id, m.old_grid, m.old_household, m.old_open, m.old_claimant,
                d.kind, d.grid, d.household, d.reporter, d.departments, d.seq, d.open, d.claimant
         FROM moves m JOIN documents d ON d.id = m.doc_id WHERE m.seq > ?1 AND m.seq <= ?2 ORDER BY m.seq",
    )?;
    let mut rows = st.query(params![from as i64, to as i64])?;
    let mut out: Vec<String> = Vec::new();
    while let Some(r) = rows.next()? {
        let m = MoveRow {
            id: r.get(0)?,
            old_grid: r.get(1)?,
            old_household: r.get(2)?,
            old_open: r.get(3)?,
            old_claimant: r.get(4)?,
            now: DocRow {
                id: r.get(0)?,
                kind: r.get(5)?,
                grid: r.get(6)?,
                household: r.get(7)?,
                reporter: r.get(8)?,
                departments: r.get(9)?,
                seq: r.get::<_, i64>(10)? as u64,
                heads: String::new(),
                open: r.get(11)?,
                claimant: r.get(12)?,
            },
        };
        let (old_open, old_claimant) = match m.old_open {
            Some(o) => (o, m.old_claimant),
            None => (m.now.open, m.now.claimant.clone()),
        };
        let was = row_sent(
            user,
            &m.now.kind,
            row_target(
                &m.old_grid,
                m.old_household.as_deref(),
                m.now.reporter.as_deref(),
                &m.now.departments,
            ),
            old_open,
            old_claimant,
        );
        if was && !m.now.sent_to(user) && !out.contains(&m.id) {
            out.push(m.id);
        }
    }
    Ok(out)
}

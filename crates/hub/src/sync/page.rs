//! The read step: the page of documents since the cursor, copies, removals, total.

use gridline_model::{Scope, User};
use gridline_sync::{PullDoc, SyncRequest, DEFAULT_PAGE, MAX_REPLY_BYTES};
use rusqlite::OptionalExtension;

use super::counter::read_counter;
use super::place::{row_sent, row_target};
use super::pushes::Taken;
use super::removals::removals;
use crate::{Hub, Result};

/// What the read step serves.
#[derive(Default)]
pub(super) struct Page {
    pub(super) docs: Vec<PullDoc>,
    pub(super) removals: Vec<String>,
    pub(super) cursor: u64,
    pub(super) more: bool,
    pub(super) total: Option<u64>,
}

/// A document row as the page reads it (columns 0..=10 of the page query;
/// the bytes, column 8, are read only for rows that are sent).
pub(super) struct DocRow {
    pub(super) id: String,
    pub(super) kind: String,
    pub(super) grid: String,
    pub(super) household: Option<String>,
    pub(super) reporter: Option<String>,
    pub(super) departments: String,
    pub(super) seq: u64,
    pub(super) heads: String,
    pub(super) open: bool,
    pub(super) claimant: Option<String>,
}

impl DocRow {
    fn scanned(r: &rusqlite::Row<'_>) -> rusqlite::Result<DocRow> {
        Ok(DocRow {
            id: r.get(0)?,
            kind: r.get(1)?,
            grid: r.get(2)?,
            household: r.get(3)?,
            reporter: r.get(4)?,
            departments: r.get(5)?,
            seq: r.get::<_, i64>(6)? as u64,
            heads: r.get(7)?,
            open: r.get(9)?,
            claimant: r.get(10)?,
        })
    }

    pub(super) fn sent_to(&self, user: &User) -> bool {
        row_sent(
            user,
            &self.kind,
            row_target(
                &self.grid,
                self.household.as_deref(),
                self.reporter.as_deref(),
                &self.departments,
            ),
            self.open,
            self.claimant.clone(),
        )
    }
}

/// A coarse SQL condition on `documents` and the values for its `?`s.
struct ScopeFilter {
    sql: String,
    args: Vec<String>,
}

/// A document row and its bytes: the hub's copy of a refused document.
struct CopyRow {
    row: DocRow,
    bytes: Vec<u8>,
}

/// A coarse SQL filter for the rows a user may be sent; the exact rule
/// (`scope::sends`) is then applied row by row.
fn scope_sql(user: &User) -> ScopeFilter {
    // Wishes outside the user's own scope: the open ones, and their own.
    let wishes = "(kind = 'wish' AND (open = 1 OR reporter = ? OR claimant = ?))";
    let me = [user.id.clone(), user.id.clone()];
    match &user.scope {
        Scope::Grids(gs) => {
            let marks = vec!["?"; gs.len()].join(",");
            // A grid worker reads the topics of its grids' communities
            // (DESIGN §8), not only of its grids.
            let mut communities: Vec<String> =
                gs.iter().map(|g| g.community().to_string()).collect();
            communities.sort();
            communities.dedup();
            let cmarks = vec!["?"; communities.len()].join(",");
            let topics = format!("(kind = 'deliberation' AND substr(grid, 1, 12) IN ({cmarks}))");
            ScopeFilter {
                sql: format!("(grid IN ({marks}) OR {topics} OR {wishes})"),
                args: gs
                    .iter()
                    .map(|g| g.to_string())
                    .chain(communities)
                    .chain(me)
                    .collect(),
            }
        }
        Scope::Community(c) => ScopeFilter {
            sql: format!("(substr(grid, 1, 12) = ? OR {wishes})"),
            args: std::iter::once(c.to_string()).chain(me).collect(),
        },
        Scope::Street(_) | Scope::Everything => ScopeFilter {
            sql: "1 = 1".into(),
            args: vec![],
        },
        Scope::Households(hs) => {
            let marks = vec!["?"; hs.len()].join(",");
            let mut args: Vec<String> = hs.iter().map(|h| h.to_string()).collect();
            args.push(user.id.clone());
            args.extend(me);
            ScopeFilter {
                sql: format!("(household IN ({marks}) OR reporter = ? OR {wishes})"),
                args,
            }
        }
        Scope::Department(d) => ScopeFilter {
            sql: "(kind = 'issue' AND instr(',' || departments || ',', ?) > 0)".into(),
            args: vec![format!(",{d},")],
        },
    }
}

impl Hub {
    /// The read step: documents in `user`'s scope changed since the cursor
    /// (at most a page by count and by bytes), the hub's copies of refused
    /// documents, and removals. Read-only, on the read connection, so pages
    /// never wait for another device's pushes.
    pub(super) fn serve_page(&self, user: &User, req: &SyncRequest, taken: &Taken) -> Result<Page> {
        let (echo_free, copies) = (&taken.echo_free, &taken.copies);
        let mut conn = self.reader();
        let tx = conn.transaction()?;
        let counter = read_counter(&tx)?;
        let page = req.page.clamp(1, DEFAULT_PAGE) as usize;
        let ScopeFilter { sql: filter, args } = scope_sql(user);
        let mut out = Page {
            cursor: req.cursor,
            ..Page::default()
        };
        let mut reply_bytes = 0usize;
        {
            let sql = format!(
                "SELECT id, kind, grid, household, reporter, departments, seq, heads, bytes, open, claimant
                 FROM documents INDEXED BY documents_scan
                 WHERE seq > ? AND {filter} ORDER BY seq LIMIT ?"
            );
            let mut st = tx.prepare_cached(&sql)?;
            let mut bind: Vec<rusqlite::types::Value> = vec![(req.cursor as i64).into()];
            bind.extend(args.iter().map(|a| a.clone().into()));
            // Rows the device may not read, or its own pushes echoed back, are
            // skipped but still scanned; the scan is bounded, and the cursor
            // only ever moves past rows that were looked at.
            let scan = page * 4 + 1;
            bind.push((scan as i64).into());
            let mut rows = st.query(rusqlite::params_from_iter(bind))?;
            let mut examined = 0;
            while let Some(r) = rows.next()? {
                if out.docs.len() == page {
                    out.more = true;
                    break;
                }
                examined += 1;
                let row = DocRow::scanned(r)?;
                if row.sent_to(user)
                    && !echo_free
                        .iter()
                        .any(|e| e.id == row.id && e.heads == row.heads)
                {
                    let bytes = r.get_ref(8)?.as_blob().map_err(rusqlite::Error::from)?;
                    // By bytes too, but never an empty page.
                    if !out.docs.is_empty() && reply_bytes + bytes.len() > MAX_REPLY_BYTES {
                        out.more = true;
                        break;
                    }
                    reply_bytes += bytes.len();
                    out.docs.push(PullDoc {
                        id: row.id,
                        seq: row.seq,
                        bytes: bytes.to_vec(),
                    });
                }
                out.cursor = row.seq;
            }
            if !out.more && examined == scan {
                // The scan limit was reached before the page filled: continue there.
                out.more = true;
            } else if !out.more {
                out.cursor = out.cursor.max(counter);
            }
        }
        // A refused device returns to the hub's version: send it where it may read it.
        for id in copies {
            if out.docs.iter().any(|d| d.id == *id) {
                continue;
            }
            let row = tx
                .prepare_cached(
                    "SELECT id, kind, grid, household, reporter, departments, seq, heads, bytes, open, claimant
                     FROM documents WHERE id = ?1",
                )?
                .query_row([id], |r| {
                    Ok(CopyRow {
                        row: DocRow::scanned(r)?,
                        bytes: r.get(8)?,
                    })
                })
                .optional()?;
            if let Some(CopyRow { row, bytes }) = row {
                if row.sent_to(user) {
                    out.docs.push(PullDoc {
                        id: row.id,
                        seq: row.seq,
                        bytes,
                    });
                }
            }
        }
        out.removals = removals(
            &tx,
            user,
            req.cursor.max(taken.enrolled_counter),
            out.cursor,
        )?;
        if req.want_total {
            let sql = format!(
                "SELECT count(*) FROM documents INDEXED BY documents_scan WHERE seq > ? AND {filter}"
            );
            let mut bind: Vec<rusqlite::types::Value> = vec![(req.cursor as i64).into()];
            bind.extend(args.iter().map(|a| a.clone().into()));
            out.total = Some(tx.query_row(&sql, rusqlite::params_from_iter(bind), |r| {
                r.get::<_, i64>(0)
            })? as u64);
        }
        tx.finish()?;
        Ok(out)
    }
}

//! Read-only queries over the projection: what lists, search and dashboards need.

use gridline_model::{GridId, Instant, Tag};
use gridline_records::fmt_time;
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Row};

use crate::pinyin_keys::normalise_query;
use crate::{state_of, Result, Store, SyncState};

#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdRow {
    pub id: String,
    pub grid: String,
    pub address: String,
    pub head_name: String,
    pub phone: Option<String>,
    pub resident_count: i64,
    /// Tags this device may see (sensitive ones only where the private part is held).
    pub tags: Vec<String>,
    pub last_visit: Option<String>,
    pub sync_state: SyncState,
    /// The resident a search found the household through, when that is not
    /// the head: a hit on 单秀英 under 段建国's household must say so.
    pub matched_name: Option<String>,
    /// This household's visits not yet acknowledged by the hub: the household
    /// itself may be in sync while what hangs off it waits.
    pub unsent_visits: i64,
}

#[derive(Debug, Clone, Default)]
pub struct HouseholdFilter {
    pub grid: Option<GridId>,
    pub tag: Option<Tag>,
    /// Only households with no visit since this instant.
    pub not_visited_since: Option<Instant>,
    pub limit: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IssueRow {
    pub id: String,
    pub grid: String,
    pub category: String,
    pub stage: Option<String>,
    pub urgency: i64,
    pub household_id: Option<String>,
    pub reporter: String,
    pub reported_at: String,
    pub deadline: Option<String>,
    pub departments: String,
    pub refused_events: i64,
    pub summary: String,
    pub sync_state: SyncState,
    /// The linked household's address and head, when the device holds it.
    pub address: Option<String>,
    pub head_name: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct IssueFilter {
    pub stage: Option<String>,
    pub category: Option<String>,
    pub grid: Option<GridId>,
    pub limit: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WishRow {
    pub id: String,
    pub grid: String,
    pub household_id: Option<String>,
    pub title: String,
    pub category: String,
    pub value_yuan: i64,
    pub stage: Option<String>,
    pub poster: String,
    pub claimant: Option<String>,
    pub pending_claims: i64,
    pub posted_at: String,
    pub sync_state: SyncState,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VisitRow {
    pub id: String,
    pub household_id: String,
    pub grid: String,
    pub visitor: String,
    pub role: String,
    pub at: String,
    pub kind: String,
    pub address: Option<String>,
    pub head_name: Option<String>,
    /// What the visitor wrote, read from the visit's document (notes are
    /// free text, not queried, so the projection does not copy them).
    pub notes: String,
    pub sync_state: SyncState,
}

/// Counts by sync state, for the sync indicator.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncCounts {
    pub local: i64,
    pub pending: i64,
    pub synced: i64,
    pub conflicted: i64,
    pub demo: i64,
}

use crate::merges::NOT_MERGED;

const HOUSEHOLD_COLS: &str = "h.id, h.grid, h.address, h.head_name, h.phone, h.resident_count,
    (SELECT group_concat(tag, ',') FROM household_tags t WHERE t.household_id = h.id),
    (SELECT max(at) FROM visits v WHERE v.household_id = h.id),
    d.sync_state, d.conflicted,
    (SELECT count(*) FROM visits v JOIN documents vd ON vd.id = v.id
      WHERE v.household_id = h.id AND vd.sync_state != 'synced')";

fn household_row(r: &Row<'_>) -> rusqlite::Result<HouseholdRow> {
    let tags: Option<String> = r.get(6)?;
    let s: String = r.get(8)?;
    Ok(HouseholdRow {
        id: r.get(0)?,
        grid: r.get(1)?,
        address: r.get(2)?,
        head_name: r.get(3)?,
        phone: r.get(4)?,
        resident_count: r.get(5)?,
        tags: tags
            .map(|t| t.split(',').map(str::to_owned).collect())
            .unwrap_or_default(),
        last_visit: r.get(7)?,
        sync_state: state_of(&s, r.get(9)?),
        matched_name: None,
        unsent_visits: r.get(10)?,
    })
}

impl Store {
    pub fn households(&self, f: &HouseholdFilter) -> Result<Vec<HouseholdRow>> {
        let mut sql = format!(
            "SELECT {HOUSEHOLD_COLS} FROM households h JOIN documents d ON d.id = h.id WHERE {NOT_MERGED}"
        );
        let mut args: Vec<Value> = Vec::new();
        if let Some(g) = &f.grid {
            sql.push_str(" AND h.grid = ?");
            args.push(g.as_str().to_owned().into());
        }
        if let Some(t) = f.tag {
            sql.push_str(" AND EXISTS (SELECT 1 FROM household_tags t WHERE t.household_id = h.id AND t.tag = ?)");
            args.push(t.zh().to_owned().into());
        }
        if let Some(since) = f.not_visited_since {
            sql.push_str(" AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.household_id = h.id AND v.at >= ?)");
            args.push(fmt_time(since).into());
        }
        sql.push_str(" ORDER BY h.grid, h.compound, length(h.building), h.building, h.unit, length(h.room), h.room");
        limit(&mut sql, &mut args, f.limit);
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st
            .query_map(params_from_iter(args), household_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    pub fn household(&self, id: &str) -> Result<Option<HouseholdRow>> {
        let sql = format!("SELECT {HOUSEHOLD_COLS} FROM households h JOIN documents d ON d.id = h.id WHERE h.id = ?1");
        let mut st = self.conn.prepare_cached(&sql)?;
        let mut rows = st.query_map([id], household_row)?;
        Ok(rows.next().transpose()?)
    }

    /// Finds households by a resident's name (Chinese characters, full pinyin
    /// or initials: `zs`, `zhangsan` and `张三` all find 张三), an address
    /// fragment or a phone number fragment. Surname readings rank first.
    pub fn search_households(
        &self,
        query: &str,
        grid: Option<&GridId>,
        limit_to: usize,
    ) -> Result<Vec<HouseholdRow>> {
        let q = normalise_query(query);
        if q.is_empty() {
            return Ok(Vec::new());
        }
        let ascii = q.is_ascii();
        let mut args: Vec<Value> = Vec::new();
        // Pinyin keys are ASCII; a prefix range on the key index.
        let mut hits = String::from("SELECT household_id, min(rank) AS rank FROM (");
        if ascii {
            hits.push_str(
                "SELECT household_id, rank FROM search_keys WHERE key >= ? AND key < ? UNION ALL ",
            );
            args.push(q.clone().into());
            args.push(format!("{q}\u{7f}").into());
        }
        hits.push_str(
            "SELECT household_id, 100 AS rank FROM residents WHERE instr(name, ?) > 0 OR instr(ifnull(phone, ''), ?) > 0
             UNION ALL SELECT id, 200 FROM households WHERE instr(address, ?) > 0 OR instr(ifnull(phone, ''), ?) > 0
             ) GROUP BY household_id",
        );
        for _ in 0..4 {
            args.push(q.clone().into());
        }
        let mut sql = format!("SELECT {HOUSEHOLD_COLS} FROM ({hits}) m JOIN households h ON h.id = m.household_id JOIN documents d ON d.id = h.id WHERE {NOT_MERGED}");
        if let Some(g) = grid {
            sql.push_str(" AND h.grid = ?");
            args.push(g.as_str().to_owned().into());
        }
        sql.push_str(" ORDER BY m.rank, h.address");
        limit(&mut sql, &mut args, Some(limit_to));
        let mut st = self.conn.prepare_cached(&sql)?;
        let mut rows: Vec<HouseholdRow> = st
            .query_map(params_from_iter(args), household_row)?
            .collect::<rusqlite::Result<_>>()?;
        for row in &mut rows {
            row.matched_name = self.matched_resident(&row.id, &q, ascii, &row.head_name)?;
        }
        Ok(rows)
    }

    /// The first resident of a household whose name the query finds (by the
    /// same keys the search used), unless it is the head, whom the row shows.
    fn matched_resident(
        &self,
        household: &str,
        q: &str,
        ascii: bool,
        head: &str,
    ) -> Result<Option<String>> {
        let mut st = self.conn.prepare_cached(
            "SELECT name FROM residents WHERE household_id = ?1 ORDER BY relation = '户主' DESC, name",
        )?;
        let names = st
            .query_map([household], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let found = names.into_iter().find(|name| {
            name.contains(q)
                || (ascii
                    && crate::pinyin_keys::name_keys(name)
                        .iter()
                        .any(|k| k.starts_with(q)))
        });
        Ok(found.filter(|name| name != head))
    }

    pub fn issues(&self, f: &IssueFilter) -> Result<Vec<IssueRow>> {
        let mut sql = String::from(
            "SELECT i.id, i.grid, i.category, i.stage, i.urgency, i.household_id, i.reporter, i.reported_at, i.deadline,
                i.departments, i.refused_events, i.summary, d.sync_state, d.conflicted, h.address, h.head_name
             FROM issues i JOIN documents d ON d.id = i.id
             LEFT JOIN households h ON h.id = i.household_id WHERE 1=1",
        );
        let mut args: Vec<Value> = Vec::new();
        if let Some(s) = &f.stage {
            sql.push_str(" AND i.stage = ?");
            args.push(s.clone().into());
        }
        if let Some(c) = &f.category {
            sql.push_str(" AND i.category = ?");
            args.push(c.clone().into());
        }
        if let Some(g) = &f.grid {
            sql.push_str(" AND i.grid = ?");
            args.push(g.as_str().to_owned().into());
        }
        sql.push_str(" ORDER BY i.reported_at DESC");
        limit(&mut sql, &mut args, f.limit);
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st
            .query_map(params_from_iter(args), |r| {
                let s: String = r.get(12)?;
                Ok(IssueRow {
                    id: r.get(0)?,
                    grid: r.get(1)?,
                    category: r.get(2)?,
                    stage: r.get(3)?,
                    urgency: r.get(4)?,
                    household_id: r.get(5)?,
                    reporter: r.get(6)?,
                    reported_at: r.get(7)?,
                    deadline: r.get(8)?,
                    departments: r.get(9)?,
                    refused_events: r.get(10)?,
                    summary: r.get(11)?,
                    sync_state: state_of(&s, r.get(13)?),
                    address: r.get(14)?,
                    head_name: r.get(15)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    pub fn wishes(
        &self,
        stage: Option<&str>,
        household: Option<&str>,
        limit_to: Option<usize>,
    ) -> Result<Vec<WishRow>> {
        let mut sql = String::from(
            "SELECT w.id, w.grid, w.household_id, w.title, w.category, w.value_yuan, w.stage, w.poster, w.claimant,
                w.pending_claims, w.posted_at, d.sync_state, d.conflicted
             FROM wishes w JOIN documents d ON d.id = w.id WHERE 1=1",
        );
        let mut args: Vec<Value> = Vec::new();
        if let Some(s) = stage {
            sql.push_str(" AND w.stage = ?");
            args.push(s.to_owned().into());
        }
        if let Some(h) = household {
            sql.push_str(" AND w.household_id = ?");
            args.push(h.to_owned().into());
        }
        sql.push_str(" ORDER BY w.posted_at DESC");
        limit(&mut sql, &mut args, limit_to);
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st
            .query_map(params_from_iter(args), |r| {
                let s: String = r.get(11)?;
                Ok(WishRow {
                    id: r.get(0)?,
                    grid: r.get(1)?,
                    household_id: r.get(2)?,
                    title: r.get(3)?,
                    category: r.get(4)?,
                    value_yuan: r.get(5)?,
                    stage: r.get(6)?,
                    poster: r.get(7)?,
                    claimant: r.get(8)?,
                    pending_claims: r.get(9)?,
                    posted_at: r.get(10)?,
                    sync_state: state_of(&s, r.get(12)?),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Visits of a household, or by a visitor (user id), newest first.
    pub fn visits(
        &self,
        household: Option<&str>,
        visitor: Option<&str>,
        limit_to: Option<usize>,
    ) -> Result<Vec<VisitRow>> {
        let mut sql = String::from(
            "SELECT v.id, v.household_id, v.grid, v.visitor, v.role, v.at, v.kind, h.address, d.bytes,
                h.head_name, d.sync_state, d.conflicted
             FROM visits v LEFT JOIN households h ON h.id = v.household_id
             JOIN documents d ON d.id = v.id WHERE 1=1",
        );
        let mut args: Vec<Value> = Vec::new();
        if let Some(h) = household {
            sql.push_str(" AND v.household_id = ?");
            args.push(h.to_owned().into());
        }
        if let Some(u) = visitor {
            sql.push_str(" AND v.visitor = ?");
            args.push(u.to_owned().into());
        }
        sql.push_str(" ORDER BY v.at DESC");
        limit(&mut sql, &mut args, limit_to);
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st
            .query_map(params_from_iter(args), |r| {
                Ok((
                    VisitRow {
                        id: r.get(0)?,
                        household_id: r.get(1)?,
                        grid: r.get(2)?,
                        visitor: r.get(3)?,
                        role: r.get(4)?,
                        at: r.get(5)?,
                        kind: r.get(6)?,
                        address: r.get(7)?,
                        head_name: r.get(9)?,
                        notes: String::new(),
                        sync_state: state_of(&r.get::<_, String>(10)?, r.get(11)?),
                    },
                    r.get::<_, Vec<u8>>(8)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(mut row, bytes)| {
                let doc = automerge::AutoCommit::load(&bytes)?;
                row.notes = gridline_records::visit::read(&doc)?.notes;
                Ok(row)
            })
            .collect()
    }

    pub fn sync_counts(&self) -> Result<SyncCounts> {
        let mut c = SyncCounts::default();
        let mut st = self.conn.prepare_cached(
            "SELECT sync_state, demo, conflicted, count(*) FROM documents GROUP BY 1, 2, 3",
        )?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let (s, demo, conflicted, n): (String, bool, bool, i64) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
            if demo {
                c.demo += n;
                continue;
            }
            if conflicted {
                c.conflicted += n;
            }
            match s.as_str() {
                "local" => c.local += n,
                "pending" => c.pending += n,
                _ => c.synced += n,
            }
        }
        Ok(c)
    }

    /// Number of documents of each kind.
    pub fn document_counts(&self) -> Result<Vec<(String, i64)>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT kind, count(*) FROM documents GROUP BY kind ORDER BY kind")?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Ids of records whose document says it is in this grid (for scope checks).
    pub fn grid_of(&self, id: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row("SELECT grid FROM documents WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?)
    }
}

fn limit(sql: &mut String, args: &mut Vec<Value>, n: Option<usize>) {
    if let Some(n) = n {
        sql.push_str(" LIMIT ?");
        args.push((n as i64).into());
    }
}

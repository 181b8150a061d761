//! What the ledgers (台账) read: households from the projection alone, and
//! the ids of the issues and wishes a ledger covers, in the order it lists
//! them. Every read is narrowed by a grid prefix: a grid, a community's or
//! a street's code, or `""` for everything the device holds.

use gridline_model::Instant;
use gridline_records::fmt_time;
use rusqlite::params;

use crate::{Result, Store};

/// One household as the roster lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterEntry {
    pub id: String,
    pub grid: String,
    pub compound: String,
    pub building: String,
    pub unit: String,
    pub room: String,
    pub head_name: String,
    /// The head's resident id, for their ID number in the private part.
    pub head_resident: Option<String>,
    pub phone: Option<String>,
    pub resident_count: u32,
    /// Every tag this device holds for it, with whether it is sensitive
    /// (held only where the private part is), in the store's order.
    pub tags: Vec<(String, bool)>,
}

fn like(prefix: &str) -> String {
    format!("{}%", prefix.replace(['%', '_'], ""))
}

impl Store {
    /// Households under `grid_prefix`, with `tag` if given, by grid and address.
    pub fn roster(&self, grid_prefix: &str, tag: Option<&str>) -> Result<Vec<RosterEntry>> {
        let mut st = self.conn.prepare(
            "SELECT h.id, h.grid, h.compound, h.building, h.unit, h.room, h.head_name, h.phone, h.resident_count,
                    (SELECT r.id FROM residents r WHERE r.household_id = h.id AND r.relation = '户主' LIMIT 1),
                    (SELECT group_concat(t.sensitive || t.tag, char(31)) FROM household_tags t WHERE t.household_id = h.id)
               FROM households h
              WHERE h.grid LIKE ?1
                AND h.id NOT IN (SELECT household_id FROM household_survivors)
                AND (?2 IS NULL OR EXISTS (SELECT 1 FROM household_tags t WHERE t.household_id = h.id AND t.tag = ?2))
              ORDER BY h.grid, h.address",
        )?;
        let rows = st.query_map(params![like(grid_prefix), tag], |r| {
            let tags: Option<String> = r.get(10)?;
            Ok(RosterEntry {
                id: r.get(0)?,
                grid: r.get(1)?,
                compound: r.get(2)?,
                building: r.get(3)?,
                unit: r.get(4)?,
                room: r.get(5)?,
                head_name: r.get(6)?,
                phone: r.get(7)?,
                resident_count: r.get(8)?,
                head_resident: r.get(9)?,
                tags: tags
                    .map(|t| {
                        t.split('\u{1f}')
                            .map(|t| match t.strip_prefix('1') {
                                Some(tag) => (tag.to_owned(), true),
                                None => (t.strip_prefix('0').unwrap_or(t).to_owned(), false),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Issues under `grid_prefix` reported in `[from, to)` (either end open
    /// when `None`), oldest first.
    pub fn ledger_issue_ids(
        &self,
        grid_prefix: &str,
        from: Option<Instant>,
        to: Option<Instant>,
    ) -> Result<Vec<String>> {
        self.ids_between(
            "SELECT id FROM issues WHERE grid LIKE ?1 AND stage IS NOT NULL
               AND (?2 IS NULL OR reported_at >= ?2) AND (?3 IS NULL OR reported_at < ?3)
             ORDER BY reported_at, id",
            grid_prefix,
            from,
            to,
        )
    }

    /// Wishes under `grid_prefix` posted in `[from, to)`, oldest first.
    pub fn ledger_wish_ids(
        &self,
        grid_prefix: &str,
        from: Option<Instant>,
        to: Option<Instant>,
    ) -> Result<Vec<String>> {
        self.ids_between(
            "SELECT id FROM wishes WHERE grid LIKE ?1 AND stage IS NOT NULL
               AND (?2 IS NULL OR posted_at >= ?2) AND (?3 IS NULL OR posted_at < ?3)
             ORDER BY posted_at, id",
            grid_prefix,
            from,
            to,
        )
    }

    fn ids_between(
        &self,
        sql: &str,
        grid_prefix: &str,
        from: Option<Instant>,
        to: Option<Instant>,
    ) -> Result<Vec<String>> {
        let mut st = self.conn.prepare_cached(sql)?;
        let rows = st.query_map(
            params![like(grid_prefix), from.map(fmt_time), to.map(fmt_time)],
            |r| r.get(0),
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

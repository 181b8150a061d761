//! Aggregates for the app: the "Today" list of what needs the user, and the
//! dashboard community and street offices watch. Read-only, over the
//! projection; every figure is computed from what this device holds.

use std::collections::BTreeMap;

use gridline_model::issue::{self, overdue, Stage};
use gridline_model::{parse_time, Instant};
use gridline_records::fmt_time;

use crate::{Result, Store};

/// Counts for the dashboard (数据看板). Lists are `(key, count)` ordered by key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dashboard {
    pub issues_by_state: Vec<(String, i64)>,
    pub issues_by_category: Vec<(String, i64)>,
    /// Issues reported per day over the last `days` days, oldest first: `(YYYY-MM-DD, n)`.
    pub issues_per_day: Vec<(String, i64)>,
    pub overdue: i64,
    /// Median hours from report to close over closed issues; `None` when none closed.
    pub median_hours_to_close: Option<f64>,
    pub wishes_by_state: Vec<(String, i64)>,
    pub households: i64,
    /// Households with at least one visit since `since`.
    pub households_visited: i64,
}

/// What needs the user now (首页).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Today {
    pub overdue_issues: i64,
    /// Issues waiting for their first step (reported, not yet accepted).
    pub new_issues: i64,
    pub households_not_visited: i64,
    pub wishes_waiting: i64,
}

fn grouped(store: &Store, sql: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<(String, i64)>> {
    let mut st = store.connection().prepare_cached(sql)?;
    let rows = st
        .query_map(args, |r| {
            Ok((
                r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                r.get(1)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

fn count(store: &Store, sql: &str, args: &[&dyn rusqlite::ToSql]) -> Result<i64> {
    Ok(store.connection().query_row(sql, args, |r| r.get(0))?)
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

impl Store {
    /// The dashboard as of `now`; "visited" means a visit since `since`,
    /// `days` is the length of the issues-per-day series.
    pub fn dashboard(&self, now: Instant, since: Instant, days: u32) -> Result<Dashboard> {
        let since_s = fmt_time(since);
        let start = now - chrono::Duration::days(i64::from(days.max(1)) - 1);
        let start_day = start.format("%Y-%m-%d").to_string();
        let mut per_day = grouped(
            self,
            // A range of `issues_reported`: ISO times sort as their text,
            // and a time on `start_day` sorts after the bare date.
            "SELECT substr(reported_at, 1, 10) AS day, count(*) FROM issues
             WHERE reported_at >= ?1 GROUP BY day ORDER BY day",
            &[&start_day],
        )?;
        // Fill the days without reports so the line has no gaps.
        let mut series = Vec::with_capacity(days as usize);
        for i in 0..i64::from(days.max(1)) {
            let d = (start + chrono::Duration::days(i))
                .format("%Y-%m-%d")
                .to_string();
            let n = per_day
                .iter()
                .position(|(k, _)| *k == d)
                .map(|p| per_day.swap_remove(p).1)
                .unwrap_or(0);
            series.push((d, n));
        }
        // Both groupings from the tally the triggers keep (migration 0007).
        let (mut by_state, mut by_category) = (BTreeMap::new(), BTreeMap::new());
        for (stage, category, n) in self.issue_tally()? {
            *by_state.entry(stage).or_insert(0) += n;
            *by_category.entry(category).or_insert(0) += n;
        }
        Ok(Dashboard {
            issues_by_state: by_state.into_iter().collect(),
            issues_by_category: by_category.into_iter().collect(),
            issues_per_day: series,
            overdue: self.overdue_issues(now)?,
            median_hours_to_close: self.median_hours_to_close()?,
            wishes_by_state: grouped(
                self,
                "SELECT stage, count(*) FROM wishes GROUP BY stage ORDER BY stage",
                &[],
            )?,
            households: count(
                self,
                &format!(
                    "SELECT count(*) FROM households h WHERE {}",
                    crate::merges::NOT_MERGED
                ),
                &[],
            )?,
            households_visited: self.households_visited(&since_s)?,
        })
    }

    /// The median of the hours closed issues took, read from the middle of
    /// `issues_hours` (one value, or the two around the middle).
    fn median_hours_to_close(&self) -> Result<Option<f64>> {
        let n = count(
            self,
            "SELECT count(*) FROM issues WHERE hours_to_close IS NOT NULL",
            &[],
        )?;
        if n == 0 {
            return Ok(None);
        }
        let mut st = self.connection().prepare_cached(
            "SELECT hours_to_close FROM issues WHERE hours_to_close IS NOT NULL
             ORDER BY hours_to_close LIMIT ?1 OFFSET ?2",
        )?;
        let middle = st
            .query_map([2 - n % 2, (n - 1) / 2], |r| r.get::<_, f64>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(median(middle))
    }

    /// Issues counted by `(stage, category)`; a stage not yet folded is "".
    fn issue_tally(&self) -> Result<Vec<(String, String, i64)>> {
        let mut st = self
            .connection()
            .prepare_cached("SELECT stage, category, n FROM issue_tally WHERE n > 0")?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                    r.get(1)?,
                    r.get(2)?,
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Households this device holds with a visit at or after `since`. The
    /// recent visits are few (a month of a street's is ~7,000 of 400,000),
    /// so they are read through `visits_at` and matched to households;
    /// without INDEXED BY and CROSS JOIN the planner scans every visit.
    fn households_visited(&self, since: &str) -> Result<i64> {
        count(
            self,
            "SELECT count(DISTINCT v.household_id) FROM visits v INDEXED BY visits_at
               CROSS JOIN households h ON h.id = v.household_id WHERE v.at >= ?1
                AND h.id NOT IN (SELECT household_id FROM household_survivors)",
            &[&since],
        )
    }

    /// Issues overdue at `now`, by the one rule in the model
    /// ([`gridline_model::issue::overdue`]), not a copy of it in SQL: only
    /// issues with a deadline, in a stage the model says can be overdue, are
    /// read (through `issues_deadlines`).
    fn overdue_issues(&self, now: Instant) -> Result<i64> {
        let stages: Vec<&str> = issue::stages_that_can_be_overdue()
            .into_iter()
            .map(Stage::key)
            .collect();
        let marks = vec!["?"; stages.len()].join(", ");
        let mut st = self.connection().prepare_cached(&format!(
            "SELECT stage, deadline FROM issues WHERE deadline IS NOT NULL AND stage IN ({marks})"
        ))?;
        let rows = st.query_map(rusqlite::params_from_iter(&stages), |r| {
            Ok((r.get::<_, Option<String>>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut n = 0;
        for row in rows {
            let (stage, deadline) = row?;
            let stage = stage.and_then(|s| Stage::parse(&s).ok());
            if overdue(stage, parse_time(&deadline), now) {
                n += 1;
            }
        }
        Ok(n)
    }

    /// What needs attention as of `now`; "not visited" means no visit since `since`.
    pub fn today(&self, now: Instant, since: Instant) -> Result<Today> {
        let since_s = fmt_time(since);
        Ok(Today {
            overdue_issues: self.overdue_issues(now)?,
            new_issues: count(
                self,
                "SELECT count(*) FROM issues WHERE stage = 'reported'",
                &[],
            )?,
            households_not_visited: count(
                self,
                &format!(
                    "SELECT count(*) FROM households h WHERE {}",
                    crate::merges::NOT_MERGED
                ),
                &[],
            )? - self.households_visited(&since_s)?,
            wishes_waiting: count(
                self,
                "SELECT count(*) FROM wishes WHERE stage = 'posted'",
                &[],
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn median_of_odd_even_and_empty() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }
}

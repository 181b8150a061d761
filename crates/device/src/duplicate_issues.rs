//! Likely duplicate issues (疑似重复事件) for the accept step: the same
//! household (through household merges, so an issue filed under a merged
//! household counts as its survivor's) and the same category, reported
//! within seven days of each other, and not finished. They lead to the
//! existing 合并 (merge as duplicate) issue step; nothing here writes.

use chrono::Duration;
use gridline_model::issue::Stage;
use gridline_model::permission::{check, Action, Kind};
use gridline_model::Instant;

use crate::views::{self, IssueSummary};
use crate::{parse_id, Device, Result};

/// How far apart two reports of one problem are still likely the same.
pub const WINDOW_DAYS: i64 = 7;

impl Device {
    /// Open issues that look like `issue` (see the module docs), newest first;
    /// only those this user may read.
    pub fn likely_duplicate_issues(&self, issue: &str, now: Instant) -> Result<Vec<IssueSummary>> {
        let id = parse_id(issue, "issue")?;
        let rows = self.store.issues(&gridline_store::IssueFilter::default())?;
        let all: Vec<IssueSummary> = rows
            .into_iter()
            .map(|r| views::issue(r, now))
            .collect::<Result<_>>()?;
        let Some(me) = all.iter().find(|i| i.id == id) else {
            return Err(crate::not_found("事件", "issue", id));
        };
        let Some(household) = me.household else {
            return Ok(Vec::new());
        };
        let survivor = |h: gridline_model::RecordId| -> Result<String> {
            let key = h.to_string();
            Ok(self
                .store
                .merge_of(&key)?
                .map(|m| m.survivor)
                .unwrap_or(key))
        };
        let mine = survivor(household)?;
        let window = Duration::days(WINDOW_DAYS);
        let mut out = Vec::new();
        for i in &all {
            let finished = matches!(
                i.stage,
                Some(
                    Stage::Rejected
                        | Stage::Merged
                        | Stage::Resolved
                        | Stage::Closed
                        | Stage::Evaluated
                )
            );
            if i.id == me.id || finished || i.category != me.category {
                continue;
            }
            if (i.reported_at - me.reported_at).abs() > window {
                continue;
            }
            let Some(h) = i.household else { continue };
            if survivor(h)? != mine {
                continue;
            }
            if check(self.user(), Kind::Issue, Action::Read, &i.target()).is_ok() {
                out.push(i.clone());
            }
        }
        Ok(out)
    }
}

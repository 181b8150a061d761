//! Today (首页) and the dashboard (数据看板).

use tauri::State;

use crate::convert;
use crate::dto;
use crate::state::{now, with, AppState, Res};

#[tauri::command]
pub async fn today(s: State<'_, AppState>) -> Res<dto::Today> {
    with(&s, |d| {
        let at = now();
        let t = d.today(at)?;
        let (yellow_issues, red_issues) = d.issue_warnings(at)?;
        let cases_needing_me = d
            .cases_needing_me(at)?
            .into_iter()
            .map(|(c, why)| dto::CaseNeedingMe {
                case: convert::case_row(c),
                why: why.into(),
            })
            .collect();
        Ok(dto::Today {
            overdue_issues: t.overdue_issues,
            yellow_issues,
            red_issues,
            new_issues: t.new_issues,
            households_not_visited: t.households_not_visited,
            wishes_waiting: t.wishes_waiting,
            unsent: d.sync_status()?.unsent,
            cases_needing_me,
        })
    })
    .await
}

#[tauri::command]
pub async fn dashboard(s: State<'_, AppState>) -> Res<dto::Dashboard> {
    with(&s, |d| {
        let b = d.dashboard(now())?;
        let counts = |v: Vec<(String, i64)>| {
            v.into_iter()
                .map(|(key, n)| dto::Count { key, n })
                .collect::<Vec<_>>()
        };
        Ok(dto::Dashboard {
            issues_by_state: counts(b.issues_by_state),
            issues_by_category: counts(b.issues_by_category),
            issues_per_day: counts(b.issues_per_day),
            overdue: b.overdue,
            median_hours_to_close: b.median_hours_to_close,
            wishes_by_state: counts(b.wishes_by_state),
            households: b.households,
            households_visited: b.households_visited,
            reveals: d
                .reveal_counts()?
                .into_iter()
                .map(|c| dto::RevealCount {
                    community: c.community,
                    user_id: c.user_id,
                    user_name: c.user_name,
                    month: c.month,
                    n: u32::try_from(c.n).unwrap_or(u32::MAX),
                })
                .collect(),
        })
    })
    .await
}

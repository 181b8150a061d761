//! Issues: the list, one issue, reporting, and workflow steps.

use gridline_device::app as dapp;
use gridline_model::text;
use gridline_model::time_limit::Warning;
use tauri::State;

use crate::commands::households::created;
use crate::convert;
use crate::dto;
use crate::state::{now, with, AppState, Res};

#[tauri::command]
pub async fn issues(s: State<'_, AppState>, query: dto::IssueQuery) -> Res<Vec<dto::IssueRow>> {
    let t = now();
    with(&s, |d| {
        let filter = gridline_device::IssueFilter {
            stage: query
                .state
                .as_deref()
                .filter(|x| !x.is_empty())
                .map(gridline_model::issue::Stage::parse)
                .transpose()?,
            category: query.category.filter(|x| !x.is_empty()),
            grid: None,
            overdue_at: query.overdue.then_some(t),
            warning: match query.warning.as_deref().unwrap_or("") {
                "" => None,
                "yellow" => Some((Warning::Yellow, t)),
                "red" => Some((Warning::Red, t)),
                other => {
                    return Err(gridline_model::Invalid::new(
                        "warning",
                        text!("未知预警 \"{other}\"", "unknown warning \"{other}\""),
                        text!("请用 yellow 或 red", "use yellow or red"),
                    )
                    .into())
                }
            },
            limit: Some(query.limit.map(|l| l as usize).unwrap_or(300)),
        };
        let rows = d.issues(&filter, t)?;
        Ok(rows.into_iter().map(convert::issue_row).collect())
    })
    .await
}

/// One issue, naming where and whom it is about as the list does.
fn issue_detail(
    d: &gridline_device::Device,
    id: &str,
) -> gridline_device::Result<dto::IssueDetail> {
    let t = now();
    let mut detail = convert::issue(d.issue(id, t)?);
    if detail.offered.iter().any(|s| s == "merge") {
        detail.likely_duplicates = d
            .likely_duplicate_issues(id, t)?
            .into_iter()
            .map(convert::issue_row)
            .collect();
    }
    detail.position = d
        .position_of(id)?
        .map(|p| convert::position(&p, &detail.category));
    if let Some(h) = detail.household_id.clone() {
        // A merged household's issue shows, and opens, the household kept.
        if let Some(row) = d.household_summary(&h)? {
            detail.household_id = Some(row.id.to_string());
            detail.household_address = Some(row.address);
            detail.head_name = Some(row.head_name);
        }
    }
    Ok(detail)
}

#[tauri::command]
pub async fn issue(s: State<'_, AppState>, id: String) -> Res<dto::IssueDetail> {
    with(&s, |d| issue_detail(d, &id)).await
}

#[tauri::command]
pub async fn report_issue(s: State<'_, AppState>, issue: dto::NewIssue) -> Res<dto::Created> {
    let c = with(&s, |d| {
        let evidence = gridline_device::Evidence {
            photos: convert::attach(&issue.photos),
            position: issue.position.as_ref().map(convert::location).transpose()?,
        };
        d.report_issue_with_evidence(
            &gridline_device::NewIssue {
                grid: issue.grid.filter(|g| !g.is_empty()),
                household: issue.household_id.filter(|h| !h.is_empty()),
                category: issue.category,
                description: issue.description,
                location: issue.location,
                urgency: issue.urgency,
            },
            issue.id.as_deref().filter(|i| !i.is_empty()),
            &evidence,
            now(),
        )
    })
    .await?;
    s.kick();
    Ok(created(c))
}

#[tauri::command]
pub async fn act_on_issue(
    s: State<'_, AppState>,
    id: String,
    action: dto::IssueAction,
) -> Res<dto::IssueDetail> {
    let step = dapp::issue_step(&dapp::IssueAction {
        step: action.step,
        reason: action.reason,
        into: action.into,
        note: action.note,
        departments: action.departments,
        grade: action.grade,
        feedback: action.feedback,
        satisfied: action.satisfied,
        resident: action.resident,
        comment: action.comment,
        amount: action.amount,
        approve: action.approve,
    })?;
    let r = with(&s, |d| {
        d.act_on_issue_with_photos(&id, step, &convert::attach(&action.photos), now())?;
        issue_detail(d, &id)
    })
    .await?;
    s.kick();
    Ok(r)
}

/// Issue positions of the last `days` days, for the dashboard's plot.
#[tauri::command]
pub async fn issue_points(s: State<'_, AppState>, days: Option<u32>) -> Res<Vec<dto::IssuePoint>> {
    with(&s, |d| {
        let points = d.issue_points(i64::from(days.unwrap_or(30)), now())?;
        Ok(points
            .into_iter()
            .map(|p| dto::IssuePoint {
                id: p.id,
                lat: p.lat,
                lon: p.lon,
                state: p.stage,
                category: p.category,
                reported_at: p.reported_at,
            })
            .collect())
    })
    .await
}

/// A household's stored location, offered by the report form on a laptop
/// (no GPS there); none when it has none.
#[tauri::command]
pub async fn household_position(s: State<'_, AppState>, id: String) -> Res<Option<dto::Position>> {
    with(&s, |d| {
        Ok(d.household_position(&id)?
            .map(|p| convert::position(&p, "")))
    })
    .await
}

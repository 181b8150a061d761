//! Households: the list and search, one household, editing, conflicts; visits.

use gridline_device::{Device, Error};
use tauri::State;

use crate::convert;
use crate::dto;
use crate::state::{now, with, AppState, Res};

#[tauri::command]
pub async fn households(
    s: State<'_, AppState>,
    query: dto::HouseholdQuery,
) -> Res<Vec<dto::HouseholdRow>> {
    let filter = gridline_device::HouseholdFilter {
        query: query.query,
        grid: None,
        tag: query
            .tag
            .as_deref()
            .filter(|t| !t.is_empty())
            .map(gridline_model::Tag::parse)
            .transpose()
            .map_err(Error::from)?,
        not_visited_since: query
            .not_visited_days
            .map(|days| now() - chrono::Duration::days(i64::from(days))),
        limit: Some(query.limit.map(|l| l as usize).unwrap_or(500)),
    };
    with(&s, |d| {
        let rows = d.households(&filter)?;
        Ok(rows.into_iter().map(convert::household_row).collect())
    })
    .await
}

pub(crate) fn household_detail(
    d: &Device,
    id: &str,
) -> gridline_device::Result<dto::HouseholdDetail> {
    Ok(convert::household(d.household(id, now())?))
}

#[tauri::command]
pub async fn household(s: State<'_, AppState>, id: String) -> Res<dto::HouseholdDetail> {
    with(&s, |d| household_detail(d, &id)).await
}

/// One resident's ID number in full, with the user's reason if given. The
/// device records the reveal (it syncs to the hub) before it answers.
#[tauri::command]
pub async fn reveal_id_number(
    s: State<'_, AppState>,
    household: String,
    resident: String,
    reason: Option<String>,
) -> Res<String> {
    let r = with(&s, |d| {
        d.reveal_id_number(&household, &resident, reason.as_deref(), now())
    })
    .await?;
    // The reveal is a change like any other: the engine sends it.
    s.kick();
    Ok(r)
}

#[tauri::command]
pub async fn edit_household(
    s: State<'_, AppState>,
    id: String,
    edit: dto::HouseholdEdit,
) -> Res<dto::HouseholdDetail> {
    let r = with(&s, |d| {
        d.edit_household(
            &id,
            &gridline_device::HouseholdEdit {
                phone: edit.phone,
                notes: edit.notes,
                add_tags: edit.add_tags,
                remove_tags: edit.remove_tags,
                ..Default::default()
            },
            now(),
        )?;
        household_detail(d, &id)
    })
    .await?;
    s.kick();
    Ok(r)
}

/// 合并: community staff merge `merged` into `survivor`, which keeps
/// everything; the merged household is kept and marked, never deleted.
/// Answers the survivor's page as it now is.
#[tauri::command]
pub async fn merge_households(
    s: State<'_, AppState>,
    merged: String,
    survivor: String,
    reason: String,
) -> Res<dto::HouseholdDetail> {
    let r = with(&s, |d| {
        d.merge_households(&merged, &survivor, &reason, now())?;
        household_detail(d, &survivor)
    })
    .await?;
    s.kick();
    Ok(r)
}

/// 撤销合并: a mistaken merge undone by an authored event.
#[tauri::command]
pub async fn unmerge_household(
    s: State<'_, AppState>,
    id: String,
    reason: String,
) -> Res<dto::HouseholdDetail> {
    let r = with(&s, |d| {
        d.unmerge_household(&id, &reason, now())?;
        household_detail(d, &id)
    })
    .await?;
    s.kick();
    Ok(r)
}

#[tauri::command]
pub async fn resolve_conflict(
    s: State<'_, AppState>,
    id: String,
    path: String,
    value: String,
) -> Res<dto::HouseholdDetail> {
    let r = with(&s, |d| {
        d.resolve_conflict(&id, &path, &value, now())?;
        household_detail(d, &id)
    })
    .await?;
    s.kick();
    Ok(r)
}

#[tauri::command]
pub async fn log_visit(s: State<'_, AppState>, visit: dto::NewVisit) -> Res<dto::Created> {
    let c = with(&s, |d| {
        let evidence = gridline_device::Evidence {
            photos: convert::attach(&visit.photos),
            position: visit.position.as_ref().map(convert::location).transpose()?,
        };
        d.log_visit_with_evidence(
            &gridline_device::NewVisit {
                household: visit.household_id,
                kind: visit.kind.filter(|k| !k.is_empty()),
                notes: visit.notes,
                at: None,
            },
            visit.id.as_deref().filter(|i| !i.is_empty()),
            &evidence,
            now(),
        )
    })
    .await?;
    s.kick();
    Ok(created(c))
}

/// A create's answer; `already_saved` when the draft's id was saved before.
pub(crate) fn created(c: gridline_device::Created) -> dto::Created {
    dto::Created {
        id: c.id.to_string(),
        already_saved: c.already_saved,
    }
}

#[tauri::command]
pub async fn visits(s: State<'_, AppState>, household: Option<String>) -> Res<Vec<dto::Visit>> {
    with(&s, |d| {
        let me = d.user().id.clone();
        let rows = match household.as_deref() {
            Some(h) => d.visits(Some(h), None, Some(200))?,
            None => d.visits(None, Some(&me), Some(200))?,
        };
        Ok(rows.into_iter().map(convert::visit).collect())
    })
    .await
}

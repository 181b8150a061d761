//! Micro-wishes: the wall, one wish, posting, and wish steps.

use gridline_device::app as dapp;
use tauri::State;

use crate::commands::households::created;
use crate::convert;
use crate::dto;
use crate::state::{now, with, AppState, Res};

#[tauri::command]
pub async fn wishes(s: State<'_, AppState>, state: Option<String>) -> Res<Vec<dto::WishRow>> {
    with(&s, |d| {
        let stage = state
            .as_deref()
            .filter(|x| !x.is_empty())
            .map(gridline_model::wish::WishStage::parse)
            .transpose()?;
        let rows = d.wishes(stage, Some(500))?;
        Ok(rows.into_iter().map(convert::wish_row).collect())
    })
    .await
}

#[tauri::command]
pub async fn wish(s: State<'_, AppState>, id: String) -> Res<dto::WishDetail> {
    with(&s, |d| {
        let me = d.user().id.clone();
        Ok(convert::wish(d.wish(&id)?, &me))
    })
    .await
}

#[tauri::command]
pub async fn post_wish(s: State<'_, AppState>, wish: dto::NewWish) -> Res<dto::Created> {
    let c = with(&s, |d| {
        d.post_wish_with_id(
            &gridline_device::NewWish {
                grid: wish.grid.filter(|g| !g.is_empty()),
                household: wish.household_id.filter(|h| !h.is_empty()),
                title: wish.title,
                category: wish.category,
                value_yuan: wish.value_yuan,
                description: wish.description,
            },
            wish.id.as_deref().filter(|i| !i.is_empty()),
            now(),
        )
    })
    .await?;
    s.kick();
    Ok(created(c))
}

#[tauri::command]
pub async fn act_on_wish(
    s: State<'_, AppState>,
    id: String,
    action: dto::WishAction,
) -> Res<dto::WishDetail> {
    let step = dapp::wish_step(&dapp::WishAction {
        step: action.step,
        note: action.note,
        resident: action.resident,
        reason: action.reason,
    })?;
    let photos = convert::attach(&action.photos);
    let r = with(&s, |d| {
        match step {
            // A fulfilment's photos are its evidence, saved with it.
            gridline_model::WishStep::Fulfil { note } if !photos.is_empty() => {
                d.fulfil_wish_with_photos(&id, &note, &photos, now())?
            }
            step => d.act_on_wish(&id, step, now())?,
        };
        let me = d.user().id.clone();
        Ok(convert::wish(d.wish(&id)?, &me))
    })
    .await?;
    s.kick();
    Ok(r)
}

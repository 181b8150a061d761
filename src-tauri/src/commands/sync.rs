//! The sync state the panel shows, syncing now, and the records the hub refused.

use tauri::State;

use crate::dto::{self, SyncInfo};
use crate::engine;
use crate::state::{with, AppState, Res};

#[tauri::command]
pub async fn sync_info(s: State<'_, AppState>) -> Res<SyncInfo> {
    let guard = s.device.lock().await;
    let live = s.live.lock().expect("live state").clone();
    Ok(engine::info(guard.as_ref(), &live))
}

/// Asks the engine to sync now; progress and the result arrive as events.
#[tauri::command]
pub async fn sync_now(s: State<'_, AppState>) -> Res<SyncInfo> {
    s.kick();
    let live = s.live.lock().expect("live state").clone();
    // While a sync runs the device is busy: answer from the engine's state.
    match s.device.try_lock() {
        Ok(guard) => Ok(engine::info(guard.as_ref(), &live)),
        Err(_) => Ok(SyncInfo {
            phase: "syncing".into(),
            syncing: true,
            received: live.received,
            total: live.total,
            seconds_left: live.seconds_left,
            ..Default::default()
        }),
    }
}

#[tauri::command]
pub async fn refused_records(s: State<'_, AppState>) -> Res<Vec<dto::RefusedRecord>> {
    with(&s, |d| {
        Ok(d.refused_records()?
            .into_iter()
            .map(|c| dto::RefusedRecord {
                id: c.id,
                kind: c.kind.map(|k| k.key().to_owned()).unwrap_or_default(),
                reason: c.reason.into(),
                refused_at: c.refused_at,
                summary: c.summary,
            })
            .collect())
    })
    .await
}

#[tauri::command]
pub async fn export_refused(s: State<'_, AppState>, id: String) -> Res<String> {
    with(&s, |d| Ok(d.export_refused(&id)?.display().to_string())).await
}

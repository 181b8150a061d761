//! Gridline's app shell (Tauri 2): thin commands over the `device` crate —
//! the same API the `gridline` command calls — plus the background sync
//! engine, which reports to the UI as `sync-state` events. No domain rules
//! live here: each command converts its input, calls the device, and
//! converts the answer (see `dto` for what crosses, `convert` for the mapping,
//! `commands` for the commands by concern, `state` for what they share).

mod commands;
mod convert;
pub mod dto;
pub mod engine;
mod state;

use std::path::PathBuf;
use std::sync::Arc;

use gridline_device::Device;
use tauri::{Emitter, Manager, Runtime};
use tokio::sync::Mutex;

use dto::SyncInfo;
use engine::Live;

pub use state::AppState;

/// The event the UI listens to for sync state and progress.
pub const SYNC_EVENT: &str = "sync-state";
/// The event the UI listens to for the photo queue (`PhotoQueue`): a
/// photo's state changed, so photo strips look again.
pub const PHOTO_EVENT: &str = "photo-state";
/// An import's progress (`ImportProgress`), while `run_import` builds households.
pub const IMPORT_EVENT: &str = "import-progress";

/// The app's commands and state on any runtime (tests use the mock one).
pub fn builder<R: Runtime>(b: tauri::Builder<R>, state: AppState) -> tauri::Builder<R> {
    b.manage(state).invoke_handler(handler())
}

fn handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        commands::device::device_info,
        commands::device::enroll,
        commands::device::vocabulary,
        commands::sync::sync_info,
        commands::sync::sync_now,
        commands::summary::today,
        commands::households::households,
        commands::households::household,
        commands::households::reveal_id_number,
        commands::households::edit_household,
        commands::households::merge_households,
        commands::households::unmerge_household,
        commands::households::resolve_conflict,
        commands::households::log_visit,
        commands::households::visits,
        commands::issues::issues,
        commands::issues::issue,
        commands::issues::report_issue,
        commands::issues::issue_points,
        commands::issues::household_position,
        commands::issues::act_on_issue,
        commands::wishes::wishes,
        commands::wishes::wish,
        commands::wishes::post_wish,
        commands::wishes::act_on_wish,
        commands::mediation::cases,
        commands::mediation::case,
        commands::mediation::report_case,
        commands::mediation::case_from_issue,
        commands::mediation::act_on_case,
        commands::mediation::set_case_parties,
        commands::mediation::mediation_figures,
        commands::deliberation::topics,
        commands::deliberation::topic,
        commands::deliberation::propose_topic,
        commands::deliberation::act_on_topic,
        commands::deliberation::deliberation_figures,
        commands::sync::refused_records,
        commands::sync::export_refused,
        commands::summary::dashboard,
        commands::device::draft_get,
        commands::device::draft_put,
        commands::device::draft_clear,
        commands::device::set_language,
        commands::lock::lock_state,
        commands::lock::unlock,
        commands::lock::lock,
        commands::lock::set_idle_lock,
        commands::photos::take_photo,
        commands::photos::photos_of,
        commands::photos::photo_thumb,
        commands::photos::photo_full,
        commands::photos::retry_photo,
        commands::photos::photo_queue,
        commands::exports::export_office,
        commands::imports::stage_import,
        commands::imports::preview_import,
        commands::imports::run_import,
        commands::imports::duplicate_households,
        commands::imports::duplicate_residents,
    ]
}

/// Starts the background sync engine and points its events at the app.
fn start_engine<R: Runtime>(app: &tauri::App<R>) {
    let handle = app.handle().clone();
    let state = app.state::<AppState>();
    let emitter = handle.clone();
    let _ = state.emitter.set(Box::new(move |info: &SyncInfo| {
        let _ = emitter.emit(SYNC_EVENT, info);
    }));
    let emitter = handle.clone();
    let _ = state
        .photo_emitter
        .set(Box::new(move |q: &dto::PhotoQueue| {
            let _ = emitter.emit(PHOTO_EVENT, q);
        }));
    let emitter = handle.clone();
    let _ = state
        .import_emitter
        .set(Box::new(move |done: u32, total: u32| {
            let _ = emitter.emit(IMPORT_EVENT, dto::ImportProgress { done, total });
        }));
    // The engine holds the state through the app handle for the app's lifetime.
    let host = Arc::new(HostRef(handle));
    let kick = state.kick.clone();
    tauri::async_runtime::spawn(engine::run(host, kick));
}

/// The engine's view of the managed state, through the app handle.
struct HostRef<R: Runtime>(tauri::AppHandle<R>);

impl<R: Runtime> engine::Host for HostRef<R> {
    fn device(&self) -> &Mutex<Option<Device>> {
        &self.0.state::<AppState>().inner().device
    }
    fn emit(&self, info: &SyncInfo) {
        engine::Host::emit(self.0.state::<AppState>().inner(), info)
    }
    fn live(&self) -> &std::sync::Mutex<Live> {
        &self.0.state::<AppState>().inner().live
    }
    fn emit_photos(&self, queue: &dto::PhotoQueue) {
        engine::Host::emit_photos(self.0.state::<AppState>().inner(), queue)
    }
}

/// Where the device keeps its data: `GRIDLINE_DATA` if set, else the
/// platform's app-data directory.
fn data_dir<R: Runtime>(app: &tauri::App<R>) -> PathBuf {
    std::env::var_os("GRIDLINE_DATA")
        .map(PathBuf::from)
        .or_else(|| app.path().app_data_dir().ok())
        .unwrap_or_else(|| PathBuf::from("gridline-data"))
}

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .try_init();
    let result = tauri::Builder::default()
        .setup(|app| {
            let dir = data_dir(app);
            let state =
                AppState::open(dir, std::env::var("GRIDLINE_HUB").ok()).map_err(|e| e.message)?;
            app.manage(state);
            start_engine(app);
            Ok(())
        })
        .invoke_handler(handler())
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!(
            "{}: {e}",
            gridline_model::text!("网格通无法启动", "Gridline could not start")
        );
        std::process::exit(1);
    }
}

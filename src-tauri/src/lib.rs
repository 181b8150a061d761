//! Gridline's app shell (Tauri 2): thin commands over the `device` crate —
//! the same API the `gridline` command calls — plus the background sync
//! engine, which reports to the UI as `sync-state` events. No domain rules
//! live here: each command converts its input, calls the device, and
//! converts the answer (see `dto` for what crosses, `convert` for the mapping).

mod convert;
pub mod dto;
pub mod engine;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use gridline_device::{app as dapp, Device, Error};
use gridline_model::permission::{self, check, Action, Kind, Target};
use tauri::{Emitter, Manager, Runtime, State};
use tokio::sync::Mutex;

use dto::{AppError, SyncInfo};
use engine::{Kick, Live};

/// The event the UI listens to for sync state and progress.
pub const SYNC_EVENT: &str = "sync-state";

impl From<Error> for AppError {
    fn from(e: Error) -> AppError {
        let t = e.text();
        AppError {
            code: e.code().into(),
            message: t.in_lang(gridline_model::Lang::Both),
            zh: t.zh,
            en: t.en,
        }
    }
}

type Res<T> = std::result::Result<T, AppError>;

fn app_error(code: &str, t: gridline_model::Text) -> AppError {
    AppError {
        code: code.into(),
        message: t.in_lang(gridline_model::Lang::Both),
        zh: t.zh,
        en: t.en,
    }
}

/// Sends a `sync-state` event to the UI (set once the app runs).
type SendEvent = Box<dyn Fn(&SyncInfo) + Send + Sync>;

/// Everything the commands share: the device (one SQLite connection, used
/// by one command or the sync engine at a time) and the engine's state.
pub struct AppState {
    dir: PathBuf,
    device: Mutex<Option<Device>>,
    live: std::sync::Mutex<Live>,
    kick: Kick,
    emitter: OnceLock<SendEvent>,
    suggested_hub: Option<String>,
}

impl engine::Host for AppState {
    fn device(&self) -> &Mutex<Option<Device>> {
        &self.device
    }
    fn emit(&self, info: &SyncInfo) {
        if let Some(f) = self.emitter.get() {
            f(info)
        }
    }
    fn live(&self) -> &std::sync::Mutex<Live> {
        &self.live
    }
}

impl AppState {
    /// Opens the device in `dir` if there is one; the UI shows enrolment otherwise.
    pub fn open(dir: PathBuf, suggested_hub: Option<String>) -> Res<AppState> {
        let device = match Device::open(&dir) {
            Ok(d) => Some(d),
            Err(Error::NotInitialised { .. }) => None,
            Err(e) => return Err(e.into()),
        };
        Ok(AppState {
            dir,
            device: Mutex::new(device),
            live: Default::default(),
            kick: Kick::default(),
            emitter: OnceLock::new(),
            suggested_hub,
        })
    }

    fn kick(&self) {
        self.kick.now();
    }
}

fn not_enrolled() -> AppError {
    Error::NotEnrolled.into()
}

/// Runs `f` on the enrolled device.
async fn with<T>(
    s: &AppState,
    f: impl FnOnce(&mut Device) -> gridline_device::Result<T>,
) -> Res<T> {
    let mut guard = s.device.lock().await;
    let d = guard
        .as_mut()
        .filter(|d| d.is_enrolled())
        .ok_or_else(not_enrolled)?;
    Ok(f(d)?)
}

fn now() -> gridline_model::Instant {
    chrono::Utc::now()
}

fn info_of(s: &AppState, d: Option<&Device>) -> Res<dto::DeviceInfo> {
    let language = match d {
        Some(d) => d.language()?,
        None => "zh-CN".into(),
    };
    let status = d.map(|d| d.sync_status()).transpose()?;
    Ok(match d {
        Some(d) if d.is_enrolled() => {
            let u = d.user();
            dto::DeviceInfo {
                enrolled: true,
                device_id: d.identity().device_id.clone(),
                user_id: u.id.clone(),
                user_name: u.name.clone(),
                role: u.role.key().into(),
                scope: u.scope.encode(),
                hub_url: status.and_then(|s| s.hub_url),
                dashboard: permission::may_see_dashboard(u.role),
                may: permission::may_create(u.role)
                    .into_iter()
                    .filter_map(|k| match k {
                        Kind::Visit => Some("log_visit".to_owned()),
                        Kind::Issue => Some("report_issue".to_owned()),
                        Kind::Wish => Some("post_wish".to_owned()),
                        _ => None,
                    })
                    .collect(),
                grids: match &u.scope {
                    gridline_model::Scope::Grids(g) => g.iter().map(|g| g.to_string()).collect(),
                    _ => Vec::new(),
                },
                language,
                data_dir: s.dir.display().to_string(),
                suggested_hub: s.suggested_hub.clone(),
            }
        }
        _ => dto::DeviceInfo {
            enrolled: false,
            device_id: d
                .map(|d| d.identity().device_id.clone())
                .unwrap_or_default(),
            user_id: String::new(),
            user_name: String::new(),
            role: String::new(),
            scope: String::new(),
            hub_url: None,
            dashboard: false,
            may: Vec::new(),
            grids: Vec::new(),
            language,
            data_dir: s.dir.display().to_string(),
            suggested_hub: s.suggested_hub.clone(),
        },
    })
}

#[tauri::command]
async fn device_info(s: State<'_, AppState>) -> Res<dto::DeviceInfo> {
    let guard = s.device.lock().await;
    info_of(&s, guard.as_ref())
}

/// Exchanges a one-time code for the hub's binding, then starts syncing.
#[tauri::command]
async fn enroll(s: State<'_, AppState>, hub: String, code: String) -> Res<dto::DeviceInfo> {
    let mut guard = s.device.lock().await;
    if guard.as_ref().is_some_and(|d| d.is_enrolled()) {
        return Err(app_error(
            "already_initialised",
            gridline_model::text!("本机已注册", "this device is already enrolled"),
        ));
    }
    if guard.is_none() {
        *guard = Some(Device::init_for_enrolment(&s.dir)?);
    }
    let device = guard.as_mut().expect("device was just created");
    gridline_device::sync::enroll(device, &hub, &code, None).await?;
    let info = info_of(&s, Some(device))?;
    drop(guard);
    s.kick();
    Ok(info)
}

#[tauri::command]
async fn vocabulary() -> Res<dto::Vocabulary> {
    Ok(convert::vocabulary())
}

#[tauri::command]
async fn sync_info(s: State<'_, AppState>) -> Res<SyncInfo> {
    let guard = s.device.lock().await;
    let live = s.live.lock().expect("live state").clone();
    Ok(engine::info(guard.as_ref(), &live))
}

/// Asks the engine to sync now; progress and the result arrive as events.
#[tauri::command]
async fn sync_now(s: State<'_, AppState>) -> Res<SyncInfo> {
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
            ..Default::default()
        }),
    }
}

#[tauri::command]
async fn today(s: State<'_, AppState>) -> Res<dto::Today> {
    with(&s, |d| {
        let t = d.today(now())?;
        Ok(dto::Today {
            overdue_issues: t.overdue_issues,
            new_issues: t.new_issues,
            households_not_visited: t.households_not_visited,
            wishes_waiting: t.wishes_waiting,
            unsent: d.sync_status()?.unsent,
        })
    })
    .await
}

#[tauri::command]
async fn households(
    s: State<'_, AppState>,
    query: dto::HouseholdQuery,
) -> Res<Vec<dto::HouseholdRow>> {
    let tag = query
        .tag
        .as_deref()
        .filter(|t| !t.is_empty())
        .map(gridline_model::Tag::parse)
        .transpose()
        .map_err(Error::from)?;
    let since = query
        .not_visited_days
        .map(|days| now() - chrono::Duration::days(i64::from(days)));
    let limit = query.limit.map(|l| l as usize).unwrap_or(500);
    let q = query.query.as_deref().map(str::trim).unwrap_or("");
    with(&s, |d| {
        let rows = if q.is_empty() {
            d.households(&gridline_store::HouseholdFilter {
                grid: None,
                tag,
                not_visited_since: since,
                limit: Some(limit),
            })?
        } else {
            // Search ranks by name; tag and visit filters narrow its result.
            let since = since.map(gridline_records::fmt_time);
            d.search(q, limit)?
                .into_iter()
                .filter(|r| tag.is_none_or(|t| r.tags.iter().any(|x| x == t.zh())))
                .filter(|r| match (&since, &r.last_visit) {
                    (Some(s), Some(v)) => v < s,
                    _ => true,
                })
                .collect()
        };
        Ok(rows.into_iter().map(convert::household_row).collect())
    })
    .await
}

fn household_detail(d: &Device, id: &str) -> gridline_device::Result<dto::HouseholdDetail> {
    let view = d.household(id)?;
    let target = Target::household(view.household.grid.clone(), view.household.id);
    let can_edit = check(d.user(), Kind::Household, Action::Edit, &target).is_ok();
    Ok(convert::household(view, can_edit, now()))
}

#[tauri::command]
async fn household(s: State<'_, AppState>, id: String) -> Res<dto::HouseholdDetail> {
    with(&s, |d| household_detail(d, &id)).await
}

#[tauri::command]
async fn reveal_id_number(
    s: State<'_, AppState>,
    household: String,
    resident: String,
) -> Res<String> {
    with(&s, |d| d.reveal_id_number(&household, &resident)).await
}

#[tauri::command]
async fn edit_household(
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

#[tauri::command]
async fn resolve_conflict(
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
async fn log_visit(s: State<'_, AppState>, visit: dto::NewVisit) -> Res<dto::Created> {
    let c = with(&s, |d| {
        d.log_visit_with_id(
            &gridline_device::NewVisit {
                household: visit.household_id,
                kind: visit.kind.filter(|k| !k.is_empty()),
                notes: visit.notes,
                at: None,
            },
            visit.id.as_deref().filter(|i| !i.is_empty()),
            now(),
        )
    })
    .await?;
    s.kick();
    Ok(created(c))
}

/// A create's answer; `already_saved` when the draft's id was saved before.
fn created(c: gridline_device::Created) -> dto::Created {
    dto::Created {
        id: c.id.to_string(),
        already_saved: c.already_saved,
    }
}

#[tauri::command]
async fn visits(s: State<'_, AppState>, household: Option<String>) -> Res<Vec<dto::Visit>> {
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

#[tauri::command]
async fn issues(s: State<'_, AppState>, query: dto::IssueQuery) -> Res<Vec<dto::IssueRow>> {
    let t = now();
    with(&s, |d| {
        let rows = d.issues(&gridline_store::IssueFilter {
            stage: query.state.filter(|x| !x.is_empty()),
            category: query.category.filter(|x| !x.is_empty()),
            grid: None,
            overdue_at: query.overdue.then_some(t),
            limit: Some(query.limit.map(|l| l as usize).unwrap_or(300)),
        })?;
        Ok(rows.into_iter().map(|r| convert::issue_row(r, t)).collect())
    })
    .await
}

#[tauri::command]
async fn issue(s: State<'_, AppState>, id: String) -> Res<dto::IssueDetail> {
    with(&s, |d| Ok(convert::issue(d.issue(&id, now())?))).await
}

#[tauri::command]
async fn report_issue(s: State<'_, AppState>, issue: dto::NewIssue) -> Res<dto::Created> {
    let c = with(&s, |d| {
        d.report_issue_with_id(
            &gridline_device::NewIssue {
                grid: issue.grid.filter(|g| !g.is_empty()),
                household: issue.household_id.filter(|h| !h.is_empty()),
                category: issue.category,
                description: issue.description,
                location: issue.location,
                urgency: issue.urgency,
            },
            issue.id.as_deref().filter(|i| !i.is_empty()),
            now(),
        )
    })
    .await?;
    s.kick();
    Ok(created(c))
}

#[tauri::command]
async fn act_on_issue(
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
    })?;
    let r = with(&s, |d| {
        d.act_on_issue(&id, step, now())?;
        Ok(convert::issue(d.issue(&id, now())?))
    })
    .await?;
    s.kick();
    Ok(r)
}

#[tauri::command]
async fn wishes(s: State<'_, AppState>, state: Option<String>) -> Res<Vec<dto::WishRow>> {
    with(&s, |d| {
        let rows = d.wishes(state.as_deref().filter(|x| !x.is_empty()), Some(500))?;
        Ok(rows.into_iter().map(convert::wish_row).collect())
    })
    .await
}

#[tauri::command]
async fn wish(s: State<'_, AppState>, id: String) -> Res<dto::WishDetail> {
    with(&s, |d| {
        let me = d.user().id.clone();
        Ok(convert::wish(d.wish(&id)?, &me))
    })
    .await
}

#[tauri::command]
async fn post_wish(s: State<'_, AppState>, wish: dto::NewWish) -> Res<dto::Created> {
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
async fn act_on_wish(
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
    let r = with(&s, |d| {
        d.act_on_wish(&id, step, now())?;
        let me = d.user().id.clone();
        Ok(convert::wish(d.wish(&id)?, &me))
    })
    .await?;
    s.kick();
    Ok(r)
}

#[tauri::command]
async fn refused_records(s: State<'_, AppState>) -> Res<Vec<dto::RefusedRecord>> {
    with(&s, |d| {
        Ok(d.store()
            .refused_copies()
            .map_err(|e| Error::Store(Box::new(e)))?
            .into_iter()
            .map(|c| {
                let summary = gridline_records::load(&c.bytes, &[0u8; 16])
                    .ok()
                    .and_then(|doc| gridline_records::Record::read(&doc).ok())
                    .map(|r| convert::summary(&r))
                    .unwrap_or_default();
                dto::RefusedRecord {
                    id: c.id,
                    kind: c.kind,
                    reason: c.reason.into(),
                    refused_at: c.refused_at,
                    summary,
                }
            })
            .collect())
    })
    .await
}

#[tauri::command]
async fn export_refused(s: State<'_, AppState>, id: String) -> Res<String> {
    with(&s, |d| Ok(d.export_refused(&id)?.display().to_string())).await
}

#[tauri::command]
async fn dashboard(s: State<'_, AppState>) -> Res<dto::Dashboard> {
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
        })
    })
    .await
}

/// Drafts work before enrolment too (the enrolment form keeps one).
async fn with_any<T>(
    s: &AppState,
    f: impl FnOnce(&Device) -> gridline_device::Result<T>,
) -> Res<Option<T>> {
    let guard = s.device.lock().await;
    guard.as_ref().map(f).transpose().map_err(AppError::from)
}

#[tauri::command]
async fn draft_get(s: State<'_, AppState>, key: String) -> Res<Option<String>> {
    Ok(with_any(&s, |d| d.draft(&key)).await?.flatten())
}

#[tauri::command]
async fn draft_put(s: State<'_, AppState>, key: String, value: String) -> Res<()> {
    with_any(&s, |d| d.save_draft(&key, &value)).await?;
    Ok(())
}

#[tauri::command]
async fn draft_clear(s: State<'_, AppState>, key: String) -> Res<()> {
    with_any(&s, |d| d.clear_draft(&key)).await?;
    Ok(())
}

#[tauri::command]
async fn set_language(s: State<'_, AppState>, lang: String) -> Res<()> {
    with_any(&s, |d| d.set_language(&lang))
        .await?
        .ok_or_else(not_enrolled)
}

/// The app's commands and state on any runtime (tests use the mock one).
pub fn builder<R: Runtime>(b: tauri::Builder<R>, state: AppState) -> tauri::Builder<R> {
    b.manage(state).invoke_handler(handler())
}

fn handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        device_info,
        enroll,
        vocabulary,
        sync_info,
        sync_now,
        today,
        households,
        household,
        reveal_id_number,
        edit_household,
        resolve_conflict,
        log_visit,
        visits,
        issues,
        issue,
        report_issue,
        act_on_issue,
        wishes,
        wish,
        post_wish,
        act_on_wish,
        refused_records,
        export_refused,
        dashboard,
        draft_get,
        draft_put,
        draft_clear,
        set_language,
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
        eprintln!("网格通无法启动 (Gridline could not start): {e}");
        std::process::exit(1);
    }
}

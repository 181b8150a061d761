//! What every command shares: the one device behind a lock, the engine's
//! state, and how a device error crosses to the UI.

use std::path::PathBuf;
use std::sync::OnceLock;

use gridline_device::{Device, Error};
use tokio::sync::Mutex;

use crate::dto::{AppError, SyncInfo};
use crate::engine::{self, Kick, Live};

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

pub(crate) type Res<T> = std::result::Result<T, AppError>;

pub(crate) fn app_error(code: &str, t: gridline_model::Text) -> AppError {
    AppError {
        code: code.into(),
        message: t.in_lang(gridline_model::Lang::Both),
        zh: t.zh,
        en: t.en,
    }
}

/// Sends a `sync-state` event to the UI (set once the app runs).
pub(crate) type SendEvent = Box<dyn Fn(&SyncInfo) + Send + Sync>;

/// Everything the commands share: the device (one SQLite connection, used
/// by one command or the sync engine at a time) and the engine's state.
pub struct AppState {
    pub(crate) dir: PathBuf,
    pub(crate) device: Mutex<Option<Device>>,
    pub(crate) live: std::sync::Mutex<Live>,
    pub(crate) kick: Kick,
    pub(crate) emitter: OnceLock<SendEvent>,
    pub(crate) suggested_hub: Option<String>,
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

    pub(crate) fn kick(&self) {
        self.kick.now();
    }
}

pub(crate) fn not_enrolled() -> AppError {
    Error::NotEnrolled.into()
}

/// Runs `f` on the enrolled device.
pub(crate) async fn with<T>(
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

pub(crate) fn now() -> gridline_model::Instant {
    chrono::Utc::now()
}

/// Drafts work before enrolment too (the enrolment form keeps one).
pub(crate) async fn with_any<T>(
    s: &AppState,
    f: impl FnOnce(&Device) -> gridline_device::Result<T>,
) -> Res<Option<T>> {
    let guard = s.device.lock().await;
    guard.as_ref().map(f).transpose().map_err(AppError::from)
}

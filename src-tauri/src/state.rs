//! What every command shares: the one device behind a lock, whether the app
//! is locked, the engine's state, and how a device error crosses to the UI.

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

/// Sends a `photo-state` event to the UI (set once the app runs).
pub(crate) type SendPhotos = Box<dyn Fn(&crate::dto::PhotoQueue) + Send + Sync>;

/// Sends an `import-progress` event (rows done, rows in all).
pub(crate) type SendProgress = Box<dyn Fn(u32, u32) + Send + Sync>;

/// Whether the device's store is open (DESIGN §7). While `Locked` there is
/// no `Device`: its store is closed and its key forgotten, so the engine and
/// every command see what they see before enrolment, and the PIN that opens
/// it again is never kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Lock {
    /// The device is open, or there is none yet and nothing asked for a PIN.
    #[default]
    Open,
    /// A store is here, keyed by a PIN the user must type.
    Locked,
    /// No store yet and no key store: enrolment must set a PIN first.
    NewPin,
}

/// Everything the commands share: the device (one SQLite connection, used
/// by one command or the sync engine at a time), whether it is locked, and
/// the engine's state.
pub struct AppState {
    pub(crate) dir: PathBuf,
    pub(crate) device: Mutex<Option<Device>>,
    /// Written only by a command holding `device`'s lock.
    pub(crate) lock: std::sync::Mutex<Lock>,
    /// Why the device here could not be opened at start (its key file is
    /// damaged, its key store entry is gone, …): every command answers with
    /// it, so the UI shows it in words instead of the app failing to start.
    pub(crate) unopenable: Option<AppError>,
    pub(crate) live: std::sync::Mutex<Live>,
    pub(crate) kick: Kick,
    pub(crate) emitter: OnceLock<SendEvent>,
    pub(crate) photo_emitter: OnceLock<SendPhotos>,
    pub(crate) import_emitter: OnceLock<SendProgress>,
    /// The roster file picked for import, kept between its preview and the
    /// import itself, so the bytes cross the IPC once.
    pub(crate) staged_import: std::sync::Mutex<Option<Vec<u8>>>,
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
    fn emit_photos(&self, queue: &crate::dto::PhotoQueue) {
        if let Some(f) = self.photo_emitter.get() {
            f(queue)
        }
    }
}

impl AppState {
    /// Opens the device in `dir` if there is one; the UI shows enrolment
    /// otherwise. A store keyed by a PIN nobody gave (the usual case where
    /// there is no key store) leaves the app locked, not failed: the lock
    /// screen asks for the PIN. So does a wrong `GRIDLINE_PIN`. Any other
    /// failure is kept and answered to every command (`unopenable`).
    pub fn open(dir: PathBuf, suggested_hub: Option<String>) -> Res<AppState> {
        let mut unopenable = None;
        let (device, lock) = match Device::open(&dir) {
            Ok(d) => (Some(d), Lock::Open),
            Err(Error::NotInitialised { .. }) => (None, Lock::Open),
            // `new`: a store from before encryption, here without a key
            // store; unlocking with a PIN sets it and encrypts the store.
            Err(Error::PinNeeded { .. } | Error::WrongPin) => (None, Lock::Locked),
            Err(e) => {
                tracing::error!(error = %e, "the device cannot be opened");
                unopenable = Some(e.into());
                (None, Lock::Open)
            }
        };
        Ok(AppState {
            dir,
            device: Mutex::new(device),
            lock: std::sync::Mutex::new(lock),
            unopenable,
            live: Default::default(),
            kick: Kick::default(),
            emitter: OnceLock::new(),
            photo_emitter: OnceLock::new(),
            import_emitter: OnceLock::new(),
            staged_import: Default::default(),
            suggested_hub,
        })
    }

    pub(crate) fn kick(&self) {
        self.kick.now();
    }

    pub(crate) fn lock_now(&self) -> Lock {
        *self.lock.lock().expect("lock state")
    }

    pub(crate) fn set_lock(&self, lock: Lock) {
        *self.lock.lock().expect("lock state") = lock;
    }

    /// Why the device here could not be opened, if it could not.
    pub(crate) fn unopenable(&self) -> Res<()> {
        match &self.unopenable {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// What a command without a device answers: why it could not be opened,
    /// locked, or not enrolled.
    fn no_device(&self) -> AppError {
        if let Some(e) = &self.unopenable {
            e.clone()
        } else if self.lock_now() == Lock::Locked {
            locked()
        } else {
            not_enrolled()
        }
    }
}

pub(crate) fn not_enrolled() -> AppError {
    Error::NotEnrolled.into()
}

/// The UI shows its lock screen on this code.
pub(crate) fn locked() -> AppError {
    app_error(
        "locked",
        gridline_model::text!(
            "网格通已锁定；请输入 PIN 码解锁",
            "Gridline is locked; enter your PIN to unlock it"
        ),
    )
}

/// Runs `f` on the enrolled device.
pub(crate) async fn with<T>(
    s: &AppState,
    f: impl FnOnce(&mut Device) -> gridline_device::Result<T>,
) -> Res<T> {
    let mut guard = s.device.lock().await;
    let Some(d) = guard.as_mut() else {
        return Err(s.no_device());
    };
    if !d.is_enrolled() {
        return Err(not_enrolled());
    }
    Ok(f(d)?)
}

pub(crate) fn now() -> gridline_model::Instant {
    chrono::Utc::now()
}

/// Drafts work before enrolment too (the enrolment form keeps one); while
/// locked they answer `locked`, so nothing is taken for written.
pub(crate) async fn with_any<T>(
    s: &AppState,
    f: impl FnOnce(&Device) -> gridline_device::Result<T>,
) -> Res<Option<T>> {
    let guard = s.device.lock().await;
    if guard.is_none() {
        s.unopenable()?;
        if s.lock_now() == Lock::Locked {
            return Err(locked());
        }
    }
    guard.as_ref().map(f).transpose().map_err(AppError::from)
}

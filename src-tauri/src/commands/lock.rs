//! The lock (DESIGN §7): where the store's key lives, unlocking a PIN-keyed
//! store, locking it again (by hand or after idle minutes), and the idle
//! setting. A lock drops the `Device`, which closes the store; the PIN that
//! unlocks it is used to open the store and dropped (zeroised) at once.

use gridline_device::{app::IDLE_LOCK_CHOICES, keys, Device, KeySource, Unlock};
use tauri::State;
use zeroize::Zeroizing;

use crate::commands::device::info_of;
use crate::dto;
use crate::engine::{self, Host as _};
use crate::state::{app_error, with, AppState, Lock, Res};

#[tauri::command]
pub async fn lock_state(s: State<'_, AppState>) -> Res<dto::LockState> {
    s.unopenable()?;
    let guard = s.device.lock().await;
    state_of(&s, guard.as_ref())
}

/// Opens the PIN-keyed store with the PIN the user typed. A wrong PIN is
/// `wrong_pin` and changes nothing: the user tries again.
#[tauri::command]
pub async fn unlock(s: State<'_, AppState>, pin: String) -> Res<dto::DeviceInfo> {
    let unlock = Unlock::Pin(Zeroizing::new(pin));
    let mut guard = s.device.lock().await;
    if guard.is_none() {
        if s.lock_now() != Lock::Locked {
            return Err(app_error(
                "not_locked",
                gridline_model::text!("网格通没有锁定", "Gridline is not locked"),
            ));
        }
        // Deriving the key from the PIN takes a deliberate moment (Argon2id):
        // off the async workers.
        let dir = s.dir.clone();
        // A store whose device was never saved (killed between its key and
        // its identity) opens with its PIN as a device still to enrol.
        let opened = tauri::async_runtime::spawn_blocking(move || {
            match Device::open_with(&dir, &unlock) {
                Err(gridline_device::Error::NotInitialised { .. }) => {
                    Device::init_for_enrolment_with(&dir, &unlock)
                }
                r => r,
            }
        })
        .await
        .map_err(|e| {
            app_error(
                "internal",
                gridline_model::Text::new(format!("解锁中断：{e}"), format!("unlock stopped: {e}")),
            )
        })??;
        *guard = Some(opened);
        s.set_lock(Lock::Open);
    }
    let info = info_of(&s, guard.as_ref())?;
    drop(guard);
    s.kick();
    Ok(info)
}

/// Closes the store and forgets its key. A sync in progress holds the
/// device only part by part, so this waits for the part being stored at
/// most; the sync then stops as interrupted and goes on once unlocked
/// (`sync_shared`). A store whose key is in
/// the key store (or a test key) cannot lock: nothing would unlock it.
#[tauri::command]
pub async fn lock(s: State<'_, AppState>) -> Res<dto::LockState> {
    let mut guard = s.device.lock().await;
    if let Some(d) = guard.as_ref() {
        if d.key_source() != KeySource::Pin {
            return Err(cannot_lock());
        }
        *guard = None;
        s.set_lock(Lock::Locked);
        // What the engine last reported (the user's overruled steps among
        // it) goes with the device.
        *s.live.lock().expect("live state") = engine::Live::default();
        s.emit(&engine::info(None, &engine::Live::default()));
    }
    state_of(&s, guard.as_ref())
}

/// Sets the idle lock: 0 (never), 5, 15 or 30 minutes.
#[tauri::command]
pub async fn set_idle_lock(s: State<'_, AppState>, minutes: u32) -> Res<dto::LockState> {
    with(&s, |d| {
        if d.key_source() != KeySource::Pin && minutes != 0 {
            return Err(gridline_device::Error::Conflict(cannot_lock_text()));
        }
        d.set_idle_lock_minutes(minutes)
    })
    .await?;
    let guard = s.device.lock().await;
    state_of(&s, guard.as_ref())
}

fn cannot_lock_text() -> gridline_model::Text {
    gridline_model::text!(
        "此设备的密钥在系统密钥库中，没有 PIN 码可用来解锁，所以不能锁定",
        "this device's key is in the platform's key store: there is no PIN to unlock it with, so it cannot lock"
    )
}

fn cannot_lock() -> crate::dto::AppError {
    app_error("cannot_lock", cannot_lock_text())
}

fn state_of(s: &AppState, d: Option<&Device>) -> Res<dto::LockState> {
    let source = match d {
        Some(d) => Some(d.key_source()),
        None => keys::source(&s.dir)?,
    };
    let may_lock = source == Some(KeySource::Pin);
    let idle_minutes = match d {
        Some(d) if may_lock => d.idle_lock_minutes()?,
        _ => 0,
    };
    Ok(dto::LockState {
        state: match s.lock_now() {
            Lock::Open => "open",
            Lock::Locked => "locked",
            Lock::NewPin => "new_pin",
        }
        .into(),
        key_source: source.map(|k| k.key().into()),
        key_text: source.map(|k| k.text().into()),
        may_lock,
        idle_minutes,
        idle_choices: IDLE_LOCK_CHOICES.to_vec(),
        pin_min: keys::PIN_MIN as u32,
    })
}

//! Enrolment, what the device is and who uses it, the vocabulary forms use,
//! drafts and the interface language.

use gridline_device::{Device, Unlock};
use gridline_model::permission::{self, Action, Kind};
use tauri::State;
use zeroize::Zeroizing;

use crate::convert;
use crate::dto;
use crate::state::{app_error, locked, not_enrolled, with_any, AppState, Lock, Res};

#[tauri::command]
pub async fn device_info(s: State<'_, AppState>) -> Res<dto::DeviceInfo> {
    s.unopenable()?;
    let guard = s.device.lock().await;
    info_of(&s, guard.as_ref())
}

/// Exchanges a one-time code for the hub's binding, then starts syncing.
/// The store is made first: its key goes to the key store, or, where there
/// is none, `pin` (the PIN the user set) keys it. Without a PIN there, the
/// answer is `pin_new` and nothing is made: the UI asks for one and calls
/// again.
#[tauri::command]
pub async fn enroll(
    s: State<'_, AppState>,
    hub: String,
    code: String,
    pin: Option<String>,
) -> Res<dto::DeviceInfo> {
    let mut guard = s.device.lock().await;
    if guard.as_ref().is_some_and(|d| d.is_enrolled()) {
        return Err(app_error(
            "already_initialised",
            gridline_model::text!("本机已注册", "this device is already enrolled"),
        ));
    }
    if guard.is_none() {
        // A device is here that could not be opened: never make another over it.
        s.unopenable()?;
        if s.lock_now() == Lock::Locked {
            return Err(locked());
        }
        let unlock = match pin {
            Some(p) => Unlock::Pin(Zeroizing::new(p)),
            None => Unlock::Auto,
        };
        let dir = s.dir.clone();
        let made = tauri::async_runtime::spawn_blocking(move || {
            Device::init_for_enrolment_with(&dir, &unlock)
        })
        .await
        .map_err(|e| {
            app_error(
                "internal",
                gridline_model::Text::new(
                    format!("设备创建中断：{e}"),
                    format!("making the device stopped: {e}"),
                ),
            )
        })?;
        match made {
            Ok(d) => {
                *guard = Some(d);
                s.set_lock(Lock::Open);
            }
            Err(e @ gridline_device::Error::PinNeeded { new: true }) => {
                s.set_lock(Lock::NewPin);
                return Err(e.into());
            }
            Err(e) => return Err(e.into()),
        }
    }
    let device = guard.as_mut().expect("device was just created");
    gridline_device::sync::enroll(device, &hub, &code, None).await?;
    let info = info_of(&s, Some(device))?;
    drop(guard);
    s.kick();
    Ok(info)
}

#[tauri::command]
pub async fn vocabulary() -> Res<dto::Vocabulary> {
    Ok(convert::vocabulary())
}

pub(crate) fn info_of(s: &AppState, d: Option<&Device>) -> Res<dto::DeviceInfo> {
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
                scope_label: d.scope_label(),
                place_names: d.place_names(),
                people: d
                    .people()
                    .iter()
                    .map(|p| {
                        (
                            p.id.clone(),
                            dto::PersonName {
                                name: p.name.clone(),
                                role: p.role.map(|r| r.key().to_owned()).unwrap_or_default(),
                                revoked: p.revoked,
                            },
                        )
                    })
                    .collect(),
                hub_url: status.and_then(|s| s.hub_url),
                dashboard: permission::may_see_dashboard(u.role),
                may: may(u.role),
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
            scope_label: String::new(),
            place_names: Default::default(),
            people: Default::default(),
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

/// What the role may start or open, as DeviceInfo.may names it.
fn may(role: gridline_model::Role) -> Vec<String> {
    let mut may: Vec<String> = permission::may_create(role)
        .into_iter()
        .filter_map(|k| match k {
            Kind::Visit => Some("log_visit".to_owned()),
            Kind::Issue => Some("report_issue".to_owned()),
            Kind::Wish => Some("post_wish".to_owned()),
            _ => None,
        })
        .collect();
    for (kind, action, word) in [
        (Kind::Mediation, Action::Create, "report_case"),
        (Kind::Mediation, Action::Read, "read_cases"),
        (Kind::MediationPrivate, Action::Edit, "write_case_private"),
        (Kind::Deliberation, Action::Create, "propose_topic"),
        (Kind::Deliberation, Action::Read, "read_topics"),
    ] {
        if permission::role_may(kind, action, role) {
            may.push(word.to_owned());
        }
    }
    // 受理 is the step a desk takes for many issues at once (IssueDesk).
    if gridline_model::IssueStep::Accept.roles().contains(&role) {
        may.push("accept_issues".to_owned());
    }
    if gridline_model::merge::role_may_merge(role) {
        may.push("merge_households".to_owned());
    }
    may
}

#[tauri::command]
pub async fn draft_get(s: State<'_, AppState>, key: String) -> Res<Option<String>> {
    Ok(with_any(&s, |d| d.draft(&key)).await?.flatten())
}

#[tauri::command]
pub async fn draft_put(s: State<'_, AppState>, key: String, value: String) -> Res<()> {
    with_any(&s, |d| d.save_draft(&key, &value)).await?;
    Ok(())
}

#[tauri::command]
pub async fn draft_clear(s: State<'_, AppState>, key: String) -> Res<()> {
    with_any(&s, |d| d.clear_draft(&key)).await?;
    Ok(())
}

#[tauri::command]
pub async fn set_language(s: State<'_, AppState>, lang: String) -> Res<()> {
    with_any(&s, |d| d.set_language(&lang))
        .await?
        .ok_or_else(not_enrolled)
}

//! The reqwest adapter: enrolment over `POST /v1/enroll` (JSON) and the sync
//! round trips over `POST /v1/sync` (CBOR). It only carries bytes and maps
//! HTTP failures to errors; what to send and what to store is [`Session`]'s.

use gridline_model::{text, Role, Scope, Text, User};
use gridline_sync::{EnrollRequest, EnrollResponse, SyncRequest, SyncResponse};

use super::{Enrolled, Progress, Session, SyncReport};
use crate::{Device, Error, Result};

/// The bearer token and hub address of an enrolled device.
fn endpoint(device: &Device) -> Result<(String, String)> {
    let url = device.store.meta("hub_url")?.ok_or(Error::NotEnrolled)?;
    let token = device.store.meta("token")?.ok_or(Error::NotEnrolled)?;
    Ok((url, token))
}

/// An HTTP client with timeouts that, besides the usual roots, trusts the
/// hub's own certificate authority when one was given at enrolment (a street
/// hub often has a self-signed certificate).
pub(crate) fn client(ca_pem: Option<&str>) -> Result<reqwest::Client> {
    let mut b = reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(120));
    if let Some(pem) = ca_pem.filter(|p| !p.is_empty()) {
        let cert = reqwest::Certificate::from_pem(pem.as_bytes()).map_err(|e| {
            Error::HubRefused(text!(
                "证书无效：{e}",
                "the hub certificate is not valid PEM: {e}"
            ))
        })?;
        b = b.add_root_certificate(cert);
    }
    b.build()
        .map_err(|e| Error::HubRefused(text!("无法建立 HTTP 客户端：{e}", "HTTP client: {e}")))
}

fn offline(e: reqwest::Error) -> Error {
    Error::Offline(if e.is_connect() {
        text!(
            "无法连接街道枢纽；请检查网络和枢纽地址，稍后再试",
            "cannot reach the hub; check the network and the hub address, then try again"
        )
    } else if e.is_timeout() {
        text!(
            "连接超时；稍后重试",
            "the hub did not answer in time; try again later"
        )
    } else {
        text!("网络错误：{e}", "network error: {e}")
    })
}

/// The round trip a refusal answered: what a 401 means differs.
#[derive(Clone, Copy)]
enum Call {
    /// A 401 is a wrong, used or expired code.
    Enrol,
    /// A 401 is a token the hub does not know.
    Sync,
}

async fn refused_status(resp: reqwest::Response, call: Call) -> Error {
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    // The hub sends each language apart (`zh`, `en`); anything else (a
    // proxy's page) is shown as it came, in both.
    let message = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| match (v["zh"].as_str(), v["en"].as_str()) {
            (Some(zh), Some(en)) => Some(Text::new(zh, en)),
            // A hub from before sent one bilingual `message`.
            _ => v["message"].as_str().map(|m| Text::new(m, m)),
        })
        .unwrap_or_else(|| Text::new(body.clone(), body));
    match (status.as_u16(), call) {
        (401, Call::Enrol) => Error::HubRefused(message.then(&text!(
            "请核对注册码，或请枢纽管理员发一个新的注册码",
            "check the code or ask the hub admin for a new one"
        ))),
        (401, Call::Sync) => {
            Error::HubRefused(message.then(&text!("请重新注册设备", "enrol the device again")))
        }
        (403, _) => Error::HubRefused(message),
        _ => Error::HubRefused(message.after(&Text::new(
            format!("HTTP {status}"),
            format!("HTTP {status}"),
        ))),
    }
}

/// Exchanges a one-time code for a binding with the hub at `hub_url`. A
/// malformed code ([`gridline_sync::enrol_code`]) is refused here, before
/// anything is sent, as [`Error::Invalid`].
/// `ca_pem`: the hub's certificate (or its CA) in PEM, for an HTTPS hub whose
/// certificate is not signed by a public authority; kept for later syncs.
pub async fn enroll(
    device: &mut Device,
    hub_url: &str,
    code: &str,
    ca_pem: Option<&str>,
) -> Result<(Enrolled, usize)> {
    // A malformed address or code cannot be right: say so before anything is sent.
    let hub_url = &super::parse_hub_url(hub_url)?;
    if code.trim().is_empty() {
        return Err(gridline_model::Invalid::new(
            "code",
            text!("请输入注册码", "enter the one-time code"),
            text!(
                "注册码由社区办公室发放",
                "your community office gives you the one-time code"
            ),
        )
        .into());
    }
    let code = gridline_sync::enrol_code::normalise(code)?;
    let url = format!("{hub_url}/v1/enroll");
    let http = client(ca_pem)?;
    let body = EnrollRequest {
        code,
        device_id: device.identity.device_id.clone(),
        actor: device.identity.actor_hex(),
    };
    let resp = http
        .post(&url)
        .header("content-type", "application/json")
        .body(serde_json::to_string(&body).expect("an EnrollRequest is plain strings"))
        .send()
        .await
        .map_err(offline)?;
    if !resp.status().is_success() {
        return Err(refused_status(resp, Call::Enrol).await);
    }
    let v: EnrollResponse = serde_json::from_str(&resp.text().await.map_err(offline)?)
        .map_err(|e| Error::HubRefused(text!("枢纽的回复无法读取：{e}", "bad reply: {e}")))?;
    let e = Enrolled {
        hub_url: hub_url.clone(),
        token: v.token,
        user: User {
            id: v.user_id,
            name: v.user_name,
            role: Role::parse(&v.role)?,
            scope: Scope::parse(&v.scope)?,
        },
        hub_actor: v.hub_actor,
        place_names: v.place_names,
    };
    let retired = device.accept_enrolment(&e)?;
    device
        .store
        .set_meta("hub_ca", ca_pem.unwrap_or_default())?;
    Ok((e, retired))
}

/// Syncs until nothing is left to push and no page is left to pull.
pub async fn sync(device: &mut Device, progress: impl FnMut(Progress)) -> Result<SyncReport> {
    let result = sync_rounds(device, progress).await;
    record_outcome(device, &result)?;
    result
}

/// What the app shows: when the last sync finished, and why the last one failed.
fn record_outcome(device: &mut Device, result: &Result<SyncReport>) -> Result<()> {
    let now = gridline_records::fmt_time(chrono::Utc::now());
    match result {
        Ok(_) => device.store.set_metas(&[
            ("last_sync_at", &now),
            ("last_sync_error", ""),
            ("last_sync_error_en", ""),
        ])?,
        Err(e) => {
            let t = e.text();
            device
                .store
                .set_metas(&[("last_sync_error", &t.zh), ("last_sync_error_en", &t.en)])?
        }
    }
    Ok(())
}

/// Times a request is sent while the hub says it is busy with the last one.
const BUSY_TRIES: usize = 4;

/// Whether a 429 is the hub's `busy` (one request of this device in flight),
/// which passes in a moment, rather than `throttled`, which does not: `busy`
/// says Retry-After 1, `throttled` the minutes until its window clears (a
/// throttle about to clear is retried too, as many times at most).
fn is_busy(h: &reqwest::header::HeaderMap) -> bool {
    h.get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
        .is_some_and(|s| s <= 1)
}

/// The sync request poster: each request its own task, so that on a
/// runtime with more than one worker it travels while the previous page is
/// stored.
struct Poster {
    http: reqwest::Client,
    url: String,
    token: String,
}

type Posted = (
    usize,
    tokio::task::JoinHandle<Result<(usize, SyncResponse)>>,
);

impl Poster {
    fn of(device: &Device) -> Result<Poster> {
        let (url, token) = endpoint(device)?;
        Ok(Poster {
            http: client(device.store.meta("hub_ca")?.as_deref())?,
            url: format!("{url}/v1/sync"),
            token,
        })
    }

    fn post(&self, req: &SyncRequest) -> Posted {
        let body = gridline_sync::encode(req);
        let sent = body.len();
        let call = self
            .http
            .post(&self.url)
            .bearer_auth(&self.token)
            .header("content-type", "application/cbor")
            .body(body);
        let task = tokio::spawn(async move {
            // A hub still busy with this device's previous request (one cut
            // off by a lost connection) answers 429 `busy` with Retry-After:
            // wait and ask again, a bounded number of times.
            let mut tries = 0;
            let resp = loop {
                let this = call.try_clone().ok_or_else(|| {
                    Error::HubRefused(text!(
                        "无法发送同步请求；请重新注册设备",
                        "the sync request cannot be sent; enrol the device again"
                    ))
                })?;
                let resp = this.send().await.map_err(offline)?;
                tries += 1;
                if resp.status() != reqwest::StatusCode::TOO_MANY_REQUESTS
                    || tries >= BUSY_TRIES
                    || !is_busy(resp.headers())
                {
                    break resp;
                }
                let secs = resp
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
                    .unwrap_or(1)
                    .clamp(1, 5);
                tokio::time::sleep(std::time::Duration::from_secs(secs)).await;
            };
            if !resp.status().is_success() {
                return Err(refused_status(resp, Call::Sync).await);
            }
            let bytes = resp.bytes().await.map_err(offline)?;
            let decoded =
                gridline_sync::decode_response(&bytes).map_err(|e| Error::HubRefused(e.text()))?;
            Ok((bytes.len(), decoded))
        });
        (sent, task)
    }
}

async fn answer((sent, task): Posted) -> Result<(usize, usize, SyncResponse)> {
    let (len, resp) = task
        .await
        .map_err(|e| Error::HubRefused(text!("同步任务失败：{e}", "sync task: {e}")))??;
    Ok((sent, len, resp))
}

async fn sync_rounds(
    device: &mut Device,
    mut progress: impl FnMut(Progress),
) -> Result<SyncReport> {
    let poster = Poster::of(device)?;
    let mut session = Session::new();
    let mut ahead = None;
    // Bounded: the session fails past its round-trip bound.
    loop {
        let (req, posted) = match ahead.take() {
            Some(x) => x,
            None => {
                let Some(req) = session.next_request(&device.store, &device.identity)? else {
                    return Ok(session.into_report());
                };
                let posted = poster.post(&req);
                (req, posted)
            }
        };
        let (sent, len, resp) = answer(posted).await?;
        if let Some(next) = Session::ahead(&req, &resp) {
            let posted = poster.post(&next);
            ahead = Some((next, posted));
        }
        let p = session.receive(
            &mut device.store,
            &mut device.identity,
            &req,
            resp,
            sent,
            len,
            chrono::Utc::now(),
        )?;
        progress(p);
    }
}

/// A device several tasks use: the app's commands and its sync engine.
/// `None` while the app is locked.
pub type SharedDevice = tokio::sync::Mutex<Option<Device>>;

/// Received documents stored per hold of a [`SharedDevice`] by
/// [`sync_shared`]: a few tens of milliseconds of work, so a command that
/// asks for the device meanwhile waits no longer than that.
pub const PART_DOCS: usize = 200;

/// [`sync`] for a device others use at the same time: the device is held
/// only to build each request and to store each part of a reply (at most
/// `part_docs` documents); it is free while requests travel and pages are
/// decoded. A device locked (taken) meanwhile stops the sync, as an
/// interruption: what was stored stays, and the next sync goes on from the
/// cursor.
pub async fn sync_shared(
    shared: &SharedDevice,
    part_docs: usize,
    progress: impl FnMut(Progress),
) -> Result<SyncReport> {
    let result = shared_rounds(shared, part_docs, progress).await;
    let mut guard = shared.lock().await;
    let Some(device) = guard.as_mut() else {
        return result;
    };
    record_outcome(device, &result)?;
    result
}

fn gone() -> Error {
    Error::Conflict(text!(
        "设备已锁定，同步已停止；解锁后继续同步",
        "the device was locked, so the sync stopped; it goes on once unlocked"
    ))
}

async fn shared_rounds(
    shared: &SharedDevice,
    part_docs: usize,
    mut progress: impl FnMut(Progress),
) -> Result<SyncReport> {
    let poster = {
        let guard = shared.lock().await;
        Poster::of(guard.as_ref().ok_or_else(gone)?)?
    };
    let mut session = Session::new();
    let mut ahead = None;
    // Bounded: the session fails past its round-trip bound.
    loop {
        let (req, posted) = match ahead.take() {
            Some(x) => x,
            None => {
                let guard = shared.lock().await;
                let device = guard.as_ref().ok_or_else(gone)?;
                let Some(req) = session.next_request(&device.store, &device.identity)? else {
                    return Ok(session.into_report());
                };
                drop(guard);
                let posted = poster.post(&req);
                (req, posted)
            }
        };
        let (sent, len, resp) = answer(posted).await?;
        if let Some(next) = Session::ahead(&req, &resp) {
            let posted = poster.post(&next);
            ahead = Some((next, posted));
        }
        // Decoded with the device free: most of a first sync's device work.
        let (actor, user) = {
            let guard = shared.lock().await;
            let me = &guard.as_ref().ok_or_else(gone)?.identity;
            (me.actor.clone(), me.user.clone())
        };
        let mut page = tokio::task::spawn_blocking(move || {
            super::Received::decode(resp, &actor, &user, sent, len)
        })
        .await
        .map_err(|e| Error::HubRefused(text!("同步任务失败：{e}", "sync task: {e}")))?;
        let p = loop {
            let mut guard = shared.lock().await;
            let device = guard.as_mut().ok_or_else(gone)?;
            let stored = session.store_part(
                &mut device.store,
                &mut device.identity,
                &req,
                &mut page,
                chrono::Utc::now(),
                part_docs,
            )?;
            drop(guard);
            if let Some(p) = stored {
                break p;
            }
            // Let a command that waits for the device have it.
            tokio::task::yield_now().await;
        };
        progress(p);
    }
}

/// Tells the hub this device erased itself after a wipe (`POST /v1/wiped`).
pub(crate) async fn post_wiped(hub_url: &str, token: &str, ca_pem: Option<&str>) -> Result<()> {
    let resp = client(ca_pem)?
        .post(format!("{hub_url}/v1/wiped"))
        .bearer_auth(token)
        .send()
        .await
        .map_err(offline)?;
    if !resp.status().is_success() {
        return Err(refused_status(resp, Call::Sync).await);
    }
    Ok(())
}

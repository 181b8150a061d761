//! The background sync engine: syncs after every local change, every few
//! minutes while online, and with backoff plus jitter while the hub is
//! unreachable. It reports its state to the UI as `sync-state` events.
//!
//! After each successful sync the photo queue runs as a task of its own
//! ([`photos_once`]): it holds the device only to read what to move and to
//! record each outcome, never while bytes travel, so neither commands nor
//! the next record sync wait on a photo, and a photo that fails only says so
//! on its record (`photo-state` events tell the screens to look again).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, Notify};

use crate::dto::SyncInfo;

/// What the engine needs from the app: the device, a place to report state.
pub trait Host: Send + Sync + 'static {
    fn device(&self) -> &Mutex<Option<gridline_device::Device>>;
    fn emit(&self, info: &SyncInfo);
    fn live(&self) -> &std::sync::Mutex<Live>;
    /// Tells the screens the photo queue moved (`photo-state`).
    fn emit_photos(&self, queue: &crate::dto::PhotoQueue);
}

/// The part of the sync state only the engine knows: whether a sync runs
/// now, its progress, and how the last attempt ended.
#[derive(Debug, Clone, Default)]
pub struct Live {
    pub syncing: bool,
    pub received: u64,
    pub total: Option<u64>,
    /// At the pace so far, while a long sync runs.
    pub seconds_left: Option<u64>,
    /// offline, error, up_to_date; empty before the first attempt.
    pub outcome: String,
    pub error_code: Option<String>,
    /// The user's steps the last successful sync overruled.
    pub overruled: Vec<crate::dto::OverruledStep>,
}

/// Wakes the engine: after a local change, or when the user taps 立即同步.
#[derive(Clone, Default)]
pub struct Kick(Arc<Notify>);

impl Kick {
    pub fn now(&self) {
        self.0.notify_one();
    }
}

/// Between syncs while all is well.
const PERIOD: Duration = Duration::from_secs(120);
/// Backoff bounds while the hub is unreachable.
const BACKOFF_MIN: Duration = Duration::from_secs(2);
const BACKOFF_MAX: Duration = Duration::from_secs(60);

/// Builds the SyncInfo the UI shows from the device's stored status and the
/// engine's live state.
pub fn info(device: Option<&gridline_device::Device>, live: &Live) -> SyncInfo {
    let Some(d) = device else {
        return SyncInfo {
            phase: "idle".into(),
            ..Default::default()
        };
    };
    let status = d.sync_status().ok();
    let phase = if live.syncing {
        "syncing"
    } else if live.outcome.is_empty() {
        "idle"
    } else {
        live.outcome.as_str()
    };
    let s = status.unwrap_or(gridline_device::sync::SyncStatus {
        enrolled: d.is_enrolled(),
        hub_url: None,
        unsent: 0,
        conflicted: 0,
        refused_copies: 0,
        last_sync_at: None,
        last_error: None,
    });
    SyncInfo {
        enrolled: s.enrolled,
        hub_url: s.hub_url,
        phase: phase.into(),
        syncing: live.syncing,
        received: live.received,
        total: live.total,
        seconds_left: if live.syncing {
            live.seconds_left
        } else {
            None
        },
        unsent: s.unsent,
        conflicted: s.conflicted,
        refused_copies: s.refused_copies as u32,
        last_sync_at: s.last_sync_at,
        last_error: if phase == "up_to_date" || phase == "syncing" {
            None
        } else {
            s.last_error.map(Into::into)
        },
        last_error_code: live.error_code.clone(),
        overruled: live.overruled.clone(),
    }
}

async fn report<H: Host>(host: &H) {
    let device = host.device().lock().await;
    let live = host.live().lock().expect("live state").clone();
    host.emit(&info(device.as_ref(), &live));
}

/// One sync, start to end, with progress events. The device is held only
/// for each short step of it ([`gridline_device::sync::sync_shared`]): a
/// command waits at most one part of a page, never for a whole first sync.
pub async fn sync_once<H: Host>(host: &H) -> bool {
    let base = {
        let guard = host.device().lock().await;
        let Some(device) = guard.as_ref().filter(|d| d.is_enrolled()) else {
            return true;
        };
        {
            let mut l = host.live().lock().expect("live state");
            l.syncing = true;
            l.received = 0;
            l.total = None;
            l.seconds_left = None;
        }
        info(
            Some(device),
            &host.live().lock().expect("live state").clone(),
        )
    };
    host.emit(&base);
    let result =
        gridline_device::sync::sync_shared(host.device(), gridline_device::sync::PART_DOCS, |p| {
            {
                let mut l = host.live().lock().expect("live state");
                l.received = p.received;
                l.total = p.total;
                l.seconds_left = p.seconds_left;
            }
            // Progress goes out on the status read just before the sync
            // started: reading it again would hold the device for nothing.
            host.emit(&SyncInfo {
                received: p.received,
                total: p.total,
                seconds_left: p.seconds_left,
                ..base.clone()
            });
        })
        .await;
    let mut guard = host.device().lock().await;
    if guard.is_none() {
        // Locked between parts: not a failure. What was stored stays, the
        // lock reset the live state, and the sync goes on once unlocked.
        host.live().lock().expect("live state").syncing = false;
        return true;
    }
    let ok = {
        let mut l = host.live().lock().expect("live state");
        l.syncing = false;
        match &result {
            Ok(report) => {
                l.outcome = "up_to_date".into();
                l.error_code = None;
                l.overruled = report
                    .overruled
                    .iter()
                    .map(crate::convert::overruled)
                    .collect();
                true
            }
            Err(e) => {
                l.outcome = if e.code() == "offline" {
                    "offline".into()
                } else {
                    "error".into()
                };
                l.error_code = Some(e.code().into());
                false
            }
        }
    };
    if let Err(e) = &result {
        tracing::info!(error = %e, "sync failed");
    }
    // A wipe the admin asked for (DESIGN §7): only once the hub holds
    // everything this device had, and no other process has it open.
    let ready = guard.as_ref().is_some_and(|d| {
        d.wipe_check().ok() == Some(gridline_device::wipe::WipeCheck::Ready)
            && d.alone().unwrap_or(false)
    });
    if ready {
        if let Some(device) = guard.take() {
            match device.erase_for_wipe() {
                Ok(erased) => {
                    let told = gridline_device::wipe::confirm_wipe(&erased).await;
                    tracing::info!(
                        hub_told = told.is_ok(),
                        "device wiped at the admin's request"
                    );
                    host.live().lock().expect("live state").outcome = "wiped".into();
                }
                Err(e) => tracing::info!(error = %e, "wipe not done"),
            }
        }
    }
    drop(guard);
    report(host).await;
    ok
}

/// One pass of the photo queue: due uploads, then missing thumbnails. The
/// device is locked for each short store step only; the transfers run with
/// nothing held. Stops early while the hub is unreachable (the rest would
/// fail the same way) and when the device goes away (locked, wiped).
/// Returns whether anything moved.
pub async fn photos_once<H: Host>(host: &H) -> bool {
    use gridline_device::photo::{download, upload, PASS_LIMIT};
    let now = chrono::Utc::now();
    let work = {
        let guard = host.device().lock().await;
        let Some(d) = guard.as_ref().filter(|d| d.is_enrolled()) else {
            return false;
        };
        d.photo_link()
            .and_then(|link| Ok((link, d.photo_work(now, PASS_LIMIT)?)))
    };
    let (link, work) = match work {
        Ok(w) => w,
        Err(e) => {
            tracing::info!(error = %e, "photo queue not read");
            return false;
        }
    };
    if work.uploads.is_empty() && work.thumbs.is_empty() {
        return false;
    }
    let http = match link.client() {
        Ok(h) => h,
        Err(e) => {
            tracing::info!(error = %e, "no client for photos");
            return false;
        }
    };
    let mut moved = false;
    {
        // Others' photos whose record left this device, photos of forms
        // never saved: their files go (quick, local).
        let mut guard = host.device().lock().await;
        if let Some(d) = guard.as_mut() {
            if let Err(e) = d.tidy_photos(now) {
                tracing::info!(error = %e, "photos not tidied");
            }
        }
    }
    for f in &work.uploads {
        let (outcome, _wire, unreachable) = upload(&http, &link, f).await;
        let kept = {
            let mut guard = host.device().lock().await;
            let Some(d) = guard.as_mut() else {
                return moved;
            };
            d.photo_outcome(&f.hash, &outcome, now)
        };
        match kept {
            Ok(()) => moved = true,
            Err(e) => tracing::info!(error = %e, "photo outcome not kept"),
        }
        photo_report(host).await;
        if unreachable {
            return moved;
        }
    }
    for hash in &work.thumbs {
        let got = download(&http, &link, hash).await;
        let mut guard = host.device().lock().await;
        let Some(d) = guard.as_mut() else {
            return moved;
        };
        let kept = match got {
            Ok(bytes) => d.keep_downloaded(hash, &bytes, now).map(|()| moved = true),
            // Not on the hub yet (its taker has not sent it): the others
            // still come; this one is asked again later.
            Err(gridline_device::Error::HubRefused(_)) => d.thumb_not_there(hash, now),
            // Offline: the rest would fail the same way.
            Err(_) => break,
        };
        if let Err(e) = kept {
            tracing::info!(error = %e, "thumbnail not kept");
        }
    }
    if moved {
        photo_report(host).await;
    }
    moved
}

/// Sends the photo queue's counts as a `photo-state` event.
async fn photo_report<H: Host>(host: &H) {
    let guard = host.device().lock().await;
    if let Some(Ok(q)) = guard.as_ref().map(crate::convert::photo_queue) {
        host.emit_photos(&q);
    }
}

/// Runs forever: sync, then wait for a kick or the next period (or the
/// backoff after a failure). After a successful sync the photo queue runs
/// beside it, one pass at a time.
pub async fn run<H: Host>(host: Arc<H>, kick: Kick) {
    let mut backoff = BACKOFF_MIN;
    let photos_running = Arc::new(std::sync::atomic::AtomicBool::new(false));
    loop {
        let ok = sync_once(host.as_ref()).await;
        if ok && !photos_running.swap(true, std::sync::atomic::Ordering::AcqRel) {
            let (host, running) = (host.clone(), photos_running.clone());
            tokio::spawn(async move {
                // A pass that moved something runs again (thumbnails past
                // the pass limit), a few times at most: the rest waits for
                // the next sync.
                for _ in 0..8 {
                    if !photos_once(host.as_ref()).await {
                        break;
                    }
                }
                running.store(false, std::sync::atomic::Ordering::Release);
            });
        }
        let wait = if ok {
            backoff = BACKOFF_MIN;
            PERIOD
        } else {
            let w = jitter(backoff);
            backoff = (backoff * 2).min(BACKOFF_MAX);
            w
        };
        tokio::select! {
            _ = kick.0.notified() => {
                // Let a burst of saves settle into one sync.
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// ±25 % so that many devices coming back online do not sync in lockstep.
/// The spread comes from the OS random source (a v4 UUID's random bytes), not
/// the clock: sub-second digits are constant on clocks with coarse resolution,
/// and devices that woke together would share them.
fn jitter(d: Duration) -> Duration {
    let bytes = uuid::Uuid::new_v4().into_bytes();
    // The first four bytes of a v4 UUID are all random (the version and
    // variant bits sit in bytes 6 and 8).
    let r = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    d.mul_f64(0.75 + f64::from(r) / f64::from(u32::MAX) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_within_a_quarter() {
        for _ in 0..100 {
            let j = jitter(Duration::from_secs(8));
            assert!(
                j >= Duration::from_secs(6) && j <= Duration::from_secs(10),
                "jitter stays within ±25 % of the backoff: {j:?}"
            );
        }
    }

    /// The jitter must differ between calls and between devices: two
    /// sequences drawn one after the other are not the same, and neither is
    /// one value repeated (a clock-derived spread was constant on clocks
    /// with microsecond resolution).
    #[test]
    fn two_jitter_sequences_differ() {
        let sequence =
            || -> Vec<Duration> { (0..16).map(|_| jitter(Duration::from_secs(8))).collect() };
        let (a, b) = (sequence(), sequence());
        assert_ne!(
            a, b,
            "two devices backing off together must not wait in lockstep"
        );
        for s in [&a, &b] {
            assert!(
                s.iter().any(|j| *j != s[0]),
                "successive waits of one device must spread, not repeat one value: {s:?}"
            );
        }
    }

    #[test]
    fn info_without_a_device_is_idle_and_not_enrolled() {
        let i = info(None, &Live::default());
        assert_eq!(i.phase, "idle");
        assert!(!i.enrolled);
    }
}

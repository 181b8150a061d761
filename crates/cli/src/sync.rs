//! `gridline device sync [--watch]`: one sync with progress, or keep syncing.

use std::time::Duration;

use gridline_device::sync::{sync, Progress, SyncReport};
use gridline_device::Error as DeviceError;
use serde_json::json;

use crate::output::print_json;
use crate::Ctx;

fn print_report(ctx: &Ctx, r: &SyncReport) {
    if ctx.json {
        print_json(&json!({
            "status": "up_to_date", "round_trips": r.round_trips, "pushed": r.pushed, "acknowledged": r.acknowledged,
            "pulled": r.pulled, "refused": r.refused.iter().map(|(id, why)| json!({"id": id, "reason": why})).collect::<Vec<_>>(),
            "bytes_sent": r.bytes_sent, "bytes_received": r.bytes_received,
        }));
        return;
    }
    out!(
        "已同步 (up to date): 发送 {} 条、确认 {} 条、接收 {} 条 (pushed {}, acknowledged {}, received {}); {} 次往返, ↑{} B ↓{} B",
        r.pushed, r.acknowledged, r.pulled, r.pushed, r.acknowledged, r.pulled, r.round_trips, r.bytes_sent, r.bytes_received
    );
    for (id, why) in &r.skipped {
        out!("未能接收 (could not take) {id}: {why}");
    }
    for (id, why) in &r.refused {
        out!("被服务器拒绝 (refused by the hub) {id}: {why} — 本机保留只读副本 (a read-only copy is kept)");
    }
}

fn progress(json: bool) -> impl FnMut(Progress) {
    move |p: Progress| {
        if json {
            return;
        }
        match p.total {
            Some(t) if t > 0 => eprintln!("同步中 (syncing) {} / {}", p.received.min(t), t),
            _ => {}
        }
    }
}

pub fn run(ctx: &Ctx, watch: bool, interval: u64) -> anyhow::Result<()> {
    // Two workers: the next page downloads while this one is being saved.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut device = ctx.open()?;
    if !watch {
        let report = rt.block_on(sync(&mut device, progress(ctx.json)))?;
        print_report(ctx, &report);
        return Ok(());
    }
    // Watch: sync after each local change, and every minute to receive others'
    // changes; after a failed sync, back off (with jitter) and resume by itself.
    // Every failure is retried, as the app's sync engine does: a reply garbled
    // on the way reads as a refusal, and stopping on it left a device that
    // never synced again once the network was fine.
    let mut backoff = 1u64;
    let mut since_pull = u64::MAX;
    loop {
        let unsent = device.store().sync_counts()?;
        let due = unsent.local + unsent.pending > 0 || since_pull >= 60;
        if due {
            match rt.block_on(sync(&mut device, progress(ctx.json))) {
                Ok(r) => {
                    if r.pushed + r.pulled > 0 || !r.refused.is_empty() {
                        print_report(ctx, &r);
                    }
                    backoff = 1;
                    since_pull = 0;
                }
                Err(e) => {
                    let jitter = uuid::Uuid::new_v4().as_bytes()[0] as u64 % (backoff + 1);
                    let wait = (backoff + jitter).min(120);
                    match e {
                        DeviceError::Offline(why) => {
                            eprintln!(
                                "离线 (offline): {why}; {wait} 秒后重试 (retrying in {wait} s)"
                            )
                        }
                        e => eprintln!(
                            "同步失败 (sync failed): {e}; {wait} 秒后重试 (retrying in {wait} s)"
                        ),
                    }
                    std::thread::sleep(Duration::from_secs(wait));
                    backoff = (backoff * 2).min(60);
                    continue;
                }
            }
        }
        std::thread::sleep(Duration::from_secs(interval.max(1)));
        since_pull = since_pull.saturating_add(interval.max(1));
    }
}

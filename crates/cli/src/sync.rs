//! `gridline device sync [--watch]`: one sync with progress, or keep syncing.

use std::time::Duration;

use gridline_device::photo::PhotoReport;
use gridline_device::sync::{sync, Overruled, Overruling, Progress, SyncReport};
use gridline_device::wipe::WipeCheck;
use gridline_device::Error as DeviceError;
use gridline_model::permission::Kind;
use gridline_model::{text, Text};
use serde_json::json;

use crate::output::print_json;
use crate::Ctx;

/// The record sync done, the photo queue's pass: its failure is said but
/// never fails the sync (a photo never holds back a record).
fn photo_pass(rt: &tokio::runtime::Runtime, device: &mut gridline_device::Device) -> PhotoReport {
    match rt.block_on(device.sync_photos(chrono::Utc::now())) {
        Ok(r) => r,
        Err(e) => PhotoReport {
            last_error: Some(e.text()),
            ..PhotoReport::default()
        },
    }
}

fn photo_json(p: &PhotoReport) -> serde_json::Value {
    json!({
        "uploaded": p.uploaded, "failed": p.failed, "later": p.later, "thumbnails": p.thumbs,
        "bytes_sent": p.bytes_sent, "error": p.last_error.as_ref().map(ToString::to_string),
    })
}

fn print_photos(p: &PhotoReport) {
    let (u, f, l, t) = (p.uploaded, p.failed, p.later, p.thumbs);
    if u + f + l + t > 0 {
        out!(
            "{}",
            text!(
                "照片：上传 {u} 个，失败 {f} 个，稍后重试 {l} 个；收到缩略图 {t} 张",
                "photos: {u} uploaded, {f} failed, {l} to retry; {t} thumbnails received"
            )
        );
    }
    if let Some(e) = &p.last_error {
        out!("{}: {e}", text!("照片未传完", "photos not all moved"));
    }
}

fn print_report(ctx: &Ctx, r: &SyncReport, photos: &PhotoReport) {
    if ctx.json {
        print_json(&json!({
            "photos": photo_json(photos),
            "status": "up_to_date", "round_trips": r.round_trips, "pushed": r.pushed, "acknowledged": r.acknowledged,
            "pulled": r.pulled, "refused": r.refused.iter().map(|(id, why)| json!({"id": id, "reason": why})).collect::<Vec<_>>(),
            "overruled": r.overruled.iter().map(|o| json!({
                "id": o.id, "kind": o.kind.key(), "step": o.step, "event": o.event,
                "reason": match &o.why { Overruling::Refused(why) => json!(why), Overruling::ClaimGivenToAnother => json!("claim_given_to_another") },
            })).collect::<Vec<_>>(),
            "bytes_sent": r.bytes_sent, "bytes_received": r.bytes_received,
            "limits_changed": r.limits_changed,
            "reveals_sent": r.reveals_sent,
            "reveals_refused": r.reveals_refused.iter().map(|(id, why)| json!({"id": id, "reason": why})).collect::<Vec<_>>(),
        }));
        return;
    }
    print_photos(photos);
    let (pushed, acknowledged, pulled, round_trips) =
        (r.pushed, r.acknowledged, r.pulled, r.round_trips);
    out!(
        "{}  ↑{} B ↓{} B",
        text!(
            "已同步：发送 {pushed} 条、确认 {acknowledged} 条、接收 {pulled} 条，{round_trips} 次往返",
            "up to date: pushed {pushed}, acknowledged {acknowledged}, received {pulled}; {round_trips} round trips"
        ),
        r.bytes_sent,
        r.bytes_received
    );
    if r.limits_changed {
        out!(
            "{}",
            text!(
                "街道时限已更新：事件和调解案件的期限已按新时限重新计算",
                "the street's time limits changed: issue and case deadlines now follow them"
            )
        );
    }
    if r.reveals_sent > 0 {
        let n = r.reveals_sent;
        out!(
            "{}",
            text!(
                "查看身份证号记录已送交枢纽 {n} 条",
                "{n} reveals of ID numbers are now on the hub"
            )
        );
    }
    for (id, why) in &r.reveals_refused {
        out!(
            "{} {id}: {why} — {}",
            text!("查看记录被服务器拒绝", "reveal refused by the hub"),
            text!("本机保留，不再发送", "kept here, not sent again")
        );
    }
    for (id, why) in &r.skipped {
        out!("{} {id}: {why}", text!("未能接收", "could not take"));
    }
    for (id, why) in &r.refused {
        out!(
            "{} {id}: {why} — {}",
            text!("被服务器拒绝", "refused by the hub"),
            text!("本机保留只读副本", "a read-only copy is kept")
        );
    }
    if !r.overruled.is_empty() {
        let n = r.overruled.len();
        out!(
            "{}",
            text!(
                "你有 {n} 步操作被其他设备更早的操作驳回，已作废",
                "{n} of your steps were overruled by another device's earlier step and are void"
            )
        );
        for o in &r.overruled {
            out!("  {}", overruled_line(o));
        }
    }
}

/// One overruled step: which record, which step, and why it is void.
fn overruled_line(o: &Overruled) -> String {
    let (kind_zh, kind_en) = match o.kind {
        Kind::Issue => ("事件", "issue"),
        Kind::Wish => ("心愿", "wish"),
        other => (other.key(), other.key()),
    };
    let (id, step_zh, step) = (&o.id, o.step_zh, o.step);
    let what: Text = text!("{kind_zh} {id} 的「{step_zh}」", "{step} on {kind_en} {id}");
    match &o.why {
        // The fold's reason, as the record shows it (already in both languages).
        Overruling::Refused(why) => format!("{what}: {why}"),
        Overruling::ClaimGivenToAnother => text!(
            "街道枢纽已把心愿给了更早的认领",
            "the hub gave the wish to an earlier claim"
        )
        .after(&what)
        .to_string(),
    }
}

fn progress(json: bool) -> impl FnMut(Progress) {
    move |p: Progress| {
        if json {
            return;
        }
        match p.total {
            Some(t) if t > 0 => {
                eprintln!(
                    "{} {} / {}",
                    text!("同步中", "syncing"),
                    p.received.min(t),
                    t
                )
            }
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
        if device.wipe_check()? != WipeCheck::NotRequested {
            // JSON callers get the wipe's outcome as their one object; the
            // report's own lines come first for everyone else.
            if !ctx.json {
                print_report(ctx, &report, &PhotoReport::default());
            }
            return wipe(ctx, &rt, device);
        }
        let photos = photo_pass(&rt, &mut device);
        print_report(ctx, &report, &photos);
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
        let unsent = device.sync_counts()?;
        let due = unsent.local + unsent.pending > 0
            || since_pull >= 60
            || device.photo_queue()?.waiting > 0;
        if due {
            match rt.block_on(sync(&mut device, progress(ctx.json))) {
                Ok(r) => {
                    let photos = photo_pass(&rt, &mut device);
                    let moved = photos.uploaded + photos.failed + photos.thumbs > 0;
                    if r.pushed + r.pulled > 0 || !r.refused.is_empty() || moved {
                        print_report(ctx, &r, &photos);
                    }
                    if device.wipe_check()? == WipeCheck::Ready {
                        return wipe(ctx, &rt, device);
                    }
                    backoff = 1;
                    since_pull = 0;
                }
                Err(e) => {
                    let jitter = uuid::Uuid::new_v4().as_bytes()[0] as u64 % (backoff + 1);
                    let wait = (backoff + jitter).min(120);
                    let retry = text!("{wait} 秒后重试", "retrying in {wait} s");
                    match e {
                        DeviceError::Offline(why) => {
                            eprintln!("{}: {why}; {retry}", text!("离线", "offline"))
                        }
                        e => eprintln!("{}: {e}; {retry}", text!("同步失败", "sync failed")),
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

/// After a sync that found a wipe asked for: erase and tell the hub when
/// the hub holds everything; else say what it waits for (nothing is erased).
fn wipe(
    ctx: &Ctx,
    rt: &tokio::runtime::Runtime,
    device: gridline_device::Device,
) -> anyhow::Result<()> {
    let check = device.wipe_check()?;
    if check != WipeCheck::Ready {
        if ctx.json {
            print_json(&json!({"status": "wipe_waiting", "reason": check.text()}));
        } else {
            out!("{}", check.text());
        }
        return Ok(());
    }
    let erased = device.erase_for_wipe()?;
    let told = rt.block_on(gridline_device::wipe::confirm_wipe(&erased));
    if ctx.json {
        print_json(&json!({
            "status": "wiped",
            "hub_told": told.is_ok(),
            "hub_error": told.as_ref().err().map(|e| e.text()),
        }));
        return Ok(());
    }
    out!(
        "{}",
        text!(
            "此设备已按管理员要求清除：全部记录都已在枢纽上，本机数据和密钥已删除",
            "this device was wiped as your admin asked: the hub holds all its records, and its store and key are erased"
        )
    );
    if let Err(e) = told {
        out!(
            "{}: {}",
            text!(
                "未能告知枢纽（数据已删除）",
                "could not tell the hub (the data is erased)"
            ),
            e.text()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line `gridline device sync` prints for each overruled step names
    /// the record, the step and why, in both languages.
    #[test]
    fn an_overruled_step_is_printed_with_its_record_step_and_reason() {
        let refused = Overruled {
            id: "0193-i".into(),
            kind: Kind::Issue,
            step: "reject",
            step_zh: "退回",
            event: "0193-e".into(),
            why: Overruling::Refused(gridline_model::Text::new(
                "事件已受理，不能退回",
                "cannot reject an accepted issue",
            )),
        };
        assert_eq!(
            overruled_line(&refused),
            "事件 0193-i 的「退回」 (reject on issue 0193-i): 事件已受理，不能退回 (cannot reject an accepted issue)",
            "the step, its record and the fold's reason"
        );
        let claim = Overruled {
            kind: Kind::Wish,
            step: "claim",
            step_zh: "认领",
            why: Overruling::ClaimGivenToAnother,
            ..refused
        };
        assert_eq!(
            overruled_line(&claim),
            "心愿 0193-i 的「认领」：街道枢纽已把心愿给了更早的认领 (claim on wish 0193-i: the hub gave the wish to an earlier claim)",
            "a lost claim says the hub gave the wish to an earlier one"
        );
    }
}

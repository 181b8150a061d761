//! `gridline hub limits [set …]`: the street's time limits (DESIGN §3
//! deadlines by grade, §8 months to conclude a mediation), shown or set by
//! the hub admin on the hub's data directory. A change is audited; devices
//! take it on their next sync. Values the model refuses exit 2 and change
//! nothing.

use clap::{Args, Subcommand};
use gridline_hub::Hub;
use gridline_model::{text, StreetLimits};
use serde_json::json;

use crate::output::{kv_of, print_json, say};
use crate::Ctx;

#[derive(Debug, Args)]
pub struct LimitsArgs {
    #[command(subcommand)]
    cmd: Option<LimitsCmd>,
}

#[derive(Debug, Subcommand)]
pub enum LimitsCmd {
    /// 设置本街道的时限，未给出的保持不变，记入审计 (set the street's limits; those not given stay as they are; audited)
    Set(SetArgs),
}

#[derive(Debug, Args)]
pub struct SetArgs {
    /// 紧急事件自派单起的小时数，1–72 (hours an urgent issue has from dispatch, 1–72)
    #[arg(long, value_name = "HOURS")]
    urgent_hours: Option<u32>,
    /// 一般事件自派单起的天数，1–15 (days a normal issue has from dispatch, 1–15)
    #[arg(long, value_name = "DAYS")]
    normal_days: Option<u32>,
    /// 轻微事件自派单起的天数，1–30 (days a minor issue has from dispatch, 1–30)
    #[arg(long, value_name = "DAYS")]
    minor_days: Option<u32>,
    /// 调解自受理起办结的月数，1–6 (months a mediation has to conclude from acceptance, 1–6)
    #[arg(long, value_name = "MONTHS")]
    conclude_months: Option<u32>,
    /// 操作的管理员，记入审计 (the admin setting them, for the audit trail)
    #[arg(long, default_value = "admin")]
    admin: String,
}

pub fn run(ctx: &Ctx, a: LimitsArgs) -> anyhow::Result<()> {
    let hub = Hub::open(&ctx.data)?;
    let Some(LimitsCmd::Set(s)) = a.cmd else {
        return show(ctx, &hub.street_limits()?, None);
    };
    let current = hub.street_limits()?;
    let wanted = StreetLimits {
        urgent_hours: s.urgent_hours.unwrap_or(current.urgent_hours),
        normal_days: s.normal_days.unwrap_or(current.normal_days),
        minor_days: s.minor_days.unwrap_or(current.minor_days),
        conclude_months: s.conclude_months.unwrap_or(current.conclude_months),
    };
    let before = hub.set_street_limits(&wanted, &s.admin, ctx.now)?;
    show(ctx, &wanted, Some(&before))
}

fn show(ctx: &Ctx, l: &StreetLimits, before: Option<&StreetLimits>) -> anyhow::Result<()> {
    if ctx.json {
        let mut v = json!({
            "urgent_hours": l.urgent_hours,
            "normal_days": l.normal_days,
            "minor_days": l.minor_days,
            "conclude_months": l.conclude_months,
            "default": *l == StreetLimits::default(),
        });
        if let Some(b) = before {
            v["status"] = json!("saved");
            v["before"] = serde_json::to_value(b)?;
        }
        print_json(&v);
        return Ok(());
    }
    if before.is_some() {
        say!(
            "街道时限已保存，设备下次同步时生效",
            "the street's limits are saved; devices take them on their next sync"
        );
    } else if *l == StreetLimits::default() {
        say!("本街道使用默认时限", "this street uses the default limits");
    }
    let (u, n, m, c) = (
        l.urgent_hours,
        l.normal_days,
        l.minor_days,
        l.conclude_months,
    );
    kv_of(&[
        (
            text!("紧急事件", "urgent issues"),
            text!("派单后 {u} 小时", "{u} hours from dispatch").to_string(),
        ),
        (
            text!("一般事件", "normal issues"),
            text!("派单后 {n} 天", "{n} days from dispatch").to_string(),
        ),
        (
            text!("轻微事件", "minor issues"),
            text!("派单后 {m} 天", "{m} days from dispatch").to_string(),
        ),
        (
            text!("调解办结", "mediation"),
            text!("受理后 {c} 个月", "{c} months from acceptance").to_string(),
        ),
    ]);
    Ok(())
}

//! `gridline hub limits [set …]`: the street's time limits (DESIGN §3
//! deadlines by grade, §8 months to conclude a mediation), shown or set by
//! the hub admin on the hub's data directory. A change is audited; devices
//! take it on their next sync. Values the model refuses exit 2 and change
//! nothing.
//!
//! The time-limit table is set row by row (`--row 市容环境:normal:4:working-hours:50:80`,
//! `*` for any category; `--clear-table` drops every row), and the working
//! calendar by importing a file in the shipped format
//! (`--calendar FILE`: its years replace those years, the others stay);
//! `gridline hub limits calendar` prints the calendar in that format.

use clap::{Args, Subcommand};
use gridline_hub::Hub;
use gridline_model::calendar::WorkCalendar;
use gridline_model::time_limit::{LimitRow, LimitUnit, RED_PERCENT, YELLOW_PERCENT};
use gridline_model::{text, Grade, StreetLimits, Text};
use serde_json::json;

use crate::output::{kv_of, print_json, say};
use crate::{usage, Ctx};

#[derive(Debug, Args)]
pub struct LimitsArgs {
    #[command(subcommand)]
    cmd: Option<LimitsCmd>,
}

#[derive(Debug, Subcommand)]
pub enum LimitsCmd {
    /// 设置本街道的时限，未给出的保持不变，记入审计 (set the street's limits; those not given stay as they are; audited)
    Set(SetArgs),
    /// 显示工作日历（节假日与调休），格式同 --calendar 导入的文件 (print the working calendar in the format --calendar imports)
    Calendar,
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
    /// 时限表的一行：类别:等级:时长:单位[:黄色%:红色%]，类别用 * 表示任意；同一类别和等级的旧行被替换 (a table row CATEGORY:GRADE:AMOUNT:UNIT[:YELLOW:RED], * for any category; replaces the row of that category and grade), 如 市容环境:normal:4:working-hours:50:80
    #[arg(long = "row", value_name = "ROW")]
    rows: Vec<String>,
    /// 清空时限表，恢复按等级的自然时限 (drop every table row: back to the grade deadlines)
    #[arg(long)]
    clear_table: bool,
    /// 导入工作日历文件，文件中的年份替换原有年份 (import a working-calendar file; its years replace those years)
    #[arg(long, value_name = "FILE")]
    calendar: Option<std::path::PathBuf>,
    /// 操作的管理员，记入审计 (the admin setting them, for the audit trail)
    #[arg(long, default_value = "admin")]
    admin: String,
}

pub fn run(ctx: &Ctx, a: LimitsArgs) -> anyhow::Result<()> {
    let hub = Hub::open(&ctx.data)?;
    let s = match a.cmd {
        None => return show(ctx, &hub.street_limits()?, None),
        Some(LimitsCmd::Calendar) => {
            let c = hub.street_limits()?.calendar();
            if ctx.json {
                print_json(&json!({ "calendar": c.to_text(), "years": years_json(&c) }));
            } else {
                print!("{}", c.to_text());
            }
            return Ok(());
        }
        Some(LimitsCmd::Set(s)) => s,
    };
    let current = hub.street_limits()?;
    let mut table = if s.clear_table {
        Vec::new()
    } else {
        current.table.clone()
    };
    for r in &s.rows {
        let row = parse_row(r)?;
        table.retain(|o| !(o.category == row.category && o.grade == row.grade));
        table.push(row);
    }
    let calendar = match &s.calendar {
        None => current.calendar.clone(),
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                usage(
                    text!(
                        "无法读取日历文件 {}：{e}",
                        "cannot read the calendar file {}: {e}",
                        path.display()
                    )
                    .to_string(),
                )
            })?;
            let imported = WorkCalendar::parse(&text)?;
            Some(std::sync::Arc::new(
                current.calendar().with_years_of(&imported),
            ))
        }
    };
    let wanted = StreetLimits {
        urgent_hours: s.urgent_hours.unwrap_or(current.urgent_hours),
        normal_days: s.normal_days.unwrap_or(current.normal_days),
        minor_days: s.minor_days.unwrap_or(current.minor_days),
        conclude_months: s.conclude_months.unwrap_or(current.conclude_months),
        table,
        calendar,
    };
    let before = hub.set_street_limits(&wanted, &s.admin, ctx.now)?;
    show(ctx, &wanted, Some(&before))
}

/// `CATEGORY:GRADE:AMOUNT:UNIT[:YELLOW:RED]`; a malformed row is exit 2.
fn parse_row(s: &str) -> anyhow::Result<LimitRow> {
    let bad = || {
        usage(
            text!(
                "时限表行 \"{s}\" 应写作 类别:等级:时长:单位[:黄色%:红色%]，如 市容环境:normal:4:working-hours:50:80",
                "the table row \"{s}\" should read CATEGORY:GRADE:AMOUNT:UNIT[:YELLOW:RED], such as 市容环境:normal:4:working-hours:50:80"
            )
            .to_string(),
        )
    };
    let p: Vec<&str> = s.split([':', '：']).map(str::trim).collect();
    if p.len() != 4 && p.len() != 6 {
        return Err(bad());
    }
    let num = |v: &str| v.parse::<u32>().map_err(|_| bad());
    let pct = |v: &str| v.parse::<u8>().map_err(|_| bad());
    let row = LimitRow {
        category: p[0].to_owned(),
        grade: Grade::parse(p[1])?,
        amount: num(p[2])?,
        unit: LimitUnit::parse(p[3])?,
        yellow_percent: p
            .get(4)
            .map(|v| pct(v))
            .transpose()?
            .unwrap_or(YELLOW_PERCENT),
        red_percent: p.get(5).map(|v| pct(v)).transpose()?.unwrap_or(RED_PERCENT),
    };
    row.validate()?;
    Ok(row)
}

fn years_json(c: &WorkCalendar) -> serde_json::Value {
    c.years
        .iter()
        .map(|(y, a)| {
            json!({ "year": y, "provisional": a.provisional, "source": a.source,
                    "days_off": a.off.len(), "working_weekend_days": a.work.len() })
        })
        .collect()
}

fn show(ctx: &Ctx, l: &StreetLimits, before: Option<&StreetLimits>) -> anyhow::Result<()> {
    if ctx.json {
        let mut v = json!({
            "urgent_hours": l.urgent_hours,
            "normal_days": l.normal_days,
            "minor_days": l.minor_days,
            "conclude_months": l.conclude_months,
            "table": serde_json::to_value(&l.table)?,
            "calendar": years_json(&l.calendar()),
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
    for r in &l.table {
        let (amount, yellow, red) = (r.amount, r.yellow_percent, r.red_percent);
        let category = if r.category == "*" {
            text!("任意类别", "any category").to_string()
        } else {
            r.category.clone()
        };
        kv_of(&[(
            Text::new(
                format!("{category} {}", r.grade.zh()),
                format!("{category} {}", r.grade.key()),
            ),
            Text::new(
                format!("{amount} {}，{yellow}% 黄色、{red}% 红色预警", r.unit.zh()),
                format!(
                    "{amount} {}, yellow at {yellow}%, red at {red}%",
                    r.unit.key()
                ),
            )
            .to_string(),
        )]);
    }
    for (y, a) in &l.calendar().years {
        let state = if a.provisional {
            text!(
                "暂定，待国务院公布",
                "provisional until the State Council publishes"
            )
        } else {
            Text::new(a.source.clone(), a.source.clone())
        };
        kv_of(&[(text!("{y} 年日历", "calendar {y}"), state.to_string())]);
    }
    Ok(())
}

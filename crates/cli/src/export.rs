//! `gridline export roster | issues | monthly | wishes`: the ledgers and
//! the monthly report as `.xlsx`, or with `--csv` as one CSV per sheet.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use gridline_device::export::{save_book, Format};
use gridline_device::office::export::Book;
use gridline_device::{ExportScope, RosterOptions};
use gridline_model::{text, Instant};
use serde_json::json;

use crate::output::{print_json, say};
use crate::{usage, Ctx};

#[derive(Debug, Subcommand)]
pub enum ExportCmd {
    /// 住户台账 (household roster), ID numbers masked unless --reveal-reason
    Roster(RosterArgs),
    /// 事件台账：每件事件及其办理步骤 (issue ledger: every issue and each step)
    Issues(RangeArgs),
    /// 月报：结案率、按期结案率、满意率… (monthly report, for community and street staff)
    Monthly(MonthlyArgs),
    /// 心愿台账 (wish ledger)
    Wishes(RangeArgs),
}

#[derive(Debug, Args)]
pub struct Common {
    /// 街道、社区或网格编码；不给则为本机全部 (a street, community or grid code; all held here by default)
    #[arg(long, value_name = "CODE")]
    place: Option<String>,
    /// 写到此文件；默认在当前目录按台账名和日期命名 (the file to write; by default named after the ledger and date, here)
    #[arg(long, short, value_name = "FILE")]
    out: Option<PathBuf>,
    /// 写 CSV（UTF-8 带 BOM），每个工作表一个文件 (write CSV, UTF-8 with a BOM, one file per sheet)
    #[arg(long)]
    csv: bool,
}

#[derive(Debug, Args)]
pub struct RosterArgs {
    #[command(flatten)]
    common: Common,
    /// 只导出有此标签的户 (only households with this tag)
    #[arg(long)]
    tag: Option<String>,
    /// 导出完整身份证号的理由；会记入查看审计 (the reason for exporting ID numbers in full; it is audited)
    #[arg(long, value_name = "REASON")]
    reveal_reason: Option<String>,
}

#[derive(Debug, Args)]
pub struct RangeArgs {
    #[command(flatten)]
    common: Common,
    /// 从此日起（含），YYYY-MM-DD，北京时间 (from this day, inclusive, Beijing time)
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// 到此日止（含） (up to this day, inclusive)
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
}

#[derive(Debug, Args)]
pub struct MonthlyArgs {
    #[command(flatten)]
    common: Common,
    /// 月份 YYYY-MM，默认上个月 (the month, YYYY-MM; last month by default)
    #[arg(long, value_name = "YYYY-MM")]
    month: Option<String>,
}

/// A day typed as YYYY-MM-DD: its start in Beijing time, or the start of
/// the next day for the end of a range (so `--to` is inclusive).
fn day(s: Option<&str>, flag: &str, next: bool) -> anyhow::Result<Option<Instant>> {
    let Some(s) = s else { return Ok(None) };
    let d = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        usage(
            text!(
                "{flag} \"{s}\" 不是日期；请写作 YYYY-MM-DD，如 2026-11-01",
                "{flag} \"{s}\" is not a date; write it as YYYY-MM-DD, e.g. 2026-11-01"
            )
            .to_string(),
        )
    })?;
    let d = if next { d.succ_opt().unwrap_or(d) } else { d };
    let t = d
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_local_timezone(gridline_model::beijing())
        .single()
        .expect("UTC+8 has no gaps");
    Ok(Some(t.with_timezone(&chrono::Utc)))
}

/// `--from` and `--to` as `[from, to)`; a range that ends before it starts
/// is a typing mistake, not an empty ledger.
fn range(a: &RangeArgs) -> anyhow::Result<(Option<Instant>, Option<Instant>)> {
    let from = day(a.from.as_deref(), "--from", false)?;
    let to = day(a.to.as_deref(), "--to", true)?;
    if let (Some(f), Some(t)) = (from, to) {
        if t <= f {
            let (f, t) = (
                a.from.as_deref().unwrap_or(""),
                a.to.as_deref().unwrap_or(""),
            );
            return Err(usage(
                text!(
                    "--to {t} 早于 --from {f}；请把较早的日期写在 --from",
                    "--to {t} is before --from {f}; put the earlier day in --from"
                )
                .to_string(),
            ));
        }
    }
    Ok((from, to))
}

fn month(s: Option<&str>, now: Instant) -> anyhow::Result<(i32, u32)> {
    use chrono::Datelike;
    let Some(s) = s else {
        let local = now.with_timezone(&gridline_model::beijing()).date_naive();
        let first = local.with_day(1).expect("day 1 exists");
        let last = first.pred_opt().expect("a month before");
        return Ok((last.year(), last.month()));
    };
    let bad = || {
        usage(
            text!(
                "--month \"{s}\" 不是月份；请写作 YYYY-MM，如 2026-11",
                "--month \"{s}\" is not a month; write it as YYYY-MM, e.g. 2026-11"
            )
            .to_string(),
        )
    };
    let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
    let (y, m): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(1..=12).contains(&m) || !(2000..=2100).contains(&y) {
        return Err(bad());
    }
    Ok((y, m))
}

/// Writes the book as asked; returns the files written. A place that
/// cannot be written is the user's to fix (exit 2), with what to do.
fn write_book(book: &Book, c: &Common, default_stem: &str) -> anyhow::Result<Vec<PathBuf>> {
    let out = c.out.clone().unwrap_or_else(|| {
        PathBuf::from(format!(
            "{default_stem}.{}",
            if c.csv { "csv" } else { "xlsx" }
        ))
    });
    let format = if c.csv { Format::Csv } else { Format::Xlsx };
    save_book(book, &out, format).map_err(|e| match e {
        gridline_device::Error::Io { source, .. } if source.kind() != std::io::ErrorKind::Other => {
            let p = out.display();
            usage(
                text!(
                    "无法写入 {p}：{source}；请换一个可写的位置（--out）",
                    "cannot write {p}: {source}; choose a writable place with --out"
                )
                .to_string(),
            )
        }
        other => other.into(),
    })
}

fn today(ctx: &Ctx) -> String {
    ctx.now
        .with_timezone(&gridline_model::beijing())
        .format("%Y-%m-%d")
        .to_string()
}

fn report(
    ctx: &Ctx,
    what: gridline_model::Text,
    rows: usize,
    files: &[PathBuf],
    extra: serde_json::Value,
) {
    if ctx.json {
        let mut v = json!({
            "rows": rows,
            "files": files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
        });
        if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        print_json(&v);
        return;
    }
    let names = files
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let (zh, en) = (&what.zh, &what.en);
    say!(
        "{zh}：{rows} 行，已写入 {names}",
        "{en}: {rows} rows, written to {names}"
    );
}

pub fn run(ctx: &Ctx, cmd: ExportCmd) -> anyhow::Result<()> {
    match cmd {
        ExportCmd::Roster(a) => {
            let mut device = ctx.open()?;
            let roster = device.export_roster(
                &RosterOptions {
                    scope: ExportScope {
                        place: a.common.place.clone(),
                    },
                    tag: a.tag.clone(),
                    reveal_reason: a.reveal_reason.clone(),
                },
                ctx.now,
            )?;
            let files = write_book(&roster.book, &a.common, &format!("住户台账-{}", today(ctx)))?;
            report(
                ctx,
                text!("住户台账", "household roster"),
                roster.households,
                &files,
                json!({ "revealed": roster.revealed }),
            );
            if roster.revealed > 0 && !ctx.json {
                let n = roster.revealed;
                say!(
                    "{n} 户的完整身份证号已记入查看审计",
                    "the full ID numbers of {n} households were recorded in the reveal audit"
                );
            }
        }
        ExportCmd::Issues(a) => {
            let device = ctx.open()?;
            let scope = ExportScope {
                place: a.common.place.clone(),
            };
            let (from, to) = range(&a)?;
            let book = device.export_issue_ledger(&scope, from, to, ctx.now)?;
            let rows = book.sheets[0].rows.len();
            let files = write_book(&book, &a.common, &format!("事件台账-{}", today(ctx)))?;
            report(
                ctx,
                text!("事件台账", "issue ledger"),
                rows,
                &files,
                json!({}),
            );
        }
        ExportCmd::Wishes(a) => {
            let device = ctx.open()?;
            let scope = ExportScope {
                place: a.common.place.clone(),
            };
            let (from, to) = range(&a)?;
            let book = device.export_wish_ledger(&scope, from, to)?;
            let rows = book.sheets[0].rows.len();
            let files = write_book(&book, &a.common, &format!("心愿台账-{}", today(ctx)))?;
            report(
                ctx,
                text!("心愿台账", "wish ledger"),
                rows,
                &files,
                json!({}),
            );
        }
        ExportCmd::Monthly(a) => {
            let device = ctx.open()?;
            let (y, m) = month(a.month.as_deref(), ctx.now)?;
            let scope = ExportScope {
                place: a.common.place.clone(),
            };
            let (figures, book) = device.monthly_report(&scope, y, m)?;
            let files = write_book(&book, &a.common, &format!("月报-{y}-{m:02}"))?;
            let t = &figures.total;
            report(
                ctx,
                text!("{y}年{m}月月报", "monthly report {y}-{m:02}"),
                t.reported as usize,
                &files,
                json!({
                    "month": format!("{y}-{m:02}"),
                    "reported": t.reported, "accepted": t.accepted, "closed": t.closed,
                    "due": t.due, "deferred": t.deferred, "due_closed": t.due_closed,
                    "due_closed_on_time": t.due_closed_on_time,
                    "closure_rate": t.closure_rate(), "on_time_rate": t.on_time_rate(),
                    "satisfaction": t.satisfaction(), "median_hours": t.median_hours(),
                    "sent_back": t.sent_back,
                }),
            );
        }
    }
    Ok(())
}

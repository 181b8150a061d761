//! `gridline visit log | list`.

use clap::{Args, Subcommand};
use gridline_device::NewVisit;
use gridline_device::VisitSummary;
use gridline_model::{text, Role, VisitKind};
use serde_json::{json, Value};

use crate::output::{created, or_dash, print_json, say, when, word, Table};
use crate::Ctx;

#[derive(Debug, Subcommand)]
pub enum VisitCmd {
    /// 记录走访 (log a visit)
    Log(LogArgs),
    /// 列出走访 (list visits, newest first)
    List(ListArgs),
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// 户编号 (household id)
    #[arg(long, value_name = "ID")]
    household: String,
    /// 类型 (kind): routine 走访 / home-service-day 上门服务日 / follow-up 回访
    #[arg(long)]
    kind: Option<String>,
    /// 走访记录 (notes)
    #[arg(long, default_value = "")]
    notes: String,
    /// 走访时间，北京时间 (when, Beijing time): "2026-11-28 14:05"; 默认现在 (default now)
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    /// 记录编号（UUID v7），供脚本重试：同一编号再保存仍是同一条记录 (the record's id, a UUID v7, so a script can retry: saving again with the same id is the same record, not a second one)
    #[arg(long, value_name = "UUID")]
    id: Option<String>,
    #[command(flatten)]
    photos: crate::photo::PhotoArgs,
    #[command(flatten)]
    position: crate::photo::PositionArgs,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// 户编号 (household id)
    #[arg(long, value_name = "ID")]
    household: Option<String>,
    /// 走访人用户编号 (visitor's user id)
    #[arg(long, value_name = "USER")]
    visitor: Option<String>,
    /// 最多 N 条 (at most N)
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
}

pub fn run(ctx: &Ctx, cmd: VisitCmd) -> anyhow::Result<()> {
    match cmd {
        VisitCmd::Log(a) => {
            let mut device = ctx.open()?;
            let new = NewVisit {
                household: a.household,
                kind: a.kind,
                notes: a.notes,
                at: a.at,
            };
            let position = a.position.position(&device, Some(&new.household))?;
            let photos = a.photos.take(ctx, &mut device)?;
            let evidence = gridline_device::Evidence { photos, position };
            let c = device
                .log_visit_with_evidence(&new, a.id.as_deref(), &evidence, ctx.now)
                .map_err(|e| match e {
                    // An empty visit: the fix names the options to add.
                    gridline_device::Error::Invalid(mut i) if i.field == "kind" && new.kind.is_none() => {
                        i.fix = text!(
                            "加上 --kind routine（走访）、home-service-day（上门服务日）或 follow-up（回访），或用 --notes 写下走访记录",
                            "add --kind routine, home-service-day or follow-up, or write notes with --notes"
                        );
                        gridline_device::Error::Invalid(i)
                    }
                    e => e,
                })?;
            created(ctx, &c, json!({}));
            Ok(())
        }
        VisitCmd::List(a) => list(ctx, a),
    }
}

/// Notes on one line of a table: line breaks become spaces.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The Chinese word for a stored visit kind key.
pub fn kind_zh(key: &str) -> String {
    VisitKind::parse(key)
        .map(|k| k.zh().to_owned())
        .unwrap_or_else(|_| key.to_owned())
}

/// The Chinese word for a stored role key.
pub fn role_zh(key: &str) -> String {
    Role::parse(key)
        .map(|r| r.zh().to_owned())
        .unwrap_or_else(|_| key.to_owned())
}

pub fn row_json(r: &VisitSummary) -> Value {
    json!({
        "id": r.id.to_string(),
        "household": r.household.to_string(),
        "grid": r.grid.to_string(),
        "visitor": r.visitor,
        "role": r.role.key(),
        "at": gridline_model::fmt_time(r.at),
        "kind": r.kind.key(),
        "kind_zh": kind_zh(r.kind.key()),
        "address": r.address,
        "notes": r.notes,
    })
}

fn list(ctx: &Ctx, a: ListArgs) -> anyhow::Result<()> {
    let device = ctx.open()?;
    let rows = device.visits(
        a.household.as_deref().map(str::trim),
        a.visitor.as_deref(),
        a.limit,
    )?;
    if ctx.json {
        print_json(&Value::Array(rows.iter().map(row_json).collect()));
        return Ok(());
    }
    if rows.is_empty() {
        say!("没有走访记录", "no visits");
        return Ok(());
    }
    let mut t = Table::of(&[
        text!("编号", "id"),
        text!("时间", "time"),
        text!("类型", "kind"),
        text!("走访人", "visitor"),
        text!("地址", "address"),
        text!("户编号", "household"),
        text!("走访记录", "notes"),
    ]);
    let people = device.people();
    for r in &rows {
        let kind = r.kind.key();
        let visitor = people.label_as(&r.visitor, r.role);
        t.row(vec![
            r.id.to_string(),
            when(r.at),
            word(&kind_zh(kind), kind),
            word(&visitor.zh, &visitor.en),
            or_dash(r.address.as_deref().unwrap_or("")),
            r.household.to_string(),
            or_dash(&one_line(&r.notes)),
        ]);
    }
    t.print();
    let n = rows.len();
    say!("共 {n} 次", "{n} visits");
    Ok(())
}

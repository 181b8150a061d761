//! `gridline wish post | claim | fulfil | confirm | withdraw | list | show`.

use clap::{Args, Subcommand};
use gridline_device::NewWish;
use gridline_device::WishSummary;
use gridline_model::wish::WishStage;
use gridline_model::{text, Text, WishEvent, WishState, WishStep};
use serde_json::{json, Value};

use crate::output::{kv_of, or_dash, print_json, saved, say, when, word, Table};
use crate::{usage, Ctx};

#[derive(Debug, Subcommand)]
pub enum WishCmd {
    /// 发布心愿 (post a wish for a household)
    Post(PostArgs),
    /// 认领心愿 (claim a wish; pending until the hub grants it)
    Claim(IdArg),
    /// 兑现心愿 (fulfil a wish you claimed)
    Fulfil(FulfilArgs),
    /// 居民确认 (confirm for the resident)
    Confirm(ConfirmArgs),
    /// 撤回心愿或自己的认领 (withdraw the wish, or with --claim your claim)
    Withdraw(WithdrawArgs),
    /// 心愿墙 (list wishes)
    List(ListArgs),
    /// 查看心愿 (show a wish)
    Show(IdArg),
}

#[derive(Debug, Args)]
pub struct PostArgs {
    /// 心愿 (what is wished), 如 一台助听器
    #[arg(long)]
    title: String,
    /// 类别 (category): 生活物资、学习用品、医疗健康、助老助残、文体活动、其他
    #[arg(long)]
    category: String,
    /// 估计价值（元），1 到 5000 (estimated value in yuan, 1 to 5000)
    #[arg(long, value_name = "YUAN")]
    value: u32,
    /// 说明 (description)
    #[arg(long, default_value = "")]
    description: String,
    /// 为哪户 (household id)
    #[arg(long, value_name = "ID", conflicts_with = "grid")]
    household: Option<String>,
    /// 网格 (grid id), 不指明户时 (when no household)
    #[arg(long, value_name = "GRID")]
    grid: Option<String>,
    /// 记录编号（UUID v7），供脚本重试：同一编号再保存仍是同一条记录 (the record's id, a UUID v7, so a script can retry: saving again with the same id is the same record, not a second one)
    #[arg(long, value_name = "UUID")]
    id: Option<String>,
}

#[derive(Debug, Args)]
pub struct IdArg {
    /// 心愿编号 (wish id)
    id: String,
}

#[derive(Debug, Args)]
pub struct FulfilArgs {
    /// 心愿编号 (wish id)
    id: String,
    /// 兑现说明 (note)
    #[arg(long, default_value = "")]
    note: String,
    #[command(flatten)]
    photos: crate::photo::PhotoArgs,
}

#[derive(Debug, Args)]
pub struct ConfirmArgs {
    /// 心愿编号 (wish id)
    id: String,
    /// 确认的居民姓名 (the resident who confirms)
    #[arg(long, value_name = "NAME")]
    resident: String,
}

#[derive(Debug, Args)]
pub struct WithdrawArgs {
    /// 心愿编号 (wish id)
    id: String,
    /// 只撤回自己的认领 (withdraw only your own claim)
    #[arg(long)]
    claim: bool,
    /// 撤回理由 (reason)
    #[arg(long, default_value = "")]
    reason: String,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// 状态 (state): posted, claimed, fulfilled, confirmed, withdrawn
    #[arg(long, value_name = "STATE")]
    state: Option<String>,
    /// 最多 N 条 (at most N)
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
}

pub fn run(ctx: &Ctx, cmd: WishCmd) -> anyhow::Result<()> {
    match cmd {
        WishCmd::Post(a) => post(ctx, a),
        WishCmd::Claim(a) => {
            let mut device = ctx.open()?;
            let state = device.claim_wish(&a.id, ctx.now)?;
            let me = device.user().id.clone();
            if state.claimant.as_deref() == Some(me.as_str()) {
                if !ctx.json {
                    out!(
                        "{} — {}",
                        text!("认领成功", "claim granted"),
                        text!(
                            "本机试用模式由本机授予",
                            "granted on this device in trial mode"
                        )
                    );
                }
            } else if state.pending.iter().any(|(_, u)| u == &me) {
                if !ctx.json {
                    out!(
                        "{} — {}",
                        text!("认领待确认", "claim pending"),
                        text!("等待街道枢纽确认", "waiting for the hub")
                    );
                }
            } else if !ctx.json {
                say!("已被他人认领", "claimed by someone else");
            }
            stepped(ctx, &a.id, &state)
        }
        WishCmd::Fulfil(a) => {
            let mut device = ctx.open()?;
            let photos = a.photos.take(ctx, &mut device)?;
            let state = device.fulfil_wish_with_photos(&a.id, &a.note, &photos, ctx.now)?;
            stepped(ctx, &a.id, &state)
        }
        WishCmd::Confirm(a) => {
            if a.resident.trim().is_empty() {
                return Err(usage(
                    text!(
                        "确认需写明居民；请填写 --resident",
                        "--resident is empty; give the resident who confirms"
                    )
                    .to_string(),
                ));
            }
            let mut device = ctx.open()?;
            let state = device.confirm_wish(&a.id, &a.resident, ctx.now)?;
            stepped(ctx, &a.id, &state)
        }
        WishCmd::Withdraw(a) => {
            let mut device = ctx.open()?;
            let state = device.withdraw_wish(&a.id, a.claim, &a.reason, ctx.now)?;
            stepped(ctx, &a.id, &state)
        }
        WishCmd::List(a) => list(ctx, a),
        WishCmd::Show(a) => show(ctx, a),
    }
}

/// The Chinese word for a stored wish stage key.
pub fn stage_zh(key: Option<&str>) -> String {
    match key {
        Some(k) => WishStage::parse(k)
            .map(|s| s.zh().to_owned())
            .unwrap_or_else(|_| k.to_owned()),
        None => "未发布".to_owned(),
    }
}

fn stepped(ctx: &Ctx, id: &str, state: &WishState) -> anyhow::Result<()> {
    let key = state.stage.map(|s| s.key());
    if ctx.json {
        saved(
            ctx,
            id.trim(),
            json!({
                "state": key,
                "state_zh": stage_zh(key),
                "claimant": state.claimant,
                "pending": state.pending.iter().map(|(_, u)| u).collect::<Vec<_>>(),
            }),
        );
    } else {
        out!(
            "{}: {}",
            text!("状态", "state"),
            Text::new(stage_zh(key), key.unwrap_or("none"))
        );
        saved(ctx, id.trim(), json!({}));
    }
    Ok(())
}

fn post(ctx: &Ctx, a: PostArgs) -> anyhow::Result<()> {
    let mut device = ctx.open()?;
    let new = NewWish {
        grid: a.grid,
        household: a.household,
        title: a.title,
        category: a.category,
        value_yuan: a.value,
        description: a.description,
    };
    let c = device.post_wish_with_id(&new, a.id.as_deref(), ctx.now)?;
    crate::output::created(ctx, &c, json!({ "state": "posted" }));
    Ok(())
}

pub fn row_json(r: &WishSummary) -> Value {
    let stage = r.stage.map(|s| s.key());
    json!({
        "id": r.id.to_string(),
        "grid": r.grid.to_string(),
        "household": r.household.map(|h| h.to_string()),
        "title": r.title,
        "category": r.category,
        "value_yuan": r.value_yuan,
        "state": stage,
        "state_zh": stage_zh(stage),
        "poster": r.poster,
        "claimant": r.claimant,
        "pending_claims": r.pending_claims,
        "posted_at": gridline_model::fmt_time(r.posted_at),
        "sync_state": r.sync_state.key(),
    })
}

fn list(ctx: &Ctx, a: ListArgs) -> anyhow::Result<()> {
    let stage = a.state.as_deref().map(WishStage::parse).transpose()?;
    let device = ctx.open()?;
    let rows = device.wishes(stage, a.limit)?;
    if ctx.json {
        print_json(&Value::Array(rows.iter().map(row_json).collect()));
        return Ok(());
    }
    if rows.is_empty() {
        say!("没有心愿", "no wishes");
        return Ok(());
    }
    let mut t = Table::of(&[
        text!("编号", "id"),
        text!("心愿", "title"),
        text!("类别", "category"),
        text!("价值", "value"),
        text!("状态", "state"),
        text!("发布人", "poster"),
        text!("认领人", "claimant"),
        text!("发布时间", "posted"),
    ]);
    let people = device.people();
    for r in &rows {
        let key = r.stage.map(|s| s.key());
        let mut state = Text::new(stage_zh(key), key.unwrap_or("none"));
        if r.pending_claims > 0 {
            let n = r.pending_claims;
            state.zh.push_str(&format!(" 待确认{n}"));
            state.en.push_str(&format!(", {n} pending"));
        }
        t.row(vec![
            r.id.to_string(),
            r.title.clone(),
            r.category.clone(),
            format!("{} {}", r.value_yuan, word("元", "yuan")),
            word(&state.zh, &state.en),
            crate::output::person(&people, &r.poster),
            r.claimant
                .as_deref()
                .map(|c| crate::output::person(&people, c))
                .unwrap_or_else(|| "—".into()),
            when(r.posted_at),
        ]);
    }
    t.print();
    let n = rows.len();
    say!("共 {n} 个", "{n} wishes");
    Ok(())
}

fn step_detail(step: &WishStep) -> String {
    match step {
        WishStep::Post | WishStep::RequestClaim | WishStep::WithdrawClaim => String::new(),
        WishStep::Grant { claim } | WishStep::RefuseClaim { claim } => {
            format!("{} {claim}", text!("认领", "claim"))
        }
        WishStep::Fulfil { note } => note.clone(),
        WishStep::Confirm { resident } => format!("{} {resident}", text!("居民", "resident")),
        WishStep::WithdrawWish { reason } => reason.clone(),
    }
}

fn show(ctx: &Ctx, a: IdArg) -> anyhow::Result<()> {
    let device = ctx.open()?;
    let view = device.wish(&a.id)?;
    let w = &view.wish;
    let s = &view.state;
    let mut events: Vec<&WishEvent> = w.events.iter().collect();
    events.sort_by_key(|e| (e.at, e.id));
    let key = s.stage.map(|st| st.key());
    let people = device.people();
    if ctx.json {
        print_json(&json!({
            "id": w.id.to_string(),
            "grid": w.grid.to_string(),
            "household": w.household.map(|h| h.to_string()),
            "title": w.title,
            "category": w.category,
            "value_yuan": w.value_yuan,
            "description": w.description,
            "poster": w.poster,
            "posted_at": w.posted_at.to_rfc3339(),
            "state": key,
            "state_zh": stage_zh(key),
            "claimant": s.claimant,
            "pending": s.pending.iter().map(|(_, u)| u).collect::<Vec<_>>(),
            "sync_state": view.sync_state.key(),
            "events": events.iter().map(|e| json!({
                "id": e.id.to_string(),
                "at": e.at.to_rfc3339(),
                "step": e.step.key(),
                "step_zh": e.step.zh(),
                "author": { "user": e.author.user, "name": people.name(&e.author.user), "role": e.author.role.key() },
                "detail": step_detail(&e.step),
                "refused": s.refusal(e.id),
            })).collect::<Vec<_>>(),
        }));
        return Ok(());
    }
    out!("{} {}", text!("心愿", "wish"), w.id);
    let pending: Vec<String> = s
        .pending
        .iter()
        .map(|(_, u)| crate::output::person(&people, u))
        .collect();
    kv_of(&[
        (text!("心愿", "title"), w.title.clone()),
        (text!("类别", "category"), w.category.clone()),
        (
            text!("价值", "value"),
            format!("{} {}", w.value_yuan, text!("元", "yuan")),
        ),
        (text!("说明", "description"), or_dash(&w.description)),
        (text!("网格", "grid"), w.grid.to_string()),
        (
            text!("户", "household"),
            w.household
                .map(|h| h.to_string())
                .unwrap_or_else(|| "—".into()),
        ),
        (
            text!("发布人", "poster"),
            crate::output::person(&people, &w.poster),
        ),
        (text!("发布时间", "posted"), when(w.posted_at)),
        (
            text!("状态", "state"),
            Text::new(stage_zh(key), key.unwrap_or("none")).to_string(),
        ),
        (
            text!("认领人", "claimant"),
            s.claimant
                .as_deref()
                .map(|c| crate::output::person(&people, c))
                .unwrap_or_else(|| "—".into()),
        ),
        (
            text!("待确认认领", "pending claims"),
            or_dash(&pending.join(&word("、", ", "))),
        ),
        (
            text!("同步", "sync"),
            Text::new(view.sync_state.zh(), view.sync_state.key()).to_string(),
        ),
    ]);
    say!("流程", "timeline");
    // Indented under the line above, header and cells alike.
    let mut t = Table::indented(&[
        text!("时间", "time"),
        text!("步骤", "step"),
        text!("操作人", "by"),
        text!("内容", "detail"),
    ]);
    for e in &events {
        let mut detail = step_detail(&e.step);
        if let Some(why) = s.refusal(e.id) {
            detail = format!(
                "{}: {why}{}",
                text!("无效操作（已驳回）", "refused step"),
                if detail.is_empty() {
                    String::new()
                } else {
                    format!("  [{detail}]")
                }
            );
        }
        t.row(vec![
            format!("  {}", when(e.at)),
            Text::new(e.step.zh(), e.step.key()).to_string(),
            crate::output::author(&device, &people, &e.author),
            detail,
        ]);
    }
    t.print();
    Ok(())
}

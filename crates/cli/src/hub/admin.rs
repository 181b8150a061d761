//! `gridline hub households | issues | wishes | show`: what the hub holds,
//! read by its admin on the hub's data directory. Read-only; every read is an
//! audit row naming the admin (`gridline_hub::admin`). ID numbers stay masked;
//! `hub show --reveal --admin NAME` shows them and is audited as a reveal.

use clap::Args;
use gridline_hub::Record;
use gridline_hub::{AdminQuery, Held, Hub, Listing, Shown};
use gridline_model::{GridId, Household, Issue, Visit, Wish};
use serde_json::{json, Value};

use crate::output::{kv, or_dash, print_json, when, when_str, Table};
use crate::{issue, usage, visit, wish, Ctx};

#[derive(Debug, Args)]
pub struct ListArgs {
    /// 只看此网格 (only this grid), 如 522701001001001
    #[arg(long, value_name = "GRID")]
    grid: Option<String>,
    /// 最多显示 N 条，最近改动的在前 (show at most N, the most recently changed first)
    #[arg(long, value_name = "N", default_value_t = 100)]
    limit: usize,
    /// 查看的管理员，记入审计 (the admin reading, for the audit trail)
    #[arg(long, value_name = "NAME", default_value = "admin")]
    admin: String,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// 记录编号 (record id, from `gridline hub households|issues|wishes`)
    id: String,
    /// 显示完整身份证号，须用 --admin 写明查看人，记入审计 (show ID numbers in full; needs --admin naming who looks, audited as a reveal)
    #[arg(long)]
    reveal: bool,
    /// 查看的管理员，记入审计；默认 admin (the admin reading, for the audit trail; default admin)
    #[arg(long, value_name = "NAME")]
    admin: Option<String>,
}

/// Which kind `list` reads.
#[derive(Debug, Clone, Copy)]
pub enum Listed {
    Households,
    Issues,
    Wishes,
}

pub fn list(ctx: &Ctx, what: Listed, a: ListArgs) -> anyhow::Result<()> {
    let hub = Hub::open(&ctx.data)?;
    let q = AdminQuery {
        grid: a.grid.as_deref().map(GridId::parse).transpose()?,
        limit: Some(a.limit),
    };
    let listing = match what {
        Listed::Households => hub.admin_households(&q, &a.admin, ctx.now)?,
        Listed::Issues => hub.admin_issues(&q, &a.admin, ctx.now)?,
        Listed::Wishes => hub.admin_wishes(&q, &a.admin, ctx.now)?,
    };
    let hub_actor = hub.actor_hex();
    if ctx.json {
        print_json(&json!({
            "total": listing.total,
            "shown": listing.records.len(),
            "records": listing.records.iter().map(|h| record_json(h, &hub_actor)).collect::<Vec<_>>(),
        }));
        return Ok(());
    }
    if listing.records.is_empty() {
        out!("枢纽上没有这类记录 (the hub holds none of these)");
    } else {
        table(what, &listing, &hub_actor).print();
    }
    footer(&listing, &a.admin);
    Ok(())
}

fn footer(listing: &Listing, admin: &str) {
    let (n, total) = (listing.records.len(), listing.total);
    if n < total {
        out!("显示 {n} 条，共 {total} 条 (showing {n} of {total}); 用 --grid 或 --limit 查看其余 (use --grid or --limit for the rest)");
    } else {
        out!("共 {total} 条 ({total} records)");
    }
    out!("已记入审计：{admin} 查看 (audited as read by {admin}): gridline hub audit");
}

fn table(what: Listed, listing: &Listing, hub_actor: &str) -> Table {
    let mut t = match what {
        Listed::Households => Table::new(&[
            "编号 (id)",
            "网格 (grid)",
            "户主 (head)",
            "地址 (address)",
            "人数",
            "标签 (tags)",
            "更新 (updated)",
        ]),
        Listed::Issues => Table::new(&[
            "编号 (id)",
            "网格 (grid)",
            "类别 (category)",
            "状态 (state)",
            "上报人 (reporter)",
            "上报 (reported)",
            "描述 (description)",
        ]),
        Listed::Wishes => Table::new(&[
            "编号 (id)",
            "网格 (grid)",
            "心愿 (wish)",
            "价值 (value)",
            "状态 (state)",
            "发布人 (poster)",
            "认领人 (claimant)",
        ]),
    };
    for held in &listing.records {
        let row = match &held.record {
            Record::Household(h) => vec![
                h.id.to_string(),
                h.grid.to_string(),
                h.head_name().to_owned(),
                h.address.line(),
                h.residents.len().to_string(),
                or_dash(&h.tags.iter().map(|t| t.zh()).collect::<Vec<_>>().join("、")),
                when_str(&held.updated_at),
            ],
            Record::Issue(i) => vec![
                i.id.to_string(),
                i.grid.to_string(),
                i.category.clone(),
                issue::stage_zh(i.state().stage.map(|s| s.key())),
                i.reporter.clone(),
                when(i.reported_at),
                short(&i.description, 24),
            ],
            Record::Wish(w) => {
                let s = w.state(Some(hub_actor));
                vec![
                    w.id.to_string(),
                    w.grid.to_string(),
                    w.title.clone(),
                    format!("{} 元", w.value_yuan),
                    wish::stage_zh(s.stage.map(|s| s.key())),
                    w.poster.clone(),
                    or_dash(s.claimant.as_deref().unwrap_or("")),
                ]
            }
            // Listings read one kind; nothing else reaches here.
            Record::HouseholdPrivate(_) | Record::Visit(_) => continue,
        };
        t.row(row);
    }
    t
}

/// The first `n` characters of a text on one line, with `…` when cut.
fn short(s: &str, n: usize) -> String {
    let line = visit::one_line(s);
    if line.chars().count() <= n {
        return or_dash(&line);
    }
    let mut cut: String = line.chars().take(n).collect();
    cut.push('…');
    cut
}

pub fn show(ctx: &Ctx, a: ShowArgs) -> anyhow::Result<()> {
    if a.reveal && a.admin.as_deref().is_none_or(|s| s.trim().is_empty()) {
        return Err(usage(
            "--reveal 须用 --admin 写明查看人，记入审计 (--reveal needs --admin NAME: a reveal is audited with who looked)",
        ));
    }
    let admin = a.admin.as_deref().unwrap_or("admin");
    let hub = Hub::open(&ctx.data)?;
    let shown = hub.admin_show(&a.id, a.reveal, admin, ctx.now)?;
    let hub_actor = hub.actor_hex();
    if ctx.json {
        let mut v = record_json(&shown.held, &hub_actor);
        if let Value::Object(m) = &mut v {
            m.insert("updated_at".into(), json!(shown.held.updated_at));
            m.insert("revealed".into(), json!(shown.revealed));
            if let Some(p) = &shown.private {
                m.insert(
                    "sensitive_tags".into(),
                    json!(p.sensitive_tags.iter().map(|t| t.zh()).collect::<Vec<_>>()),
                );
                m.insert(
                    "id_numbers".into(),
                    p.id_numbers
                        .iter()
                        .map(|(r, n)| (r.to_string(), json!(id_number(n, shown.revealed))))
                        .collect::<serde_json::Map<_, _>>()
                        .into(),
                );
            }
        }
        print_json(&v);
        return Ok(());
    }
    match &shown.held.record {
        Record::Household(h) => show_household(h, &shown),
        Record::HouseholdPrivate(p) => {
            out!(
                "户的敏感部分 (a household's private part) — 户 (household) {}",
                p.household
            );
            kv(&[
                ("网格 (grid)", p.grid.to_string()),
                (
                    "敏感标签 (sensitive tags)",
                    or_dash(
                        &p.sensitive_tags
                            .iter()
                            .map(|t| t.zh())
                            .collect::<Vec<_>>()
                            .join("、"),
                    ),
                ),
            ]);
            for (r, n) in &p.id_numbers {
                out!("  {}  {}", r, id_number(n, shown.revealed));
            }
        }
        Record::Visit(v) => show_visit(v),
        Record::Issue(i) => show_issue(i, &shown),
        Record::Wish(w) => show_wish(w, &shown),
    }
    out!("更新 (updated): {}", when_str(&shown.held.updated_at));
    if shown.revealed {
        out!(
            "已记入审计：{admin} 查看了完整身份证号 (audited: {admin} saw the ID numbers in full)"
        );
    } else {
        out!(
            "已记入审计：{admin} 查看 (audited as read by {admin}): gridline hub audit --record {}",
            a.id.trim()
        );
    }
    Ok(())
}

fn id_number(n: &gridline_model::IdNumber, revealed: bool) -> String {
    if revealed {
        n.as_str().to_owned()
    } else {
        n.masked()
    }
}

fn show_household(h: &Household, shown: &Shown) {
    let sensitive: Vec<&str> = shown
        .private
        .iter()
        .flat_map(|p| p.sensitive_tags.iter().map(|t| t.zh()))
        .collect();
    out!("户 (household) {}", h.id);
    kv(&crate::household::household_fields(
        h,
        h.tags.iter().map(|t| t.zh().to_owned()),
        &sensitive,
    ));
    let id_of = |resident| {
        shown
            .private
            .as_ref()
            .and_then(|p| p.id_numbers.get(&resident))
            .map(|n| id_number(n, shown.revealed))
    };
    crate::household::print_residents(h, &id_of);
}

fn show_visit(v: &Visit) {
    out!("走访 (visit) {}", v.id);
    kv(&[
        ("时间 (time)", when(v.at)),
        ("类型 (kind)", v.kind.zh().to_owned()),
        (
            "走访人 (visitor)",
            format!("{} ({})", v.visitor.user, v.visitor.role.zh()),
        ),
        ("户 (household)", v.household.to_string()),
        ("网格 (grid)", v.grid.to_string()),
        ("走访记录 (notes)", or_dash(&v.notes)),
    ]);
}

fn show_issue(i: &Issue, shown: &Shown) {
    out!("事件 (issue) {}", i.id);
    let state = shown.issue_state.as_ref();
    kv(&[
        ("类别 (category)", i.category.clone()),
        (
            "状态 (state)",
            issue::stage_zh(state.and_then(|s| s.stage).map(|s| s.key())),
        ),
        ("描述 (description)", or_dash(&i.description)),
        ("位置 (location)", or_dash(&i.location)),
        ("紧急程度 (urgency)", i.urgency.to_string()),
        ("网格 (grid)", i.grid.to_string()),
        (
            "户 (household)",
            i.household
                .map(|h| h.to_string())
                .unwrap_or_else(|| "—".into()),
        ),
        ("上报人 (reporter)", i.reporter.clone()),
        ("上报 (reported)", when(i.reported_at)),
    ]);
    let mut events: Vec<_> = i.events.iter().collect();
    events.sort_by_key(|e| (e.at, e.id));
    out!("流程 (timeline) {}", events.len());
    for e in events {
        let refused = state
            .and_then(|s| s.outcomes.iter().find(|o| o.event == e.id))
            .and_then(|o| o.refused.as_ref());
        out!(
            "  {}  {} ({})  {} ({}){}",
            when(e.at),
            e.step.zh(),
            e.step.key(),
            e.author.user,
            e.author.role.zh(),
            refused
                .map(|r| format!("  无效操作 (已驳回) (refused step): {r}"))
                .unwrap_or_default()
        );
    }
}

fn show_wish(w: &Wish, shown: &Shown) {
    out!("心愿 (wish) {}", w.id);
    let state = shown.wish_state.as_ref();
    kv(&[
        ("心愿 (wish)", w.title.clone()),
        ("类别 (category)", w.category.clone()),
        ("价值 (value)", format!("{} 元 (yuan)", w.value_yuan)),
        (
            "状态 (state)",
            wish::stage_zh(state.and_then(|s| s.stage).map(|s| s.key())),
        ),
        ("说明 (description)", or_dash(&w.description)),
        ("网格 (grid)", w.grid.to_string()),
        (
            "户 (household)",
            w.household
                .map(|h| h.to_string())
                .unwrap_or_else(|| "—".into()),
        ),
        ("发布人 (poster)", w.poster.clone()),
        ("发布 (posted)", when(w.posted_at)),
        (
            "认领人 (claimant)",
            or_dash(state.and_then(|s| s.claimant.as_deref()).unwrap_or("")),
        ),
    ]);
}

/// A record as JSON for `--json`: its kind, id and fields; ID numbers never here.
fn record_json(held: &Held, hub_actor: &str) -> Value {
    let mut v = match &held.record {
        Record::Household(h) => json!({
            "id": h.id.to_string(),
            "grid": h.grid.to_string(),
            "head_name": h.head_name(),
            "address": h.address.line(),
            "phone": h.phone.as_ref().map(|p| p.to_string()),
            "tags": h.tags.iter().map(|t| t.zh()).collect::<Vec<_>>(),
            "notes": h.notes,
            "residents": h.residents.iter().map(|r| json!({
                "id": r.id.to_string(),
                "name": r.name,
                "relation": r.relation.key(),
                "birth_date": r.birth_date.map(|d| d.to_string()),
            })).collect::<Vec<_>>(),
        }),
        Record::HouseholdPrivate(p) => json!({
            "id": held.record.doc_id().to_string(),
            "household": p.household.to_string(),
            "grid": p.grid.to_string(),
        }),
        Record::Visit(v) => json!({
            "id": v.id.to_string(),
            "household": v.household.to_string(),
            "grid": v.grid.to_string(),
            "visitor": v.visitor.user,
            "role": v.visitor.role.key(),
            "at": gridline_model::fmt_time(v.at),
            "kind": v.kind.key(),
            "notes": v.notes,
        }),
        Record::Issue(i) => json!({
            "id": i.id.to_string(),
            "grid": i.grid.to_string(),
            "household": i.household.map(|h| h.to_string()),
            "category": i.category,
            "description": i.description,
            "location": i.location,
            "urgency": i.urgency,
            "reporter": i.reporter,
            "reported_at": gridline_model::fmt_time(i.reported_at),
            "state": i.state().stage.map(|s| s.key()),
        }),
        Record::Wish(w) => {
            let s = w.state(Some(hub_actor));
            json!({
                "id": w.id.to_string(),
                "grid": w.grid.to_string(),
                "household": w.household.map(|h| h.to_string()),
                "title": w.title,
                "category": w.category,
                "value_yuan": w.value_yuan,
                "description": w.description,
                "poster": w.poster,
                "posted_at": gridline_model::fmt_time(w.posted_at),
                "state": s.stage.map(|s| s.key()),
                "claimant": s.claimant,
            })
        }
    };
    if let Value::Object(m) = &mut v {
        m.insert("kind".into(), json!(held.record.kind().key()));
        m.insert("updated_at".into(), json!(held.updated_at));
    }
    v
}

//! `gridline hub households | issues | wishes | show`: what the hub holds,
//! read by its admin on the hub's data directory. Read-only; every read is an
//! audit row naming the admin (`gridline_hub::admin`). ID numbers stay masked;
//! `hub show --reveal --admin NAME` shows them and is audited as a reveal.

use clap::Args;
use gridline_hub::Record;
use gridline_hub::{AdminQuery, Held, Hub, Listing, Shown};
use gridline_model::{text, GridId, Household, Issue, Visit, Wish};
use serde_json::{json, Value};

use crate::output::{kv_of, or_dash, print_json, say, when, when_str, word, Table};
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
        say!("枢纽上没有这类记录", "the hub holds none of these");
    } else {
        table(what, &listing, &hub_actor).print();
    }
    footer(&listing, &a.admin);
    Ok(())
}

fn footer(listing: &Listing, admin: &str) {
    let (n, total) = (listing.records.len(), listing.total);
    if n < total {
        say!(
            "显示 {n} 条，共 {total} 条；用 --grid 或 --limit 查看其余",
            "showing {n} of {total}; use --grid or --limit for the rest"
        );
    } else {
        say!("共 {total} 条", "{total} records");
    }
    out!(
        "{}: gridline hub audit",
        text!("已记入审计：{admin} 查看", "audited as read by {admin}")
    );
}

fn table(what: Listed, listing: &Listing, hub_actor: &str) -> Table {
    let mut t = match what {
        Listed::Households => Table::of(&[
            text!("编号", "id"),
            text!("网格", "grid"),
            text!("户主", "head"),
            text!("地址", "address"),
            text!("人数", "residents"),
            text!("标签", "tags"),
            text!("更新", "updated"),
        ]),
        Listed::Issues => Table::of(&[
            text!("编号", "id"),
            text!("网格", "grid"),
            text!("类别", "category"),
            text!("状态", "state"),
            text!("上报人", "reporter"),
            text!("上报", "reported"),
            text!("描述", "description"),
        ]),
        Listed::Wishes => Table::of(&[
            text!("编号", "id"),
            text!("网格", "grid"),
            text!("心愿", "wish"),
            text!("价值", "value"),
            text!("状态", "state"),
            text!("发布人", "poster"),
            text!("认领人", "claimant"),
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
                or_dash(
                    &h.tags
                        .iter()
                        .map(|t| word(t.zh(), t.en()))
                        .collect::<Vec<_>>()
                        .join(&word("、", ", ")),
                ),
                when_str(&held.updated_at),
            ],
            Record::Issue(i) => vec![
                i.id.to_string(),
                i.grid.to_string(),
                i.category.clone(),
                stage(issue::stage_zh, i.state().stage.map(|s| s.key())),
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
                    yuan(w.value_yuan),
                    stage(wish::stage_zh, s.stage.map(|s| s.key())),
                    w.poster.clone(),
                    or_dash(s.claimant.as_deref().unwrap_or("")),
                ]
            }
            // Listings read one kind; nothing else reaches here.
            Record::HouseholdPrivate(_)
            | Record::Visit(_)
            | Record::Mediation(_)
            | Record::MediationPrivate(_)
            | Record::Deliberation(_) => continue,
        };
        t.row(row);
    }
    t
}

/// A stage in a table cell: its Chinese word, or its key under `--lang en`.
fn stage(zh: fn(Option<&str>) -> String, key: Option<&str>) -> String {
    word(&zh(key), key.unwrap_or("none"))
}

/// A wish's value: `30 元`, or `30 yuan` under `--lang en`.
fn yuan(value: impl std::fmt::Display) -> String {
    format!("{value} {}", word("元", "yuan"))
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
            text!(
                "--reveal 须用 --admin 写明查看人，记入审计",
                "--reveal needs --admin NAME: a reveal is audited with who looked"
            )
            .to_string(),
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
            let household = p.household;
            say!(
                "户的敏感部分 — 户 {household}",
                "a household's private part — household {household}"
            );
            kv_of(&[
                (text!("网格", "grid"), p.grid.to_string()),
                (
                    text!("敏感标签", "sensitive tags"),
                    or_dash(
                        &p.sensitive_tags
                            .iter()
                            .map(|t| word(t.zh(), t.en()))
                            .collect::<Vec<_>>()
                            .join(&word("、", ", ")),
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
        Record::Mediation(c) => {
            let st = c.state();
            say!("调解案件 {}", "mediation case {}", c.id);
            kv_of(&[
                (text!("网格", "grid"), c.grid.to_string()),
                (
                    text!("类型", "type"),
                    word(c.case_type.zh(), c.case_type.key()),
                ),
                (text!("预警等级", "warning level"), c.warning.to_string()),
                (
                    text!("状态", "state"),
                    st.stage
                        .map(|s| word(s.zh(), s.key()))
                        .unwrap_or_else(|| "—".into()),
                ),
                (text!("上报人", "reporter"), c.reporter.clone()),
                (text!("登记时间", "registered"), when(c.registered_at)),
                (text!("概况", "summary"), c.summary.clone()),
            ]);
        }
        // Parties, facts and terms stay in the device apps of those who
        // mediate: the admin sees that the part exists, not what it says.
        Record::MediationPrivate(p) => {
            let case = p.case;
            say!(
                "调解案件的保密部分 — 案件 {case}",
                "a mediation case's private part — case {case}"
            );
            kv_of(&[
                (text!("网格", "grid"), p.grid.to_string()),
                (text!("当事人", "parties"), p.parties.len().to_string()),
            ]);
        }
        Record::Deliberation(t) => {
            let st = t.state();
            say!("居民议事议题 {}", "deliberation topic {}", t.id);
            kv_of(&[
                (text!("网格", "grid"), t.grid.to_string()),
                (text!("标题", "title"), t.title.clone()),
                (
                    text!("提议人", "proposer"),
                    format!(
                        "{} · {}",
                        t.proposer_name,
                        word(t.proposer.zh(), t.proposer.key())
                    ),
                ),
                (
                    text!("状态", "state"),
                    st.stage
                        .map(|s| word(s.zh(), s.key()))
                        .unwrap_or_else(|| "—".into()),
                ),
                (text!("提交人", "submitted by"), t.submitted_by.clone()),
                (text!("提出时间", "proposed"), when(t.proposed_at)),
            ]);
        }
    }
    out!(
        "{}: {}",
        text!("更新", "updated"),
        when_str(&shown.held.updated_at)
    );
    if shown.revealed {
        say!(
            "已记入审计：{admin} 查看了完整身份证号",
            "audited: {admin} saw the ID numbers in full"
        );
    } else {
        out!(
            "{}: gridline hub audit --record {}",
            text!("已记入审计：{admin} 查看", "audited as read by {admin}"),
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
    out!("{} {}", text!("户", "household"), h.id);
    kv_of(&crate::household::household_fields(
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
    out!("{} {}", text!("走访", "visit"), v.id);
    kv_of(&[
        (text!("时间", "time"), when(v.at)),
        (text!("类型", "kind"), word(v.kind.zh(), v.kind.key())),
        (
            text!("走访人", "visitor"),
            format!(
                "{} ({})",
                v.visitor.user,
                word(v.visitor.role.zh(), v.visitor.role.key())
            ),
        ),
        (text!("户", "household"), v.household.to_string()),
        (text!("网格", "grid"), v.grid.to_string()),
        (text!("走访记录", "notes"), or_dash(&v.notes)),
    ]);
}

fn show_issue(i: &Issue, shown: &Shown) {
    out!("{} {}", text!("事件", "issue"), i.id);
    let state = shown.issue_state.as_ref();
    kv_of(&[
        (text!("类别", "category"), i.category.clone()),
        (
            text!("状态", "state"),
            stage(
                issue::stage_zh,
                state.and_then(|s| s.stage).map(|s| s.key()),
            ),
        ),
        (text!("描述", "description"), or_dash(&i.description)),
        (text!("位置", "location"), or_dash(&i.location)),
        (text!("紧急程度", "urgency"), i.urgency.to_string()),
        (text!("网格", "grid"), i.grid.to_string()),
        (
            text!("户", "household"),
            i.household
                .map(|h| h.to_string())
                .unwrap_or_else(|| "—".into()),
        ),
        (text!("上报人", "reporter"), i.reporter.clone()),
        (text!("上报", "reported"), when(i.reported_at)),
    ]);
    let mut events: Vec<_> = i.events.iter().collect();
    events.sort_by_key(|e| (e.at, e.id));
    out!("{} {}", text!("流程", "timeline"), events.len());
    for e in events {
        let refused = state
            .and_then(|s| s.outcomes.iter().find(|o| o.event == e.id))
            .and_then(|o| o.refused.as_ref());
        let (zh, key) = (e.step.zh(), e.step.key());
        out!(
            "  {}  {}  {} ({}){}",
            when(e.at),
            text!("{zh}", "{key}"),
            e.author.user,
            word(e.author.role.zh(), e.author.role.key()),
            refused
                .map(|r| format!("  {}: {r}", text!("无效操作（已驳回）", "refused step")))
                .unwrap_or_default()
        );
    }
}

fn show_wish(w: &Wish, shown: &Shown) {
    out!("{} {}", text!("心愿", "wish"), w.id);
    let state = shown.wish_state.as_ref();
    let value = w.value_yuan;
    kv_of(&[
        (text!("心愿", "wish"), w.title.clone()),
        (text!("类别", "category"), w.category.clone()),
        (
            text!("价值", "value"),
            format!("{value} {}", text!("元", "yuan")),
        ),
        (
            text!("状态", "state"),
            stage(wish::stage_zh, state.and_then(|s| s.stage).map(|s| s.key())),
        ),
        (text!("说明", "description"), or_dash(&w.description)),
        (text!("网格", "grid"), w.grid.to_string()),
        (
            text!("户", "household"),
            w.household
                .map(|h| h.to_string())
                .unwrap_or_else(|| "—".into()),
        ),
        (text!("发布人", "poster"), w.poster.clone()),
        (text!("发布", "posted"), when(w.posted_at)),
        (
            text!("认领人", "claimant"),
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
        Record::Mediation(c) => json!({
            "id": c.id.to_string(),
            "grid": c.grid.to_string(),
            "households": c.households.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "type": c.case_type.key(),
            "warning": c.warning,
            "reporter": c.reporter,
            "registered_at": gridline_model::fmt_time(c.registered_at),
            "summary": c.summary,
            "state": c.state().stage.map(|s| s.key()),
        }),
        Record::MediationPrivate(p) => json!({
            "id": held.record.doc_id().to_string(),
            "case": p.case.to_string(),
            "grid": p.grid.to_string(),
            "parties": p.parties.len(),
        }),
        Record::Deliberation(t) => json!({
            "id": t.id.to_string(),
            "grid": t.grid.to_string(),
            "household": t.household.map(|h| h.to_string()),
            "title": t.title,
            "description": t.description,
            "proposer": t.proposer.key(),
            "proposer_name": t.proposer_name,
            "submitted_by": t.submitted_by,
            "proposed_at": gridline_model::fmt_time(t.proposed_at),
            "state": t.state().stage.map(|s| s.key()),
        }),
    };
    if let Value::Object(m) = &mut v {
        m.insert("kind".into(), json!(held.record.kind().key()));
        m.insert("updated_at".into(), json!(held.updated_at));
    }
    v
}

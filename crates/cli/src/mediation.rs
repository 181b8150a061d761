//! `gridline mediation …`: a dispute from a grid worker's report to judicial
//! confirmation. Arguments and printing only; the rules are the device's.

use clap::{Args, Subcommand};
use gridline_device::mediation::{CaseFilter, CaseSummary, NewCase, NewParty, PrivateNote};
use gridline_device::parse_when;
use gridline_model::mediation::{
    AgreementForm, CaseStage, MediationFigures, MediationKind, Performance, Referral, Satisfaction,
};
use gridline_model::{text, CaseEvent, CaseStep, Instant, Text};
use serde_json::{json, Value};

use crate::output::{kv_of, or_dash, print_json, saved, say, when, word, Table};
use crate::parse_error::invalid_at;
use crate::{usage, Ctx};

#[derive(Debug, Subcommand)]
pub enum MediationCmd {
    /// 上报纠纷，可由事件或走访转来 (report a dispute, or turn an issue or a visit into a case)
    Report(Box<ReportArgs>),
    /// 受理 (accept, naming the mediator)
    Accept(AcceptArgs),
    /// 不予受理 (decline, with a reason)
    Decline(ReasonArgs),
    /// 记录一次调解 (record a mediation session)
    Session(SessionArgs),
    /// 达成调解协议 (an agreement: written or oral, terms, performance deadline)
    Agree(AgreeArgs),
    /// 调解不成，引导诉讼、仲裁或有关部门 (failed: refer to litigation, arbitration or an agency)
    Fail(FailArgs),
    /// 转为人民、行政或司法调解 (transfer to people's, administrative or judicial mediation)
    Transfer(TransferArgs),
    /// 延期（需理由和当事人同意） (extend the time limit: a reason and the parties' consent)
    Extend(ExtendArgs),
    /// 记录协议履行 (the parties are performing the agreement)
    Perform(NoteArgs),
    /// 回访：履行情况、满意度、遗留风险 (the follow-up visit)
    FollowUp(FollowUpArgs),
    /// 申请司法确认（协议生效后 30 日内） (apply for judicial confirmation, within 30 days)
    ApplyConfirmation(ApplyArgs),
    /// 记录法院受理（调确字案号）或裁定 (record the court's acceptance or its ruling)
    ConfirmationResult(ResultArgs),
    /// 结案 (close)
    Close(NoteArgs),
    /// 登记当事人和纠纷事实（保密） (set the parties and the facts: private)
    Parties(PartiesArgs),
    /// 列出调解案件 (list cases)
    List(ListArgs),
    /// 查看案件及其流程 (show a case and its timeline)
    Show(IdArgs),
    /// 调解工作数据 (the mediation figures)
    Figures,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// 纠纷概况 (summary); 由事件或走访转来时可省 (may be omitted with --from-issue or --from-visit)
    #[arg(long, default_value = "")]
    summary: String,
    /// 由此事件转为调解 (turn this issue into a case)
    #[arg(long, value_name = "ID", conflicts_with_all = ["from_visit", "grid", "household"])]
    from_issue: Option<String>,
    /// 由此走访上报 (report from this visit)
    #[arg(long, value_name = "ID", conflicts_with_all = ["grid", "household"])]
    from_visit: Option<String>,
    /// 网格编号 (grid id); 有 --household 时可省
    #[arg(long, value_name = "GRID")]
    grid: Option<String>,
    /// 涉及的户，可多次 (a household involved; repeat for more)
    #[arg(long, value_name = "ID")]
    household: Vec<String>,
    /// 纠纷类型 (type): neighbour 邻里, family 婚姻家庭, property 物业, labour 劳动, land-housing 土地房屋, damages 损害赔偿, other 其他
    #[arg(long = "type", value_name = "TYPE")]
    case_type: Option<String>,
    /// 规模 (scale): individual 个体, multi-party 多方, group 群体
    #[arg(long)]
    scale: Option<String>,
    /// 涉及人数 (people involved)
    #[arg(long, value_name = "N")]
    people: Option<u32>,
    /// 预警等级 1（可能引发群体性事件）到 3 (warning level 1, may lead to a mass incident, to 3)
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=3))]
    warning: Option<u8>,
    /// 来源 (source): grid-report, application, walk-in, police, court, government
    #[arg(long)]
    source: Option<String>,
    /// 调解类型 (kind): people 人民调解, administrative 行政调解, judicial 司法调解
    #[arg(long)]
    kind: Option<String>,
    /// 当事人 (a party): 姓名[/身份证号[/手机号[/地址]]] (name[/ID number[/mobile[/address]]]); 可多次 (repeat)
    #[arg(long, value_name = "PARTY")]
    party: Vec<String>,
    /// 纠纷事实和争议焦点（保密） (the facts and disputed points: private)
    #[arg(long, default_value = "")]
    facts: String,
    /// 记录编号（UUID v7），供脚本重试 (the record's id, a UUID v7, so a script can retry)
    #[arg(long, value_name = "UUID")]
    id: Option<String>,
}

#[derive(Debug, Args)]
pub struct IdArgs {
    /// 案件编号 (case id)
    id: String,
}

#[derive(Debug, Args)]
pub struct AcceptArgs {
    /// 案件编号 (case id)
    id: String,
    /// 调解员 (the mediator)
    #[arg(long)]
    mediator: String,
}

#[derive(Debug, Args)]
pub struct ReasonArgs {
    /// 案件编号 (case id)
    id: String,
    /// 理由 (the reason)
    #[arg(long)]
    reason: String,
}

#[derive(Debug, Args)]
pub struct NoteArgs {
    /// 案件编号 (case id)
    id: String,
    /// 说明 (a note)
    #[arg(long, default_value = "")]
    note: String,
}

#[derive(Debug, Args)]
pub struct SessionArgs {
    /// 案件编号 (case id)
    id: String,
    /// 调解日期，北京时间，默认现在 (when it was held, Beijing time YYYY-MM-DD [HH:MM]; default now)
    #[arg(long, value_name = "WHEN")]
    held_on: Option<String>,
    /// 参加人（保密） (who took part: private)
    #[arg(long, default_value = "")]
    participants: String,
    /// 调解记录（保密） (what was said: private)
    #[arg(long, default_value = "")]
    notes: String,
}

#[derive(Debug, Args)]
pub struct AgreeArgs {
    /// 案件编号 (case id)
    id: String,
    /// 协议形式 (form): written 书面协议 / oral 口头协议
    #[arg(long)]
    form: String,
    /// 履行期限，北京时间 YYYY-MM-DD (the performance deadline, Beijing time)
    #[arg(long, value_name = "DATE")]
    perform_by: String,
    /// 协议内容（保密） (the terms: private)
    #[arg(long, default_value = "")]
    terms: String,
}

#[derive(Debug, Args)]
pub struct FailArgs {
    /// 案件编号 (case id)
    id: String,
    /// 引导去向 (referred to): litigation 诉讼 / arbitration 仲裁 / agency 有关部门
    #[arg(long)]
    referral: String,
    /// 说明 (a note)
    #[arg(long, default_value = "")]
    note: String,
}

#[derive(Debug, Args)]
pub struct TransferArgs {
    /// 案件编号 (case id)
    id: String,
    /// 转为的调解类型 (the mediation to transfer to): people 人民调解 / administrative 行政调解 / judicial 司法调解
    #[arg(long)]
    to: String,
    /// 理由 (the reason)
    #[arg(long)]
    reason: String,
}

#[derive(Debug, Args)]
pub struct ExtendArgs {
    /// 案件编号 (case id)
    id: String,
    /// 延期天数 (days)
    #[arg(long)]
    days: u32,
    /// 理由 (the reason)
    #[arg(long)]
    reason: String,
    /// 当事人已同意延期 (the parties consented)
    #[arg(long)]
    consent: bool,
}

#[derive(Debug, Args)]
pub struct FollowUpArgs {
    /// 案件编号 (case id)
    id: String,
    /// 履行情况 (performance): fully 全部履行 / partly 部分履行 / not 未履行
    #[arg(long)]
    performance: String,
    /// 满意度 (satisfaction): satisfied 满意 / basic 基本满意 / unsatisfied 不满意
    #[arg(long)]
    satisfaction: String,
    /// 遗留风险 (any remaining risk)
    #[arg(long, default_value = "")]
    risk: String,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// 案件编号 (case id)
    id: String,
    /// 申请确认的法院 (the court)
    #[arg(long)]
    court: String,
}

#[derive(Debug, Args)]
pub struct ResultArgs {
    /// 案件编号 (case id)
    id: String,
    /// 法院受理的调确字案号 (the court accepted the application, under this case number)
    #[arg(long, value_name = "NUMBER", conflicts_with = "ruling")]
    case_number: Option<String>,
    /// 法院裁定 (the ruling): confirmed 确认有效 / refused 不予确认
    #[arg(long, value_name = "confirmed|refused")]
    ruling: Option<String>,
}

#[derive(Debug, Args)]
pub struct PartiesArgs {
    /// 案件编号 (case id)
    id: String,
    /// 当事人 (a party): 姓名[/身份证号[/手机号[/地址]]]; 可多次 (repeat); 给出时替换原有当事人 (replaces the parties)
    #[arg(long, value_name = "PARTY")]
    party: Vec<String>,
    /// 纠纷事实和争议焦点 (the facts and disputed points)
    #[arg(long)]
    facts: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// 状态 (state): registered, accepted, declined, mediating, agreed, failed, performing, followed-up, closed
    #[arg(long, value_name = "STATE")]
    state: Option<String>,
    /// 网格 (grid)
    #[arg(long, value_name = "GRID")]
    grid: Option<String>,
    /// 涉及此户 (involving this household)
    #[arg(long, value_name = "ID")]
    household: Option<String>,
    /// 最多 N 条 (at most N)
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// 只列现在需要我处理的，并说明原因 (only the cases that need me now, and why)
    #[arg(long, conflicts_with_all = ["state", "grid", "household"])]
    mine: bool,
}

pub fn run(ctx: &Ctx, cmd: MediationCmd) -> anyhow::Result<()> {
    use MediationCmd as M;
    match cmd {
        M::Report(a) => report(ctx, *a),
        M::Accept(a) => step(
            ctx,
            &a.id,
            CaseStep::Accept {
                mediator: a.mediator,
            },
            None,
        ),
        M::Decline(a) => step(ctx, &a.id, CaseStep::Decline { reason: a.reason }, None),
        M::Session(a) => {
            let held_on = match &a.held_on {
                Some(w) => parse_when(w)?,
                None => ctx.now,
            };
            let note = PrivateNote {
                participants: a.participants,
                notes: a.notes,
                terms: String::new(),
            };
            step(ctx, &a.id, CaseStep::Session { held_on }, Some(note))
        }
        M::Agree(a) => {
            let step_ = CaseStep::Agree {
                form: flag("--form", AgreementForm::parse(&a.form))?,
                perform_by: deadline(&a.perform_by)?,
            };
            let note = PrivateNote {
                terms: a.terms,
                ..Default::default()
            };
            step(ctx, &a.id, step_, Some(note))
        }
        M::Fail(a) => step(
            ctx,
            &a.id,
            CaseStep::Fail {
                referral: flag("--referral", Referral::parse(&a.referral))?,
                note: a.note,
            },
            None,
        ),
        M::Transfer(a) => step(
            ctx,
            &a.id,
            CaseStep::Transfer {
                to: flag("--to", MediationKind::parse(&a.to))?,
                reason: a.reason,
            },
            None,
        ),
        M::Extend(a) => step(
            ctx,
            &a.id,
            CaseStep::Extend {
                days: a.days,
                reason: a.reason,
                consent: a.consent,
            },
            None,
        ),
        M::Perform(a) => step(ctx, &a.id, CaseStep::Perform { note: a.note }, None),
        M::FollowUp(a) => step(
            ctx,
            &a.id,
            CaseStep::FollowUp {
                performance: flag("--performance", Performance::parse(&a.performance))?,
                satisfaction: flag("--satisfaction", Satisfaction::parse(&a.satisfaction))?,
                risk: a.risk,
            },
            None,
        ),
        M::ApplyConfirmation(a) => step(
            ctx,
            &a.id,
            CaseStep::ApplyConfirmation { court: a.court },
            None,
        ),
        M::ConfirmationResult(a) => {
            let s = match (a.case_number, a.ruling.as_deref().map(str::trim)) {
                (Some(n), None) => CaseStep::CourtAccept { case_number: n },
                (None, Some("confirmed" | "确认有效" | "确认")) => {
                    CaseStep::CourtRule { confirmed: true }
                }
                (None, Some("refused" | "不予确认")) => {
                    CaseStep::CourtRule { confirmed: false }
                }
                (None, Some(other)) => {
                    return Err(usage(
                        text!(
                            "--ruling \"{other}\" 应为 confirmed（确认有效）或 refused（不予确认）",
                            "--ruling takes confirmed or refused, not \"{other}\""
                        )
                        .to_string(),
                    ))
                }
                _ => {
                    return Err(usage(
                        text!(
                            "请给出 --case-number（法院受理）或 --ruling（法院裁定）",
                            "give --case-number (the court accepted) or --ruling (the court ruled)"
                        )
                        .to_string(),
                    ))
                }
            };
            step(ctx, &a.id, s, None)
        }
        M::Close(a) => step(ctx, &a.id, CaseStep::Close { note: a.note }, None),
        M::Parties(a) => parties(ctx, a),
        M::List(a) => list(ctx, a),
        M::Show(a) => show(ctx, a),
        M::Figures => figures(ctx),
    }
}

/// A flag's value the model refused: exit 2, naming the flag.
fn flag<T>(name: &str, r: Result<T, gridline_model::Invalid>) -> anyhow::Result<T> {
    r.map_err(|i| {
        usage(
            i.problem
                .then(&i.fix)
                .after(&Text::new(name, name))
                .to_string(),
        )
    })
}

/// A deadline as typed: a bare date (`2027-01-15`) means the whole of that
/// day, Beijing time, to 23:59; a date with a time is taken as given.
fn deadline(s: &str) -> anyhow::Result<Instant> {
    let t = parse_when(s)?;
    let bare_date = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").is_ok();
    // `parse_when` reads a bare date as 09:00 Beijing; 23:59 is 14 h 59 min later.
    Ok(if bare_date {
        t + chrono::Duration::hours(14) + chrono::Duration::minutes(59)
    } else {
        t
    })
}

/// `姓名[/身份证号[/手机号[/地址]]]`.
fn party(spec: &str) -> NewParty {
    let mut parts = spec.splitn(4, '/').map(str::trim);
    let name = parts.next().unwrap_or_default().to_owned();
    let opt = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(str::to_owned);
    NewParty {
        name,
        id_number: opt(parts.next()),
        phone: opt(parts.next()),
        address: parts.next().unwrap_or_default().to_owned(),
    }
}

fn report(ctx: &Ctx, a: ReportArgs) -> anyhow::Result<()> {
    let new = NewCase {
        grid: a.grid,
        households: a.household,
        case_type: a.case_type,
        scale: a.scale,
        people: a.people,
        warning: a.warning,
        source: a.source,
        kind: a.kind,
        summary: a.summary,
        parties: a.party.iter().map(|p| party(p)).collect(),
        facts: a.facts,
    };
    let mut device = ctx.open()?;
    let c = match (&a.from_issue, &a.from_visit) {
        (Some(i), _) => device.case_from_issue(i, &new, a.id.as_deref(), ctx.now)?,
        (None, Some(v)) => device.case_from_visit(v, &new, a.id.as_deref(), ctx.now)?,
        (None, None) => device.report_dispute_with_id(&new, a.id.as_deref(), ctx.now)?,
    };
    crate::output::created(ctx, &c, json!({ "state": "registered" }));
    Ok(())
}

fn step(ctx: &Ctx, id: &str, step: CaseStep, note: Option<PrivateNote>) -> anyhow::Result<()> {
    let mut device = ctx.open()?;
    let key = step.key();
    let state = device
        .act_on_case(id, step, &note.unwrap_or_default(), ctx.now)
        .map_err(|e| match e {
            e @ gridline_device::Error::Invalid(_) => invalid_at(key, "case", e),
            gridline_device::Error::StepRefused(why) => {
                let id = id.trim();
                usage(
                    why.then(&text!(
                        "用 gridline mediation show {id} 查看现在可做的步骤",
                        "gridline mediation show {id} lists the steps you can take now"
                    ))
                    .after(&text!("操作被拒绝", "step refused"))
                    .to_string(),
                )
            }
            other => other.into(),
        })?;
    let stage = state.stage.map(|s| s.key());
    if ctx.json {
        saved(
            ctx,
            id.trim(),
            json!({
                "state": stage,
                "deadline": state.deadline.map(|d| d.to_rfc3339()),
                "confirmation": state.confirmation.as_ref().map(|c| c.key()),
            }),
        );
        return Ok(());
    }
    out!("{}: {}", text!("状态", "state"), stage_text(state.stage));
    if let Some(d) = state.deadline {
        out!("{}: {}", text!("办结期限", "deadline"), when(d));
    }
    if let Some(c) = &state.confirmation {
        out!(
            "{}: {}",
            text!("司法确认", "judicial confirmation"),
            Text::new(c.zh(), c.key())
        );
    }
    saved(ctx, id.trim(), json!({}));
    Ok(())
}

fn parties(ctx: &Ctx, a: PartiesArgs) -> anyhow::Result<()> {
    if a.party.is_empty() && a.facts.is_none() {
        return Err(usage(
            text!(
                "没有要修改的内容；请用 --party 或 --facts",
                "nothing to change: give --party or --facts"
            )
            .to_string(),
        ));
    }
    let list: Vec<NewParty> = a.party.iter().map(|p| party(p)).collect();
    let mut device = ctx.open()?;
    device.set_case_parties(&a.id, &list, a.facts.as_deref(), ctx.now)?;
    saved(ctx, a.id.trim(), json!({}));
    Ok(())
}

fn stage_text(s: Option<CaseStage>) -> Text {
    match s {
        Some(s) => Text::new(s.zh(), s.key()),
        None => text!("未登记（已驳回）", "never registered (refused)"),
    }
}

fn row_json(r: &CaseSummary) -> Value {
    json!({
        "id": r.id.to_string(),
        "grid": r.grid.to_string(),
        "type": r.case_type.key(),
        "type_zh": r.case_type.zh(),
        "state": r.stage.map(|s| s.key()),
        "state_zh": r.stage.map(|s| s.zh()),
        "warning": r.warning,
        "kind": r.kind.key(),
        "reporter": r.reporter,
        "registered_at": r.registered_at.to_rfc3339(),
        "deadline": r.deadline.map(|d| d.to_rfc3339()),
        "overdue": r.overdue,
        "households": r.households.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "from_issue": r.from_issue.map(|i| i.to_string()),
        "refused_events": r.refused_events,
        "summary": r.summary,
        "sync_state": r.sync_state.key(),
    })
}

fn list(ctx: &Ctx, a: ListArgs) -> anyhow::Result<()> {
    let filter = CaseFilter {
        stage: a
            .state
            .as_deref()
            .map(|s| flag("--state", CaseStage::parse(s)))
            .transpose()?,
        grid: a
            .grid
            .as_deref()
            .map(gridline_model::GridId::parse)
            .transpose()?,
        household: a
            .household
            .as_deref()
            .map(|h| {
                gridline_model::RecordId::parse_str(h.trim()).map_err(|_| {
                    usage(text!("\"{h}\" 不是有效编号", "not a valid id \"{h}\"").to_string())
                })
            })
            .transpose()?,
        overdue_first: true,
        limit: a.limit,
        ..Default::default()
    };
    let device = ctx.open()?;
    let (rows, why): (Vec<CaseSummary>, Vec<Option<Text>>) = if a.mine {
        let mut needing = device.cases_needing_me(ctx.now)?;
        if let Some(n) = a.limit {
            needing.truncate(n);
        }
        needing.into_iter().map(|(c, w)| (c, Some(w))).unzip()
    } else {
        let rows = device.cases(&filter, ctx.now)?;
        let n = rows.len();
        (rows, vec![None; n])
    };
    if ctx.json {
        let v = rows
            .iter()
            .zip(&why)
            .map(|(r, w)| {
                let mut j = row_json(r);
                if let Some(w) = w {
                    j["why"] = json!(w);
                }
                j
            })
            .collect();
        print_json(&Value::Array(v));
        return Ok(());
    }
    if rows.is_empty() {
        say!("没有调解案件", "no mediation cases");
        return Ok(());
    }
    let mut t = Table::of(&[
        text!("编号", "id"),
        text!("类型", "type"),
        text!("状态", "state"),
        text!("预警", "warning"),
        text!("登记时间", "registered"),
        text!("办结期限", "deadline"),
        text!("概况", "summary"),
    ]);
    for (r, w) in rows.iter().zip(&why) {
        let mut state = stage_text(r.stage);
        if r.overdue {
            state.zh.push_str(" 【超期】");
            state.en.push_str(", overdue");
        }
        if let Some(w) = w {
            state.zh.push_str(&format!("：{}", w.zh));
            state.en.push_str(&format!(": {}", w.en));
        }
        t.row(vec![
            r.id.to_string(),
            word(r.case_type.zh(), r.case_type.key()),
            word(&state.zh, &state.en),
            r.warning.to_string(),
            when(r.registered_at),
            r.deadline.map(when).unwrap_or_else(|| "—".into()),
            r.summary.clone(),
        ]);
    }
    t.print();
    let n = rows.len();
    if a.limit.is_some_and(|l| n >= l) {
        say!("显示 {n} 件", "showing {n} cases");
    } else {
        say!("共 {n} 件", "{n} cases");
    }
    Ok(())
}

/// What a step carries, in one line.
fn detail(step: &CaseStep) -> String {
    let t = |zh: &str, en: &str| Text::new(zh, en).to_string();
    match step {
        CaseStep::Register | CaseStep::CourtRule { .. } | CaseStep::Session { .. } => match step {
            CaseStep::CourtRule { confirmed: true } => t("确认有效", "confirmed"),
            CaseStep::CourtRule { confirmed: false } => t("不予确认", "refused"),
            CaseStep::Session { held_on } => when(*held_on),
            _ => String::new(),
        },
        CaseStep::Accept { mediator } => format!("{} {mediator}", text!("调解员", "mediator")),
        CaseStep::Decline { reason } | CaseStep::Transfer { reason, .. } => reason.clone(),
        CaseStep::Agree { form, perform_by } => format!(
            "{}{}{} {}",
            Text::new(form.zh(), form.key()),
            word("，", ", "),
            text!("履行期限", "perform by"),
            when(*perform_by)
        ),
        CaseStep::Fail { referral, note } => format!(
            "{} {}{}",
            text!("引导", "referred to"),
            Text::new(referral.zh(), referral.key()),
            if note.is_empty() {
                String::new()
            } else {
                format!("{}{note}", word("：", ": "))
            }
        ),
        CaseStep::Extend { days, reason, .. } => {
            format!("{} {reason}", text!("延期 {days} 天", "{days} more days"))
        }
        CaseStep::Perform { note } | CaseStep::Close { note } => note.clone(),
        CaseStep::FollowUp {
            performance,
            satisfaction,
            risk,
        } => format!(
            "{}{}{}{}",
            Text::new(performance.zh(), performance.key()),
            word("，", ", "),
            Text::new(satisfaction.zh(), satisfaction.key()),
            if risk.is_empty() {
                String::new()
            } else {
                format!("{}{risk}", word("；", "; "))
            }
        ),
        CaseStep::ApplyConfirmation { court } => court.clone(),
        CaseStep::CourtAccept { case_number } => case_number.clone(),
    }
}

fn show(ctx: &Ctx, a: IdArgs) -> anyhow::Result<()> {
    let device = ctx.open()?;
    let view = device.case(&a.id, ctx.now)?;
    let c = &view.case;
    let s = &view.state;
    let mut events: Vec<&CaseEvent> = c.events.iter().collect();
    events.sort_by_key(|e| (e.at, e.id));
    let people = device.people();
    if ctx.json {
        print_json(&json!({
            "id": c.id.to_string(),
            "grid": c.grid.to_string(),
            "households": c.households.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "type": c.case_type.key(),
            "scale": c.scale.key(),
            "people": c.people,
            "warning": c.warning,
            "source": c.source.key(),
            "from_issue": c.from_issue.map(|i| i.to_string()),
            "from_visit": c.from_visit.map(|i| i.to_string()),
            "kind": s.kind.key(),
            "summary": c.summary,
            "reporter": c.reporter,
            "registered_at": c.registered_at.to_rfc3339(),
            "state": s.stage.map(|st| st.key()),
            "mediator": s.mediator,
            "deadline": s.deadline.map(|d| d.to_rfc3339()),
            "overdue": view.overdue,
            "sessions": s.sessions,
            "extensions": s.extensions,
            "perform_by": s.perform_by.map(|d| d.to_rfc3339()),
            "apply_by": s.apply_by().map(|d| d.to_rfc3339()),
            "court_due": s.court_due().map(|d| d.to_rfc3339()),
            "confirmation": s.confirmation.as_ref().map(|c| c.key()),
            "follow_up": s.follow_up.as_ref().map(|f| json!({
                "performance": f.performance.key(),
                "satisfaction": f.satisfaction.key(),
                "risk": f.risk,
            })),
            "private": view.private.as_ref().map(|p| json!({
                "parties": p.parties.iter().map(|x| json!({
                    "name": x.name,
                    "id_number": x.id_number.as_ref().map(|n| n.masked()),
                    "phone": x.phone.as_ref().map(|n| n.as_str()),
                    "address": x.address,
                })).collect::<Vec<_>>(),
                "facts": p.facts,
                "agreement": p.agreement,
                "sessions": p.sessions.iter().map(|x| json!({
                    "held_on": x.held_on.to_rfc3339(),
                    "participants": x.participants,
                    "notes": x.notes,
                })).collect::<Vec<_>>(),
            })),
            "sync_state": view.sync_state.key(),
            "offered": view.offered,
            "events": events.iter().map(|e| json!({
                "id": e.id.to_string(),
                "at": e.at.to_rfc3339(),
                "step": e.step.key(),
                "step_zh": e.step.zh(),
                "author": { "user": e.author.user, "name": people.name(&e.author.user), "role": e.author.role.key(), "unit": e.author.unit },
                "detail": detail(&e.step),
                "refused": s.refusal(e.id),
            })).collect::<Vec<_>>(),
        }));
        return Ok(());
    }
    out!("{} {}", text!("调解案件", "mediation case"), c.id);
    let mut state = stage_text(s.stage);
    if view.overdue {
        state.zh.push_str(" 【超期】");
        state.en.push_str(", overdue");
    }
    let mut pairs = vec![
        (text!("概况", "summary"), c.summary.clone()),
        (
            text!("类型", "type"),
            Text::new(c.case_type.zh(), c.case_type.key()).to_string(),
        ),
        (
            text!("规模", "scale"),
            format!(
                "{}{}{}",
                Text::new(c.scale.zh(), c.scale.key()),
                word("，", ", "),
                text!("{} 人", "{} people", c.people)
            ),
        ),
        (text!("预警等级", "warning level"), c.warning.to_string()),
        (
            text!("来源", "source"),
            Text::new(c.source.zh(), c.source.key()).to_string(),
        ),
        (
            text!("调解类型", "mediation"),
            Text::new(s.kind.zh(), s.kind.key()).to_string(),
        ),
        (text!("网格", "grid"), c.grid.to_string()),
        (
            text!("涉及户", "households"),
            if c.households.is_empty() {
                "—".into()
            } else {
                c.households
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" ")
            },
        ),
        (
            text!("上报人", "reporter"),
            crate::output::person(&people, &c.reporter),
        ),
        (text!("登记时间", "registered"), when(c.registered_at)),
        (text!("状态", "state"), state.to_string()),
    ];
    if let Some(i) = c.from_issue {
        pairs.push((text!("来自事件", "from issue"), i.to_string()));
    }
    if let Some(v) = c.from_visit {
        pairs.push((text!("来自走访", "from visit"), v.to_string()));
    }
    if let Some(m) = &s.mediator {
        pairs.push((text!("调解员", "mediator"), m.clone()));
    }
    if let Some(d) = s.deadline {
        pairs.push((text!("办结期限", "deadline"), when(d)));
    }
    if let Some(d) = s.perform_by {
        pairs.push((text!("履行期限", "perform by"), when(d)));
    }
    if let Some(d) = s.apply_by() {
        pairs.push((
            text!("司法确认申请截止", "apply for confirmation by"),
            when(d),
        ));
    }
    if let Some(conf) = &s.confirmation {
        let mut v = Text::new(conf.zh(), conf.key()).to_string();
        if let Some(d) = s.court_due() {
            v.push_str(&format!(
                " · {} {}",
                text!("法院应于", "court due"),
                when(d)
            ));
        }
        pairs.push((text!("司法确认", "judicial confirmation"), v));
    }
    pairs.push((
        text!("同步", "sync"),
        Text::new(view.sync_state.zh(), view.sync_state.key()).to_string(),
    ));
    kv_of(&pairs);
    if let Some(p) = &view.private {
        say!("当事人（保密）", "parties (private)");
        if p.parties.is_empty() {
            out!("  —");
        }
        for x in &p.parties {
            out!(
                "  {}  {}  {}  {}",
                x.name,
                x.id_number
                    .as_ref()
                    .map(|n| n.masked())
                    .unwrap_or_else(|| "—".into()),
                x.phone
                    .as_ref()
                    .map(|n| n.as_str().to_owned())
                    .unwrap_or_else(|| "—".into()),
                or_dash(&x.address)
            );
        }
        kv_of(&[
            (text!("纠纷事实", "facts"), or_dash(&p.facts)),
            (text!("协议内容", "terms"), or_dash(&p.agreement)),
        ]);
        for x in &p.sessions {
            out!(
                "  {} {}  {}  {}",
                text!("调解记录", "session"),
                when(x.held_on),
                or_dash(&x.participants),
                or_dash(&x.notes)
            );
        }
    }
    say!("流程", "timeline");
    let mut t = Table::indented(&[
        text!("时间", "time"),
        text!("步骤", "step"),
        text!("操作人", "by"),
        text!("内容", "detail"),
    ]);
    for e in &events {
        let mut d = detail(&e.step);
        if let Some(why) = s.refusal(e.id) {
            d = format!(
                "{}: {why}{}",
                text!("无效操作（已驳回）", "refused step"),
                if d.is_empty() {
                    String::new()
                } else {
                    format!("  [{d}]")
                }
            );
        }
        t.row(vec![
            format!("  {}", when(e.at)),
            Text::new(e.step.zh(), e.step.key()).to_string(),
            crate::output::author(&device, &people, &e.author),
            d,
        ]);
    }
    t.print();
    let you_can = text!("你可以做的", "you can");
    if view.offered.is_empty() {
        out!("{you_can}: {}", text!("无", "nothing"));
    } else {
        out!("{you_can}: {}", view.offered.join(", "));
        out!("  gridline mediation <STEP> {} …", c.id);
    }
    Ok(())
}

fn percent(r: Option<f64>) -> String {
    r.map(|r| format!("{:.1} %", r * 100.0))
        .unwrap_or_else(|| "—".into())
}

fn figures(ctx: &Ctx) -> anyhow::Result<()> {
    let device = ctx.open()?;
    let f: MediationFigures = device.mediation_figures(ctx.now)?;
    if ctx.json {
        print_json(&json!({
            "cases": f.cases,
            "concluded": f.concluded,
            "agreements": f.agreements,
            "confirmed": f.confirmed,
            "followed_up": f.followed_up,
            "fully_performed": f.fully_performed,
            "concluded_on_time": f.concluded_on_time,
            "overdue": f.overdue,
            "success_rate": f.success_rate(),
            "confirmation_rate": f.confirmation_rate(),
            "performance_rate": f.performance_rate(),
            "on_time_rate": f.on_time_rate(),
            "by_type": f.by_type.iter().map(|(k, v)| (k.key().to_owned(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "by_state": f.by_stage.iter().map(|(k, v)| (k.key().to_owned(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "by_warning": f.by_warning.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
        }));
        return Ok(());
    }
    let of = |n: usize, d: usize, r: Option<f64>| format!("{}  ({n} / {d})", percent(r));
    kv_of(&[
        (text!("案件", "cases"), f.cases.to_string()),
        (
            text!("调解成功率", "success rate"),
            of(f.agreements, f.concluded, f.success_rate()),
        ),
        (
            text!("司法确认率", "judicial confirmation rate"),
            of(f.confirmed, f.agreements, f.confirmation_rate()),
        ),
        (
            text!("协议履行率", "performance rate"),
            of(f.fully_performed, f.followed_up, f.performance_rate()),
        ),
        (
            text!("按期办结率", "on-time rate"),
            of(f.concluded_on_time, f.concluded, f.on_time_rate()),
        ),
        (text!("超期", "overdue"), f.overdue.to_string()),
    ]);
    let line = |pairs: Vec<(String, usize)>| {
        pairs
            .into_iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(&word("、", ", "))
    };
    kv_of(&[
        (
            text!("按类型", "by type"),
            line(
                f.by_type
                    .iter()
                    .map(|(k, v)| (word(k.zh(), k.key()), *v))
                    .collect(),
            ),
        ),
        (
            text!("按状态", "by state"),
            line(
                f.by_stage
                    .iter()
                    .map(|(k, v)| (word(k.zh(), k.key()), *v))
                    .collect(),
            ),
        ),
        (
            text!("按预警等级", "by warning level"),
            line(
                f.by_warning
                    .iter()
                    .map(|(k, v)| (k.to_string(), *v))
                    .collect(),
            ),
        ),
    ]);
    Ok(())
}

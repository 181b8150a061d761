//! `gridline issue report | list | show | act`.

use clap::{Args, Subcommand, ValueEnum};
use gridline_device::NewIssue;
use gridline_device::{IssueFilter, IssueSummary};
use gridline_model::issue::{parse_category, Stage};
use gridline_model::time_limit::Warning;
use gridline_model::{text, IssueEvent, IssueStep, Text};
use serde_json::{json, Value};

use crate::output::{kv_of, or_dash, print_json, saved, say, when, word, Table};
use crate::{usage, Ctx};

#[derive(Debug, Subcommand)]
pub enum IssueCmd {
    /// 上报事件 (report an issue)
    Report(ReportArgs),
    /// 列出事件 (list issues)
    List(ListArgs),
    /// 查看事件及其流程 (show an issue and its timeline)
    Show(ShowArgs),
    /// 处理事件：受理、退回、合并、办结、吹哨、派遣、处置、结案、评价 (take a workflow step)
    Act(ActArgs),
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// 事件类别 (category), 如 市容环境、物业、停车、安全隐患
    #[arg(long)]
    category: String,
    /// 描述 (description)
    #[arg(long)]
    description: String,
    /// 网格编号 (grid id); 有 --household 时可省 (may be omitted with --household)
    #[arg(long, value_name = "GRID")]
    grid: Option<String>,
    /// 相关户编号 (household id)
    #[arg(long, value_name = "ID")]
    household: Option<String>,
    /// 位置 (location), 如 8栋楼下
    #[arg(long, default_value = "")]
    location: String,
    /// 紧急程度 1（低）到 3（高） (urgency 1 low to 3 high)
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=3))]
    urgency: Option<u8>,
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
    /// 状态 (state): reported, accepted, rejected, merged, resolved, escalated, dispatched, handled, closed, evaluated
    #[arg(long, value_name = "STATE")]
    state: Option<String>,
    /// 类别 (category)
    #[arg(long)]
    category: Option<String>,
    /// 只列超期 (only overdue)
    #[arg(long)]
    overdue: bool,
    /// 只列此预警的已派遣事件：yellow 黄色、red 红色 (only dispatched issues at this warning now)
    #[arg(long, value_name = "WARNING")]
    warning: Option<WarningName>,
    /// 网格 (grid)
    #[arg(long, value_name = "GRID")]
    grid: Option<String>,
    /// 最多 N 条 (at most N)
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// 事件编号 (issue id)
    id: String,
}

/// A warning `issue list --warning` narrows to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WarningName {
    /// 黄色预警
    Yellow,
    /// 红色预警
    Red,
}

/// The workflow steps a user can take on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StepName {
    /// 受理
    Accept,
    /// 退回 (needs --reason)
    Reject,
    /// 合并为重复 (needs --into)
    Merge,
    /// 社区办结
    Resolve,
    /// 吹哨，上报街道
    Escalate,
    /// 派遣 (needs --departments, --grade)
    Dispatch,
    /// 处置反馈 (needs --feedback)
    Handle,
    /// 核查结案
    Close,
    /// 评价 (needs --satisfied, --resident)
    Evaluate,
    /// 申请延期，部门 (needs --amount, --reason; the amount is in the unit of the issue's limit)
    RequestExtension,
    /// 延期审批，街道 (needs --approve yes|no)
    DecideExtension,
    /// 缓办，街道 (needs --reason)
    Defer,
    /// 核查不通过，退回原部门 (needs --reason)
    SendBack,
}

#[derive(Debug, Args)]
pub struct ActArgs {
    /// 事件编号 (issue id)
    id: String,
    /// 步骤 (step)
    #[arg(value_enum)]
    step: StepName,
    /// 理由 (reason, for reject / request-extension / defer / send-back)
    #[arg(long)]
    reason: Option<String>,
    /// 申请延期的时长，单位与事件的时限相同 (how much more time, in the unit of the issue's limit, for request-extension)
    #[arg(long, value_name = "N")]
    amount: Option<String>,
    /// 是否批准延期 (approve the extension, for decide-extension): yes / no
    #[arg(long, value_name = "yes|no")]
    approve: Option<String>,
    /// 合并到的事件编号 (issue to merge into, for merge)
    #[arg(long, value_name = "ID")]
    into: Option<String>,
    /// 说明 (note, for resolve / escalate / close / decide-extension)
    #[arg(long)]
    note: Option<String>,
    /// 派遣部门，逗号分隔 (departments, comma separated, for dispatch), 如 城管,住建
    #[arg(long, value_name = "DEPTS")]
    departments: Option<String>,
    /// 响应等级 (grade, for dispatch): urgent 紧急 / normal 一般 / minor 轻微
    #[arg(long)]
    grade: Option<String>,
    /// 处置反馈 (feedback, for handle)
    #[arg(long)]
    feedback: Option<String>,
    /// 居民是否满意 (satisfied, for evaluate): yes / no
    #[arg(long, value_name = "yes|no")]
    satisfied: Option<String>,
    /// 评价的居民 (resident who evaluated, for evaluate)
    #[arg(long, value_name = "NAME")]
    resident: Option<String>,
    /// 居民意见 (comment, for evaluate)
    #[arg(long)]
    comment: Option<String>,
    /// 处置、办结的现场照片，或结案核查的照片 (photos of the handling, or of the verification before closing)
    #[command(flatten)]
    photos: crate::photo::PhotoArgs,
}

pub fn run(ctx: &Ctx, cmd: IssueCmd) -> anyhow::Result<()> {
    match cmd {
        IssueCmd::Report(a) => report(ctx, a),
        IssueCmd::List(a) => list(ctx, a),
        IssueCmd::Show(a) => show(ctx, a),
        IssueCmd::Act(a) => act(ctx, a),
    }
}

/// The Chinese word for a stored stage key.
pub fn stage_zh(key: Option<&str>) -> String {
    match key {
        Some(k) => Stage::parse(k)
            .map(|s| s.zh().to_owned())
            .unwrap_or_else(|_| k.to_owned()),
        None => "未上报".to_owned(),
    }
}

/// The Chinese word for a step key.
pub fn step_zh(key: &str) -> &'static str {
    match key {
        "report" => "上报",
        "accept" => "受理",
        "reject" => "退回",
        "merge" => "合并",
        "resolve" => "社区办结",
        "escalate" => "吹哨",
        "dispatch" => "派遣",
        "handle" => "处置反馈",
        "close" => "核查结案",
        "evaluate" => "评价",
        "request-extension" => "申请延期",
        "decide-extension" => "延期审批",
        "defer" => "缓办",
        "send-back" => "核查不通过",
        _ => "?",
    }
}

pub fn row_json(r: &IssueSummary) -> Value {
    let stage = r.stage.map(|s| s.key());
    json!({
        "id": r.id.to_string(),
        "grid": r.grid.to_string(),
        "category": r.category,
        "state": stage,
        "state_zh": stage_zh(stage),
        "urgency": r.urgency,
        "household": r.household.map(|h| h.to_string()),
        "reporter": r.reporter,
        "reported_at": gridline_model::fmt_time(r.reported_at),
        "deadline": r.deadline.map(gridline_model::fmt_time),
        "departments": r.departments,
        "refused_events": r.refused_events,
        "summary": r.summary,
        "sync_state": r.sync_state.key(),
    })
}

fn report(ctx: &Ctx, a: ReportArgs) -> anyhow::Result<()> {
    let mut device = ctx.open()?;
    let new = NewIssue {
        grid: a.grid,
        household: a.household,
        category: a.category,
        description: a.description,
        location: a.location,
        urgency: a.urgency,
    };
    let position = a.position.position(&device, new.household.as_deref())?;
    let photos = a.photos.take(ctx, &mut device)?;
    let evidence = gridline_device::Evidence { photos, position };
    let c = device.report_issue_with_evidence(&new, a.id.as_deref(), &evidence, ctx.now)?;
    crate::output::created(ctx, &c, json!({ "state": "reported" }));
    Ok(())
}

fn list(ctx: &Ctx, a: ListArgs) -> anyhow::Result<()> {
    let filter = IssueFilter {
        stage: a.state.as_deref().map(Stage::parse).transpose()?,
        category: a.category.as_deref().map(parse_category).transpose()?,
        grid: a
            .grid
            .as_deref()
            .map(gridline_model::GridId::parse)
            .transpose()?,
        overdue_at: a.overdue.then_some(ctx.now),
        warning: a.warning.map(|w| {
            let w = match w {
                WarningName::Yellow => gridline_model::time_limit::Warning::Yellow,
                WarningName::Red => gridline_model::time_limit::Warning::Red,
            };
            (w, ctx.now)
        }),
        limit: a.limit,
    };
    let device = ctx.open()?;
    let rows = device.issues(&filter, ctx.now)?;
    if ctx.json {
        let v: Vec<Value> = rows
            .iter()
            .map(|r| {
                let mut j = row_json(r);
                j["overdue"] = json!(r.overdue);
                j
            })
            .collect();
        print_json(&Value::Array(v));
        return Ok(());
    }
    if rows.is_empty() {
        say!("没有事件", "no issues");
        return Ok(());
    }
    let mut t = Table::of(&[
        text!("编号", "id"),
        text!("类别", "category"),
        text!("状态", "state"),
        text!("网格", "grid"),
        text!("上报人", "reporter"),
        text!("上报时间", "reported"),
        text!("期限", "deadline"),
        text!("摘要", "summary"),
    ]);
    let people = device.people();
    for r in &rows {
        let key = r.stage.map(|s| s.key());
        let mut state = Text::new(stage_zh(key), key.unwrap_or("none"));
        if r.overdue {
            state.zh.push_str(" 【超期】");
            state.en.push_str(", overdue");
        }
        if r.refused_events > 0 {
            let n = r.refused_events;
            state.zh.push_str(&format!(" 驳回{n}"));
            state.en.push_str(&format!(", {n} refused"));
        }
        t.row(vec![
            r.id.to_string(),
            r.category.clone(),
            word(&state.zh, &state.en),
            r.grid.to_string(),
            crate::output::person(&people, &r.reporter),
            when(r.reported_at),
            r.deadline.map(when).unwrap_or_else(|| "—".into()),
            r.summary.clone(),
        ]);
    }
    t.print();
    let n = rows.len();
    say!("共 {n} 件", "{n} issues");
    Ok(())
}

/// What a step carries, in one line.
fn step_detail(step: &IssueStep) -> String {
    match step {
        IssueStep::Report | IssueStep::Accept => String::new(),
        IssueStep::Reject { reason } => format!("{}: {reason}", text!("理由", "reason")),
        IssueStep::Merge { into } => format!("{} {into}", text!("并入", "into")),
        IssueStep::Resolve { note }
        | IssueStep::Escalate { note }
        | IssueStep::VerifyClose { note } => note.clone(),
        IssueStep::Dispatch { departments, grade } => format!(
            "{} {}{}{}",
            text!("部门", "departments"),
            departments.join(&word("、", ", ")),
            word("，", ", "),
            Text::new(grade.zh(), grade.key())
        ),
        IssueStep::Handle { feedback } => format!("{}: {feedback}", text!("反馈", "feedback")),
        IssueStep::Evaluate {
            satisfied,
            resident,
            comment,
        } => format!(
            "{} {}{}",
            resident,
            if *satisfied {
                text!("满意", "satisfied")
            } else {
                text!("不满意", "unsatisfied")
            },
            if comment.is_empty() {
                String::new()
            } else {
                format!("{}{comment}", word("：", ": "))
            }
        ),
        IssueStep::RequestExtension { amount, reason } => format!(
            "{} {amount}{}{}",
            text!("延期", "more"),
            word("，", ", "),
            reason
        ),
        IssueStep::DecideExtension { approve, note } => format!(
            "{}{}",
            if *approve {
                text!("批准", "approved")
            } else {
                text!("不批准", "refused")
            },
            if note.is_empty() {
                String::new()
            } else {
                format!("{}{note}", word("：", ": "))
            }
        ),
        IssueStep::Defer { reason } | IssueStep::SendBack { reason } => {
            format!("{}: {reason}", text!("理由", "reason"))
        }
    }
}

fn show(ctx: &Ctx, a: ShowArgs) -> anyhow::Result<()> {
    let device = ctx.open()?;
    let view = device.issue(&a.id, ctx.now)?;
    let i = &view.issue;
    let s = &view.state;
    let mut events: Vec<&IssueEvent> = i.events.iter().collect();
    events.sort_by_key(|e| (e.at, e.id));
    let state_key = s.stage.map(|st| st.key());
    let id = i.id.to_string();
    let position = device.position_of(&id)?;
    let map = position.map(|p| gridline_device::photo::map_link(&p, &i.category));
    let photos = device.photos_of(&id)?;
    let people = device.people();
    if ctx.json {
        print_json(&json!({
            "position": position.map(|p| json!({
                "lat": p.lat, "lon": p.lon, "accuracy_m": p.accuracy_m, "source": p.source.key(),
                "map": map,
            })),
            "photos": photos.iter().map(crate::photo::view_json).collect::<Vec<_>>(),
            "id": i.id.to_string(),
            "grid": i.grid.to_string(),
            "category": i.category,
            "description": i.description,
            "location": i.location,
            "household": i.household.map(|h| h.to_string()),
            "urgency": i.urgency,
            "reporter": i.reporter,
            "reported_at": i.reported_at.to_rfc3339(),
            "state": state_key,
            "state_zh": stage_zh(state_key),
            "departments": s.departments,
            "feedback": s.feedback,
            "grade": s.grade.map(|g| g.key()),
            "deadline": s.deadline.map(|d| d.to_rfc3339()),
            "overdue": view.overdue,
            "warning": view.warning.key(),
            "limit": s.limit.map(|l| json!({ "amount": l.amount, "unit": l.unit.key(), "yellow_percent": l.yellow_percent, "red_percent": l.red_percent })),
            "extension_requested": s.extension_requested.as_ref().map(|(by, n)| json!({ "department": by, "amount": n })),
            "extensions": s.extensions,
            "deferred": s.deferred,
            "deferred_deadline": s.deferred_deadline.map(|d| d.to_rfc3339()),
            "sent_back": s.sent_back,
            "merged_into": s.merged_into.map(|m| m.to_string()),
            "satisfied": s.satisfied,
            "reopened": s.reopened,
            "sync_state": view.sync_state.key(),
            "offered": view.offered,
            "events": events.iter().map(|e| json!({
                "id": e.id.to_string(),
                "at": e.at.to_rfc3339(),
                "step": e.step.key(),
                "step_zh": e.step.zh(),
                "author": { "user": e.author.user, "name": people.name(&e.author.user), "role": e.author.role.key(), "unit": e.author.unit },
                "detail": step_detail(&e.step),
                "refused": s.refusal(e.id),
            })).collect::<Vec<_>>(),
        }));
        return Ok(());
    }
    out!("{} {}", text!("事件", "issue"), i.id);
    let mut state = Text::new(stage_zh(state_key), state_key.unwrap_or("none"));
    if view.overdue {
        state.zh.push_str(" 【超期】");
        state.en.push_str(", overdue");
    } else if matches!(view.warning, Warning::Yellow | Warning::Red) {
        state.zh.push_str(&format!(" 【{}】", view.warning.zh()));
        state.en.push_str(&format!(", {}", view.warning.key()));
    }
    if s.deferred {
        state.zh.push_str(" 【缓办】");
        state.en.push_str(", deferred");
    }
    let mut pairs = vec![
        (text!("类别", "category"), i.category.clone()),
        (text!("描述", "description"), i.description.clone()),
        (text!("位置", "location"), or_dash(&i.location)),
        (text!("网格", "grid"), i.grid.to_string()),
        (
            text!("户", "household"),
            i.household
                .map(|h| h.to_string())
                .unwrap_or_else(|| "—".into()),
        ),
        (text!("紧急程度", "urgency"), i.urgency.to_string()),
        (
            text!("上报人", "reporter"),
            crate::output::person(&people, &i.reporter),
        ),
        (text!("上报时间", "reported"), when(i.reported_at)),
        (text!("状态", "state"), state.to_string()),
    ];
    if let Some(g) = s.grade {
        pairs.push((
            text!("等级", "grade"),
            Text::new(g.zh(), g.key()).to_string(),
        ));
    }
    if !s.departments.is_empty() {
        pairs.push((
            text!("部门", "departments"),
            s.departments.join(&word("、", ", ")),
        ));
    }
    if let Some(d) = s.deadline {
        pairs.push((text!("期限", "deadline"), when(d)));
    }
    if let Some(l) = s.limit {
        pairs.push((
            text!("时限", "limit"),
            Text::new(
                format!("{} {}", l.amount, l.unit.zh()),
                format!("{} {}", l.amount, l.unit.key()),
            )
            .to_string(),
        ));
    }
    if let Some((by, n)) = &s.extension_requested {
        pairs.push((text!("待审批延期", "extension asked"), format!("{by} +{n}")));
    }
    if let Some(d) = s.deferred_deadline.filter(|_| s.deferred) {
        pairs.push((text!("缓办前期限", "deadline before deferral"), when(d)));
    }
    if let Some(m) = s.merged_into {
        pairs.push((text!("并入", "merged into"), m.to_string()));
    }
    if s.reopened > 0 {
        pairs.push((text!("重新打开", "reopened"), s.reopened.to_string()));
    }
    pairs.push((
        text!("同步", "sync"),
        Text::new(view.sync_state.zh(), view.sync_state.key()).to_string(),
    ));
    if let (Some(p), Some(m)) = (&position, &map) {
        pairs.push((text!("坐标", "position"), crate::photo::position_line(p)));
        pairs.push((text!("高德地图", "Amap"), m.clone()));
    }
    if !photos.is_empty() {
        let waiting = photos
            .iter()
            .filter(|p| matches!(p.state, gridline_device::PhotoState::Waiting { .. }))
            .count();
        let n = photos.len();
        pairs.push((
            text!("照片", "photos"),
            text!("{n} 张，{waiting} 张待上传", "{n}, {waiting} to upload").to_string(),
        ));
    }
    kv_of(&pairs);
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
    let you_can = text!("你可以做的", "you can");
    if view.offered.is_empty() {
        out!("{you_can}: {}", text!("无", "nothing"));
    } else {
        let steps: Vec<String> = view
            .offered
            .iter()
            .map(|k| word(&format!("{} {k}", step_zh(k)), k))
            .collect();
        out!("{you_can}: {}", steps.join(&word("、", ", ")));
        out!("  gridline issue act {} <STEP> …", i.id);
    }
    Ok(())
}

fn build_step(a: &ActArgs) -> anyhow::Result<IssueStep> {
    use StepName as N;
    let key = a
        .step
        .to_possible_value()
        .map(|p| p.get_name().to_owned())
        .unwrap_or_default();
    // Refuse flags the step does not use, so nothing typed is silently dropped.
    let given = [
        (
            "--reason",
            a.reason.is_some(),
            &[N::Reject, N::RequestExtension, N::Defer, N::SendBack][..],
        ),
        ("--amount", a.amount.is_some(), &[N::RequestExtension][..]),
        ("--approve", a.approve.is_some(), &[N::DecideExtension][..]),
        ("--into", a.into.is_some(), &[N::Merge][..]),
        (
            "--note",
            a.note.is_some(),
            &[N::Resolve, N::Escalate, N::Close, N::DecideExtension][..],
        ),
        ("--departments", a.departments.is_some(), &[N::Dispatch][..]),
        ("--grade", a.grade.is_some(), &[N::Dispatch][..]),
        ("--feedback", a.feedback.is_some(), &[N::Handle][..]),
        ("--satisfied", a.satisfied.is_some(), &[N::Evaluate][..]),
        ("--resident", a.resident.is_some(), &[N::Evaluate][..]),
        ("--comment", a.comment.is_some(), &[N::Evaluate][..]),
    ];
    if let Some((flag, _, _)) = given
        .iter()
        .find(|(_, set, for_steps)| *set && !for_steps.contains(&a.step))
    {
        return Err(usage(
            text!("{key} 不使用 {flag}", "{flag} is not used by {key}").to_string(),
        ));
    }
    let satisfied = match a.satisfied.as_deref().map(str::trim) {
        None => None,
        Some("yes" | "y" | "true" | "满意") => Some(true),
        Some("no" | "n" | "false" | "不满意") => Some(false),
        Some(other) => {
            return Err(usage(
                text!(
                    "--satisfied \"{other}\" 应为 yes 或 no",
                    "--satisfied takes yes or no, not \"{other}\""
                )
                .to_string(),
            ))
        }
    };
    let approve = match a.approve.as_deref().map(str::trim) {
        None => None,
        Some("yes" | "y" | "true" | "批准") => Some(true),
        Some("no" | "n" | "false" | "不批准") => Some(false),
        Some(other) => {
            return Err(usage(
                text!(
                    "--approve \"{other}\" 应为 yes 或 no",
                    "--approve takes yes or no, not \"{other}\""
                )
                .to_string(),
            ))
        }
    };
    let amount = match a.amount.as_deref().map(str::trim) {
        None => None,
        Some(n) => Some(n.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| {
            usage(
                text!(
                    "--amount \"{n}\" 应为正整数（单位与事件的时限相同）",
                    "--amount takes a whole number above 0 (in the unit of the issue's limit), not \"{n}\""
                )
                .to_string(),
            )
        })?),
    };
    // The step itself is built by the device, as for the app; its errors name
    // the field, which here is a flag.
    let action = gridline_device::app::IssueAction {
        step: key.clone(),
        reason: a.reason.clone(),
        into: a.into.clone(),
        note: a.note.clone(),
        departments: a
            .departments
            .as_deref()
            .map(|d| d.split([',', '、', '，']).map(str::to_owned).collect())
            .unwrap_or_default(),
        grade: a.grade.clone(),
        feedback: a.feedback.clone(),
        satisfied,
        resident: a.resident.clone(),
        comment: a.comment.clone(),
        amount,
        approve,
    };
    gridline_device::app::issue_step(&action).map_err(|e| match e {
        gridline_device::Error::Invalid(i) => {
            let (zh, field) = (step_zh(&key), &i.field);
            usage(
                i.problem
                    .then(&i.fix)
                    .after(&text!("{zh} --{field}", "{key} --{field}"))
                    .to_string(),
            )
        }
        other => other.into(),
    })
}

fn act(ctx: &Ctx, a: ActArgs) -> anyhow::Result<()> {
    let step = build_step(&a)?;
    let mut device = ctx.open()?;
    let photos = a.photos.take(ctx, &mut device)?;
    let state = device.act_on_issue_with_photos(&a.id, step, &photos, ctx.now)?;
    let key = state.stage.map(|s| s.key());
    if ctx.json {
        saved(
            ctx,
            a.id.trim(),
            json!({ "state": key, "state_zh": stage_zh(key), "deadline": state.deadline.map(|d| d.to_rfc3339()) }),
        );
    } else {
        out!(
            "{}: {}",
            text!("状态", "state"),
            Text::new(stage_zh(key), key.unwrap_or("none"))
        );
        if let Some(d) = state.deadline {
            out!("{}: {}", text!("期限", "deadline"), when(d));
        }
        saved(ctx, a.id.trim(), json!({}));
    }
    Ok(())
}

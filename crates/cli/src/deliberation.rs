//! `gridline deliberation …`: a residents' topic from its proposal to its
//! closing (居民议事). Arguments and printing only; the rules are the device's.

use clap::{Args, Subcommand};
use gridline_device::deliberation::{NewTopic, TopicFilter, TopicSummary};
use gridline_device::{new_id, parse_when};
use gridline_model::deliberation::{
    task_overdue, Attendance, DeliberationFigures, MeetingType, MemberType, TopicStage,
};
use gridline_model::{text, Instant, Text, TopicEvent, TopicStep};
use serde_json::{json, Value};

use crate::output::{kv_of, or_dash, print_json, saved, say, when, word, Table};
use crate::parse_error::invalid_at;
use crate::{usage, Ctx};

#[derive(Debug, Subcommand)]
pub enum DeliberationCmd {
    /// 提出议题 (propose a topic for residents' deliberation)
    Propose(ProposeArgs),
    /// 受理议题 (accept the topic for deliberation)
    Accept(IdArgs),
    /// 不予受理 (decline the topic, with a reason)
    Decline(ReasonArgs),
    /// 召开议事会：时间、地点、通知、各方出席 (record a meeting: date, place, notice, attendance)
    Meeting(MeetingArgs),
    /// 表决形成决议 (record the vote on a resolution)
    Resolve(ResolveArgs),
    /// 布置落实任务 (set an implementation task)
    Task(TaskArgs),
    /// 完成落实任务 (mark a task done, with what was done)
    TaskDone(TaskDoneArgs),
    /// 向居民反馈落实情况 (feed the outcome back to residents)
    Feedback(NoteArgs),
    /// 办结议题 (close the topic)
    Close(IdArgs),
    /// 列出议题 (list topics)
    List(ListArgs),
    /// 查看议题及其流程 (show a topic and its timeline)
    Show(IdArgs),
    /// 居民议事工作数据 (the deliberation figures)
    Figures,
}

#[derive(Debug, Args)]
pub struct ProposeArgs {
    /// 议题标题 (the topic's title), 如 小区加装电动车充电桩
    #[arg(long)]
    title: String,
    /// 议题内容和理由 (what is to be deliberated and why)
    #[arg(long)]
    description: String,
    /// 提议人：居民姓名或单位名称 (who proposes it: the resident or the body, by name)
    #[arg(long)]
    proposer_name: String,
    /// 提议方类别 (proposer): resident 居民, party-branch 党支部, owners-committee 业委会, property-company 物业公司
    #[arg(long, value_name = "KIND")]
    proposer: Option<String>,
    /// 网格编号 (grid id); 有 --household 或只有一个网格时可省
    #[arg(long, value_name = "GRID")]
    grid: Option<String>,
    /// 提议居民所在的户 (the proposing resident's household); 联户长必填
    #[arg(long, value_name = "ID")]
    household: Option<String>,
    /// 记录编号（UUID v7），供脚本重试 (the record's id, a UUID v7, so a script can retry)
    #[arg(long, value_name = "UUID")]
    id: Option<String>,
}

#[derive(Debug, Args)]
pub struct IdArgs {
    /// 议题编号 (topic id)
    id: String,
}

#[derive(Debug, Args)]
pub struct ReasonArgs {
    /// 议题编号 (topic id)
    id: String,
    /// 不予受理理由 (the reason)
    #[arg(long)]
    reason: String,
}

#[derive(Debug, Args)]
pub struct NoteArgs {
    /// 议题编号 (topic id)
    id: String,
    /// 反馈内容 (what residents were told)
    #[arg(long)]
    note: String,
}

#[derive(Debug, Args)]
pub struct MeetingArgs {
    /// 议题编号 (topic id)
    id: String,
    /// 开会时间，北京时间 (when it was held, Beijing time YYYY-MM-DD [HH:MM])
    #[arg(long, value_name = "WHEN")]
    held_on: String,
    /// 开会地点 (the place)
    #[arg(long)]
    place: String,
    /// 通知张贴时间，应至少提前 2 天 (when the notice went up, at least 2 days before)
    #[arg(long, value_name = "WHEN")]
    notice_posted: String,
    /// 会议类型 (meeting type): ordinary 议事会, tripartite 三方共议
    #[arg(long = "type", value_name = "TYPE", default_value = "ordinary")]
    meeting_type: String,
    /// 出席：参会方:实到/应到，可多次 (attendance as MEMBER:PRESENT/EXPECTED; repeat), 如 party-organisation:3/3
    #[arg(long = "attend", value_name = "MEMBER:PRESENT/EXPECTED")]
    attend: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ResolveArgs {
    /// 议题编号 (topic id)
    id: String,
    /// 决议内容 (the resolution's text)
    #[arg(long)]
    text: String,
    /// 赞成票数 (votes for)
    #[arg(long = "for", value_name = "N")]
    votes_for: u32,
    /// 反对票数 (votes against)
    #[arg(long, value_name = "N", default_value_t = 0)]
    against: u32,
    /// 弃权票数 (abstentions)
    #[arg(long, value_name = "N", default_value_t = 0)]
    abstain: u32,
    /// 决议公示时间，默认现在 (when it went up on the notice board; default now)
    #[arg(long, value_name = "WHEN")]
    posted_on: Option<String>,
}

#[derive(Debug, Args)]
pub struct TaskArgs {
    /// 议题编号 (topic id)
    id: String,
    /// 责任方 (who carries it out)
    #[arg(long)]
    owner: String,
    /// 完成期限，北京时间 YYYY-MM-DD 表示当天结束 (the due date, Beijing time; a date alone means the end of that day)
    #[arg(long, value_name = "DATE")]
    due: String,
    /// 任务内容 (what is to be done)
    #[arg(long)]
    what: String,
}

#[derive(Debug, Args)]
pub struct TaskDoneArgs {
    /// 议题编号 (topic id)
    id: String,
    /// 任务编号，见 show (the task's id, as show lists it)
    #[arg(long, value_name = "ID")]
    task: String,
    /// 完成情况 (what was done)
    #[arg(long)]
    note: String,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// 状态 (state): proposed, accepted, declined, met, resolved, implementing, fed-back, closed
    #[arg(long, value_name = "STATE")]
    state: Option<String>,
    /// 网格 (grid)
    #[arg(long, value_name = "GRID")]
    grid: Option<String>,
    /// 最多 N 条 (at most N)
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
}

pub fn run(ctx: &Ctx, cmd: DeliberationCmd) -> anyhow::Result<()> {
    use DeliberationCmd as D;
    match cmd {
        D::Propose(a) => propose(ctx, a),
        D::Accept(a) => step(ctx, &a.id, TopicStep::Accept),
        D::Decline(a) => step(ctx, &a.id, TopicStep::Decline { reason: a.reason }),
        D::Meeting(a) => {
            let attendance = a
                .attend
                .iter()
                .map(|s| attendance(s))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let s = TopicStep::Meeting {
                held_on: at("--held-on", &a.held_on)?,
                place: a.place,
                notice_posted: at("--notice-posted", &a.notice_posted)?,
                meeting_type: flag("--type", MeetingType::parse(&a.meeting_type))?,
                attendance,
            };
            step(ctx, &a.id, s)
        }
        D::Resolve(a) => {
            let posted_on = match &a.posted_on {
                Some(w) => at("--posted-on", w)?,
                None => ctx.now,
            };
            let s = TopicStep::Resolve {
                text: a.text,
                votes_for: a.votes_for,
                against: a.against,
                abstain: a.abstain,
                posted_on,
            };
            step(ctx, &a.id, s)
        }
        D::Task(a) => {
            let s = TopicStep::Task {
                task: new_id(ctx.now),
                owner: a.owner,
                due: due(&a.due)?,
                what: a.what,
            };
            step(ctx, &a.id, s)
        }
        D::TaskDone(a) => {
            let task = gridline_model::RecordId::parse_str(a.task.trim()).map_err(|_| {
                let t = &a.task;
                usage(
                    text!(
                        "--task \"{t}\" 不是任务编号；请用 show 查看",
                        "--task \"{t}\" is not a task id; show lists them"
                    )
                    .to_string(),
                )
            })?;
            step(ctx, &a.id, TopicStep::TaskDone { task, note: a.note })
        }
        D::Feedback(a) => step(ctx, &a.id, TopicStep::Feedback { note: a.note }),
        D::Close(a) => step(ctx, &a.id, TopicStep::Close),
        D::List(a) => list(ctx, a),
        D::Show(a) => show(ctx, a),
        D::Figures => figures(ctx),
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

/// A time flag: exit 2, naming the flag, when it is not a time.
fn at(name: &str, s: &str) -> anyhow::Result<Instant> {
    parse_when(s).map_err(|e| match e {
        gridline_device::Error::Invalid(i) => usage(
            i.problem
                .then(&i.fix)
                .after(&Text::new(name, name))
                .to_string(),
        ),
        other => other.into(),
    })
}

/// A task's due date: `YYYY-MM-DD` alone is the end of that day, Beijing
/// time (a task due on the 10th may be done on the evening of the 10th).
fn due(s: &str) -> anyhow::Result<Instant> {
    let cst = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    match chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        Ok(d) => Ok(d
            .and_hms_opt(23, 59, 0)
            .expect("23:59 exists")
            .and_local_timezone(cst)
            .single()
            .expect("fixed offsets are unambiguous")
            .with_timezone(&chrono::Utc)),
        Err(_) => at("--due", s),
    }
}

/// `MEMBER:PRESENT/EXPECTED`, the member by key or Chinese name.
fn attendance(spec: &str) -> anyhow::Result<Attendance> {
    let bad = || {
        usage(
            text!(
                "--attend \"{spec}\" 应写成 参会方:实到/应到，如 party-organisation:3/3",
                "--attend \"{spec}\" is MEMBER:PRESENT/EXPECTED, such as party-organisation:3/3"
            )
            .to_string(),
        )
    };
    let (member, counts) = spec.split_once([':', '：']).ok_or_else(bad)?;
    let (present, expected) = counts.split_once('/').ok_or_else(bad)?;
    Ok(Attendance {
        member: flag("--attend", MemberType::parse(member))?,
        present: present.trim().parse().map_err(|_| bad())?,
        expected: expected.trim().parse().map_err(|_| bad())?,
    })
}

fn propose(ctx: &Ctx, a: ProposeArgs) -> anyhow::Result<()> {
    let new = NewTopic {
        grid: a.grid,
        household: a.household,
        title: a.title,
        description: a.description,
        proposer: a.proposer,
        proposer_name: a.proposer_name,
    };
    let mut device = ctx.open()?;
    let c = device
        .propose_with_id(&new, a.id.as_deref(), ctx.now)
        .map_err(|e| invalid_at("propose", "topic", e))?;
    crate::output::created(ctx, &c, json!({ "state": "proposed" }));
    Ok(())
}

fn step(ctx: &Ctx, id: &str, step: TopicStep) -> anyhow::Result<()> {
    let mut device = ctx.open()?;
    let key = step.key();
    let task = match &step {
        TopicStep::Task { task, .. } => Some(*task),
        _ => None,
    };
    let state = device
        .act_on_topic(id, step, ctx.now)
        .map_err(|e| invalid_at(key, "topic", e))?;
    let stage = state.stage.map(|s| s.key());
    if ctx.json {
        saved(
            ctx,
            id.trim(),
            json!({
                "state": stage,
                "task": task.map(|t| t.to_string()),
                "adopted": state.resolution.as_ref().map(|r| r.adopted),
            }),
        );
        return Ok(());
    }
    out!("{}: {}", text!("状态", "state"), stage_text(state.stage));
    if let (true, Some(r)) = (key == "resolve", &state.resolution) {
        if r.adopted {
            say!("决议通过", "the resolution is adopted");
        } else {
            say!(
                "决议未获出席人数过半赞成，议题仍待再议",
                "the resolution did not win more than half of those present; the topic stays open for another meeting"
            );
        }
    }
    if let Some(t) = task {
        out!("{}: {t}", text!("任务编号", "task id"));
    }
    saved(ctx, id.trim(), json!({}));
    Ok(())
}

fn stage_text(s: Option<TopicStage>) -> Text {
    match s {
        Some(s) => Text::new(s.zh(), s.key()),
        None => text!("未提出（已驳回）", "never proposed (refused)"),
    }
}

fn row_json(r: &TopicSummary) -> Value {
    json!({
        "id": r.id.to_string(),
        "grid": r.grid.to_string(),
        "household": r.household.map(|h| h.to_string()),
        "title": r.title,
        "proposer": r.proposer.key(),
        "proposer_name": r.proposer_name,
        "submitted_by": r.submitted_by,
        "state": r.stage.map(|s| s.key()),
        "state_zh": r.stage.map(|s| s.zh()),
        "proposed_at": r.proposed_at.to_rfc3339(),
        "resolved_at": r.resolved_at.map(|d| d.to_rfc3339()),
        "tasks": r.tasks,
        "open_tasks": r.open_tasks,
        "overdue_tasks": r.overdue_tasks,
        "refused_events": r.refused_events,
        "sync_state": r.sync_state.key(),
    })
}

fn list(ctx: &Ctx, a: ListArgs) -> anyhow::Result<()> {
    let filter = TopicFilter {
        stage: a
            .state
            .as_deref()
            .map(|s| flag("--state", TopicStage::parse(s)))
            .transpose()?,
        grid: a
            .grid
            .as_deref()
            .map(|g| flag("--grid", gridline_model::GridId::parse(g)))
            .transpose()?,
        overdue_first: true,
        limit: a.limit,
    };
    let device = ctx.open()?;
    let rows = device.topics(&filter, ctx.now)?;
    if ctx.json {
        print_json(&Value::Array(rows.iter().map(row_json).collect()));
        return Ok(());
    }
    if rows.is_empty() {
        say!("没有议题", "no deliberation topics");
        return Ok(());
    }
    let mut t = Table::of(&[
        text!("编号", "id"),
        text!("状态", "state"),
        text!("提出时间", "proposed"),
        text!("任务", "tasks"),
        text!("议题", "title"),
    ]);
    for r in &rows {
        let mut state = stage_text(r.stage);
        if r.overdue_tasks > 0 {
            state.zh.push_str(" 【任务超期】");
            state.en.push_str(", task overdue");
        }
        t.row(vec![
            r.id.to_string(),
            word(&state.zh, &state.en),
            when(r.proposed_at),
            if r.tasks == 0 {
                "—".into()
            } else {
                format!("{}/{}", r.tasks as usize - r.open_tasks, r.tasks)
            },
            r.title.clone(),
        ]);
    }
    t.print();
    let n = rows.len();
    if a.limit.is_some_and(|l| n >= l) {
        say!("显示 {n} 个议题", "showing {n} topics");
    } else {
        say!("共 {n} 个议题", "{n} topics");
    }
    Ok(())
}

/// What a step carries, in one line.
fn detail(step: &TopicStep) -> String {
    match step {
        TopicStep::Propose | TopicStep::Accept | TopicStep::Close => String::new(),
        TopicStep::Decline { reason } => reason.clone(),
        TopicStep::Meeting {
            held_on,
            place,
            meeting_type,
            attendance,
            ..
        } => {
            let present: u64 = attendance.iter().map(|a| u64::from(a.present)).sum();
            let expected: u64 = attendance.iter().map(|a| u64::from(a.expected)).sum();
            format!(
                "{} {} {place}{}{}",
                word(meeting_type.zh(), meeting_type.key()),
                when(*held_on),
                word("，", ", "),
                text!(
                    "实到 {present}/应到 {expected}",
                    "{present} of {expected} present"
                )
            )
        }
        TopicStep::Resolve {
            votes_for,
            against,
            abstain,
            ..
        } => text!(
            "赞成 {votes_for}，反对 {against}，弃权 {abstain}",
            "{votes_for} for, {against} against, {abstain} abstaining"
        )
        .to_string(),
        TopicStep::Task {
            task, owner, due, ..
        } => format!(
            "{task} {owner}{}{} {}",
            word("，", ", "),
            text!("期限", "due"),
            when(*due)
        ),
        TopicStep::TaskDone { task, note } => format!("{task} {note}"),
        TopicStep::Feedback { note } => note.clone(),
    }
}

fn show(ctx: &Ctx, a: IdArgs) -> anyhow::Result<()> {
    let device = ctx.open()?;
    let view = device.topic(&a.id, ctx.now)?;
    let t = &view.topic;
    let s = &view.state;
    let mut events: Vec<&TopicEvent> = t.events.iter().collect();
    events.sort_by_key(|e| (e.at, e.id));
    let overdue = |due: Instant, done: bool| !done && task_overdue(due, ctx.now);
    let people = device.people();
    if ctx.json {
        print_json(&json!({
            "id": t.id.to_string(),
            "grid": t.grid.to_string(),
            "household": t.household.map(|h| h.to_string()),
            "title": t.title,
            "description": t.description,
            "proposer": t.proposer.key(),
            "proposer_name": t.proposer_name,
            "submitted_by": t.submitted_by,
            "proposed_at": t.proposed_at.to_rfc3339(),
            "state": s.stage.map(|st| st.key()),
            "accepted_at": s.accepted_at.map(|d| d.to_rfc3339()),
            "decline_reason": s.decline_reason,
            "meetings": s.meetings,
            "meeting": s.meeting.as_ref().map(|m| json!({
                "held_on": m.held_on.to_rfc3339(),
                "place": m.place,
                "notice_posted": m.notice_posted.to_rfc3339(),
                "type": m.meeting_type.key(),
                "attendance": m.attendance.iter().map(|a| json!({
                    "member": a.member.key(),
                    "expected": a.expected,
                    "present": a.present,
                })).collect::<Vec<_>>(),
                "expected": m.expected,
                "present": m.present,
            })),
            "resolution": s.resolution.as_ref().map(|r| json!({
                "text": r.text,
                "votes_for": r.votes_for,
                "against": r.against,
                "abstain": r.abstain,
                "posted_on": r.posted_on.to_rfc3339(),
                "adopted": r.adopted,
            })),
            "votes_failed": s.votes_failed,
            "resolved_at": s.resolved_at.map(|d| d.to_rfc3339()),
            "tasks": s.tasks.iter().map(|x| json!({
                "id": x.id.to_string(),
                "owner": x.owner,
                "what": x.what,
                "due": x.due.to_rfc3339(),
                "done_at": x.done_at.map(|d| d.to_rfc3339()),
                "note": x.note,
                "overdue": overdue(x.due, x.done_at.is_some()),
            })).collect::<Vec<_>>(),
            "overdue_tasks": view.overdue_tasks,
            "implemented_on_time": s.implemented_on_time(),
            "feedback": s.feedback,
            "fed_back_at": s.fed_back_at.map(|d| d.to_rfc3339()),
            "closed_at": s.closed_at.map(|d| d.to_rfc3339()),
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
    out!("{} {}", text!("议题", "topic"), t.id);
    let mut pairs = vec![
        (text!("标题", "title"), t.title.clone()),
        (text!("内容", "description"), t.description.clone()),
        (
            text!("提议人", "proposer"),
            format!(
                "{} ({})",
                t.proposer_name,
                word(t.proposer.zh(), t.proposer.key())
            ),
        ),
        (text!("网格", "grid"), t.grid.to_string()),
        (
            text!("户", "household"),
            t.household
                .map(|h| h.to_string())
                .unwrap_or_else(|| "—".into()),
        ),
        (
            text!("提交人", "submitted by"),
            crate::output::person(&people, &t.submitted_by),
        ),
        (text!("提出时间", "proposed"), when(t.proposed_at)),
        (text!("状态", "state"), stage_text(s.stage).to_string()),
    ];
    if let Some(r) = &s.decline_reason {
        pairs.push((text!("不予受理理由", "declined because"), r.clone()));
    }
    if let Some(m) = &s.meeting {
        let rows: Vec<String> = m
            .attendance
            .iter()
            .map(|a| {
                format!(
                    "{} {}/{}",
                    word(a.member.zh(), a.member.key()),
                    a.present,
                    a.expected
                )
            })
            .collect();
        pairs.push((
            text!("议事会", "meeting"),
            format!(
                "{} {} {}{}{} {}",
                word(m.meeting_type.zh(), m.meeting_type.key()),
                when(m.held_on),
                m.place,
                word("，", ", "),
                text!("通知张贴于", "notice posted"),
                when(m.notice_posted)
            ),
        ));
        pairs.push((
            text!("出席（实到/应到）", "attendance (present/expected)"),
            format!(
                "{}  = {}/{}",
                rows.join(&word("、", ", ")),
                m.present,
                m.expected
            ),
        ));
    }
    if let Some(r) = &s.resolution {
        pairs.push((
            text!("决议", "resolution"),
            format!(
                "{}  [{}]  {}",
                r.text,
                text!(
                    "赞成 {}，反对 {}，弃权 {}",
                    "{} for, {} against, {} abstaining",
                    r.votes_for,
                    r.against,
                    r.abstain
                ),
                if r.adopted {
                    text!("通过", "adopted")
                } else {
                    text!("未通过", "not adopted")
                }
            ),
        ));
    }
    if let Some(f) = &s.feedback {
        pairs.push((text!("反馈居民", "fed back"), f.clone()));
    }
    pairs.push((
        text!("同步", "sync"),
        Text::new(view.sync_state.zh(), view.sync_state.key()).to_string(),
    ));
    kv_of(&pairs);
    if !s.tasks.is_empty() {
        say!("落实任务", "tasks");
        let mut tasks = Table::indented(&[
            text!("任务编号", "task id"),
            text!("责任方", "owner"),
            text!("期限", "due"),
            text!("完成", "done"),
            text!("内容", "what"),
        ]);
        for x in &s.tasks {
            let done = match (x.done_at, &x.note) {
                (Some(d), note) => {
                    format!("{} {}", when(d), or_dash(note.as_deref().unwrap_or("")))
                }
                (None, _) if overdue(x.due, false) => word("【超期】", "overdue"),
                (None, _) => "—".into(),
            };
            tasks.row(vec![
                format!("  {}", x.id),
                x.owner.clone(),
                when(x.due),
                done,
                x.what.clone(),
            ]);
        }
        tasks.print();
    }
    say!("流程", "timeline");
    let mut tl = Table::indented(&[
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
        tl.row(vec![
            format!("  {}", when(e.at)),
            Text::new(e.step.zh(), e.step.key()).to_string(),
            crate::output::author(&device, &people, &e.author),
            d,
        ]);
    }
    tl.print();
    let you_can = text!("你可以做的", "you can");
    if view.offered.is_empty() {
        out!("{you_can}: {}", text!("无", "nothing"));
    } else {
        out!("{you_can}: {}", view.offered.join(", "));
        out!("  gridline deliberation <STEP> {} …", t.id);
    }
    Ok(())
}

fn figures(ctx: &Ctx) -> anyhow::Result<()> {
    let device = ctx.open()?;
    let f: DeliberationFigures = device.deliberation_figures(ctx.now)?;
    if ctx.json {
        print_json(&json!({
            "raised": f.raised,
            "accepted": f.accepted,
            "resolved": f.resolved,
            "implemented_on_time": f.implemented_on_time,
            "median_days_to_resolution": f.median_days_to_resolution,
            "overdue_tasks": f.overdue_tasks,
        }));
        return Ok(());
    }
    kv_of(&[
        (text!("提出议题", "topics raised"), f.raised.to_string()),
        (text!("受理", "accepted"), f.accepted.to_string()),
        (text!("形成决议", "resolved"), f.resolved.to_string()),
        (
            text!("按期落实", "implemented on time"),
            f.implemented_on_time.to_string(),
        ),
        (
            text!("提出到决议（中位数，天）", "days to resolution (median)"),
            f.median_days_to_resolution
                .map(|d| format!("{d:.1}"))
                .unwrap_or_else(|| "—".into()),
        ),
        (
            text!("超期任务", "overdue tasks"),
            f.overdue_tasks.to_string(),
        ),
    ]);
    Ok(())
}

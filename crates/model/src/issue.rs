//! Issues (事件): an append-only list of events folded into the current state.
//!
//! The chain is grid discovery → community collection → street whistle →
//! graded response → collaborative disposal:
//!
//! ```text
//! reported ─accept─▶ accepted ─resolve─▶ resolved ─┐
//!    │                  │                           ├─verify & close─▶ closed ─evaluate─▶ evaluated
//!    ├─reject─▶ rejected └─escalate─▶ escalated ─dispatch─▶ dispatched ─handle (all depts)─▶ handled ─┘
//!    └─merge──▶ merged                     unsatisfied evaluation reopens to accepted ◀─┘
//! ```
//!
//! Events are folded in `(at, id)` order, so every replica that holds the same
//! events computes the same state whatever order they arrived in. A step the
//! rules refuse (wrong role, wrong state, wrong unit) stays in the list and is
//! reported as refused with its reason; it changes nothing.

use crate::{text, Text};
use std::collections::BTreeMap;

use chrono::Duration;

use crate::time_limit::{Limit, LimitUnit, TimeRules, Warning};
use crate::{Author, GridId, Instant, Invalid, RecordId, Role};

/// The standard's event classes and the local ones from the glossary.
pub const CATEGORIES: [&str; 13] = [
    "市容环境",
    "宣传广告",
    "施工管理",
    "街面秩序",
    "突发事件",
    "其他",
    "物业",
    "电梯",
    "停车",
    "供水",
    "噪音",
    "邻里纠纷",
    "安全隐患",
];

pub fn parse_category(s: &str) -> Result<String, Invalid> {
    let s = s.trim();
    if CATEGORIES.contains(&s) {
        Ok(s.to_owned())
    } else {
        Err(Invalid::new(
            "category",
            text!("未知事件类别 \"{s}\"", "unknown category \"{s}\""),
            text!("可用类别：{}", "categories: {}", CATEGORIES.join("、")),
        ))
    }
}

/// How urgent the reporter judged an issue: 1 (low) to 3 (high).
pub const URGENCY: std::ops::RangeInclusive<u8> = 1..=3;

/// Response grade, chosen by the street at dispatch; sets the deadline.
/// Serialised by its key, as a row of the time-limit table names it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Grade {
    Urgent,
    Normal,
    Minor,
}

impl Grade {
    pub fn key(self) -> &'static str {
        match self {
            Grade::Urgent => "urgent",
            Grade::Normal => "normal",
            Grade::Minor => "minor",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Grade::Urgent => "紧急",
            Grade::Normal => "一般",
            Grade::Minor => "轻微",
        }
    }
    pub fn parse(s: &str) -> Result<Grade, Invalid> {
        match s.trim() {
            "urgent" | "紧急" => Ok(Grade::Urgent),
            "normal" | "一般" => Ok(Grade::Normal),
            "minor" | "轻微" => Ok(Grade::Minor),
            other => Err(Invalid::new(
                "grade",
                text!("未知等级 \"{other}\"", "unknown grade \"{other}\""),
                text!(
                    "请用 urgent/紧急、normal/一般、minor/轻微",
                    "use urgent/紧急, normal/一般 or minor/轻微"
                ),
            )),
        }
    }
}

/// Deadlines per grade, counted from dispatch; configurable per street.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    pub urgent: Duration,
    pub normal: Duration,
    pub minor: Duration,
}

impl Default for Deadlines {
    fn default() -> Self {
        Self {
            urgent: Duration::hours(24),
            normal: Duration::days(3),
            minor: Duration::days(7),
        }
    }
}

impl Deadlines {
    pub fn for_grade(&self, g: Grade) -> Duration {
        match g {
            Grade::Urgent => self.urgent,
            Grade::Normal => self.normal,
            Grade::Minor => self.minor,
        }
    }
}

/// One workflow step with what it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueStep {
    Report,
    Accept,
    Reject {
        reason: String,
    },
    Merge {
        into: RecordId,
    },
    Resolve {
        note: String,
    },
    Escalate {
        note: String,
    },
    Dispatch {
        departments: Vec<String>,
        grade: Grade,
    },
    /// Feedback from the author's department.
    Handle {
        feedback: String,
    },
    VerifyClose {
        note: String,
    },
    /// The resident's verdict, recorded at the door by a worker or leader.
    Evaluate {
        satisfied: bool,
        resident: String,
        comment: String,
    },
    /// 申请延期: a department the issue is dispatched to asks for `amount`
    /// more, in the unit of the limit it runs under; one open request at a
    /// time.
    RequestExtension {
        amount: u32,
        reason: String,
    },
    /// 延期审批: street staff approve (the deadline moves by the amount, in
    /// the calendar's working time) or refuse the open request.
    DecideExtension {
        approve: bool,
        note: String,
    },
    /// 缓办: street staff suspend the time limit (the case waits on
    /// something outside the departments' hands). Recorded by street staff
    /// directly: that is the approval governance asks for, and a department
    /// asks for it through its own channels or an extension request. The
    /// limit stays suspended until the issue is handled; a deferred issue is
    /// never due, yellow, red or overdue.
    Defer {
        reason: String,
    },
    /// 核查不通过: the verifying staff find the handling not done and send it
    /// back to the same departments (feedback cleared, deadline unchanged);
    /// it counts against them in the monthly report's "sent back".
    SendBack {
        reason: String,
    },
}

impl IssueStep {
    /// Stable machine name, used in documents and on the command line.
    pub fn key(&self) -> &'static str {
        match self {
            IssueStep::Report => "report",
            IssueStep::Accept => "accept",
            IssueStep::Reject { .. } => "reject",
            IssueStep::Merge { .. } => "merge",
            IssueStep::Resolve { .. } => "resolve",
            IssueStep::Escalate { .. } => "escalate",
            IssueStep::Dispatch { .. } => "dispatch",
            IssueStep::Handle { .. } => "handle",
            IssueStep::VerifyClose { .. } => "close",
            IssueStep::Evaluate { .. } => "evaluate",
            IssueStep::RequestExtension { .. } => "request-extension",
            IssueStep::DecideExtension { .. } => "decide-extension",
            IssueStep::Defer { .. } => "defer",
            IssueStep::SendBack { .. } => "send-back",
        }
    }

    pub fn zh(&self) -> &'static str {
        match self {
            IssueStep::Report => "上报",
            IssueStep::Accept => "受理",
            IssueStep::Reject { .. } => "退回",
            IssueStep::Merge { .. } => "合并",
            IssueStep::Resolve { .. } => "社区办结",
            IssueStep::Escalate { .. } => "吹哨",
            IssueStep::Dispatch { .. } => "派遣",
            IssueStep::Handle { .. } => "处置反馈",
            IssueStep::VerifyClose { .. } => "核查结案",
            IssueStep::Evaluate { .. } => "评价",
            IssueStep::RequestExtension { .. } => "申请延期",
            IssueStep::DecideExtension { .. } => "延期审批",
            IssueStep::Defer { .. } => "缓办",
            IssueStep::SendBack { .. } => "核查不通过",
        }
    }

    /// The free texts this step carries, by their field names in
    /// [`crate::limits::ISSUE_STEP_FIELDS`] (departments as one list).
    pub fn texts(&self) -> Vec<(&'static str, String)> {
        match self {
            IssueStep::Report | IssueStep::Accept | IssueStep::Merge { .. } => vec![],
            IssueStep::Reject { reason } => vec![("reason", reason.clone())],
            IssueStep::Resolve { note }
            | IssueStep::Escalate { note }
            | IssueStep::VerifyClose { note } => vec![("note", note.clone())],
            IssueStep::Dispatch { departments, .. } => {
                let named: Vec<&str> = departments
                    .iter()
                    .map(|d| d.trim())
                    .filter(|d| !d.is_empty())
                    .collect();
                vec![("departments", named.join(","))]
            }
            IssueStep::Handle { feedback } => vec![("feedback", feedback.clone())],
            IssueStep::Evaluate {
                resident, comment, ..
            } => vec![("resident", resident.clone()), ("comment", comment.clone())],
            IssueStep::RequestExtension { reason, .. }
            | IssueStep::Defer { reason }
            | IssueStep::SendBack { reason } => vec![("reason", reason.clone())],
            IssueStep::DecideExtension { note, .. } => vec![("note", note.clone())],
        }
    }

    /// What a new step must carry before it is written: the fields
    /// [`crate::limits::ISSUE_STEP_FIELDS`] requires, and no text longer than
    /// [`crate::MAX_TEXT`]. The fold's own rules (role, state, unit) come after.
    pub fn validate(&self) -> Result<(), Invalid> {
        let texts = self.texts();
        let texts: Vec<(&'static str, &str)> =
            texts.iter().map(|(k, v)| (*k, v.as_str())).collect();
        crate::limits::check_step_texts(crate::limits::issue_step_fields(self.key()), &texts)
    }

    /// The roles the table of DESIGN §3 lets make this step.
    pub fn roles(&self) -> &'static [Role] {
        match self {
            IssueStep::Report => &[
                Role::GridWorker,
                Role::JointLeader,
                Role::CommunityStaff,
                Role::StreetStaff,
            ],
            IssueStep::Accept
            | IssueStep::Reject { .. }
            | IssueStep::Merge { .. }
            | IssueStep::Resolve { .. }
            | IssueStep::Escalate { .. }
            | IssueStep::VerifyClose { .. } => &[Role::CommunityStaff],
            IssueStep::Dispatch { .. } => &[Role::StreetStaff],
            IssueStep::Handle { .. } => &[Role::DepartmentLiaison],
            IssueStep::Evaluate { .. } => {
                &[Role::GridWorker, Role::JointLeader, Role::CommunityStaff]
            }
            IssueStep::RequestExtension { .. } => &[Role::DepartmentLiaison],
            IssueStep::DecideExtension { .. } | IssueStep::Defer { .. } => &[Role::StreetStaff],
            // The community verifies on site; the street may verify what it
            // dispatched, and both may find it not done.
            IssueStep::SendBack { .. } => &[Role::CommunityStaff, Role::StreetStaff],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueEvent {
    pub id: RecordId,
    pub at: Instant,
    pub author: Author,
    pub step: IssueStep,
}

/// Where an issue stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    Reported,
    Accepted,
    Rejected,
    Merged,
    Resolved,
    Escalated,
    Dispatched,
    Handled,
    Closed,
    Evaluated,
}

/// The one rule for "overdue" (超期): dispatched, and `now` is past the
/// deadline of its grade. Lists, Today, the CLI and the app all ask this.
pub fn overdue(stage: Option<Stage>, deadline: Option<Instant>, now: Instant) -> bool {
    matches!(stage, Some(Stage::Dispatched)) && deadline.is_some_and(|d| now > d)
}

/// The stages in which [`overdue`] can hold, found by asking the rule with
/// the earliest deadline at the latest time, so a store can read only those
/// issues without keeping a second copy of the rule.
pub fn stages_that_can_be_overdue() -> Vec<Stage> {
    Stage::ALL
        .into_iter()
        .filter(|s| overdue(Some(*s), Some(Instant::MIN_UTC), Instant::MAX_UTC))
        .collect()
}

impl Stage {
    pub const ALL: [Stage; 10] = [
        Stage::Reported,
        Stage::Accepted,
        Stage::Rejected,
        Stage::Merged,
        Stage::Resolved,
        Stage::Escalated,
        Stage::Dispatched,
        Stage::Handled,
        Stage::Closed,
        Stage::Evaluated,
    ];
    pub fn key(self) -> &'static str {
        match self {
            Stage::Reported => "reported",
            Stage::Accepted => "accepted",
            Stage::Rejected => "rejected",
            Stage::Merged => "merged",
            Stage::Resolved => "resolved",
            Stage::Escalated => "escalated",
            Stage::Dispatched => "dispatched",
            Stage::Handled => "handled",
            Stage::Closed => "closed",
            Stage::Evaluated => "evaluated",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Stage::Reported => "已上报",
            Stage::Accepted => "已受理",
            Stage::Rejected => "已退回",
            Stage::Merged => "已合并",
            Stage::Resolved => "社区已办结",
            Stage::Escalated => "已吹哨",
            Stage::Dispatched => "已派遣",
            Stage::Handled => "已处置",
            Stage::Closed => "已结案",
            Stage::Evaluated => "已评价",
        }
    }
    pub fn parse(s: &str) -> Result<Stage, Invalid> {
        Stage::ALL
            .into_iter()
            .find(|st| st.key() == s.trim() || st.zh() == s.trim())
            .ok_or_else(|| {
                let keys: Vec<_> = Stage::ALL.iter().map(|s| s.key()).collect();
                Invalid::new(
                    "state",
                    text!("未知状态 \"{s}\"", "unknown state \"{s}\""),
                    text!("可用：{}", "use: {}", keys.join(", ")),
                )
            })
    }
}

/// An issue record: what was reported, plus its events.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    pub id: RecordId,
    pub grid: GridId,
    pub category: String,
    pub description: String,
    pub location: String,
    pub household: Option<RecordId>,
    /// 1 (low) to 3 (high), as the reporter judged it.
    pub urgency: u8,
    pub reporter: String,
    pub reported_at: Instant,
    pub events: Vec<IssueEvent>,
}

impl Issue {
    pub fn validate(&self) -> Result<(), Invalid> {
        parse_category(&self.category)?;
        crate::check_length("description", &self.description)?;
        crate::check_length("location", &self.location)?;
        if self.description.trim().is_empty() {
            return Err(Invalid::new(
                "description",
                text!("事件描述为空", "the description is empty"),
                text!("请描述看到的问题", "describe what you saw"),
            ));
        }
        if !URGENCY.contains(&self.urgency) {
            return Err(Invalid::new(
                "urgency",
                Text::new(
                    format!("紧急程度 {} 超出范围", self.urgency),
                    format!("urgency {} is out of range", self.urgency),
                ),
                text!("请填 1（低）到 3（高）", "use 1 low to 3 high"),
            ));
        }
        Ok(())
    }

    /// The fold of the issue's events under the default deadlines.
    pub fn state(&self) -> IssueState {
        self.state_with(&crate::StreetLimits::default())
    }

    /// The fold under a street's own limits ([`crate::StreetLimits`]: its
    /// grade deadlines, time-limit table and working calendar), as the hub
    /// last sent them.
    pub fn state_with(&self, limits: &crate::StreetLimits) -> IssueState {
        IssueState::fold_with(
            &self.events,
            self.grid.community().as_str(),
            limits.rules(&self.category),
        )
    }
}

/// What became of one event in the fold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub event: RecordId,
    /// `None` when applied; the reason when refused.
    pub refused: Option<Text>,
}

/// The fold of an issue's events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueState {
    /// `None` until a valid report event is folded.
    pub stage: Option<Stage>,
    /// The community code whose staff may take community steps.
    pub community: String,
    pub departments: Vec<String>,
    /// Feedback per department, in the order it arrived.
    pub feedback: BTreeMap<String, String>,
    pub grade: Option<Grade>,
    pub dispatched_at: Option<Instant>,
    pub deadline: Option<Instant>,
    pub merged_into: Option<RecordId>,
    pub closed_at: Option<Instant>,
    pub satisfied: Option<bool>,
    pub reopened: u32,
    /// The limit the running dispatch counts under (its grade's row).
    pub limit: Option<Limit>,
    /// The open extension request: the department and the amount asked.
    pub extension_requested: Option<(String, u32)>,
    /// Extensions approved in the running dispatch.
    pub extensions: u32,
    /// Under deferral (缓办): no limit runs, so `deadline` is `None` (every
    /// "overdue" asks it) and the one it had is kept here.
    pub deferred: bool,
    pub deferred_deadline: Option<Instant>,
    /// Send-backs after a failed verification (核查不通过), over its life.
    pub sent_back: u32,
    /// Every event, in fold order, applied or refused with a reason.
    pub outcomes: Vec<Outcome>,
    /// The limits and calendar the fold counted with, kept for
    /// [`IssueState::warning`] and [`IssueState::would_accept`].
    pub rules: TimeRules,
}

impl IssueState {
    /// Folds the events of an issue in `community` (the community of its
    /// grid) under calendar-hour `deadlines`.
    pub fn fold(events: &[IssueEvent], community: &str, deadlines: &Deadlines) -> IssueState {
        Self::fold_with(events, community, TimeRules::from(deadlines))
    }

    /// Folds the events under `rules` (the issue category's limits).
    pub fn fold_with(events: &[IssueEvent], community: &str, rules: TimeRules) -> IssueState {
        let mut ordered: Vec<&IssueEvent> = events.iter().collect();
        ordered.sort_by_key(|e| (e.at, e.id));
        let mut s = IssueState {
            stage: None,
            community: community.to_owned(),
            departments: Vec::new(),
            feedback: BTreeMap::new(),
            grade: None,
            dispatched_at: None,
            deadline: None,
            merged_into: None,
            closed_at: None,
            satisfied: None,
            reopened: 0,
            limit: None,
            extension_requested: None,
            extensions: 0,
            deferred: false,
            deferred_deadline: None,
            sent_back: 0,
            outcomes: Vec::with_capacity(ordered.len()),
            rules,
        };
        for e in ordered {
            let refused = s.apply(e).err();
            s.outcomes.push(Outcome {
                event: e.id,
                refused,
            });
        }
        s
    }

    /// Applies one event or says why the rules refuse it (changing nothing).
    fn apply(&mut self, e: &IssueEvent) -> Result<(), Text> {
        use IssueStep as S;
        use Stage::*;
        if !e.step.roles().contains(&e.author.role) {
            return Err(Text::new(
                format!("{} 不能{}", e.author.role.zh(), e.step.zh()),
                format!("role {} may not {}", e.author.role, e.step.key()),
            ));
        }
        let stage = self.stage;
        let wrong_state = || match stage {
            Some(st) => Text::new(
                format!("事件{}，不能{}", st.zh(), e.step.zh()),
                format!("cannot {} an issue that is {}", e.step.key(), st.key()),
            ),
            None => Text::new(
                format!("事件尚未上报，不能{}", e.step.zh()),
                format!("cannot {} an issue that was never reported", e.step.key()),
            ),
        };
        // Community steps must come from the issue's own community.
        if e.author.role == Role::CommunityStaff
            && !matches!(e.step, S::Report)
            && e.author.unit != self.community
        {
            return Err(Text::new(
                format!(
                    "社区 {} 不是本事件所在的社区 {}",
                    e.author.unit, self.community
                ),
                format!(
                    "community {} is not the issue's community {}",
                    e.author.unit, self.community
                ),
            ));
        }
        match (&e.step, stage) {
            (S::Report, None) => self.stage = Some(Reported),
            (S::Report, Some(_)) => return Err(text!("事件已上报", "already reported")),
            (S::Accept, Some(Reported)) => self.stage = Some(Accepted),
            (S::Reject { reason }, Some(Reported)) => {
                if reason.trim().is_empty() {
                    return Err(text!("退回需要说明理由", "a rejection needs a reason"));
                }
                self.stage = Some(Rejected);
            }
            (S::Merge { into }, Some(Reported)) => {
                self.merged_into = Some(*into);
                self.stage = Some(Merged);
            }
            (S::Resolve { .. }, Some(Accepted)) => self.stage = Some(Resolved),
            (S::Escalate { .. }, Some(Accepted)) => self.stage = Some(Escalated),
            (S::Dispatch { departments, grade }, Some(Escalated)) => {
                if departments.is_empty() {
                    return Err(text!(
                        "派遣需要至少一个部门",
                        "dispatch needs at least one department"
                    ));
                }
                let limit = self.rules.for_grade(*grade);
                self.departments = departments.clone();
                self.feedback.clear();
                self.grade = Some(*grade);
                self.dispatched_at = Some(e.at);
                self.deadline = Some(Limit::add(
                    &self.rules.calendar,
                    limit.unit,
                    e.at,
                    limit.amount,
                ));
                self.limit = Some(limit);
                self.extension_requested = None;
                self.extensions = 0;
                self.deferred = false;
                self.deferred_deadline = None;
                self.stage = Some(Dispatched);
            }
            (S::Handle { feedback }, Some(Dispatched)) => {
                if !self.departments.contains(&e.author.unit) {
                    return Err(Text::new(
                        format!("未派遣给{}", e.author.unit),
                        format!("not dispatched to {}", e.author.unit),
                    ));
                }
                self.feedback
                    .insert(e.author.unit.clone(), feedback.clone());
                if self
                    .departments
                    .iter()
                    .all(|d| self.feedback.contains_key(d))
                {
                    // Handled: an open extension request has nothing left to extend.
                    self.extension_requested = None;
                    self.stage = Some(Handled);
                }
            }
            (S::RequestExtension { amount, reason }, Some(Dispatched)) => {
                if !self.departments.contains(&e.author.unit) {
                    return Err(Text::new(
                        format!("未派遣给{}", e.author.unit),
                        format!("not dispatched to {}", e.author.unit),
                    ));
                }
                if self.deferred {
                    return Err(text!(
                        "事件已缓办，时限暂停，无需延期",
                        "the issue is deferred and its limit suspended: nothing to extend"
                    ));
                }
                if let Some((by, asked)) = &self.extension_requested {
                    return Err(Text::new(
                        format!("{by} 已申请延期 {asked}，待街道审批"),
                        format!("{by} has already asked for {asked} more, awaiting the street"),
                    ));
                }
                let unit = self.limit.map_or(LimitUnit::CalendarHours, |l| l.unit);
                let max = unit.max_amount();
                if !(1..=max).contains(amount) {
                    return Err(Text::new(
                        format!("延期 {amount} {}超出范围（1 到 {max}）", unit.zh()),
                        format!(
                            "an extension of {amount} {} is out of range (1 to {max})",
                            unit.key()
                        ),
                    ));
                }
                if reason.trim().is_empty() {
                    return Err(text!("延期需要说明理由", "an extension needs a reason"));
                }
                self.extension_requested = Some((e.author.unit.clone(), *amount));
            }
            (S::DecideExtension { approve, .. }, Some(Dispatched)) => {
                let Some((_, amount)) = self.extension_requested.take() else {
                    return Err(text!(
                        "没有待审批的延期申请",
                        "there is no extension request to decide"
                    ));
                };
                if *approve {
                    let unit = self.limit.map_or(LimitUnit::CalendarHours, |l| l.unit);
                    self.deadline = self
                        .deadline
                        .map(|d| Limit::add(&self.rules.calendar, unit, d, amount));
                    self.extensions += 1;
                }
            }
            (S::Defer { reason }, Some(Dispatched)) => {
                if self.deferred {
                    return Err(text!("事件已缓办", "the issue is already deferred"));
                }
                if reason.trim().is_empty() {
                    return Err(text!("缓办需要说明理由", "a deferral needs a reason"));
                }
                self.deferred = true;
                self.deferred_deadline = self.deadline.take();
                self.extension_requested = None;
            }
            (S::SendBack { reason }, Some(Handled)) => {
                if reason.trim().is_empty() {
                    return Err(text!(
                        "核查不通过需要说明理由",
                        "a failed verification needs a reason"
                    ));
                }
                self.feedback.clear();
                self.sent_back += 1;
                self.stage = Some(Dispatched);
            }
            (S::VerifyClose { .. }, Some(Resolved | Handled)) => {
                self.closed_at = Some(e.at);
                self.stage = Some(Closed);
            }
            (
                S::Evaluate {
                    satisfied,
                    resident,
                    ..
                },
                Some(Closed),
            ) => {
                if resident.trim().is_empty() {
                    return Err(text!("评价需写明居民", "an evaluation names the resident"));
                }
                self.satisfied = Some(*satisfied);
                if *satisfied {
                    self.stage = Some(Evaluated);
                } else {
                    // Unsatisfied: back to the community, as accepted.
                    self.reopened += 1;
                    self.closed_at = None;
                    self.departments.clear();
                    self.feedback.clear();
                    self.grade = None;
                    self.dispatched_at = None;
                    self.deadline = None;
                    self.limit = None;
                    self.extension_requested = None;
                    self.extensions = 0;
                    self.deferred = false;
                    self.deferred_deadline = None;
                    self.stage = Some(Accepted);
                }
            }
            _ => return Err(wrong_state()),
        }
        Ok(())
    }

    /// Past the deadline of its grade and not yet handled ([`overdue`]).
    pub fn is_overdue(&self, now: Instant) -> bool {
        overdue(self.stage, self.deadline, now)
    }

    /// How near its deadline the running limit is at `now` (预警): yellow
    /// and red by the share of the limit used in its unit, overdue by
    /// [`overdue`]; `None` for an issue no limit runs on (not dispatched,
    /// handled, or deferred).
    pub fn warning(&self, now: Instant) -> Warning {
        if self.is_overdue(now) {
            return Warning::Overdue;
        }
        match (self.stage, self.limit, self.dispatched_at, self.deadline) {
            (Some(Stage::Dispatched), Some(l), Some(start), Some(deadline)) => {
                l.warning(&self.rules.calendar, start, deadline, now)
            }
            _ => Warning::None,
        }
    }

    /// The reason an event was refused, if it was.
    pub fn refusal(&self, event: RecordId) -> Option<&Text> {
        self.outcomes
            .iter()
            .find(|o| o.event == event)
            .and_then(|o| o.refused.as_ref())
    }

    /// Whether this step, by this author, at this point, would be accepted.
    /// The UI offers only steps for which this is true.
    pub fn would_accept(&self, author: &Author, step: &IssueStep) -> Result<(), Text> {
        let mut probe = self.clone();
        let e = IssueEvent {
            id: RecordId::max(),
            at: self.last_at(),
            author: author.clone(),
            step: step.clone(),
        };
        probe.apply(&e)
    }

    fn last_at(&self) -> Instant {
        self.dispatched_at.or(self.closed_at).unwrap_or_default()
    }
}

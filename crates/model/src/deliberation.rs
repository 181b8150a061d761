//! Residents' deliberation (居民议事): a topic proposed by residents (through
//! a grid worker or a joint-household leader), the party branch, the owners'
//! committee or the property company; accepted for deliberation or declined;
//! deliberated at a meeting; resolved by a vote; carried out as tasks; fed
//! back to residents; closed. One document per topic, not sensitive.
//!
//! ```text
//! proposed ─accept─▶ accepted ─meeting─▶ met ─resolve (adopted)─▶ resolved ─task─▶ implementing
//!    │                         meeting again ↺ (a vote that fails      │                 │ every task done
//!    │                                          keeps the topic met)    └─feedback─┐ ┌─feedback─┘
//!    │                                                                             ▼ ▼
//!    └─decline (reason)─▶ declined ──────────────close───────────▶ closed ◀─close─ fed back
//! ```
//!
//! The rules the fold keeps, from the practice in governance-facts.md: the
//! notice is on the board at least [`MIN_NOTICE_HOURS`] before the meeting;
//! two thirds of the members expected must be present; a tripartite meeting
//! (三方共议) needs the party organisation, the owners' committee and the
//! property company in the room; a resolution is adopted by more than half
//! of those present; feedback to residents waits until every task is done.
//!
//! As in [`crate::issue`], events are folded in `(at, id)` order, so every
//! replica holding the same events computes the same state, and a step the
//! rules refuse stays in the list with its reason and changes nothing.
//! Proposing is open to grid workers, leaders and community staff; every
//! other step is for staff of the topic's own community (DESIGN §8).

use chrono::Duration;

use crate::issue::Outcome;
use crate::{text, Text};
use crate::{Author, GridId, Instant, Invalid, RecordId, Role};

/// The longest topic title, in characters (at least one is needed).
pub const MAX_TITLE: usize = 60;

/// How long before a meeting its notice must be posted: two days.
pub const MIN_NOTICE_HOURS: i64 = 48;

/// Refuses an unknown name, listing the keys a user may type.
fn unknown(field: &str, problem: Text, keys: &[&str]) -> Invalid {
    let keys = keys.join(", ");
    Invalid::new(field, problem, text!("可用：{keys}", "use: {keys}"))
}

/// Who proposed a topic. A resident is not a user: their topic is entered
/// by a grid worker or a leader, naming them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Proposer {
    Resident,
    PartyBranch,
    OwnersCommittee,
    PropertyCompany,
}

impl Proposer {
    pub const ALL: [Proposer; 4] = [
        Proposer::Resident,
        Proposer::PartyBranch,
        Proposer::OwnersCommittee,
        Proposer::PropertyCompany,
    ];
    pub fn key(self) -> &'static str {
        match self {
            Proposer::Resident => "resident",
            Proposer::PartyBranch => "party-branch",
            Proposer::OwnersCommittee => "owners-committee",
            Proposer::PropertyCompany => "property-company",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Proposer::Resident => "居民",
            Proposer::PartyBranch => "党支部",
            Proposer::OwnersCommittee => "业委会",
            Proposer::PropertyCompany => "物业公司",
        }
    }
    /// Reads a key or its Chinese name.
    pub fn parse(s: &str) -> Result<Proposer, Invalid> {
        let s = s.trim();
        Proposer::ALL
            .into_iter()
            .find(|p| p.key() == s || p.zh() == s)
            .ok_or_else(|| {
                unknown(
                    "proposer",
                    text!("未知提议方 \"{s}\"", "unknown proposer \"{s}\""),
                    &Proposer::ALL.map(Proposer::key),
                )
            })
    }
}

/// The bodies a meeting's attendance is counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MemberType {
    PartyOrganisation,
    ResidentsCommittee,
    ResidentRepresentatives,
    OwnersCommittee,
    PropertyCompany,
}

impl MemberType {
    pub const ALL: [MemberType; 5] = [
        MemberType::PartyOrganisation,
        MemberType::ResidentsCommittee,
        MemberType::ResidentRepresentatives,
        MemberType::OwnersCommittee,
        MemberType::PropertyCompany,
    ];
    pub fn key(self) -> &'static str {
        match self {
            MemberType::PartyOrganisation => "party-organisation",
            MemberType::ResidentsCommittee => "residents-committee",
            MemberType::ResidentRepresentatives => "resident-representatives",
            MemberType::OwnersCommittee => "owners-committee",
            MemberType::PropertyCompany => "property-company",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            MemberType::PartyOrganisation => "党组织",
            MemberType::ResidentsCommittee => "居委会",
            MemberType::ResidentRepresentatives => "居民代表",
            MemberType::OwnersCommittee => "业委会",
            MemberType::PropertyCompany => "物业公司",
        }
    }
    /// Reads a key or its Chinese name.
    pub fn parse(s: &str) -> Result<MemberType, Invalid> {
        let s = s.trim();
        MemberType::ALL
            .into_iter()
            .find(|m| m.key() == s || m.zh() == s)
            .ok_or_else(|| {
                unknown(
                    "member",
                    text!("未知参会方 \"{s}\"", "unknown member type \"{s}\""),
                    &MemberType::ALL.map(MemberType::key),
                )
            })
    }
}

/// An ordinary deliberation meeting, or the three parties of a compound
/// (party branch, owners' committee, property company) deliberating together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MeetingType {
    Ordinary,
    Tripartite,
}

impl MeetingType {
    pub const ALL: [MeetingType; 2] = [MeetingType::Ordinary, MeetingType::Tripartite];
    pub fn key(self) -> &'static str {
        match self {
            MeetingType::Ordinary => "ordinary",
            MeetingType::Tripartite => "tripartite",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            MeetingType::Ordinary => "议事会",
            MeetingType::Tripartite => "三方共议",
        }
    }
    /// Reads a key or its Chinese name.
    pub fn parse(s: &str) -> Result<MeetingType, Invalid> {
        let s = s.trim();
        MeetingType::ALL
            .into_iter()
            .find(|m| m.key() == s || m.zh() == s)
            .ok_or_else(|| {
                unknown(
                    "meeting_type",
                    text!("未知会议类型 \"{s}\"", "unknown meeting type \"{s}\""),
                    &MeetingType::ALL.map(MeetingType::key),
                )
            })
    }
}

/// How many of one member type were expected at a meeting and how many came.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Attendance {
    pub member: MemberType,
    pub expected: u32,
    pub present: u32,
}

/// One workflow step with what it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopicStep {
    Propose,
    Accept,
    Decline {
        reason: String,
    },
    Meeting {
        held_on: Instant,
        place: String,
        /// When the notice went up on the notice board.
        notice_posted: Instant,
        meeting_type: MeetingType,
        attendance: Vec<Attendance>,
    },
    /// A vote on a resolution at the last meeting; adopted or not.
    Resolve {
        text: String,
        votes_for: u32,
        against: u32,
        abstain: u32,
        /// When the resolution went up on the notice board.
        posted_on: Instant,
    },
    /// An implementation task; its id is minted with the step.
    Task {
        task: RecordId,
        owner: String,
        due: Instant,
        what: String,
    },
    TaskDone {
        task: RecordId,
        note: String,
    },
    /// What residents were told of the outcome.
    Feedback {
        note: String,
    },
    Close,
}

impl TopicStep {
    /// Stable machine name, used in documents and on the command line.
    pub fn key(&self) -> &'static str {
        match self {
            TopicStep::Propose => "propose",
            TopicStep::Accept => "accept",
            TopicStep::Decline { .. } => "decline",
            TopicStep::Meeting { .. } => "meeting",
            TopicStep::Resolve { .. } => "resolve",
            TopicStep::Task { .. } => "task",
            TopicStep::TaskDone { .. } => "task-done",
            TopicStep::Feedback { .. } => "feedback",
            TopicStep::Close => "close",
        }
    }

    pub fn zh(&self) -> &'static str {
        match self {
            TopicStep::Propose => "提出议题",
            TopicStep::Accept => "受理",
            TopicStep::Decline { .. } => "不予受理",
            TopicStep::Meeting { .. } => "召开议事会",
            TopicStep::Resolve { .. } => "表决",
            TopicStep::Task { .. } => "布置落实任务",
            TopicStep::TaskDone { .. } => "完成任务",
            TopicStep::Feedback { .. } => "反馈居民",
            TopicStep::Close => "办结",
        }
    }

    /// The free texts this step carries, by their field names in
    /// [`crate::limits::DELIBERATION_STEP_FIELDS`].
    pub fn texts(&self) -> Vec<(&'static str, &str)> {
        match self {
            TopicStep::Propose | TopicStep::Accept | TopicStep::Close => vec![],
            TopicStep::Decline { reason } => vec![("reason", reason)],
            TopicStep::Meeting { place, .. } => vec![("place", place)],
            TopicStep::Resolve { text, .. } => vec![("text", text)],
            TopicStep::Task { owner, what, .. } => vec![("owner", owner), ("what", what)],
            TopicStep::TaskDone { note, .. } | TopicStep::Feedback { note } => {
                vec![("note", note)]
            }
        }
    }

    /// What a new step must carry before it is written: the fields
    /// [`crate::limits::DELIBERATION_STEP_FIELDS`] requires, and no text
    /// longer than [`crate::MAX_TEXT`]. The fold's own rules come after.
    pub fn validate(&self) -> Result<(), Invalid> {
        crate::limits::check_step_texts(
            crate::limits::deliberation_step_fields(self.key()),
            &self.texts(),
        )
    }

    /// The roles the table of DESIGN §8 lets make this step.
    pub fn roles(&self) -> &'static [Role] {
        match self {
            TopicStep::Propose => &[Role::GridWorker, Role::JointLeader, Role::CommunityStaff],
            TopicStep::Accept
            | TopicStep::Decline { .. }
            | TopicStep::Meeting { .. }
            | TopicStep::Resolve { .. }
            | TopicStep::Task { .. }
            | TopicStep::TaskDone { .. }
            | TopicStep::Feedback { .. }
            | TopicStep::Close => &[Role::CommunityStaff],
        }
    }

    /// The first text the step's table requires that is blank, said as
    /// [`crate::limits`] says it, so the fold refuses what a form would.
    fn blank_required(&self) -> Option<Text> {
        let fields = crate::limits::deliberation_step_fields(self.key());
        self.texts().into_iter().find_map(|(name, value)| {
            let f = fields.iter().find(|f| f.name == name && f.required)?;
            let (zh, en) = (f.zh, f.en);
            value
                .trim()
                .is_empty()
                .then(|| text!("这一步需要填写{zh}", "this step needs {en}"))
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicEvent {
    pub id: RecordId,
    pub at: Instant,
    pub author: Author,
    pub step: TopicStep,
}

/// Where a topic stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TopicStage {
    Proposed,
    Accepted,
    Declined,
    Met,
    Resolved,
    Implementing,
    FedBack,
    Closed,
}

impl TopicStage {
    pub const ALL: [TopicStage; 8] = [
        TopicStage::Proposed,
        TopicStage::Accepted,
        TopicStage::Declined,
        TopicStage::Met,
        TopicStage::Resolved,
        TopicStage::Implementing,
        TopicStage::FedBack,
        TopicStage::Closed,
    ];
    pub fn key(self) -> &'static str {
        match self {
            TopicStage::Proposed => "proposed",
            TopicStage::Accepted => "accepted",
            TopicStage::Declined => "declined",
            TopicStage::Met => "met",
            TopicStage::Resolved => "resolved",
            TopicStage::Implementing => "implementing",
            TopicStage::FedBack => "fed-back",
            TopicStage::Closed => "closed",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            TopicStage::Proposed => "已提议",
            TopicStage::Accepted => "已受理",
            TopicStage::Declined => "未受理",
            TopicStage::Met => "已开会",
            TopicStage::Resolved => "已形成决议",
            TopicStage::Implementing => "落实中",
            TopicStage::FedBack => "已反馈",
            TopicStage::Closed => "已办结",
        }
    }
    /// Reads a key or its Chinese name.
    pub fn parse(s: &str) -> Result<TopicStage, Invalid> {
        let s = s.trim();
        TopicStage::ALL
            .into_iter()
            .find(|st| st.key() == s || st.zh() == s)
            .ok_or_else(|| {
                unknown(
                    "state",
                    text!("未知议题状态 \"{s}\"", "unknown topic state \"{s}\""),
                    &TopicStage::ALL.map(TopicStage::key),
                )
            })
    }
}

/// A deliberation topic: what was proposed, by whom, plus its events.
#[derive(Debug, Clone, PartialEq)]
pub struct Topic {
    pub id: RecordId,
    /// The proposer's grid; the topic belongs to its community.
    pub grid: GridId,
    /// The household of the resident who proposed it, when a grid worker or
    /// a leader enters a resident's topic. A leader's proposal names one of
    /// their linked households: their scope is households, so this is what
    /// places the topic in it (see `permission::check`).
    pub household: Option<RecordId>,
    pub title: String,
    pub description: String,
    pub proposer: Proposer,
    /// The resident or body as written on the proposal.
    pub proposer_name: String,
    /// The user who entered the topic.
    pub submitted_by: String,
    pub proposed_at: Instant,
    pub events: Vec<TopicEvent>,
}

impl Topic {
    pub fn validate(&self) -> Result<(), Invalid> {
        let n = self.title.trim().chars().count();
        if n == 0 || n > MAX_TITLE {
            return Err(Invalid::new(
                "title",
                text!(
                    "议题标题应为 1 到 {MAX_TITLE} 个字",
                    "a title is 1 to {MAX_TITLE} characters"
                ),
                text!(
                    "请简短写明议题，如 \"小区加装电动车充电桩\"",
                    "say briefly what is to be deliberated"
                ),
            ));
        }
        crate::check_length("description", &self.description)?;
        if self.description.trim().is_empty() {
            return Err(Invalid::new(
                "description",
                text!("议题内容为空", "the description is empty"),
                text!(
                    "请写明要商议的具体事项和理由",
                    "say what is to be deliberated and why"
                ),
            ));
        }
        crate::check_length("proposer_name", &self.proposer_name)?;
        if self.proposer_name.trim().is_empty() {
            return Err(Invalid::new(
                "proposer_name",
                text!("未写明提议人", "the proposer is not named"),
                text!(
                    "议题须署名：写明提议的居民或单位",
                    "a topic is signed: name the resident or body proposing it"
                ),
            ));
        }
        Ok(())
    }

    pub fn state(&self) -> TopicState {
        TopicState::fold(&self.events, self.grid.community().as_str())
    }
}

/// The last meeting a topic had, with its totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub held_on: Instant,
    pub place: String,
    pub notice_posted: Instant,
    pub meeting_type: MeetingType,
    pub attendance: Vec<Attendance>,
    pub expected: u64,
    pub present: u64,
}

/// The last vote on a resolution, adopted or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    pub text: String,
    pub votes_for: u32,
    pub against: u32,
    pub abstain: u32,
    pub posted_on: Instant,
    /// More than half of those present at the meeting voted for it.
    pub adopted: bool,
}

/// An implementation task of an adopted resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub id: RecordId,
    pub owner: String,
    pub what: String,
    pub due: Instant,
    pub done_at: Option<Instant>,
    /// What was done, once it is.
    pub note: Option<String>,
}

/// The fold of a topic's events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicState {
    /// `None` until a valid propose event is folded.
    pub stage: Option<TopicStage>,
    /// The community code whose staff take the topic's steps.
    pub community: String,
    /// When the propose step was recorded.
    pub proposed_at: Option<Instant>,
    pub accepted_at: Option<Instant>,
    pub decline_reason: Option<String>,
    pub meeting: Option<Meeting>,
    /// Meetings held on the topic.
    pub meetings: u32,
    pub resolution: Option<Resolution>,
    /// Votes that did not pass.
    pub votes_failed: u32,
    /// The last meeting has voted: a failed vote needs a new meeting.
    pub meeting_voted: bool,
    /// When the adopted resolution was recorded.
    pub resolved_at: Option<Instant>,
    pub tasks: Vec<Task>,
    pub feedback: Option<String>,
    pub fed_back_at: Option<Instant>,
    pub closed_at: Option<Instant>,
    /// Every event, in fold order, applied or refused with a reason.
    pub outcomes: Vec<Outcome>,
}

impl TopicState {
    /// Folds the events of a topic in `community` (the community of its grid).
    pub fn fold(events: &[TopicEvent], community: &str) -> TopicState {
        let mut ordered: Vec<&TopicEvent> = events.iter().collect();
        ordered.sort_by_key(|e| (e.at, e.id));
        let mut s = TopicState {
            stage: None,
            community: community.to_owned(),
            proposed_at: None,
            accepted_at: None,
            decline_reason: None,
            meeting: None,
            meetings: 0,
            resolution: None,
            votes_failed: 0,
            meeting_voted: false,
            resolved_at: None,
            tasks: Vec::new(),
            feedback: None,
            fed_back_at: None,
            closed_at: None,
            outcomes: Vec::with_capacity(ordered.len()),
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
    fn apply(&mut self, e: &TopicEvent) -> Result<(), Text> {
        use TopicStage::*;
        use TopicStep as S;
        let role = e.author.role;
        if !e.step.roles().contains(&role) {
            return Err(Text::new(
                format!("{}不能{}", role.zh(), e.step.zh()),
                format!("role {role} may not take the {} step", e.step.key()),
            ));
        }
        // The fold can check a community's staff; a grid worker's or a
        // leader's scope is checked by the permission table before writing.
        if role == Role::CommunityStaff && e.author.unit != self.community {
            return Err(Text::new(
                format!(
                    "社区 {} 不是本议题所在的社区 {}",
                    e.author.unit, self.community
                ),
                format!(
                    "community {} is not the topic's community {}",
                    e.author.unit, self.community
                ),
            ));
        }
        if let Some(blank) = e.step.blank_required() {
            return Err(blank);
        }
        let stage = self.stage;
        let wrong_state = || match stage {
            Some(st) => Text::new(
                format!("议题{}，不能{}", st.zh(), e.step.zh()),
                format!(
                    "a topic that is {} cannot take the {} step",
                    st.key(),
                    e.step.key()
                ),
            ),
            None => Text::new(
                format!("议题尚未提出，不能{}", e.step.zh()),
                format!(
                    "a topic that was never proposed cannot take the {} step",
                    e.step.key()
                ),
            ),
        };
        match (&e.step, stage) {
            (S::Propose, None) => {
                self.proposed_at = Some(e.at);
                self.stage = Some(Proposed);
            }
            (S::Propose, Some(_)) => return Err(text!("议题已提出", "already proposed")),
            (S::Accept, Some(Proposed)) => {
                self.accepted_at = Some(e.at);
                self.stage = Some(Accepted);
            }
            (S::Decline { reason }, Some(Proposed)) => {
                self.decline_reason = Some(reason.clone());
                self.stage = Some(Declined);
            }
            (
                S::Meeting {
                    held_on,
                    place,
                    notice_posted,
                    meeting_type,
                    attendance,
                },
                Some(Accepted | Met),
            ) => {
                let (expected, present) =
                    check_meeting(*held_on, *notice_posted, *meeting_type, attendance)?;
                self.meeting_voted = false;
                self.meeting = Some(Meeting {
                    held_on: *held_on,
                    place: place.clone(),
                    notice_posted: *notice_posted,
                    meeting_type: *meeting_type,
                    attendance: attendance.clone(),
                    expected,
                    present,
                });
                self.meetings += 1;
                self.stage = Some(Met);
            }
            (
                S::Resolve {
                    text,
                    votes_for,
                    against,
                    abstain,
                    posted_on,
                },
                Some(Met),
            ) => {
                let Some(meeting) = &self.meeting else {
                    return Err(wrong_state());
                };
                if self.meeting_voted {
                    return Err(text!(
                        "本次议事会已表决未通过；请先召开新的议事会再表决",
                        "this meeting has already voted and the resolution was not adopted: hold a new meeting first"
                    ));
                }
                let present = meeting.present;
                let cast = u64::from(*votes_for) + u64::from(*against) + u64::from(*abstain);
                if cast > present {
                    return Err(Text::new(
                        format!("表决票数 {cast} 多于出席人数 {present}"),
                        format!(
                            "a vote tally of {cast} is larger than the attendance of {present}"
                        ),
                    ));
                }
                if *posted_on < meeting.held_on {
                    return Err(text!(
                        "决议公示时间早于议事会召开时间",
                        "the resolution is posted before the meeting that voted on it"
                    ));
                }
                // A majority of those present, not of the votes cast: an
                // abstention or a member who did not vote counts against.
                let adopted = 2 * u64::from(*votes_for) > present;
                self.resolution = Some(Resolution {
                    text: text.clone(),
                    votes_for: *votes_for,
                    against: *against,
                    abstain: *abstain,
                    posted_on: *posted_on,
                    adopted,
                });
                self.meeting_voted = true;
                if adopted {
                    self.resolved_at = Some(e.at);
                    self.stage = Some(Resolved);
                } else {
                    self.votes_failed += 1;
                }
            }
            (
                S::Task {
                    task,
                    owner,
                    due,
                    what,
                },
                Some(Resolved | Implementing),
            ) => {
                if self.tasks.iter().any(|t| t.id == *task) {
                    return Err(Text::new(
                        format!("任务 {task} 已存在"),
                        format!("task {task} already exists"),
                    ));
                }
                if let Some(resolved) = self.resolved_at.filter(|r| *due <= *r) {
                    let (due, resolved) = (crate::fmt_time(*due), crate::fmt_time(resolved));
                    return Err(text!(
                        "任务期限 {due} 不晚于决议形成时间 {resolved}，期限应在决议之后",
                        "the task is due {due}, not after the resolution of {resolved}; a task is due after it"
                    ));
                }
                self.tasks.push(Task {
                    id: *task,
                    owner: owner.clone(),
                    what: what.clone(),
                    due: *due,
                    done_at: None,
                    note: None,
                });
                self.stage = Some(Implementing);
            }
            (S::TaskDone { task, note }, Some(Implementing)) => {
                let Some(t) = self.tasks.iter_mut().find(|t| t.id == *task) else {
                    return Err(Text::new(
                        format!("本议题没有任务 {task}"),
                        format!("the topic has no task {task}"),
                    ));
                };
                if t.done_at.is_some() {
                    return Err(Text::new(
                        format!("任务 {task} 已完成"),
                        format!("task {task} is already done"),
                    ));
                }
                t.done_at = Some(e.at);
                t.note = Some(note.clone());
            }
            (S::Feedback { note }, Some(Resolved | Implementing)) => {
                let open = self.tasks.iter().filter(|t| t.done_at.is_none()).count();
                if open > 0 {
                    return Err(text!(
                        "还有 {open} 项任务未完成，全部完成后再反馈居民",
                        "not every task is done ({open} open); feed back when every task is done"
                    ));
                }
                self.feedback = Some(note.clone());
                self.fed_back_at = Some(e.at);
                self.stage = Some(FedBack);
            }
            (S::Close, Some(FedBack | Declined)) => {
                self.closed_at = Some(e.at);
                self.stage = Some(Closed);
            }
            (S::Close, Some(Resolved | Implementing)) => {
                return Err(text!(
                    "须先向居民反馈落实情况，才能办结",
                    "feed the outcome back to residents before closing"
                ))
            }
            _ => return Err(wrong_state()),
        }
        Ok(())
    }

    /// Tasks past their due date and not done ([`task_overdue`]).
    pub fn overdue_tasks(&self, now: Instant) -> usize {
        self.tasks
            .iter()
            .filter(|t| t.done_at.is_none() && task_overdue(t.due, now))
            .count()
    }

    /// The due dates of the tasks not yet done, earliest first.
    pub fn open_task_dues(&self) -> Vec<Instant> {
        let mut dues: Vec<Instant> = self
            .tasks
            .iter()
            .filter(|t| t.done_at.is_none())
            .map(|t| t.due)
            .collect();
        dues.sort();
        dues
    }

    /// Whether every task was done by its due date: `Some` once every task is
    /// done, `None` while one is open or when there are none.
    pub fn implemented_on_time(&self) -> Option<bool> {
        if self.tasks.is_empty() {
            return None;
        }
        self.tasks
            .iter()
            .map(|t| t.done_at.map(|d| d <= t.due))
            .collect::<Option<Vec<bool>>>()
            .map(|on_time| on_time.into_iter().all(|ok| ok))
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
    pub fn would_accept(&self, author: &Author, step: &TopicStep) -> Result<(), Text> {
        let mut probe = self.clone();
        let e = TopicEvent {
            id: RecordId::max(),
            at: self.last_at(),
            author: author.clone(),
            step: step.clone(),
        };
        probe.apply(&e)
    }

    /// The latest instant the fold recorded; no rule compares a new step's
    /// own time with it, so a probe at this time decides as one made now.
    fn last_at(&self) -> Instant {
        [
            self.proposed_at,
            self.accepted_at,
            self.resolved_at,
            self.fed_back_at,
            self.closed_at,
        ]
        .into_iter()
        .chain(self.tasks.iter().map(|t| t.done_at))
        .flatten()
        .max()
        .unwrap_or_default()
    }
}

/// A meeting's notice, attendance and quorum; its (expected, present) totals.
fn check_meeting(
    held_on: Instant,
    notice_posted: Instant,
    meeting_type: MeetingType,
    attendance: &[Attendance],
) -> Result<(u64, u64), Text> {
    let notice = held_on.signed_duration_since(notice_posted);
    if notice < Duration::zero() {
        return Err(text!(
            "通知在开会之后才张贴，应至少提前 {MIN_NOTICE_HOURS} 小时（2 天）",
            "the notice was posted after the meeting; it goes up at least {MIN_NOTICE_HOURS} hours (2 days) before"
        ));
    }
    if notice < Duration::hours(MIN_NOTICE_HOURS) {
        let hours = notice.num_hours();
        return Err(text!(
            "通知只提前 {hours} 小时张贴，应至少提前 {MIN_NOTICE_HOURS} 小时（2 天）",
            "the notice went up only {hours} hours before the meeting; it goes up at least {MIN_NOTICE_HOURS} hours (2 days) before"
        ));
    }
    for (i, a) in attendance.iter().enumerate() {
        let (zh, key) = (a.member.zh(), a.member.key());
        if attendance[..i].iter().any(|b| b.member == a.member) {
            return Err(text!(
                "{zh}登记了两次，每类参会方只登记一次",
                "{key} is listed twice; list each member type once"
            ));
        }
        let (expected, present) = (a.expected, a.present);
        if present > expected {
            return Err(text!(
                "{zh}实到 {present} 人，多于应到 {expected} 人",
                "{key}: {present} present but only {expected} expected"
            ));
        }
    }
    let expected: u64 = attendance.iter().map(|a| u64::from(a.expected)).sum();
    let present: u64 = attendance.iter().map(|a| u64::from(a.present)).sum();
    if expected == 0 {
        return Err(text!(
            "未登记出席情况：请按参会方填写应到和实到人数",
            "no attendance recorded: give who was expected and who came, by member type"
        ));
    }
    // Two thirds, in integers so that 6 of 9 is exactly a quorum.
    if 3 * present < 2 * expected {
        let need = (2 * expected).div_ceil(3);
        return Err(text!(
            "实到 {present} 人，不足应到 {expected} 人的三分之二（至少 {need} 人）",
            "{present} of {expected} present, short of the two-thirds quorum ({need} needed)"
        ));
    }
    if meeting_type == MeetingType::Tripartite {
        let missing: Vec<MemberType> = [
            MemberType::PartyOrganisation,
            MemberType::OwnersCommittee,
            MemberType::PropertyCompany,
        ]
        .into_iter()
        .filter(|m| !attendance.iter().any(|a| a.member == *m && a.present >= 1))
        .collect();
        if !missing.is_empty() {
            let zh: Vec<&str> = missing.iter().map(|m| m.zh()).collect();
            let en: Vec<&str> = missing.iter().map(|m| m.key()).collect();
            let (zh, en) = (zh.join("、"), en.join(", "));
            return Err(text!(
                "三方共议需要党组织、业委会和物业公司都有人出席，缺少：{zh}",
                "a tripartite meeting needs the party organisation, the owners' committee and the property company present; missing: {en}"
            ));
        }
    }
    Ok((expected, present))
}

/// The one rule for an overdue task (超期): not done and past its due date.
/// The fold, the lists, the figures, the CLI and the app ask it.
pub fn task_overdue(due: Instant, now: Instant) -> bool {
    due < now
}

/// What one topic adds to the figures: the projection keeps these per topic,
/// so the dashboard sums rows instead of folding every document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicFacts {
    /// The topic's own date, from which the days to resolution count.
    pub proposed_at: Instant,
    pub accepted: bool,
    /// When the adopted resolution was recorded.
    pub resolved_at: Option<Instant>,
    /// [`TopicState::implemented_on_time`].
    pub implemented_on_time: Option<bool>,
    /// [`TopicState::open_task_dues`].
    pub open_task_dues: Vec<Instant>,
}

impl TopicFacts {
    /// `None` for a topic that was never validly proposed.
    pub fn of(topic: &Topic, s: &TopicState) -> Option<TopicFacts> {
        s.stage?;
        Some(TopicFacts {
            proposed_at: topic.proposed_at,
            accepted: s.accepted_at.is_some(),
            resolved_at: s.resolved_at,
            implemented_on_time: s.implemented_on_time(),
            open_task_dues: s.open_task_dues(),
        })
    }
}

/// What the community's deliberation achieved, counted over topics only:
/// never over people, who are not ranked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeliberationFigures {
    /// Topics with a valid proposal.
    pub raised: usize,
    /// Topics ever accepted for deliberation.
    pub accepted: usize,
    /// Topics that reached an adopted resolution.
    pub resolved: usize,
    /// Topics whose every task was done by its due date.
    pub implemented_on_time: usize,
    /// Median days from the proposal (the topic's date) to the adopted resolution.
    pub median_days_to_resolution: Option<f64>,
    /// Implementation tasks not done and past their due date, as of `now`.
    pub overdue_tasks: usize,
}

impl DeliberationFigures {
    /// Counts over topics (with their folds) as of `now`.
    pub fn of<'a>(
        states: impl IntoIterator<Item = (&'a Topic, &'a TopicState)>,
        now: Instant,
    ) -> Self {
        DeliberationFigures::of_facts(
            states.into_iter().filter_map(|(t, s)| TopicFacts::of(t, s)),
            now,
        )
    }

    /// Counts over the facts of each topic as of `now`.
    pub fn of_facts(facts: impl IntoIterator<Item = TopicFacts>, now: Instant) -> Self {
        let mut f = DeliberationFigures::default();
        let mut days = Vec::new();
        for t in facts {
            f.raised += 1;
            f.accepted += usize::from(t.accepted);
            if let Some(resolved) = t.resolved_at {
                f.resolved += 1;
                let waited = resolved.signed_duration_since(t.proposed_at);
                days.push(waited.num_milliseconds() as f64 / 86_400_000.0);
            }
            f.implemented_on_time += usize::from(t.implemented_on_time == Some(true));
            f.overdue_tasks += t
                .open_task_dues
                .iter()
                .filter(|due| task_overdue(**due, now))
                .count();
        }
        days.sort_by(f64::total_cmp);
        let n = days.len();
        f.median_days_to_resolution = match n {
            0 => None,
            _ if n % 2 == 1 => Some(days[n / 2]),
            _ => Some((days[n / 2 - 1] + days[n / 2]) / 2.0),
        };
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::{deliberation_step_fields, DELIBERATION_STEP_FIELDS};
    use crate::CommunityCode;
    use chrono::{TimeZone, Utc};
    use proptest::prelude::*;

    const COMMUNITY: &str = "522701001001";

    fn grid() -> GridId {
        GridId::new(&CommunityCode::parse(COMMUNITY).unwrap(), 1)
    }
    fn t(hours: i64) -> Instant {
        Utc.with_ymd_and_hms(2026, 11, 1, 8, 0, 0).unwrap() + Duration::hours(hours)
    }
    fn day(d: i64) -> Instant {
        t(24 * d)
    }
    fn id(n: u128) -> RecordId {
        RecordId::from_u128(n)
    }
    fn who(user: &str, role: Role, unit: &str) -> Author {
        Author {
            user: user.into(),
            role,
            unit: unit.into(),
        }
    }
    fn worker() -> Author {
        who("gw1", Role::GridWorker, "")
    }
    fn leader() -> Author {
        who("jl1", Role::JointLeader, "")
    }
    fn staff() -> Author {
        who("cs1", Role::CommunityStaff, COMMUNITY)
    }
    fn other_staff() -> Author {
        who("cs2", Role::CommunityStaff, "522701001002")
    }
    /// Every author the rules tell apart, named for the assertions.
    fn everyone() -> Vec<(&'static str, Author)> {
        vec![
            ("grid worker", worker()),
            ("leader", leader()),
            ("community staff", staff()),
            ("another community's staff", other_staff()),
            ("street staff", who("ss1", Role::StreetStaff, "522701001")),
            ("department", who("dep", Role::DepartmentLiaison, "城管")),
            ("admin", who("admin", Role::Admin, "")),
            ("hub", who("hub", Role::Hub, "")),
        ]
    }

    fn ev(n: u128, at: Instant, author: &Author, step: TopicStep) -> TopicEvent {
        TopicEvent {
            id: id(n),
            at,
            author: author.clone(),
            step,
        }
    }
    fn fold(events: &[TopicEvent]) -> TopicState {
        TopicState::fold(events, COMMUNITY)
    }

    use MemberType::*;

    fn meeting(
        held_on: Instant,
        notice_hours: i64,
        meeting_type: MeetingType,
        rows: &[(MemberType, u32, u32)],
    ) -> TopicStep {
        TopicStep::Meeting {
            held_on,
            place: "社区党群服务中心".into(),
            notice_posted: held_on - Duration::hours(notice_hours),
            meeting_type,
            attendance: rows
                .iter()
                .map(|&(member, expected, present)| Attendance {
                    member,
                    expected,
                    present,
                })
                .collect(),
        }
    }
    /// Nine expected, seven present: a quorum.
    fn ordinary(held_on: Instant) -> TopicStep {
        meeting(
            held_on,
            72,
            MeetingType::Ordinary,
            &[
                (PartyOrganisation, 1, 1),
                (ResidentsCommittee, 2, 2),
                (ResidentRepresentatives, 6, 4),
            ],
        )
    }
    fn resolve(votes_for: u32, against: u32, abstain: u32, posted_on: Instant) -> TopicStep {
        TopicStep::Resolve {
            text: "加装 12 个电动车充电桩，费用由公共收益列支".into(),
            votes_for,
            against,
            abstain,
            posted_on,
        }
    }
    fn task(n: u128, due: Instant) -> TopicStep {
        TopicStep::Task {
            task: id(n),
            owner: "物业公司".into(),
            due,
            what: "安装充电桩".into(),
        }
    }
    fn done(n: u128) -> TopicStep {
        TopicStep::TaskDone {
            task: id(n),
            note: "已安装并通电".into(),
        }
    }
    fn feedback() -> TopicStep {
        TopicStep::Feedback {
            note: "已在公告栏公示落实情况".into(),
        }
    }

    /// Proposed on day 0, resolved (5 of 7 present for) on `resolve_day`.
    fn through_resolution(resolve_day: i64) -> Vec<TopicEvent> {
        vec![
            ev(1, t(0), &worker(), TopicStep::Propose),
            ev(2, t(1), &staff(), TopicStep::Accept),
            ev(
                3,
                t(24 * resolve_day - 1),
                &staff(),
                ordinary(t(24 * resolve_day - 1)),
            ),
            ev(
                4,
                day(resolve_day),
                &staff(),
                resolve(5, 1, 1, day(resolve_day)),
            ),
        ]
    }

    /// The whole life of a topic, one step of each kind at least.
    fn full() -> Vec<TopicEvent> {
        let mut e = through_resolution(5);
        e.extend([
            ev(5, day(6), &staff(), task(50, day(20))),
            ev(6, day(6), &staff(), task(51, day(10))),
            ev(7, day(15), &staff(), done(50)),
            ev(8, day(9), &staff(), done(51)),
            ev(9, day(16), &staff(), feedback()),
            ev(10, day(17), &staff(), TopicStep::Close),
        ]);
        e
    }

    /// The reason an event was refused, checked to be said in both languages.
    fn refused(s: &TopicState, n: u128) -> Text {
        let why = s
            .refusal(id(n))
            .unwrap_or_else(|| panic!("event {n} is refused: {:?}", s.outcomes))
            .clone();
        assert!(
            why.zh
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
                && why.en.is_ascii()
                && !why.en.is_empty(),
            "a refusal is said in Chinese and in English, apart: {why:?}"
        );
        why
    }

    fn all_applied(s: &TopicState) -> bool {
        s.outcomes.iter().all(|o| o.refused.is_none())
    }

    fn topic(events: Vec<TopicEvent>) -> Topic {
        Topic {
            id: id(1000),
            grid: grid(),
            household: None,
            title: "小区加装电动车充电桩".into(),
            description: "电动车在楼道充电有火灾隐患，居民提议在小区内集中加装充电桩".into(),
            proposer: Proposer::Resident,
            proposer_name: "邵秀英".into(),
            submitted_by: "gw1".into(),
            proposed_at: t(0),
            events,
        }
    }

    #[test]
    fn a_whole_topic_runs_from_proposal_to_closed_with_nothing_refused() {
        let s = topic(full()).state();
        assert_eq!(
            s.stage,
            Some(TopicStage::Closed),
            "every step by the right role in the right state"
        );
        assert!(all_applied(&s), "nothing refused: {:?}", s.outcomes);
        assert_eq!(s.outcomes.len(), full().len(), "every event is kept");
        let m = s.meeting.as_ref().expect("the meeting is kept");
        assert_eq!((m.expected, m.present), (9, 7), "the meeting's totals");
        let r = s.resolution.as_ref().expect("the resolution is kept");
        assert!(
            r.adopted && (r.votes_for, r.against, r.abstain) == (5, 1, 1),
            "the resolution and its tally are kept: {r:?}"
        );
        assert_eq!(
            (s.proposed_at, s.accepted_at, s.resolved_at, s.closed_at),
            (Some(t(0)), Some(t(1)), Some(day(5)), Some(day(17))),
            "each milestone is dated by its event"
        );
        assert_eq!(s.tasks.len(), 2, "both tasks are kept");
        assert!(
            s.tasks
                .iter()
                .all(|t| t.note.as_deref() == Some("已安装并通电")),
            "each done task keeps its note"
        );
    }

    #[test]
    fn every_step_is_open_to_exactly_the_roles_of_design_8() {
        let chain = full();
        // (step, the events before it, may a grid worker or leader take it)
        let mut cases: Vec<(TopicStep, Vec<TopicEvent>, bool)> = [0, 1, 2, 3, 4, 6, 8, 9]
            .into_iter()
            .map(|k| (chain[k].step.clone(), chain[..k].to_vec(), k == 0))
            .collect();
        cases.push((
            TopicStep::Decline {
                reason: "不属于居民自治事项".into(),
            },
            chain[..1].to_vec(),
            false,
        ));
        let keys: Vec<&str> = cases.iter().map(|(s, ..)| s.key()).collect();
        for step in [
            "propose",
            "accept",
            "decline",
            "meeting",
            "resolve",
            "task",
            "task-done",
            "feedback",
            "close",
        ] {
            assert!(keys.contains(&step), "{step} is among the cases");
        }
        for (step, before, open_to_workers) in cases {
            let s = fold(&before);
            for (name, author) in everyone() {
                let may = match author.role {
                    Role::CommunityStaff => author.unit == COMMUNITY,
                    Role::GridWorker | Role::JointLeader => open_to_workers,
                    _ => false,
                };
                let got = s.would_accept(&author, &step);
                assert_eq!(
                    got.is_ok(),
                    may,
                    "{name} taking {} at {:?}: {got:?}",
                    step.key(),
                    s.stage
                );
                // The fold agrees with the probe.
                let mut events = before.clone();
                events.push(ev(99, day(30), &author, step.clone()));
                let folded = fold(&events);
                assert_eq!(
                    folded.refusal(id(99)).is_none(),
                    may,
                    "{name} taking {} in the fold",
                    step.key()
                );
                if !may {
                    let why = refused(&folded, 99);
                    let said = if author.role == Role::CommunityStaff {
                        author.unit.as_str()
                    } else {
                        author.role.key()
                    };
                    assert!(
                        why.en.contains(said),
                        "the refusal names the role or the community: {why:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_quorum_short_by_one_is_refused_and_exactly_two_thirds_passes() {
        let accepted = through_resolution(5)[..2].to_vec();
        let with = |present: u32| {
            let mut e = accepted.clone();
            e.push(ev(
                3,
                day(4),
                &staff(),
                meeting(
                    day(4),
                    72,
                    MeetingType::Ordinary,
                    &[
                        (ResidentRepresentatives, 6, present),
                        (ResidentsCommittee, 3, 0),
                    ],
                ),
            ));
            fold(&e)
        };
        let short = with(5);
        assert_eq!(
            short.stage,
            Some(TopicStage::Accepted),
            "5 of 9 is short of two thirds: the meeting changes nothing"
        );
        let why = refused(&short, 3);
        assert!(
            why.en.contains("5 of 9") && why.en.contains("6 needed") && why.zh.contains("三分之二"),
            "the refusal says how many came and how many were needed: {why:?}"
        );
        let quorate = with(6);
        assert_eq!(
            quorate.stage,
            Some(TopicStage::Met),
            "6 of 9 is exactly two thirds: a quorum"
        );
        assert_eq!(
            quorate.meeting.as_ref().map(|m| m.present),
            Some(6),
            "the state keeps the meeting's attendance"
        );
    }

    #[test]
    fn a_notice_posted_47_hours_before_is_refused_and_48_hours_passes() {
        let accepted = through_resolution(5)[..2].to_vec();
        let with = |notice_hours: i64| {
            let mut e = accepted.clone();
            e.push(ev(
                3,
                day(4),
                &staff(),
                meeting(
                    day(4),
                    notice_hours,
                    MeetingType::Ordinary,
                    &[(ResidentRepresentatives, 9, 9)],
                ),
            ));
            fold(&e)
        };
        let late = with(47);
        let why = refused(&late, 3);
        assert!(
            why.en.contains("47 hours") && why.zh.contains("48 小时"),
            "the refusal says how early the notice went up and how early it must: {why:?}"
        );
        assert_eq!(
            with(48).stage,
            Some(TopicStage::Met),
            "48 hours is two days"
        );
        let after = with(-1);
        assert!(
            refused(&after, 3).en.contains("after the meeting"),
            "a notice posted after the meeting is named as such"
        );
    }

    #[test]
    fn a_tripartite_meeting_needs_the_party_organisation_owners_committee_and_property_company() {
        let accepted = through_resolution(5)[..2].to_vec();
        let with = |rows: &[(MemberType, u32, u32)]| {
            let mut e = accepted.clone();
            e.push(ev(
                3,
                day(4),
                &staff(),
                meeting(day(4), 72, MeetingType::Tripartite, rows),
            ));
            fold(&e)
        };
        let s = with(&[
            (PartyOrganisation, 2, 2),
            (OwnersCommittee, 3, 3),
            (PropertyCompany, 1, 0),
        ]);
        let why = refused(&s, 3);
        assert!(
            why.en.contains("missing: property-company") && why.zh.contains("缺少：物业公司"),
            "the refusal names the party not in the room: {why:?}"
        );
        let s = with(&[
            (PartyOrganisation, 2, 2),
            (OwnersCommittee, 3, 2),
            (PropertyCompany, 1, 1),
        ]);
        assert_eq!(
            s.stage,
            Some(TopicStage::Met),
            "all three present: {:?}",
            s.outcomes
        );
        assert_eq!(
            s.meeting.map(|m| m.meeting_type),
            Some(MeetingType::Tripartite)
        );
    }

    #[test]
    fn attendance_is_recorded_once_per_member_type_and_present_never_exceeds_expected() {
        let accepted = through_resolution(5)[..2].to_vec();
        let with = |rows: &[(MemberType, u32, u32)]| {
            let mut e = accepted.clone();
            e.push(ev(
                3,
                day(4),
                &staff(),
                meeting(day(4), 72, MeetingType::Ordinary, rows),
            ));
            fold(&e)
        };
        assert!(
            refused(&with(&[]), 3).en.contains("no attendance"),
            "a meeting without attendance is refused"
        );
        assert!(
            refused(&with(&[(ResidentRepresentatives, 0, 0)]), 3)
                .en
                .contains("no attendance"),
            "a meeting nobody was expected at is refused"
        );
        let why = refused(&with(&[(ResidentRepresentatives, 5, 6)]), 3);
        assert!(
            why.en.contains("6 present but only 5 expected") && why.zh.contains("居民代表"),
            "more present than expected is refused, naming the member type: {why:?}"
        );
        assert!(
            refused(
                &with(&[
                    (ResidentRepresentatives, 5, 5),
                    (ResidentRepresentatives, 1, 1)
                ]),
                3
            )
            .en
            .contains("listed twice"),
            "a member type listed twice is refused"
        );
        let mut e = accepted.clone();
        e.push(ev(
            3,
            day(4),
            &staff(),
            TopicStep::Meeting {
                held_on: day(4),
                place: " ".into(),
                notice_posted: day(1),
                meeting_type: MeetingType::Ordinary,
                attendance: vec![Attendance {
                    member: ResidentRepresentatives,
                    expected: 3,
                    present: 3,
                }],
            },
        ));
        assert!(
            refused(&fold(&e), 3).zh.contains("开会地点"),
            "a meeting names its place, as the step's table requires"
        );
    }

    #[test]
    fn a_vote_tally_larger_than_the_attendance_is_refused() {
        let mut e = through_resolution(5);
        e[3] = ev(4, day(5), &staff(), resolve(5, 2, 1, day(5)));
        let s = fold(&e);
        assert_eq!(s.stage, Some(TopicStage::Met), "the tally changed nothing");
        let why = refused(&s, 4);
        assert!(
            why.en
                .contains("tally of 8 is larger than the attendance of 7"),
            "the refusal compares the tally with the attendance: {why:?}"
        );
        e[3] = ev(4, day(5), &staff(), resolve(5, 1, 1, day(3)));
        assert!(
            refused(&fold(&e), 4)
                .en
                .contains("posted before the meeting"),
            "a resolution is posted after the meeting that voted on it"
        );
        e[3] = ev(
            4,
            day(5),
            &staff(),
            TopicStep::Resolve {
                text: String::new(),
                votes_for: 5,
                against: 0,
                abstain: 0,
                posted_on: day(5),
            },
        );
        assert!(
            refused(&fold(&e), 4).zh.contains("决议内容"),
            "a resolution has a text"
        );
    }

    #[test]
    fn a_vote_that_fails_keeps_the_topic_met_and_a_new_meeting_may_follow() {
        let mut e = through_resolution(5);
        // 3 of 7 present is not more than half, though more voted for than against.
        e[3] = ev(4, day(5), &staff(), resolve(3, 2, 2, day(5)));
        let s = fold(&e);
        assert!(
            all_applied(&s),
            "a failing vote is a valid event: {:?}",
            s.outcomes
        );
        assert_eq!(s.stage, Some(TopicStage::Met), "the topic stays met");
        assert_eq!(s.votes_failed, 1, "the failed vote is counted");
        assert_eq!(s.resolved_at, None, "nothing was resolved");
        assert_eq!(
            s.resolution.as_ref().map(|r| r.adopted),
            Some(false),
            "the vote is kept, not adopted"
        );
        assert!(
            s.would_accept(&staff(), &task(50, day(30))).is_err(),
            "no task without an adopted resolution"
        );
        let why = s
            .would_accept(&staff(), &resolve(4, 3, 0, day(6)))
            .expect_err("the same meeting does not vote again");
        assert!(
            why.zh.contains("新的议事会") && why.en.contains("new meeting"),
            "{why:?}"
        );
        e.push(ev(5, day(12), &staff(), ordinary(day(12))));
        e.push(ev(6, day(13), &staff(), resolve(4, 3, 0, day(13))));
        let s = fold(&e);
        assert!(all_applied(&s), "a new meeting and vote: {:?}", s.outcomes);
        assert_eq!(
            (s.stage, s.meetings, s.votes_failed, s.resolved_at),
            (Some(TopicStage::Resolved), 2, 1, Some(day(13))),
            "4 of 7 is more than half: adopted at the second meeting"
        );
    }

    #[test]
    fn tasks_are_done_once_and_count_as_overdue_or_on_time() {
        let chain = full();
        let s = fold(&chain[..6]);
        assert_eq!(s.stage, Some(TopicStage::Implementing), "two tasks set");
        assert_eq!(s.overdue_tasks(day(9)), 0, "nothing due yet on day 9");
        assert_eq!(s.overdue_tasks(day(11)), 1, "task 51 was due on day 10");
        assert_eq!(s.overdue_tasks(day(21)), 2, "both are past due on day 21");
        assert_eq!(s.implemented_on_time(), None, "tasks are open");
        let s = fold(&chain[..8]);
        assert_eq!(s.overdue_tasks(day(30)), 0, "done tasks are never overdue");
        assert_eq!(
            s.implemented_on_time(),
            Some(true),
            "done on days 15 and 9, due on 20 and 10"
        );
        assert_eq!(
            fold(&through_resolution(5)).implemented_on_time(),
            None,
            "no tasks, nothing to be on time with"
        );
        let mut late = chain[..6].to_vec();
        late.push(ev(7, day(15), &staff(), done(50)));
        late.push(ev(8, day(11), &staff(), done(51)));
        assert_eq!(
            fold(&late).implemented_on_time(),
            Some(false),
            "task 51 was done on day 11, due on day 10"
        );
        let mut again = chain[..8].to_vec();
        again.push(ev(20, day(16), &staff(), done(50)));
        again.push(ev(21, day(16), &staff(), done(77)));
        let s = fold(&again);
        assert!(
            refused(&s, 20).en.contains("already done"),
            "a task is done once"
        );
        assert!(
            refused(&s, 21).en.contains("has no task"),
            "an unknown task cannot be done"
        );
        assert_eq!(
            s.tasks
                .iter()
                .find(|t| t.id == id(50))
                .and_then(|t| t.done_at),
            Some(day(15)),
            "the first completion stands"
        );
    }

    #[test]
    fn a_task_is_due_after_the_resolution_and_its_id_is_unique() {
        let mut e = through_resolution(5);
        e.push(ev(5, day(6), &staff(), task(50, day(5))));
        e.push(ev(6, day(6), &staff(), task(51, day(9))));
        e.push(ev(7, day(7), &staff(), task(51, day(12))));
        let s = fold(&e);
        assert!(
            refused(&s, 5).en.contains("due after"),
            "a task due at the resolution is refused"
        );
        assert!(s.refusal(id(6)).is_none(), "a task due later is set");
        assert!(
            refused(&s, 7).en.contains("already exists"),
            "a task id is used once"
        );
        assert_eq!(s.tasks.len(), 1, "only the valid task is kept");
    }

    #[test]
    fn feedback_waits_for_every_task_and_close_waits_for_feedback() {
        let chain = full();
        let mut e = chain[..7].to_vec();
        e.push(ev(30, day(16), &staff(), feedback()));
        let s = fold(&e);
        assert!(
            refused(&s, 30).en.contains("1 open"),
            "feedback with a task open is refused"
        );
        let mut e = chain[..8].to_vec();
        e.push(ev(31, day(16), &staff(), TopicStep::Close));
        let why = refused(&fold(&e), 31);
        assert!(
            why.en.contains("feed the outcome back") && why.zh.contains("反馈"),
            "closing before feedback is refused with what to do: {why:?}"
        );
        let mut e = through_resolution(5);
        e.push(ev(31, day(6), &staff(), TopicStep::Close));
        assert!(
            refused(&fold(&e), 31).en.contains("feed the outcome back"),
            "a resolved topic is also fed back before it closes"
        );
        let mut e = through_resolution(5);
        e.push(ev(32, day(6), &staff(), feedback()));
        e.push(ev(33, day(7), &staff(), TopicStep::Close));
        let s = fold(&e);
        assert!(
            all_applied(&s),
            "no tasks: feedback then close: {:?}",
            s.outcomes
        );
        assert_eq!(s.stage, Some(TopicStage::Closed));
        let mut e = through_resolution(5);
        e.push(ev(
            34,
            day(6),
            &staff(),
            TopicStep::Feedback { note: " ".into() },
        ));
        assert!(
            refused(&fold(&e), 34).zh.contains("反馈内容"),
            "feedback says what residents were told"
        );
    }

    #[test]
    fn a_decline_needs_a_reason_and_a_declined_topic_may_be_closed() {
        let proposed = vec![ev(1, t(0), &leader(), TopicStep::Propose)];
        let mut e = proposed.clone();
        e.push(ev(
            2,
            t(1),
            &staff(),
            TopicStep::Decline {
                reason: "  ".into(),
            },
        ));
        let s = fold(&e);
        assert_eq!(
            s.stage,
            Some(TopicStage::Proposed),
            "a blank decline changes nothing"
        );
        assert!(
            refused(&s, 2).en.contains("the reason"),
            "a decline needs a reason"
        );
        let mut e = proposed;
        e.push(ev(
            2,
            t(1),
            &staff(),
            TopicStep::Decline {
                reason: "属于物业合同纠纷，请走调解".into(),
            },
        ));
        e.push(ev(3, t(2), &staff(), TopicStep::Accept));
        e.push(ev(4, t(3), &staff(), TopicStep::Close));
        let s = fold(&e);
        assert!(
            refused(&s, 3)
                .en
                .contains("a topic that is declined cannot take the accept step"),
            "a declined topic is not accepted afterwards"
        );
        assert_eq!(
            (s.stage, s.decline_reason.as_deref()),
            (Some(TopicStage::Closed), Some("属于物业合同纠纷，请走调解")),
            "declined, then closed, keeping the reason"
        );
        let mut e = vec![ev(1, t(0), &worker(), TopicStep::Propose)];
        e.push(ev(2, t(1), &leader(), TopicStep::Propose));
        e.push(ev(3, t(2), &staff(), ordinary(t(2))));
        let s = fold(&e);
        assert!(
            refused(&s, 2).en.contains("already proposed"),
            "proposed once"
        );
        assert!(
            refused(&s, 3)
                .en
                .contains("a topic that is proposed cannot take the meeting step"),
            "a meeting waits for acceptance"
        );
        let s = fold(&[ev(1, t(0), &staff(), TopicStep::Accept)]);
        assert!(
            refused(&s, 1).en.contains("never proposed"),
            "nothing before a proposal"
        );
    }

    #[test]
    fn would_accept_matches_the_fold_and_changes_nothing() {
        let s = fold(&full()[..3]);
        let before = s.clone();
        assert_eq!(
            s.would_accept(&staff(), &resolve(5, 1, 1, day(5))),
            Ok(()),
            "a vote may follow the meeting"
        );
        assert!(
            s.would_accept(&staff(), &resolve(8, 0, 0, day(5))).is_err(),
            "a tally larger than the attendance would be refused"
        );
        assert!(
            s.would_accept(&staff(), &TopicStep::Close).is_err(),
            "a met topic is not closed"
        );
        assert_eq!(s, before, "probing leaves the state as it was");
    }

    #[test]
    fn a_topic_has_a_title_a_description_and_a_named_proposer() {
        let ok = topic(vec![]);
        assert_eq!(ok.validate(), Ok(()), "the sample topic is valid");
        let with = |f: &dyn Fn(&mut Topic)| {
            let mut t = topic(vec![]);
            f(&mut t);
            t.validate()
        };
        let e = with(&|t| t.title = "  ".into()).expect_err("an empty title is refused");
        assert_eq!(e.field, "title", "the field is named: {e}");
        assert!(
            e.problem.contains("1 到 60") && e.problem.contains("1 to 60"),
            "the bound is said in both languages: {e}"
        );
        assert_eq!(
            with(&|t| t.title = "议".repeat(MAX_TITLE)),
            Ok(()),
            "60 characters is a title, counted as characters"
        );
        assert_eq!(
            with(&|t| t.title = "议".repeat(MAX_TITLE + 1)).map_err(|e| e.field),
            Err("title".into()),
            "61 characters is too long"
        );
        assert_eq!(
            with(&|t| t.description = " ".into()).map_err(|e| e.field),
            Err("description".into()),
            "an empty description is refused"
        );
        assert_eq!(
            with(&|t| t.description = "字".repeat(crate::MAX_TEXT + 1)).map_err(|e| e.field),
            Err("description".into()),
            "a description over the limit is refused"
        );
        assert_eq!(
            with(&|t| t.proposer_name = String::new()).map_err(|e| e.field),
            Err("proposer_name".into()),
            "a topic is signed"
        );
    }

    #[test]
    fn names_are_read_by_key_or_in_chinese() {
        for p in Proposer::ALL {
            assert_eq!(Proposer::parse(p.key()), Ok(p), "{} by key", p.key());
            assert_eq!(Proposer::parse(p.zh()), Ok(p), "{} in Chinese", p.key());
        }
        for m in MemberType::ALL {
            assert_eq!(MemberType::parse(m.key()), Ok(m), "{} by key", m.key());
            assert_eq!(MemberType::parse(m.zh()), Ok(m), "{} in Chinese", m.key());
        }
        for m in MeetingType::ALL {
            assert_eq!(MeetingType::parse(m.zh()), Ok(m), "{} in Chinese", m.key());
        }
        for st in TopicStage::ALL {
            assert_eq!(TopicStage::parse(st.key()), Ok(st), "{} by key", st.key());
            assert_eq!(
                TopicStage::parse(st.zh()),
                Ok(st),
                "{} in Chinese",
                st.key()
            );
        }
        let e = Proposer::parse("街道办").expect_err("not a proposer");
        assert!(
            e.problem.contains("街道办")
                && e.fix
                    .en
                    .contains("resident, party-branch, owners-committee, property-company"),
            "the refusal lists the keys: {e}"
        );
        assert_eq!(
            MemberType::parse(" 业委会 "),
            Ok(OwnersCommittee),
            "spaces around a name are ignored"
        );
    }

    #[test]
    fn every_step_a_user_takes_is_in_the_table_and_blank_required_texts_are_refused() {
        let listed: Vec<&str> = DELIBERATION_STEP_FIELDS.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            listed,
            [
                "accept",
                "decline",
                "meeting",
                "resolve",
                "task",
                "task-done",
                "feedback",
                "close"
            ],
            "every step but propose (the record itself), once"
        );
        let steps = [
            TopicStep::Decline {
                reason: String::new(),
            },
            TopicStep::Meeting {
                held_on: day(4),
                place: String::new(),
                notice_posted: day(1),
                meeting_type: MeetingType::Ordinary,
                attendance: vec![],
            },
            resolve(1, 0, 0, day(5)),
            TopicStep::Task {
                task: id(1),
                owner: String::new(),
                due: day(9),
                what: "x".into(),
            },
            TopicStep::TaskDone {
                task: id(1),
                note: String::new(),
            },
            TopicStep::Feedback {
                note: String::new(),
            },
        ];
        for step in steps {
            let key = step.key();
            for (name, value) in step.texts() {
                let spec = deliberation_step_fields(key)
                    .iter()
                    .find(|f| f.name == name)
                    .unwrap_or_else(|| panic!("{key}.{name} is in the table"));
                if value.is_empty() {
                    let e = step
                        .validate()
                        .expect_err("a blank required text is refused");
                    assert!(
                        spec.required && e.field == name && e.problem.contains(spec.zh),
                        "{key} without {name} is refused, naming the field: {e}"
                    );
                }
            }
        }
        assert_eq!(
            resolve(1, 0, 0, day(5)).validate(),
            Ok(()),
            "a filled-in step is valid"
        );
        let long = TopicStep::Feedback {
            note: "字".repeat(crate::MAX_TEXT + 1),
        };
        assert_eq!(
            long.validate().map_err(|e| e.field),
            Err("note".into()),
            "a text over the limit is refused"
        );
    }

    #[test]
    fn figures_count_topics_as_recounted_by_hand() {
        // A: resolved on day 5, both tasks on time.
        let a = topic(full());
        // B: resolved on day 8, its one task done late.
        let mut b = through_resolution(8);
        b.push(ev(5, day(9), &staff(), task(60, day(10))));
        b.push(ev(6, day(12), &staff(), done(60)));
        let b = topic(b);
        // C: declined, then closed.
        let c = topic(vec![
            ev(1, t(0), &worker(), TopicStep::Propose),
            ev(
                2,
                t(1),
                &staff(),
                TopicStep::Decline {
                    reason: "重复议题".into(),
                },
            ),
            ev(3, t(2), &staff(), TopicStep::Close),
        ]);
        // D: proposed only.
        let d = topic(vec![ev(1, t(0), &leader(), TopicStep::Propose)]);
        // E: met, its vote failed.
        let mut e = through_resolution(4);
        e[3] = ev(4, day(4), &staff(), resolve(2, 4, 1, day(4)));
        let e = topic(e);
        // F: "proposed" by street staff, which is refused: never raised.
        let f = topic(vec![ev(
            1,
            t(0),
            &who("ss1", Role::StreetStaff, "522701001"),
            TopicStep::Propose,
        )]);
        // G: resolved on day 3, no tasks, fed back.
        let mut g = through_resolution(3);
        g.push(ev(5, day(4), &staff(), feedback()));
        let g = topic(g);
        // H: resolved on day 5, its one task due on day 10 and still open.
        let mut h = through_resolution(5);
        h.push(ev(5, day(6), &staff(), task(70, day(10))));
        let h = topic(h);
        let topics = [a, b, c, d, e, f, g, h];
        let states: Vec<TopicState> = topics.iter().map(Topic::state).collect();
        let figures = DeliberationFigures::of(topics.iter().zip(&states), day(11));
        assert_eq!(
            figures,
            DeliberationFigures {
                raised: 7,
                accepted: 5,
                resolved: 4,
                implemented_on_time: 1,
                median_days_to_resolution: Some(5.0),
                overdue_tasks: 1,
            },
            "raised A B C D E G H; accepted A B E G H; resolved A B G H (days 5, 8, 3, 5); \
             on time A (H's task is open); overdue on day 11: H's task"
        );
        assert_eq!(
            DeliberationFigures::of(topics.iter().zip(&states), day(9)).overdue_tasks,
            0,
            "before its due date a task is not overdue"
        );
        let facts: Vec<TopicFacts> = topics
            .iter()
            .zip(&states)
            .filter_map(|(t, s)| TopicFacts::of(t, s))
            .collect();
        assert_eq!(
            facts.len(),
            7,
            "a topic never validly proposed has no facts"
        );
        assert_eq!(
            DeliberationFigures::of_facts(facts, day(11)),
            figures,
            "the figures summed from per-topic facts (the store's rows) are the figures"
        );
        let two = DeliberationFigures::of(topics[..2].iter().zip(&states[..2]), day(11));
        assert_eq!(
            two.median_days_to_resolution,
            Some(6.5),
            "the median of 5 and 8 days is their mean"
        );
        assert_eq!(
            DeliberationFigures::of(std::iter::empty(), day(11)),
            DeliberationFigures::default(),
            "no topics, no figures"
        );
    }

    /// The steps a random history is made of: the whole chain and its
    /// detours, including ones the rules refuse.
    fn step_pool() -> Vec<TopicStep> {
        let mut pool: Vec<TopicStep> = full().into_iter().map(|e| e.step).collect();
        pool.extend([
            TopicStep::Decline {
                reason: "不属于议事范围".into(),
            },
            resolve(3, 2, 2, day(5)),
            resolve(7, 1, 0, day(5)),
            meeting(
                day(12),
                47,
                MeetingType::Ordinary,
                &[(ResidentRepresentatives, 9, 9)],
            ),
            meeting(
                day(12),
                48,
                MeetingType::Tripartite,
                &[
                    (PartyOrganisation, 1, 1),
                    (OwnersCommittee, 2, 2),
                    (PropertyCompany, 1, 1),
                ],
            ),
            task(50, day(3)),
            done(52),
            TopicStep::Feedback {
                note: String::new(),
            },
        ]);
        pool
    }

    proptest! {
        /// Any order of arrival of the same events folds to the same state.
        #[test]
        fn any_order_of_a_topics_events_folds_to_the_same_state(
            picks in prop::collection::vec((0usize..18, 0usize..4, 0i64..24 * 20), 1..30),
            seed in any::<u64>(),
        ) {
            let pool = step_pool();
            let authors = [worker(), staff(), other_staff(), leader()];
            let events: Vec<TopicEvent> = picks
                .iter()
                .enumerate()
                .map(|(i, &(step, author, hour))| {
                    ev(i as u128 + 1, t(hour), &authors[author], pool[step % pool.len()].clone())
                })
                .collect();
            let mut shuffled = events.clone();
            // A deterministic shuffle from the seed (Fisher–Yates with an LCG).
            let mut x = seed | 1;
            for i in (1..shuffled.len()).rev() {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                shuffled.swap(i, (x >> 33) as usize % (i + 1));
            }
            let a = fold(&events);
            let b = fold(&shuffled);
            prop_assert_eq!(&a, &b, "the fold must not depend on arrival order");
            prop_assert_eq!(a.outcomes.len(), events.len(), "every event is kept, applied or refused");
            let mut whole = full();
            whole.reverse();
            let x = seed as usize % whole.len();
            whole.rotate_left(x);
            let s = fold(&whole);
            prop_assert_eq!(s.stage, Some(TopicStage::Closed), "the whole chain closes in any order");
        }
    }
}

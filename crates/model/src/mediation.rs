//! Mediation cases (矛盾纠纷调解): a public record with an append-only list
//! of authored steps, folded by the rules of DESIGN §8, and a private part
//! (parties with their ID numbers and phones, the facts, session records,
//! agreement terms) kept in its own document, like household-private, so a
//! joint-household leader's device never receives it.
//!
//! ```text
//! registered ─accept─▶ accepted ─session─▶ mediating ─agree─▶ agreed ─perform─▶ performing
//!     │                   │                    │                 │                  │
//!     └─decline─▶ declined └──────fail─────────┴─▶ failed        └────follow-up─────┴─▶ followed up
//!                                                     │                                    │
//!                                                     └──────────────close─────────────────┴─▶ closed
//! ```
//!
//! Beside the path: a transfer between people's, administrative and judicial
//! mediation; an extension of the time limit (a reason and the parties'
//! consent); and judicial confirmation (司法确认): an application within 30
//! days of the agreement, the court's acceptance (a 调确字 case number) within
//! 3 days, its ruling within 15. Every deadline is computed from the events,
//! offline, by [`TimeLimits`] (one month to conclude by default, per street).

use std::collections::BTreeMap;

use chrono::{Duration, Months};

use crate::{text, Author, GridId, IdNumber, Instant, Invalid, Phone, RecordId, Role, Text};

/// A closed list of words with a key for documents and the command line and
/// a Chinese name for people; `parse` takes either.
macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident, $field:literal { $($v:ident = $key:literal, $zh:literal;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($v),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            pub fn key(self) -> &'static str {
                match self { $($name::$v => $key),+ }
            }
            pub fn zh(self) -> &'static str {
                match self { $($name::$v => $zh),+ }
            }
            pub fn parse(s: &str) -> Result<$name, Invalid> {
                let s = s.trim();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.key() == s || v.zh() == s)
                    .ok_or_else(|| {
                        let keys: Vec<String> =
                            $name::ALL.iter().map(|v| format!("{}/{}", v.key(), v.zh())).collect();
                        Invalid::new(
                            $field,
                            text!("未知的取值 \"{s}\"", "unknown value \"{s}\""),
                            text!("可用：{}", "use one of: {}", keys.join(", ")),
                        )
                    })
            }
        }
    };
}

vocabulary!(
    /// The kind of dispute (纠纷类型).
    CaseType, "type" {
        Neighbour = "neighbour", "邻里";
        Family = "family", "婚姻家庭";
        Property = "property", "物业";
        Labour = "labour", "劳动";
        LandHousing = "land-housing", "土地房屋";
        Damages = "damages", "损害赔偿";
        Other = "other", "其他";
    }
);

vocabulary!(
    /// How many are party to it (纠纷规模).
    Scale, "scale" {
        Individual = "individual", "个体";
        MultiParty = "multi-party", "多方";
        Group = "group", "群体";
    }
);

vocabulary!(
    /// Where the case came from (案件来源).
    Source, "source" {
        GridReport = "grid-report", "网格上报";
        Application = "application", "当事人申请";
        WalkIn = "walk-in", "来访";
        Police = "police", "公安移交";
        Court = "court", "法院委派";
        Government = "government", "政府部门移交";
    }
);

vocabulary!(
    /// Which mediation handles it (调解类型).
    MediationKind, "kind" {
        People = "people", "人民调解";
        Administrative = "administrative", "行政调解";
        Judicial = "judicial", "司法调解";
    }
);

vocabulary!(
    /// The form of an agreement (协议形式): an oral one is written down by the mediator.
    AgreementForm, "form" {
        Written = "written", "书面协议";
        Oral = "oral", "口头协议";
    }
);

vocabulary!(
    /// Where a failed mediation sends the parties (引导去向).
    Referral, "referral" {
        Litigation = "litigation", "诉讼";
        Arbitration = "arbitration", "仲裁";
        Agency = "agency", "有关部门";
    }
);

vocabulary!(
    /// What the follow-up visit found of the agreement (履行情况).
    Performance, "performance" {
        Fully = "fully", "全部履行";
        Partly = "partly", "部分履行";
        Not = "not", "未履行";
    }
);

vocabulary!(
    /// The parties' satisfaction at the follow-up visit (满意度).
    Satisfaction, "satisfaction" {
        Satisfied = "satisfied", "满意";
        Basic = "basic", "基本满意";
        Unsatisfied = "unsatisfied", "不满意";
    }
);

vocabulary!(
    /// Where a case stands.
    CaseStage, "state" {
        Registered = "registered", "已登记";
        Accepted = "accepted", "已受理";
        Declined = "declined", "不予受理";
        Mediating = "mediating", "调解中";
        Agreed = "agreed", "已达成协议";
        Failed = "failed", "调解不成";
        Performing = "performing", "履行中";
        FollowedUp = "followed-up", "已回访";
        Closed = "closed", "已结案";
    }
);

/// Warning levels (预警等级): 1 may lead to a mass incident, 3 is the least.
pub const WARNING: std::ops::RangeInclusive<u8> = 1..=3;

/// The most people a case may name as involved.
pub const MAX_PEOPLE: u32 = 10_000;

/// The longest extension one step may grant, in days.
pub const MAX_EXTENSION_DAYS: u32 = 90;

/// The time limits of DESIGN §8; the conclusion limit is per street.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeLimits {
    /// Months from acceptance to conclusion (人民调解工作若干规定 art. 33: one).
    pub conclude_months: u32,
    /// Days after the agreement within which the parties may apply for
    /// judicial confirmation (人民调解法 art. 33: 30).
    pub apply_days: i64,
    /// Days the court has to accept an application (法释〔2011〕5号: 3).
    pub court_accept_days: i64,
    /// Days the court has to rule once it accepted (15).
    pub court_rule_days: i64,
}

impl Default for TimeLimits {
    fn default() -> Self {
        TimeLimits {
            conclude_months: 1,
            apply_days: 30,
            court_accept_days: 3,
            court_rule_days: 15,
        }
    }
}

/// `months` calendar months after `at`, counted on the users' clock (Beijing
/// time, UTC+8): accepted at 07:00 on 31 January (Beijing), a month runs to
/// 28 or 29 February, not into March as counting in UTC would.
pub fn months_later(at: Instant, months: u32) -> Option<Instant> {
    let beijing = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    at.with_timezone(&beijing)
        .checked_add_months(Months::new(months))
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// One step of a case, with what it carries. What is private (who said
/// what at a session, the agreement's terms) goes in [`MediationPrivate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseStep {
    Register,
    Accept {
        mediator: String,
    },
    Decline {
        reason: String,
    },
    /// A mediation session was held (its record is in the private part).
    Session {
        held_on: Instant,
    },
    Agree {
        form: AgreementForm,
        /// By when the parties perform it.
        perform_by: Instant,
    },
    Fail {
        referral: Referral,
        note: String,
    },
    Transfer {
        to: MediationKind,
        reason: String,
    },
    Extend {
        days: u32,
        reason: String,
        /// The parties agreed to the extension.
        consent: bool,
    },
    /// The parties are performing the agreement.
    Perform {
        note: String,
    },
    /// The follow-up visit (回访).
    FollowUp {
        performance: Performance,
        satisfaction: Satisfaction,
        risk: String,
    },
    /// The parties applied to a court for judicial confirmation.
    ApplyConfirmation {
        court: String,
    },
    /// The court accepted the application under a 调确字 case number.
    CourtAccept {
        case_number: String,
    },
    /// The court's ruling: the agreement confirmed, or refused.
    CourtRule {
        confirmed: bool,
    },
    Close {
        note: String,
    },
}

impl CaseStep {
    /// Stable machine name, used in documents and on the command line.
    pub fn key(&self) -> &'static str {
        match self {
            CaseStep::Register => "register",
            CaseStep::Accept { .. } => "accept",
            CaseStep::Decline { .. } => "decline",
            CaseStep::Session { .. } => "session",
            CaseStep::Agree { .. } => "agree",
            CaseStep::Fail { .. } => "fail",
            CaseStep::Transfer { .. } => "transfer",
            CaseStep::Extend { .. } => "extend",
            CaseStep::Perform { .. } => "perform",
            CaseStep::FollowUp { .. } => "follow-up",
            CaseStep::ApplyConfirmation { .. } => "apply-confirmation",
            CaseStep::CourtAccept { .. } => "court-accept",
            CaseStep::CourtRule { .. } => "court-rule",
            CaseStep::Close { .. } => "close",
        }
    }

    pub fn zh(&self) -> &'static str {
        match self {
            CaseStep::Register => "登记",
            CaseStep::Accept { .. } => "受理",
            CaseStep::Decline { .. } => "不予受理",
            CaseStep::Session { .. } => "调解",
            CaseStep::Agree { .. } => "达成协议",
            CaseStep::Fail { .. } => "调解不成",
            CaseStep::Transfer { .. } => "转换调解类型",
            CaseStep::Extend { .. } => "延期",
            CaseStep::Perform { .. } => "履行",
            CaseStep::FollowUp { .. } => "回访",
            CaseStep::ApplyConfirmation { .. } => "申请司法确认",
            CaseStep::CourtAccept { .. } => "法院受理",
            CaseStep::CourtRule { .. } => "法院裁定",
            CaseStep::Close { .. } => "结案",
        }
    }

    /// The free texts this step carries, by their field names in
    /// [`crate::limits::MEDIATION_STEP_FIELDS`].
    pub fn texts(&self) -> Vec<(&'static str, &str)> {
        match self {
            CaseStep::Register
            | CaseStep::Session { .. }
            | CaseStep::Agree { .. }
            | CaseStep::CourtRule { .. } => vec![],
            CaseStep::Accept { mediator } => vec![("mediator", mediator)],
            CaseStep::Decline { reason } => vec![("reason", reason)],
            CaseStep::Fail { note, .. } | CaseStep::Perform { note } | CaseStep::Close { note } => {
                vec![("note", note)]
            }
            CaseStep::Transfer { reason, .. } | CaseStep::Extend { reason, .. } => {
                vec![("reason", reason)]
            }
            CaseStep::FollowUp { risk, .. } => vec![("risk", risk)],
            CaseStep::ApplyConfirmation { court } => vec![("court", court)],
            CaseStep::CourtAccept { case_number } => vec![("case_number", case_number)],
        }
    }

    /// What a new step must carry before it is written (the required fields
    /// of [`crate::limits::MEDIATION_STEP_FIELDS`], no over-long text, a
    /// sensible number of days). The fold's rules come after.
    pub fn validate(&self) -> Result<(), Invalid> {
        crate::limits::check_step_texts(
            crate::limits::mediation_step_fields(self.key()),
            &self.texts(),
        )?;
        if let CaseStep::Extend { days, .. } = self {
            if !(1..=MAX_EXTENSION_DAYS).contains(days) {
                return Err(Invalid::new(
                    "days",
                    text!(
                        "延期 {days} 天超出范围",
                        "an extension of {days} days is out of range"
                    ),
                    text!(
                        "请填 1 到 {MAX_EXTENSION_DAYS} 天",
                        "give 1 to {MAX_EXTENSION_DAYS} days"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The roles DESIGN §8 lets take this step: anyone who reports registers
    /// it, a grid worker also makes the follow-up visit, and community and
    /// street staff take every step.
    pub fn roles(&self) -> &'static [Role] {
        match self {
            CaseStep::Register => &[
                Role::GridWorker,
                Role::JointLeader,
                Role::CommunityStaff,
                Role::StreetStaff,
            ],
            CaseStep::FollowUp { .. } => {
                &[Role::GridWorker, Role::CommunityStaff, Role::StreetStaff]
            }
            _ => &[Role::CommunityStaff, Role::StreetStaff],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseEvent {
    pub id: RecordId,
    pub at: Instant,
    pub author: Author,
    pub step: CaseStep,
}

/// The public part of a case: what any role that may read it sees.
#[derive(Debug, Clone, PartialEq)]
pub struct MediationCase {
    pub id: RecordId,
    pub grid: GridId,
    /// The households party to it (linked, not copied).
    pub households: Vec<RecordId>,
    pub case_type: CaseType,
    pub scale: Scale,
    /// How many people are involved.
    pub people: u32,
    /// 1 (may lead to a mass incident) to 3.
    pub warning: u8,
    pub source: Source,
    /// The issue (邻里纠纷) or visit it came from: recorded once, linked here.
    pub from_issue: Option<RecordId>,
    pub from_visit: Option<RecordId>,
    /// The mediation it was registered under; transfers change it.
    pub kind: MediationKind,
    /// What the dispute is about, in a line or two (the facts are private).
    pub summary: String,
    pub reporter: String,
    pub registered_at: Instant,
    pub events: Vec<CaseEvent>,
}

impl MediationCase {
    pub fn validate(&self) -> Result<(), Invalid> {
        crate::check_length("summary", &self.summary)?;
        if self.summary.trim().is_empty() {
            return Err(Invalid::new(
                "summary",
                text!("纠纷概况为空", "the summary is empty"),
                text!(
                    "请写明纠纷的大致情况",
                    "say in a line what the dispute is about"
                ),
            ));
        }
        if !WARNING.contains(&self.warning) {
            let w = self.warning;
            return Err(Invalid::new(
                "warning",
                text!("预警等级 {w} 超出范围", "warning level {w} is out of range"),
                text!(
                    "请填 1（可能引发群体性事件）到 3",
                    "use 1 (may lead to a mass incident) to 3"
                ),
            ));
        }
        if self.people == 0 || self.people > MAX_PEOPLE {
            let n = self.people;
            return Err(Invalid::new(
                "people",
                text!(
                    "涉及人数 {n} 不合理",
                    "{n} people involved is not plausible"
                ),
                text!("请填 1 到 {MAX_PEOPLE} 人", "give 1 to {MAX_PEOPLE} people"),
            ));
        }
        Ok(())
    }

    /// The fold of the case's events under the default time limits.
    pub fn state(&self) -> CaseState {
        CaseState::fold(self, &TimeLimits::default())
    }

    /// The fold under a street's own months to conclude
    /// ([`crate::StreetLimits`]), as the hub last sent them; the legal
    /// limits stay as the law fixes them.
    pub fn state_with(&self, limits: &crate::StreetLimits) -> CaseState {
        CaseState::fold(self, &limits.time_limits())
    }

    /// The community whose staff take its steps.
    pub fn community(&self) -> String {
        self.grid.community().as_str().to_owned()
    }
}

/// Judicial confirmation, as far as it has gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmation {
    Applied { at: Instant, court: String },
    Accepted { at: Instant, case_number: String },
    Confirmed { at: Instant, case_number: String },
    Refused { at: Instant, case_number: String },
}

impl Confirmation {
    pub fn key(&self) -> &'static str {
        match self {
            Confirmation::Applied { .. } => "applied",
            Confirmation::Accepted { .. } => "accepted",
            Confirmation::Confirmed { .. } => "confirmed",
            Confirmation::Refused { .. } => "refused",
        }
    }
    pub fn zh(&self) -> &'static str {
        match self {
            Confirmation::Applied { .. } => "已申请司法确认",
            Confirmation::Accepted { .. } => "法院已受理",
            Confirmation::Confirmed { .. } => "已司法确认",
            Confirmation::Refused { .. } => "法院不予确认",
        }
    }
}

/// What the follow-up visit found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub at: Instant,
    pub performance: Performance,
    pub satisfaction: Satisfaction,
    pub risk: String,
}

/// The fold of a case's events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseState {
    /// `None` until a valid register event is folded.
    pub stage: Option<CaseStage>,
    pub community: String,
    pub street: String,
    pub kind: MediationKind,
    pub mediator: Option<String>,
    pub accepted_at: Option<Instant>,
    /// By when the case must be concluded: acceptance plus the time limit,
    /// plus every extension.
    pub deadline: Option<Instant>,
    pub extensions: u32,
    pub sessions: u32,
    /// When it reached an agreement or failed.
    pub concluded_at: Option<Instant>,
    pub agreed_at: Option<Instant>,
    pub form: Option<AgreementForm>,
    pub perform_by: Option<Instant>,
    pub referral: Option<Referral>,
    pub follow_up: Option<FollowUp>,
    pub confirmation: Option<Confirmation>,
    pub closed_at: Option<Instant>,
    /// Every event, in fold order, applied or refused with a reason.
    pub outcomes: Vec<crate::issue::Outcome>,
    limits: TimeLimits,
}

impl CaseState {
    /// Folds the events of `case` in `(at, id)` order.
    pub fn fold(case: &MediationCase, limits: &TimeLimits) -> CaseState {
        let mut ordered: Vec<&CaseEvent> = case.events.iter().collect();
        ordered.sort_by_key(|e| (e.at, e.id));
        let mut s = CaseState {
            stage: None,
            community: case.community(),
            street: case.grid.street().to_owned(),
            kind: case.kind,
            mediator: None,
            accepted_at: None,
            deadline: None,
            extensions: 0,
            sessions: 0,
            concluded_at: None,
            agreed_at: None,
            form: None,
            perform_by: None,
            referral: None,
            follow_up: None,
            confirmation: None,
            closed_at: None,
            outcomes: Vec::with_capacity(ordered.len()),
            limits: *limits,
        };
        for e in ordered {
            let refused = s.apply(e).err();
            s.outcomes.push(crate::issue::Outcome {
                event: e.id,
                refused,
            });
        }
        s
    }

    /// Applies one event or says why the rules refuse it (changing nothing).
    fn apply(&mut self, e: &CaseEvent) -> Result<(), Text> {
        use CaseStage::*;
        use CaseStep as S;
        if !e.step.roles().contains(&e.author.role) {
            return Err(Text::new(
                format!("{}不能{}", e.author.role.zh(), e.step.zh()),
                format!("role {} may not {} a case", e.author.role, e.step.key()),
            ));
        }
        // Staff act for their own community or street.
        let own = match e.author.role {
            Role::CommunityStaff => e.author.unit == self.community,
            Role::StreetStaff => e.author.unit == self.street,
            _ => true,
        };
        if !own && !matches!(e.step, S::Register) {
            return Err(Text::new(
                format!("{} 不是本案所在的社区或街道", e.author.unit),
                format!("{} is not the case's community or street", e.author.unit),
            ));
        }
        let stage = self.stage;
        let wrong_state = || match stage {
            Some(st) => Text::new(
                format!("案件{}，不能{}", st.zh(), e.step.zh()),
                format!("cannot {} a case that is {}", e.step.key(), st.key()),
            ),
            None => Text::new(
                format!("案件尚未登记，不能{}", e.step.zh()),
                format!("cannot {} a case that was never registered", e.step.key()),
            ),
        };
        let blank = |t: &str| t.trim().is_empty();
        match (&e.step, stage) {
            (S::Register, None) => self.stage = Some(Registered),
            (S::Register, Some(_)) => return Err(text!("案件已登记", "already registered")),
            (S::Accept { mediator }, Some(Registered)) => {
                if blank(mediator) {
                    return Err(text!("受理需写明调解员", "accepting names the mediator"));
                }
                self.mediator = Some(mediator.trim().to_owned());
                self.accepted_at = Some(e.at);
                self.deadline = months_later(e.at, self.limits.conclude_months);
                self.stage = Some(Accepted);
            }
            (S::Decline { reason }, Some(Registered)) => {
                if blank(reason) {
                    return Err(text!("不予受理需说明理由", "declining needs a reason"));
                }
                self.stage = Some(Declined);
            }
            (S::Session { .. }, Some(Accepted | Mediating)) => {
                self.sessions += 1;
                self.stage = Some(Mediating);
            }
            (S::Agree { form, perform_by }, Some(Mediating)) => {
                if *perform_by < e.at {
                    return Err(text!(
                        "履行期限早于协议日期",
                        "the performance deadline is before the agreement"
                    ));
                }
                self.form = Some(*form);
                self.perform_by = Some(*perform_by);
                self.agreed_at = Some(e.at);
                self.concluded_at = Some(e.at);
                self.stage = Some(Agreed);
            }
            (S::Agree { .. }, Some(Accepted)) => {
                return Err(text!(
                    "尚未调解，不能达成协议；请先记录调解",
                    "no session held yet: record a session first"
                ))
            }
            (S::Fail { referral, .. }, Some(Accepted | Mediating)) => {
                self.referral = Some(*referral);
                self.concluded_at = Some(e.at);
                self.stage = Some(Failed);
            }
            (S::Transfer { to, reason }, Some(Registered | Accepted | Mediating)) => {
                if *to == self.kind {
                    return Err(Text::new(
                        format!("本案已是{}", to.zh()),
                        format!("the case is already under {} mediation", to.key()),
                    ));
                }
                if blank(reason) {
                    return Err(text!("转换调解类型需说明理由", "a transfer needs a reason"));
                }
                self.kind = *to;
            }
            (
                S::Extend {
                    days,
                    reason,
                    consent,
                },
                Some(Accepted | Mediating),
            ) => {
                if blank(reason) {
                    return Err(text!("延期需说明理由", "an extension needs a reason"));
                }
                if !consent {
                    return Err(text!(
                        "延期需经当事人同意",
                        "an extension needs the parties' consent"
                    ));
                }
                if !(1..=MAX_EXTENSION_DAYS).contains(days) {
                    return Err(text!(
                        "延期 {days} 天超出范围（1 到 {MAX_EXTENSION_DAYS} 天）",
                        "an extension of {days} days is out of range (1 to {MAX_EXTENSION_DAYS})"
                    ));
                }
                if self.deadline.is_some_and(|d| e.at > d) {
                    return Err(text!(
                        "办结期限已过，不能再延期；请记录调解结果",
                        "the deadline has passed: it can no longer be extended; record how the mediation ended"
                    ));
                }
                self.extensions += 1;
                self.deadline = self
                    .deadline
                    .and_then(|d| d.checked_add_signed(Duration::days(i64::from(*days))));
            }
            (S::Perform { .. }, Some(Agreed)) => self.stage = Some(Performing),
            (
                S::FollowUp {
                    performance,
                    satisfaction,
                    risk,
                },
                Some(Agreed | Performing),
            ) => {
                self.follow_up = Some(FollowUp {
                    at: e.at,
                    performance: *performance,
                    satisfaction: *satisfaction,
                    risk: risk.clone(),
                });
                self.stage = Some(FollowedUp);
            }
            (S::Close { .. }, Some(FollowedUp | Failed)) => {
                self.closed_at = Some(e.at);
                self.stage = Some(Closed);
            }
            (S::Close { .. }, Some(Agreed | Performing)) => {
                return Err(text!(
                    "协议尚未回访，不能结案；请先回访",
                    "the agreement has not been followed up: make the follow-up visit first"
                ))
            }
            // The parties' right runs 30 days from the agreement, whatever
            // became of the case file meanwhile (人民调解法 art. 33).
            (S::ApplyConfirmation { court }, Some(Agreed | Performing | FollowedUp | Closed))
                if self.agreed_at.is_some() =>
            {
                if self.confirmation.is_some() {
                    return Err(text!(
                        "已申请过司法确认",
                        "judicial confirmation was already applied for"
                    ));
                }
                let agreed = self.agreed_at.unwrap_or(e.at);
                let window = Duration::days(self.limits.apply_days);
                if e.at > agreed + window {
                    let days = self.limits.apply_days;
                    return Err(text!(
                        "已超过协议生效后 {days} 日的申请期限",
                        "more than {days} days after the agreement: too late to apply"
                    ));
                }
                self.confirmation = Some(Confirmation::Applied {
                    at: e.at,
                    court: court.trim().to_owned(),
                });
            }
            (S::CourtAccept { case_number }, _) => match &self.confirmation {
                Some(Confirmation::Applied { .. }) => {
                    self.confirmation = Some(Confirmation::Accepted {
                        at: e.at,
                        case_number: case_number.trim().to_owned(),
                    });
                }
                _ => {
                    return Err(text!(
                        "尚未申请司法确认，或法院已受理",
                        "no application is waiting for the court"
                    ))
                }
            },
            (S::CourtRule { confirmed }, _) => match &self.confirmation {
                Some(Confirmation::Accepted { case_number, .. }) => {
                    let case_number = case_number.clone();
                    self.confirmation = Some(if *confirmed {
                        Confirmation::Confirmed {
                            at: e.at,
                            case_number,
                        }
                    } else {
                        Confirmation::Refused {
                            at: e.at,
                            case_number,
                        }
                    });
                }
                _ => {
                    return Err(text!(
                        "法院尚未受理，不能记录裁定",
                        "the court has not accepted the application: no ruling to record"
                    ))
                }
            },
            _ => return Err(wrong_state()),
        }
        Ok(())
    }

    /// Not concluded and past its deadline (超期): the one rule for lists,
    /// Today, the dashboard, the CLI and the app.
    pub fn is_overdue(&self, now: Instant) -> bool {
        overdue(self.stage, self.deadline, now)
    }

    /// Whether it was concluded (agreement or failure) by its deadline;
    /// `None` while not concluded.
    pub fn on_time(&self) -> Option<bool> {
        let concluded = self.concluded_at?;
        Some(self.deadline.is_none_or(|d| concluded <= d))
    }

    /// The last day the parties may apply for judicial confirmation, while
    /// an agreement stands and nobody has applied.
    pub fn apply_by(&self) -> Option<Instant> {
        if self.confirmation.is_some() {
            return None;
        }
        self.agreed_at
            .map(|a| a + Duration::days(self.limits.apply_days))
    }

    /// When the court should have acted on the confirmation by: acceptance
    /// within 3 days of the application, the ruling within 15 of acceptance.
    pub fn court_due(&self) -> Option<Instant> {
        match &self.confirmation {
            Some(Confirmation::Applied { at, .. }) => {
                Some(*at + Duration::days(self.limits.court_accept_days))
            }
            Some(Confirmation::Accepted { at, .. }) => {
                Some(*at + Duration::days(self.limits.court_rule_days))
            }
            _ => None,
        }
    }

    /// An agreement past its performance deadline that nobody has followed up.
    pub fn follow_up_due(&self, now: Instant) -> bool {
        matches!(self.stage, Some(CaseStage::Agreed | CaseStage::Performing))
            && self.perform_by.is_some_and(|d| now > d)
    }

    /// The reason an event was refused, if it was.
    pub fn refusal(&self, event: RecordId) -> Option<&Text> {
        self.outcomes
            .iter()
            .find(|o| o.event == event)
            .and_then(|o| o.refused.as_ref())
    }

    /// Whether this step, by this author, now, would be accepted. The UI and
    /// the CLI offer only steps for which this is true.
    pub fn would_accept(&self, author: &Author, step: &CaseStep, at: Instant) -> Result<(), Text> {
        let mut probe = self.clone();
        probe.apply(&CaseEvent {
            id: RecordId::max(),
            at,
            author: author.clone(),
            step: step.clone(),
        })
    }
}

/// A party to the dispute, in the private part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub name: String,
    pub id_number: Option<IdNumber>,
    pub phone: Option<Phone>,
    pub address: String,
}

/// The record of one session, in the private part: who took part and what
/// was said. `event` is the public session step it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub event: RecordId,
    pub held_on: Instant,
    pub participants: String,
    pub notes: String,
}

/// The private part of a case (调解登记 and 调解工作记录, 调解协议书): read
/// by grid workers of its grid, community and street staff; written by
/// community and street staff; never sent to a joint-household leader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediationPrivate {
    pub case: RecordId,
    pub grid: GridId,
    pub parties: Vec<Party>,
    /// The facts and the disputed points.
    pub facts: String,
    pub sessions: Vec<SessionRecord>,
    /// Each side's responsibility and the terms, as agreed.
    pub agreement: String,
}

impl MediationPrivate {
    pub fn new(case: &MediationCase) -> MediationPrivate {
        MediationPrivate {
            case: case.id,
            grid: case.grid.clone(),
            parties: Vec::new(),
            facts: String::new(),
            sessions: Vec::new(),
            agreement: String::new(),
        }
    }

    pub fn validate(&self) -> Result<(), Invalid> {
        crate::check_length("facts", &self.facts)?;
        crate::check_length("agreement", &self.agreement)?;
        for p in &self.parties {
            if p.name.trim().is_empty() {
                return Err(Invalid::new(
                    "party",
                    text!("当事人姓名为空", "a party has no name"),
                    text!("请填写当事人姓名", "give the party's name"),
                ));
            }
            if p.name.chars().count() > crate::household::MAX_NAME {
                return Err(Invalid::new(
                    "party",
                    text!("当事人姓名过长", "a party's name is too long"),
                    text!(
                        "姓名不超过 {} 字",
                        "at most {} characters",
                        crate::household::MAX_NAME
                    ),
                ));
            }
            crate::check_length("address", &p.address)?;
        }
        for s in &self.sessions {
            crate::check_length("participants", &s.participants)?;
            crate::check_length("notes", &s.notes)?;
        }
        Ok(())
    }
}

/// The figures of DESIGN §8, from verified records only: every rate is a
/// count over a count, both kept, so a figure can be recounted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MediationFigures {
    pub cases: usize,
    /// Reached an agreement or failed.
    pub concluded: usize,
    pub agreements: usize,
    pub confirmed: usize,
    pub followed_up: usize,
    pub fully_performed: usize,
    pub concluded_on_time: usize,
    pub overdue: usize,
    pub by_type: BTreeMap<CaseType, usize>,
    pub by_stage: BTreeMap<CaseStage, usize>,
    pub by_warning: BTreeMap<u8, usize>,
}

/// What one case adds to the figures: the projection keeps these per case,
/// so the dashboard sums rows instead of folding every document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    pub case_type: CaseType,
    pub stage: CaseStage,
    pub warning: u8,
    pub deadline: Option<Instant>,
    pub concluded: bool,
    pub agreed: bool,
    pub confirmed: bool,
    pub followed_up: bool,
    pub fully_performed: bool,
    /// Concluded by its deadline (`None` while not concluded).
    pub on_time: Option<bool>,
}

impl CaseFacts {
    /// `None` for a case that was never validly registered.
    pub fn of(case: &MediationCase, s: &CaseState) -> Option<CaseFacts> {
        Some(CaseFacts {
            case_type: case.case_type,
            stage: s.stage?,
            warning: case.warning,
            deadline: s.deadline,
            concluded: s.concluded_at.is_some(),
            agreed: s.agreed_at.is_some(),
            confirmed: matches!(s.confirmation, Some(Confirmation::Confirmed { .. })),
            followed_up: s.follow_up.is_some(),
            fully_performed: s
                .follow_up
                .as_ref()
                .is_some_and(|f| f.performance == Performance::Fully),
            on_time: s.on_time(),
        })
    }
}

/// The one rule for an overdue case (超期): accepted or being mediated, and
/// past its deadline. Lists, Today, the dashboard, the CLI and the app ask it.
pub fn overdue(stage: Option<CaseStage>, deadline: Option<Instant>, now: Instant) -> bool {
    matches!(stage, Some(CaseStage::Accepted | CaseStage::Mediating))
        && deadline.is_some_and(|d| now > d)
}

impl MediationFigures {
    /// Counts over cases (with their folds) as of `now`.
    pub fn of<'a>(
        cases: impl IntoIterator<Item = (&'a MediationCase, &'a CaseState)>,
        now: Instant,
    ) -> MediationFigures {
        MediationFigures::of_facts(
            cases.into_iter().filter_map(|(c, s)| CaseFacts::of(c, s)),
            now,
        )
    }

    /// Counts over the facts of each case as of `now`.
    pub fn of_facts(facts: impl IntoIterator<Item = CaseFacts>, now: Instant) -> MediationFigures {
        let mut f = MediationFigures::default();
        for c in facts {
            f.cases += 1;
            *f.by_type.entry(c.case_type).or_default() += 1;
            *f.by_stage.entry(c.stage).or_default() += 1;
            *f.by_warning.entry(c.warning).or_default() += 1;
            f.concluded += usize::from(c.concluded);
            f.agreements += usize::from(c.agreed);
            f.confirmed += usize::from(c.confirmed);
            f.followed_up += usize::from(c.followed_up);
            f.fully_performed += usize::from(c.fully_performed);
            f.concluded_on_time += usize::from(c.on_time == Some(true));
            f.overdue += usize::from(overdue(Some(c.stage), c.deadline, now));
        }
        f
    }

    /// Agreements ÷ cases concluded.
    pub fn success_rate(&self) -> Option<f64> {
        ratio(self.agreements, self.concluded)
    }
    /// Judicially confirmed ÷ agreements.
    pub fn confirmation_rate(&self) -> Option<f64> {
        ratio(self.confirmed, self.agreements)
    }
    /// Fully performed ÷ agreements followed up.
    pub fn performance_rate(&self) -> Option<f64> {
        ratio(self.fully_performed, self.followed_up)
    }
    /// Concluded by the deadline ÷ concluded.
    pub fn on_time_rate(&self) -> Option<f64> {
        ratio(self.concluded_on_time, self.concluded)
    }
}

fn ratio(n: usize, d: usize) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const GRID: &str = "522701001001001";
    const COMMUNITY: &str = "522701001001";
    const STREET: &str = "522701001";

    fn t(s: &str) -> Instant {
        s.parse().unwrap()
    }

    fn author(role: Role, unit: &str) -> Author {
        Author {
            user: format!("{}-1", role.key()),
            role,
            unit: unit.into(),
        }
    }

    fn gw() -> Author {
        author(Role::GridWorker, "")
    }
    fn cs() -> Author {
        author(Role::CommunityStaff, COMMUNITY)
    }

    fn case(events: Vec<CaseEvent>) -> MediationCase {
        MediationCase {
            id: RecordId::from_u128(1),
            grid: GridId::parse(GRID).unwrap(),
            households: vec![RecordId::from_u128(7)],
            case_type: CaseType::Neighbour,
            scale: Scale::Individual,
            people: 2,
            warning: 3,
            source: Source::GridReport,
            from_issue: None,
            from_visit: None,
            kind: MediationKind::People,
            summary: "楼上漏水".into(),
            reporter: "grid-worker-1".into(),
            registered_at: t("2026-01-05T01:00:00Z"),
            events,
        }
    }

    fn ev(n: u128, at: &str, who: Author, step: CaseStep) -> CaseEvent {
        CaseEvent {
            id: RecordId::from_u128(n),
            at: t(at),
            author: who,
            step,
        }
    }

    /// A case taken from report to an agreement on 2026-01-20.
    fn agreed() -> Vec<CaseEvent> {
        vec![
            ev(1, "2026-01-05T01:00:00Z", gw(), CaseStep::Register),
            ev(
                2,
                "2026-01-06T01:00:00Z",
                cs(),
                CaseStep::Accept {
                    mediator: "王调解".into(),
                },
            ),
            ev(
                3,
                "2026-01-10T01:00:00Z",
                cs(),
                CaseStep::Session {
                    held_on: t("2026-01-10T01:00:00Z"),
                },
            ),
            ev(
                4,
                "2026-01-20T01:00:00Z",
                cs(),
                CaseStep::Agree {
                    form: AgreementForm::Written,
                    perform_by: t("2026-02-20T01:00:00Z"),
                },
            ),
        ]
    }

    fn with(mut events: Vec<CaseEvent>, more: CaseEvent) -> CaseState {
        events.push(more);
        case(events).state()
    }

    fn last_refusal(s: &CaseState) -> Option<Text> {
        s.outcomes.last().unwrap().refused.clone()
    }

    #[test]
    fn the_path_from_report_to_closed_with_judicial_confirmation() {
        let mut events = agreed();
        events.extend([
            ev(
                5,
                "2026-01-25T01:00:00Z",
                cs(),
                CaseStep::ApplyConfirmation {
                    court: "凯里市人民法院".into(),
                },
            ),
            ev(
                6,
                "2026-01-27T01:00:00Z",
                cs(),
                CaseStep::CourtAccept {
                    case_number: "（2026）黔2601民特调确字第12号".into(),
                },
            ),
            ev(
                7,
                "2026-02-05T01:00:00Z",
                cs(),
                CaseStep::CourtRule { confirmed: true },
            ),
            ev(
                8,
                "2026-02-06T01:00:00Z",
                cs(),
                CaseStep::Perform {
                    note: String::new(),
                },
            ),
            ev(
                9,
                "2026-02-21T01:00:00Z",
                gw(),
                CaseStep::FollowUp {
                    performance: Performance::Fully,
                    satisfaction: Satisfaction::Satisfied,
                    risk: String::new(),
                },
            ),
            ev(
                10,
                "2026-02-22T01:00:00Z",
                cs(),
                CaseStep::Close {
                    note: String::new(),
                },
            ),
        ]);
        let s = case(events).state();
        assert!(
            s.outcomes.iter().all(|o| o.refused.is_none()),
            "{:?}",
            s.outcomes
        );
        assert_eq!(s.stage, Some(CaseStage::Closed));
        assert_eq!(s.sessions, 1);
        assert!(matches!(
            s.confirmation,
            Some(Confirmation::Confirmed { .. })
        ));
        assert_eq!(s.on_time(), Some(true));
    }

    #[test]
    fn roles_take_only_their_steps_and_staff_only_in_their_own_unit() {
        let leader = author(Role::JointLeader, "");
        let other_community = author(Role::CommunityStaff, "522701001002");
        let street = author(Role::StreetStaff, STREET);
        let other_street = author(Role::StreetStaff, "522701002");
        let dept = author(Role::DepartmentLiaison, "城管");
        let accept = CaseStep::Accept {
            mediator: "王调解".into(),
        };
        let registered = vec![ev(
            1,
            "2026-01-05T01:00:00Z",
            leader.clone(),
            CaseStep::Register,
        )];
        for (who, ok) in [
            (gw(), false),
            (leader.clone(), false),
            (cs(), true),
            (other_community, false),
            (street, true),
            (other_street, false),
            (dept, false),
        ] {
            let s = with(
                registered.clone(),
                ev(2, "2026-01-06T01:00:00Z", who.clone(), accept.clone()),
            );
            assert_eq!(
                last_refusal(&s).is_none(),
                ok,
                "{:?} {} accepting: {:?}",
                who.role,
                who.unit,
                last_refusal(&s)
            );
        }
        // Anyone who reports registers; a department does not.
        for (who, ok) in [
            (gw(), true),
            (leader, true),
            (cs(), true),
            (author(Role::DepartmentLiaison, "城管"), false),
        ] {
            let s = case(vec![ev(
                1,
                "2026-01-05T01:00:00Z",
                who.clone(),
                CaseStep::Register,
            )])
            .state();
            assert_eq!(s.stage.is_some(), ok, "{:?} registering", who.role);
        }
    }

    #[test]
    fn a_grid_worker_makes_the_follow_up_visit_but_a_leader_does_not() {
        let follow = CaseStep::FollowUp {
            performance: Performance::Partly,
            satisfaction: Satisfaction::Basic,
            risk: "仍有口角".into(),
        };
        let s = with(
            agreed(),
            ev(5, "2026-02-21T01:00:00Z", gw(), follow.clone()),
        );
        assert_eq!(s.stage, Some(CaseStage::FollowedUp));
        let s = with(
            agreed(),
            ev(
                5,
                "2026-02-21T01:00:00Z",
                author(Role::JointLeader, ""),
                follow,
            ),
        );
        assert_eq!(
            s.stage,
            Some(CaseStage::Agreed),
            "refused: {:?}",
            last_refusal(&s)
        );
    }

    #[test]
    fn a_case_is_not_closed_before_its_follow_up_visit() {
        let s = with(
            agreed(),
            ev(
                5,
                "2026-01-21T01:00:00Z",
                cs(),
                CaseStep::Close {
                    note: String::new(),
                },
            ),
        );
        assert_eq!(s.stage, Some(CaseStage::Agreed));
        let why = last_refusal(&s).expect("refused");
        assert!(
            why.zh.contains("回访") && why.en.contains("follow-up"),
            "{why:?}"
        );
    }

    #[test]
    fn judicial_confirmation_is_applied_for_within_30_days_of_the_agreement() {
        let apply = |at: &str| {
            with(
                agreed(),
                ev(
                    5,
                    at,
                    cs(),
                    CaseStep::ApplyConfirmation {
                        court: "凯里市人民法院".into(),
                    },
                ),
            )
        };
        // Agreed 2026-01-20T01:00Z: day 30 ends 2026-02-19T01:00Z.
        let on_day_30 = apply("2026-02-19T01:00:00Z");
        assert!(last_refusal(&on_day_30).is_none());
        assert_eq!(
            on_day_30.court_due(),
            Some(t("2026-02-22T01:00:00Z")),
            "the court accepts within 3 days"
        );
        let late = apply("2026-02-19T01:00:01Z");
        let why = last_refusal(&late).expect("a day-31 application is refused");
        assert!(
            why.zh.contains("30 日") && why.en.contains("30 days"),
            "{why:?}"
        );
        assert_eq!(late.confirmation, None);
    }

    #[test]
    fn the_court_rules_only_on_an_application_it_accepted() {
        let s = with(
            agreed(),
            ev(
                5,
                "2026-01-22T01:00:00Z",
                cs(),
                CaseStep::CourtRule { confirmed: true },
            ),
        );
        assert!(last_refusal(&s).is_some());
        let mut events = agreed();
        events.push(ev(
            5,
            "2026-01-22T01:00:00Z",
            cs(),
            CaseStep::ApplyConfirmation {
                court: "法院".into(),
            },
        ));
        events.push(ev(
            6,
            "2026-01-23T01:00:00Z",
            cs(),
            CaseStep::CourtAccept {
                case_number: "调确字第1号".into(),
            },
        ));
        let s = with(
            events,
            ev(
                7,
                "2026-01-30T01:00:00Z",
                cs(),
                CaseStep::CourtRule { confirmed: false },
            ),
        );
        assert!(matches!(s.confirmation, Some(Confirmation::Refused { .. })));
        assert_eq!(s.court_due(), None);
    }

    #[test]
    fn one_month_to_conclude_counts_calendar_months_around_month_ends() {
        let accepted_on = |at: &str| {
            case(vec![
                ev(1, "2026-01-01T00:00:00Z", gw(), CaseStep::Register),
                ev(
                    2,
                    at,
                    cs(),
                    CaseStep::Accept {
                        mediator: "王".into(),
                    },
                ),
            ])
            .state()
            .deadline
            .unwrap()
        };
        assert_eq!(
            accepted_on("2026-01-31T02:00:00Z"),
            t("2026-02-28T02:00:00Z")
        );
        assert_eq!(
            accepted_on("2028-01-31T02:00:00Z"),
            t("2028-02-29T02:00:00Z"),
            "a leap year"
        );
        assert_eq!(
            accepted_on("2026-03-15T02:00:00Z"),
            t("2026-04-15T02:00:00Z")
        );
        assert_eq!(
            accepted_on("2026-01-30T23:00:00Z"),
            t("2026-02-27T23:00:00Z"),
            "07:00 on 31 January in Beijing: the month runs to 28 February in Beijing"
        );
        let s = case(vec![
            ev(1, "2026-01-01T00:00:00Z", gw(), CaseStep::Register),
            ev(
                2,
                "2026-01-31T02:00:00Z",
                cs(),
                CaseStep::Accept {
                    mediator: "王".into(),
                },
            ),
        ])
        .state();
        assert!(!s.is_overdue(t("2026-02-28T02:00:00Z")));
        assert!(s.is_overdue(t("2026-02-28T02:00:01Z")));
    }

    #[test]
    fn an_extension_needs_a_reason_and_the_parties_consent() {
        let base = vec![
            ev(1, "2026-01-05T01:00:00Z", gw(), CaseStep::Register),
            ev(
                2,
                "2026-01-06T01:00:00Z",
                cs(),
                CaseStep::Accept {
                    mediator: "王".into(),
                },
            ),
        ];
        let extend = |reason: &str, consent: bool| {
            with(
                base.clone(),
                ev(
                    3,
                    "2026-01-20T01:00:00Z",
                    cs(),
                    CaseStep::Extend {
                        days: 15,
                        reason: reason.into(),
                        consent,
                    },
                ),
            )
        };
        assert!(last_refusal(&extend("需等待鉴定", false)).is_some());
        assert!(last_refusal(&extend(" ", true)).is_some());
        let s = extend("需等待鉴定", true);
        assert!(last_refusal(&s).is_none());
        assert_eq!(
            s.deadline,
            Some(t("2026-02-21T01:00:00Z")),
            "one month and 15 days"
        );
        assert_eq!(s.extensions, 1);
    }

    #[test]
    fn an_extension_is_bounded_and_comes_before_the_deadline_runs_out() {
        let base = vec![
            ev(1, "2026-01-05T01:00:00Z", gw(), CaseStep::Register),
            ev(
                2,
                "2026-01-06T01:00:00Z",
                cs(),
                CaseStep::Accept {
                    mediator: "王".into(),
                },
            ),
        ];
        let extend = |at: &str, days: u32| {
            with(
                base.clone(),
                ev(
                    3,
                    at,
                    cs(),
                    CaseStep::Extend {
                        days,
                        reason: "需等待鉴定".into(),
                        consent: true,
                    },
                ),
            )
        };
        // A tampered device's extension of u32::MAX days: refused, no panic.
        let huge = extend("2026-01-20T01:00:00Z", u32::MAX);
        assert!(last_refusal(&huge).is_some());
        assert_eq!(huge.deadline, Some(t("2026-02-06T01:00:00Z")), "unchanged");
        let late = extend("2026-02-06T01:00:01Z", 10);
        let why = last_refusal(&late).expect("after the deadline, no extension");
        assert!(why.en.contains("deadline has passed"), "{why:?}");
        assert!(late.is_overdue(t("2026-02-07T00:00:00Z")), "still overdue");
        assert!(
            last_refusal(&extend("2026-02-06T01:00:00Z", 10)).is_none(),
            "on the day, yes"
        );
    }

    #[test]
    fn judicial_confirmation_may_be_applied_for_after_the_case_is_closed_within_30_days() {
        let mut events = agreed();
        events.extend([
            ev(
                5,
                "2026-01-21T01:00:00Z",
                gw(),
                CaseStep::FollowUp {
                    performance: Performance::Fully,
                    satisfaction: Satisfaction::Satisfied,
                    risk: String::new(),
                },
            ),
            ev(
                6,
                "2026-01-22T01:00:00Z",
                cs(),
                CaseStep::Close {
                    note: String::new(),
                },
            ),
        ]);
        let s = with(
            events,
            ev(
                7,
                "2026-02-01T01:00:00Z",
                cs(),
                CaseStep::ApplyConfirmation {
                    court: "法院".into(),
                },
            ),
        );
        assert!(last_refusal(&s).is_none(), "{:?}", last_refusal(&s));
        assert_eq!(s.stage, Some(CaseStage::Closed));
        assert!(matches!(s.confirmation, Some(Confirmation::Applied { .. })));
    }

    #[test]
    fn a_transfer_changes_the_kind_of_mediation_and_not_the_stage() {
        let s = case(vec![
            ev(1, "2026-01-05T01:00:00Z", gw(), CaseStep::Register),
            ev(
                2,
                "2026-01-06T01:00:00Z",
                cs(),
                CaseStep::Transfer {
                    to: MediationKind::Administrative,
                    reason: "涉及物业管理职责".into(),
                },
            ),
        ])
        .state();
        assert_eq!(s.kind, MediationKind::Administrative);
        assert_eq!(s.stage, Some(CaseStage::Registered));
    }

    #[test]
    fn no_agreement_before_a_session_and_failure_names_the_referral() {
        let base = vec![
            ev(1, "2026-01-05T01:00:00Z", gw(), CaseStep::Register),
            ev(
                2,
                "2026-01-06T01:00:00Z",
                cs(),
                CaseStep::Accept {
                    mediator: "王".into(),
                },
            ),
        ];
        let s = with(
            base.clone(),
            ev(
                3,
                "2026-01-07T01:00:00Z",
                cs(),
                CaseStep::Agree {
                    form: AgreementForm::Oral,
                    perform_by: t("2026-02-07T01:00:00Z"),
                },
            ),
        );
        assert_eq!(s.stage, Some(CaseStage::Accepted));
        let s = with(
            base,
            ev(
                3,
                "2026-01-07T01:00:00Z",
                cs(),
                CaseStep::Fail {
                    referral: Referral::Litigation,
                    note: String::new(),
                },
            ),
        );
        assert_eq!(s.stage, Some(CaseStage::Failed));
        assert_eq!(s.referral, Some(Referral::Litigation));
        assert_eq!(s.on_time(), Some(true));
    }

    #[test]
    fn steps_validate_their_fields_and_days() {
        assert!(CaseStep::Decline { reason: " ".into() }.validate().is_err());
        assert!(CaseStep::Accept {
            mediator: String::new()
        }
        .validate()
        .is_err());
        let e = CaseStep::Extend {
            days: 0,
            reason: "x".into(),
            consent: true,
        };
        assert_eq!(e.validate().unwrap_err().field, "days");
        assert!(CaseStep::Extend {
            days: 30,
            reason: "x".into(),
            consent: true
        }
        .validate()
        .is_ok());
    }

    #[test]
    fn vocabularies_parse_keys_and_chinese_and_say_what_to_use() {
        assert_eq!(CaseType::parse("邻里").unwrap(), CaseType::Neighbour);
        assert_eq!(
            CaseType::parse("land-housing").unwrap(),
            CaseType::LandHousing
        );
        let e = Source::parse("radio").unwrap_err();
        assert_eq!(e.field, "source");
        assert!(e.fix.en.contains("grid-report") && e.fix.zh.contains("网格上报"));
    }

    #[test]
    fn figures_are_counts_over_counts() {
        let a = case(agreed());
        let sa = a.state();
        let mut failed_events = agreed();
        failed_events.truncate(3);
        failed_events.push(ev(
            4,
            "2026-03-01T01:00:00Z",
            cs(),
            CaseStep::Fail {
                referral: Referral::Arbitration,
                note: String::new(),
            },
        ));
        let f = case(failed_events);
        let sf = f.state();
        let open = case(agreed()[..2].to_vec());
        let so = open.state();
        let figs = MediationFigures::of(
            [(&a, &sa), (&f, &sf), (&open, &so)],
            t("2026-03-01T00:00:00Z"),
        );
        assert_eq!(figs.cases, 3);
        assert_eq!(figs.concluded, 2);
        assert_eq!(figs.agreements, 1);
        assert_eq!(figs.success_rate(), Some(0.5));
        assert_eq!(
            figs.concluded_on_time, 1,
            "the failure came after its deadline"
        );
        assert_eq!(figs.overdue, 1, "the open case is past its month");
        assert_eq!(figs.confirmation_rate(), Some(0.0));
        assert_eq!(figs.performance_rate(), None, "nothing followed up yet");
        assert_eq!(figs.by_stage[&CaseStage::Agreed], 1);
    }

    fn any_step() -> impl Strategy<Value = CaseStep> {
        prop_oneof![
            Just(CaseStep::Register),
            Just(CaseStep::Accept {
                mediator: "王".into()
            }),
            Just(CaseStep::Decline {
                reason: "不属调解范围".into()
            }),
            Just(CaseStep::Session {
                held_on: t("2026-01-10T00:00:00Z")
            }),
            Just(CaseStep::Agree {
                form: AgreementForm::Written,
                perform_by: t("2026-06-01T00:00:00Z")
            }),
            Just(CaseStep::Fail {
                referral: Referral::Agency,
                note: String::new()
            }),
            Just(CaseStep::Extend {
                days: 10,
                reason: "鉴定".into(),
                consent: true
            }),
            Just(CaseStep::Perform {
                note: String::new()
            }),
            Just(CaseStep::FollowUp {
                performance: Performance::Fully,
                satisfaction: Satisfaction::Satisfied,
                risk: String::new()
            }),
            Just(CaseStep::ApplyConfirmation {
                court: "法院".into()
            }),
            Just(CaseStep::CourtAccept {
                case_number: "调确字第3号".into()
            }),
            Just(CaseStep::CourtRule { confirmed: true }),
            Just(CaseStep::Close {
                note: String::new()
            }),
        ]
    }

    proptest! {
        /// Whatever order the events arrive in, every replica folds the same state.
        #[test]
        fn any_arrival_order_folds_the_same(
            steps in proptest::collection::vec((any_step(), 0u32..60, any::<bool>()), 1..14),
            seed in any::<u64>(),
        ) {
            let events: Vec<CaseEvent> = steps
                .into_iter()
                .enumerate()
                .map(|(i, (step, day, staff))| CaseEvent {
                    id: RecordId::from_u128(i as u128 + 1),
                    at: t("2026-01-01T00:00:00Z") + Duration::hours(i64::from(day) * 13),
                    author: if staff { cs() } else { gw() },
                    step,
                })
                .collect();
            let mut shuffled = events.clone();
            // A deterministic shuffle from the seed.
            let mut x = seed | 1;
            for i in (1..shuffled.len()).rev() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                shuffled.swap(i, (x % (i as u64 + 1)) as usize);
            }
            prop_assert_eq!(case(events).state(), case(shuffled).state());
        }
    }
}

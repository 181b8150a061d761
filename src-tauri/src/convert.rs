//! From the device crate's views to the IPC types. Only field mapping here.

use gridline_device::deliberation::{TopicSummary, TopicView};
use gridline_device::mediation::{CaseSummary, CaseView};
use gridline_device::{
    HouseholdSummary, HouseholdView, IssueSummary, IssueView, VisitSummary, WishSummary, WishView,
};
use gridline_model::deliberation::DeliberationFigures;
use gridline_model::mediation::{Confirmation, MediationFigures};
use gridline_model::{fmt_time, CaseStep, IssueStep, TopicStep, WishStep};

use crate::dto;

pub fn household_row(r: HouseholdSummary) -> dto::HouseholdRow {
    dto::HouseholdRow {
        id: r.id.to_string(),
        grid: r.grid.to_string(),
        address: r.address,
        head_name: r.head_name,
        phone: r.phone,
        resident_count: i64::from(r.resident_count),
        tags: r.tags.iter().map(|t| t.zh().to_owned()).collect(),
        last_visit: r.last_visit.map(fmt_time),
        sync_state: r.sync_state.key().into(),
        matched_name: r.matched_name,
        unsent_visits: r.unsent_visits,
    }
}

pub fn visit(r: VisitSummary) -> dto::Visit {
    dto::Visit {
        id: r.id.to_string(),
        household_id: r.household.to_string(),
        grid: r.grid.to_string(),
        visitor: r.visitor,
        role: r.role.key().into(),
        at: fmt_time(r.at),
        kind: r.kind.key().into(),
        address: r.address,
        head_name: r.head_name,
        notes: r.notes,
        sync_state: r.sync_state.key().into(),
    }
}

pub fn issue_row(r: IssueSummary) -> dto::IssueRow {
    dto::IssueRow {
        id: r.id.to_string(),
        grid: r.grid.to_string(),
        category: r.category,
        state: r.stage.map(|s| s.key().into()),
        urgency: i64::from(r.urgency),
        household_id: r.household.map(|h| h.to_string()),
        reporter: r.reporter,
        reported_at: fmt_time(r.reported_at),
        deadline: r.deadline.map(fmt_time),
        departments: r.departments,
        refused_events: i64::from(r.refused_events),
        summary: r.summary,
        sync_state: r.sync_state.key().into(),
        overdue: r.overdue,
        address: r.address,
        head_name: r.head_name,
    }
}

pub fn wish_row(r: WishSummary) -> dto::WishRow {
    dto::WishRow {
        id: r.id.to_string(),
        grid: r.grid.to_string(),
        household_id: r.household.map(|h| h.to_string()),
        title: r.title,
        category: r.category,
        value_yuan: i64::from(r.value_yuan),
        state: r.stage.map(|s| s.key().into()),
        poster: r.poster,
        claimant: r.claimant,
        pending_claims: i64::from(r.pending_claims),
        posted_at: fmt_time(r.posted_at),
        sync_state: r.sync_state.key().into(),
    }
}

fn resident(r: &gridline_model::Resident, masked: Option<String>) -> dto::Resident {
    dto::Resident {
        id: r.id.to_string(),
        name: r.name.clone(),
        relation: r.relation.key().into(),
        gender: r.gender.map(|g| g.key().into()),
        birth_date: r.birth_date.map(|d| d.to_string()),
        phone: r.phone.as_ref().map(|p| p.to_string()),
        tags: r.tags.iter().map(|t| t.zh().into()).collect(),
        id_number_masked: masked,
    }
}

pub fn household(v: HouseholdView) -> dto::HouseholdDetail {
    let h = v.household;
    let private = v.private;
    let residents = h
        .residents
        .iter()
        .map(|r| {
            let masked = private
                .as_ref()
                .and_then(|p| p.id_numbers.get(&r.id))
                .map(|n| n.masked());
            resident(r, masked)
        })
        .collect();
    dto::HouseholdDetail {
        id: h.id.to_string(),
        grid: h.grid.to_string(),
        address: h.address.line(),
        compound: h.address.compound.clone(),
        building: h.address.building.clone(),
        unit: h.address.unit.clone(),
        room: h.address.room.clone(),
        phone: h.phone.as_ref().map(|p| p.to_string()),
        notes: h.notes.clone(),
        tags: h.tags.iter().map(|t| t.zh().into()).collect(),
        sensitive_tags: private
            .as_ref()
            .map(|p| p.sensitive_tags.iter().map(|t| t.zh().into()).collect()),
        can_reveal: private.as_ref().is_some_and(|p| !p.id_numbers.is_empty()),
        residents,
        sync_state: v.sync_state.key().into(),
        conflicts: v
            .conflicts
            .into_iter()
            .map(|c| dto::Conflict {
                path: c.path,
                values: c.values,
            })
            .collect(),
        visits: v.visits.into_iter().map(visit).collect(),
        issues: v.issues.into_iter().map(issue_row).collect(),
        wishes: v.wishes.into_iter().map(wish_row).collect(),
        can_edit: v.can_edit,
        merged_into: v.merged.map(|m| dto::MergeNote {
            survivor: m.survivor,
            survivor_address: m.survivor_address,
            by_user: m.by_user,
            at: m.at,
            reason: m.reason,
        }),
        merged_here: v
            .merged_here
            .into_iter()
            .map(|m| dto::MergedFrom {
                id: m.id.to_string(),
                address: m.address,
                residents: m.residents.iter().map(|r| resident(r, None)).collect(),
            })
            .collect(),
    }
}

fn issue_detail(step: &IssueStep) -> String {
    match step {
        IssueStep::Report | IssueStep::Accept => String::new(),
        IssueStep::Reject { reason } => reason.clone(),
        IssueStep::Merge { into } => into.to_string(),
        IssueStep::Resolve { note }
        | IssueStep::Escalate { note }
        | IssueStep::VerifyClose { note } => note.clone(),
        IssueStep::Dispatch { departments, grade } => {
            format!("{} · {}", departments.join("、"), grade.key())
        }
        IssueStep::Handle { feedback } => feedback.clone(),
        IssueStep::Evaluate {
            satisfied,
            resident,
            comment,
        } => format!(
            "{} · {resident}{}",
            if *satisfied {
                "satisfied"
            } else {
                "unsatisfied"
            },
            if comment.is_empty() {
                String::new()
            } else {
                format!(" · {comment}")
            }
        ),
        IssueStep::RequestExtension { amount, reason } => format!("+{amount} · {reason}"),
        IssueStep::DecideExtension { approve, note } => format!(
            "{}{}",
            if *approve { "approved" } else { "refused" },
            if note.is_empty() {
                String::new()
            } else {
                format!(" · {note}")
            }
        ),
        IssueStep::Defer { reason } | IssueStep::SendBack { reason } => reason.clone(),
    }
}

pub fn issue(v: IssueView) -> dto::IssueDetail {
    let i = v.issue;
    let s = v.state;
    let mut events: Vec<_> = i.events.iter().collect();
    events.sort_by_key(|e| (e.at, e.id));
    let events = events
        .into_iter()
        .map(|e| dto::TimelineEvent {
            id: e.id.to_string(),
            at: fmt_time(e.at),
            step: e.step.key().into(),
            author_user: e.author.user.clone(),
            author_role: e.author.role.key().into(),
            detail: issue_detail(&e.step),
            refused: s.refusal(e.id).map(dto::Msg::from),
        })
        .collect();
    dto::IssueDetail {
        id: i.id.to_string(),
        grid: i.grid.to_string(),
        category: i.category.clone(),
        description: i.description.clone(),
        location: i.location.clone(),
        household_id: i.household.map(|h| h.to_string()),
        urgency: i.urgency,
        reporter: i.reporter.clone(),
        reported_at: fmt_time(i.reported_at),
        state: s.stage.map(|st| st.key().into()),
        grade: s.grade.map(|g| g.key().into()),
        deadline: s.deadline.map(fmt_time),
        overdue: v.overdue,
        departments: s.departments.clone(),
        feedback: s.feedback.clone().into_iter().collect(),
        satisfied: s.satisfied,
        sync_state: v.sync_state.key().into(),
        offered: v.offered.iter().map(|o| (*o).to_owned()).collect(),
        events,
        household_address: None,
        head_name: None,
        position: None,
        warning: v.warning.key().into(),
        deferred: s.deferred,
        limit_unit: s.limit.map(|l| l.unit.key().into()),
        extension_max: s.limit.map(|l| l.unit.max_amount()),
        extension_department: s.extension_requested.as_ref().map(|(d, _)| d.clone()),
        extension_amount: s.extension_requested.as_ref().map(|(_, a)| *a),
        sent_back: s.sent_back,
        likely_duplicates: Vec::new(),
    }
}

/// What a wish event says beyond its step.
fn wish_detail(step: &WishStep) -> String {
    match step {
        WishStep::Fulfil { note } => note.clone(),
        WishStep::Confirm { resident } => resident.clone(),
        WishStep::WithdrawWish { reason } => reason.clone(),
        WishStep::Post | WishStep::RequestClaim | WishStep::Grant { .. } => String::new(),
        WishStep::RefuseClaim { .. } | WishStep::WithdrawClaim => String::new(),
    }
}

pub fn wish(v: WishView, me: &str) -> dto::WishDetail {
    let w = v.wish;
    let s = v.state;
    let mut events: Vec<_> = w.events.iter().collect();
    events.sort_by_key(|e| (e.at, e.id));
    let events = events
        .into_iter()
        .map(|e| dto::TimelineEvent {
            id: e.id.to_string(),
            at: fmt_time(e.at),
            step: e.step.key().into(),
            author_user: e.author.user.clone(),
            author_role: e.author.role.key().into(),
            detail: wish_detail(&e.step),
            refused: s.refusal(e.id).map(dto::Msg::from),
        })
        .collect();
    dto::WishDetail {
        id: w.id.to_string(),
        grid: w.grid.to_string(),
        household_id: w.household.map(|h| h.to_string()),
        title: w.title.clone(),
        category: w.category.clone(),
        value_yuan: w.value_yuan,
        description: w.description.clone(),
        poster: w.poster.clone(),
        posted_at: fmt_time(w.posted_at),
        state: s.stage.map(|st| st.key().into()),
        claimant: s.claimant.clone(),
        my_claim_pending: s.pending.iter().any(|(_, u)| u == me),
        pending: s.pending.iter().map(|(_, u)| u.clone()).collect(),
        sync_state: v.sync_state.key().into(),
        offered: v.offered.iter().map(|o| (*o).to_owned()).collect(),
        events,
    }
}

pub fn case_row(r: CaseSummary) -> dto::CaseRow {
    dto::CaseRow {
        id: r.id.to_string(),
        grid: r.grid.to_string(),
        case_type: r.case_type.key().into(),
        state: r.stage.map(|s| s.key().into()),
        warning: r.warning,
        kind: r.kind.key().into(),
        reporter: r.reporter,
        registered_at: fmt_time(r.registered_at),
        deadline: r.deadline.map(fmt_time),
        overdue: r.overdue,
        households: r.households.iter().map(ToString::to_string).collect(),
        from_issue: r.from_issue.map(|i| i.to_string()),
        refused_events: r.refused_events,
        summary: r.summary,
        sync_state: r.sync_state.key().into(),
    }
}

/// What a case event says beyond its step, as `·`-separated parts: the
/// vocabulary keys and times first (the UI translates them), free text last.
fn case_event_detail(step: &CaseStep) -> String {
    let parts: Vec<String> = match step {
        CaseStep::Register => vec![],
        CaseStep::Accept { mediator } => vec![mediator.clone()],
        CaseStep::Decline { reason } => vec![reason.clone()],
        CaseStep::Session { held_on } => vec![fmt_time(*held_on)],
        CaseStep::Agree { form, perform_by } => vec![form.key().into(), fmt_time(*perform_by)],
        CaseStep::Fail { referral, note } => vec![referral.key().into(), note.clone()],
        CaseStep::Transfer { to, reason } => vec![to.key().into(), reason.clone()],
        CaseStep::Extend { days, reason, .. } => vec![days.to_string(), reason.clone()],
        CaseStep::Perform { note } | CaseStep::Close { note } => vec![note.clone()],
        CaseStep::FollowUp {
            performance,
            satisfaction,
            risk,
        } => vec![
            performance.key().into(),
            satisfaction.key().into(),
            risk.clone(),
        ],
        CaseStep::ApplyConfirmation { court } => vec![court.clone()],
        CaseStep::CourtAccept { case_number } => vec![case_number.clone()],
        CaseStep::CourtRule { confirmed } => {
            vec![if *confirmed { "confirmed" } else { "refused" }.into()]
        }
    };
    let mut parts: Vec<String> = parts.into_iter().map(|p| p.trim().to_owned()).collect();
    while parts.last().is_some_and(String::is_empty) {
        parts.pop();
    }
    parts.join(" · ")
}

fn confirmation(c: &Confirmation, court: Option<String>) -> dto::CaseConfirmation {
    let (at, case_number) = match c {
        Confirmation::Applied { at, .. } => (at, None),
        Confirmation::Accepted { at, case_number }
        | Confirmation::Confirmed { at, case_number }
        | Confirmation::Refused { at, case_number } => (at, Some(case_number.clone())),
    };
    dto::CaseConfirmation {
        state: c.key().into(),
        at: fmt_time(*at),
        court,
        case_number,
    }
}

/// One case; `households` are its households with their labels, and
/// `may_edit_private` whether this user writes its private part.
pub fn case(
    v: CaseView,
    households: Vec<dto::CaseHousehold>,
    may_edit_private: bool,
    now: gridline_model::Instant,
) -> dto::CaseDetail {
    let c = v.case;
    let s = v.state;
    let mut events: Vec<_> = c.events.iter().collect();
    events.sort_by_key(|e| (e.at, e.id));
    // The court is named by the application the fold accepted.
    let court = events
        .iter()
        .filter(|e| s.refusal(e.id).is_none())
        .find_map(|e| match &e.step {
            CaseStep::ApplyConfirmation { court } => Some(court.trim().to_owned()),
            _ => None,
        });
    let timeline = events
        .iter()
        .map(|e| dto::TimelineEvent {
            id: e.id.to_string(),
            at: fmt_time(e.at),
            step: e.step.key().into(),
            author_user: e.author.user.clone(),
            author_role: e.author.role.key().into(),
            detail: case_event_detail(&e.step),
            refused: s.refusal(e.id).map(dto::Msg::from),
        })
        .collect();
    let private = v.private.map(|p| dto::CasePrivate {
        parties: p
            .parties
            .iter()
            .map(|x| dto::CaseParty {
                name: x.name.clone(),
                id_number_masked: x.id_number.as_ref().map(|n| n.masked()),
                phone: x.phone.as_ref().map(|n| n.as_str().to_owned()),
                address: x.address.clone(),
            })
            .collect(),
        facts: p.facts.clone(),
        sessions: p
            .sessions
            .iter()
            .map(|x| dto::CaseSession {
                event: x.event.to_string(),
                held_on: fmt_time(x.held_on),
                participants: x.participants.clone(),
                notes: x.notes.clone(),
            })
            .collect(),
        agreement: p.agreement.clone(),
    });
    dto::CaseDetail {
        id: c.id.to_string(),
        grid: c.grid.to_string(),
        households,
        case_type: c.case_type.key().into(),
        scale: c.scale.key().into(),
        people: c.people,
        warning: c.warning,
        source: c.source.key().into(),
        from_issue: c.from_issue.map(|i| i.to_string()),
        from_visit: c.from_visit.map(|i| i.to_string()),
        kind: s.kind.key().into(),
        summary: c.summary.clone(),
        reporter: c.reporter.clone(),
        registered_at: fmt_time(c.registered_at),
        state: s.stage.map(|st| st.key().into()),
        mediator: s.mediator.clone(),
        accepted_at: s.accepted_at.map(fmt_time),
        deadline: s.deadline.map(fmt_time),
        overdue: v.overdue,
        extensions: s.extensions,
        sessions: s.sessions,
        concluded_at: s.concluded_at.map(fmt_time),
        agreed_at: s.agreed_at.map(fmt_time),
        form: s.form.map(|f| f.key().into()),
        perform_by: s.perform_by.map(fmt_time),
        follow_up_due: s.follow_up_due(now),
        referral: s.referral.map(|r| r.key().into()),
        follow_up: s.follow_up.as_ref().map(|f| dto::CaseFollowUp {
            at: fmt_time(f.at),
            performance: f.performance.key().into(),
            satisfaction: f.satisfaction.key().into(),
            risk: f.risk.clone(),
        }),
        confirmation: s.confirmation.as_ref().map(|x| confirmation(x, court)),
        apply_by: s.apply_by().map(fmt_time),
        court_due: s.court_due().map(fmt_time),
        closed_at: s.closed_at.map(fmt_time),
        sync_state: v.sync_state.key().into(),
        offered: v.offered.iter().map(|o| (*o).to_owned()).collect(),
        events: timeline,
        private,
        may_edit_private,
    }
}

fn rate(n: usize, of: usize, rate: Option<f64>) -> dto::Rate {
    let n32 = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
    dto::Rate {
        n: n32(n),
        of: n32(of),
        rate,
    }
}

pub fn mediation_figures(f: MediationFigures) -> dto::MediationFigures {
    let count = |key: String, n: usize| dto::Count {
        key,
        n: i64::try_from(n).unwrap_or(i64::MAX),
    };
    dto::MediationFigures {
        cases: u32::try_from(f.cases).unwrap_or(u32::MAX),
        overdue: u32::try_from(f.overdue).unwrap_or(u32::MAX),
        success: rate(f.agreements, f.concluded, f.success_rate()),
        confirmation: rate(f.confirmed, f.agreements, f.confirmation_rate()),
        performance: rate(f.fully_performed, f.followed_up, f.performance_rate()),
        on_time: rate(f.concluded_on_time, f.concluded, f.on_time_rate()),
        by_type: f
            .by_type
            .iter()
            .map(|(k, n)| count(k.key().into(), *n))
            .collect(),
        by_state: f
            .by_stage
            .iter()
            .map(|(k, n)| count(k.key().into(), *n))
            .collect(),
        by_warning: f
            .by_warning
            .iter()
            .map(|(k, n)| count(k.to_string(), *n))
            .collect(),
    }
}

fn n32(x: impl TryInto<u32>) -> u32 {
    x.try_into().unwrap_or(u32::MAX)
}

pub fn topic_row(r: TopicSummary) -> dto::TopicRow {
    dto::TopicRow {
        id: r.id.to_string(),
        grid: r.grid.to_string(),
        title: r.title,
        proposer: r.proposer.key().into(),
        proposer_name: r.proposer_name,
        state: r.stage.map(|s| s.key().into()),
        proposed_at: fmt_time(r.proposed_at),
        resolved_at: r.resolved_at.map(fmt_time),
        tasks: r.tasks,
        open_tasks: n32(r.open_tasks),
        overdue_tasks: n32(r.overdue_tasks),
        refused_events: r.refused_events,
        sync_state: r.sync_state.key().into(),
    }
}

/// What a topic event says beyond its step, as `·`-separated parts: the
/// vocabulary keys, counts and times first (the UI translates them), free
/// text last. A meeting is `type · held_on · present/expected · place`, a
/// vote `for/against/abstain · text`, a task `due · owner · what`.
fn topic_event_detail(step: &TopicStep) -> String {
    let parts: Vec<String> = match step {
        TopicStep::Propose | TopicStep::Accept | TopicStep::Close => vec![],
        TopicStep::Decline { reason } => vec![reason.clone()],
        TopicStep::Meeting {
            held_on,
            place,
            meeting_type,
            attendance,
            ..
        } => {
            let present: u64 = attendance.iter().map(|a| u64::from(a.present)).sum();
            let expected: u64 = attendance.iter().map(|a| u64::from(a.expected)).sum();
            vec![
                meeting_type.key().into(),
                fmt_time(*held_on),
                format!("{present}/{expected}"),
                place.clone(),
            ]
        }
        TopicStep::Resolve {
            text,
            votes_for,
            against,
            abstain,
            ..
        } => vec![format!("{votes_for}/{against}/{abstain}"), text.clone()],
        TopicStep::Task {
            owner, due, what, ..
        } => vec![fmt_time(*due), owner.clone(), what.clone()],
        TopicStep::TaskDone { note, .. } | TopicStep::Feedback { note } => vec![note.clone()],
    };
    let mut parts: Vec<String> = parts.into_iter().map(|p| p.trim().to_owned()).collect();
    while parts.last().is_some_and(String::is_empty) {
        parts.pop();
    }
    parts.join(" · ")
}

/// One topic as of `now` (for its tasks' overdue flags).
pub fn topic(v: TopicView, now: gridline_model::Instant) -> dto::TopicDetail {
    let t = v.topic;
    let s = v.state;
    let mut events: Vec<_> = t.events.iter().collect();
    events.sort_by_key(|e| (e.at, e.id));
    let timeline = events
        .iter()
        .map(|e| dto::TimelineEvent {
            id: e.id.to_string(),
            at: fmt_time(e.at),
            step: e.step.key().into(),
            author_user: e.author.user.clone(),
            author_role: e.author.role.key().into(),
            detail: topic_event_detail(&e.step),
            refused: s.refusal(e.id).map(dto::Msg::from),
        })
        .collect();
    dto::TopicDetail {
        id: t.id.to_string(),
        grid: t.grid.to_string(),
        household: t.household.map(|h| h.to_string()),
        title: t.title.clone(),
        description: t.description.clone(),
        proposer: t.proposer.key().into(),
        proposer_name: t.proposer_name.clone(),
        submitted_by: t.submitted_by.clone(),
        proposed_at: fmt_time(t.proposed_at),
        state: s.stage.map(|st| st.key().into()),
        accepted_at: s.accepted_at.map(fmt_time),
        decline_reason: s.decline_reason.clone(),
        meeting: s.meeting.as_ref().map(|m| dto::TopicMeeting {
            held_on: fmt_time(m.held_on),
            place: m.place.clone(),
            notice_posted: fmt_time(m.notice_posted),
            meeting_type: m.meeting_type.key().into(),
            attendance: m
                .attendance
                .iter()
                .map(|a| dto::TopicAttendance {
                    member: a.member.key().into(),
                    expected: a.expected,
                    present: a.present,
                })
                .collect(),
            expected: n32(m.expected),
            present: n32(m.present),
            quorum: n32((2 * m.expected).div_ceil(3)),
        }),
        meetings: s.meetings,
        resolution: s.resolution.as_ref().map(|r| dto::TopicResolution {
            text: r.text.clone(),
            votes_for: r.votes_for,
            against: r.against,
            abstain: r.abstain,
            posted_on: fmt_time(r.posted_on),
            adopted: r.adopted,
        }),
        votes_failed: s.votes_failed,
        resolved_at: s.resolved_at.map(fmt_time),
        tasks: s
            .tasks
            .iter()
            .map(|k| dto::TopicTask {
                id: k.id.to_string(),
                owner: k.owner.clone(),
                what: k.what.clone(),
                due: fmt_time(k.due),
                done_at: k.done_at.map(fmt_time),
                note: k.note.clone(),
                overdue: k.done_at.is_none()
                    && gridline_model::deliberation::task_overdue(k.due, now),
            })
            .collect(),
        overdue_tasks: n32(v.overdue_tasks),
        feedback: s.feedback.clone(),
        fed_back_at: s.fed_back_at.map(fmt_time),
        closed_at: s.closed_at.map(fmt_time),
        sync_state: v.sync_state.key().into(),
        offered: v.offered.iter().map(|o| (*o).to_owned()).collect(),
        events: timeline,
    }
}

pub fn deliberation_figures(f: DeliberationFigures) -> dto::DeliberationFigures {
    dto::DeliberationFigures {
        raised: n32(f.raised),
        accepted: n32(f.accepted),
        resolved: n32(f.resolved),
        implemented_on_time: n32(f.implemented_on_time),
        median_days_to_resolution: f.median_days_to_resolution,
        overdue_tasks: n32(f.overdue_tasks),
    }
}

/// A step a sync overruled, with why, for the sync panel.
pub fn overruled(o: &gridline_device::sync::Overruled) -> dto::OverruledStep {
    dto::OverruledStep {
        id: o.id.clone(),
        kind: o.kind.key().into(),
        step: o.step.into(),
        event: o.event.clone(),
        why: o.why.text().into(),
    }
}

/// The words forms choose from, with the model's bounds and step fields.
pub fn vocabulary() -> dto::Vocabulary {
    use gridline_model::{limits, mediation, Tag, LIMITS};
    let words = |w: &[&str]| w.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
    let n = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
    let steps = |table: &[(&str, &[gridline_model::StepField])]| {
        table
            .iter()
            .map(|(step, fields)| dto::StepFields {
                step: (*step).to_owned(),
                fields: fields
                    .iter()
                    .map(|f| dto::StepField {
                        name: f.name.into(),
                        required: f.required,
                    })
                    .collect(),
            })
            .collect::<Vec<_>>()
    };
    dto::Vocabulary {
        issue_categories: words(&gridline_model::issue::CATEGORIES),
        wish_categories: words(&gridline_model::wish::WISH_CATEGORIES),
        tags: Tag::ALL
            .iter()
            .filter(|t| !t.is_sensitive())
            .map(|t| t.zh().into())
            .collect(),
        sensitive_tags: Tag::ALL
            .iter()
            .filter(|t| t.is_sensitive())
            .map(|t| t.zh().into())
            .collect(),
        limits: dto::Limits {
            text_max: n(LIMITS.text_max),
            name_max: n(LIMITS.name_max),
            wish_title_max: n(LIMITS.wish_title_max),
            wish_value_min: LIMITS.wish_value_min,
            wish_value_max: LIMITS.wish_value_max,
            urgency_min: LIMITS.urgency_min,
            urgency_max: LIMITS.urgency_max,
            warning_min: *mediation::WARNING.start(),
            warning_max: *mediation::WARNING.end(),
            people_max: mediation::MAX_PEOPLE,
            extension_days_max: mediation::MAX_EXTENSION_DAYS,
            reveal_reason_max: n(LIMITS.reveal_reason_max),
            photos_per_step_max: n(gridline_model::photo::MAX_PHOTOS_PER_STEP),
            caption_max: n(gridline_model::photo::MAX_CAPTION),
        },
        issue_steps: steps(limits::ISSUE_STEP_FIELDS),
        wish_steps: steps(limits::WISH_STEP_FIELDS),
        mediation_steps: steps(limits::MEDIATION_STEP_FIELDS),
        mediation: mediation_words(),
        deliberation_steps: steps(limits::DELIBERATION_STEP_FIELDS),
        deliberation: deliberation_words(),
    }
}

/// The keys of each deliberation vocabulary, in the model's order.
fn deliberation_words() -> dto::DeliberationWords {
    use gridline_model::deliberation::*;
    fn keys<T: Copy>(all: &[T], key: fn(T) -> &'static str) -> Vec<String> {
        all.iter().map(|v| key(*v).to_owned()).collect()
    }
    dto::DeliberationWords {
        proposers: keys(&Proposer::ALL, Proposer::key),
        member_types: keys(&MemberType::ALL, MemberType::key),
        meeting_types: keys(&MeetingType::ALL, MeetingType::key),
        states: keys(&TopicStage::ALL, TopicStage::key),
        title_max: n32(MAX_TITLE),
        min_notice_hours: n32(MIN_NOTICE_HOURS),
    }
}

/// The keys of each mediation vocabulary, in the model's order.
fn mediation_words() -> dto::MediationWords {
    use gridline_model::mediation::*;
    fn keys<T: Copy>(all: &[T], key: fn(T) -> &'static str) -> Vec<String> {
        all.iter().map(|v| key(*v).to_owned()).collect()
    }
    dto::MediationWords {
        case_types: keys(CaseType::ALL, CaseType::key),
        scales: keys(Scale::ALL, Scale::key),
        sources: keys(Source::ALL, Source::key),
        kinds: keys(MediationKind::ALL, MediationKind::key),
        agreement_forms: keys(AgreementForm::ALL, AgreementForm::key),
        referrals: keys(Referral::ALL, Referral::key),
        performances: keys(Performance::ALL, Performance::key),
        satisfactions: keys(Satisfaction::ALL, Satisfaction::key),
        states: keys(CaseStage::ALL, CaseStage::key),
    }
}

/// The photos a form attaches, as the device takes them.
pub fn attach(photos: &[dto::PhotoAttach]) -> Vec<gridline_device::Attach> {
    photos
        .iter()
        .map(|p| gridline_device::Attach {
            hash: p.hash.clone(),
            caption: p.caption.clone(),
        })
        .collect()
}

/// Sizes cross as JS numbers; a photo is at most 8 MB, a queue far below 4 GB.
fn n64(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

pub fn taken_photo(p: gridline_device::TakenPhoto) -> dto::TakenPhoto {
    dto::TakenPhoto {
        hash: p.hash,
        size: n64(p.size),
        thumb: p.thumb,
        width: p.width,
        height: p.height,
        taken_at: fmt_time(p.taken_at),
    }
}

pub fn photo_queue(d: &gridline_device::Device) -> gridline_device::Result<dto::PhotoQueue> {
    let q = d.photo_queue()?;
    Ok(dto::PhotoQueue {
        waiting: n64(q.waiting),
        waiting_bytes: n64(q.waiting_bytes),
        failed: n64(q.failed),
        uploaded: n64(q.uploaded),
        downloaded: n64(q.downloaded),
        downloaded_bytes: n64(q.downloaded_bytes),
    })
}

pub fn photo_item(v: gridline_device::PhotoView) -> dto::PhotoItem {
    dto::PhotoItem {
        record: v.record,
        state: v.state.key().into(),
        state_text: v.state.text().into(),
        hash: v.photo.hash,
        thumb: v.photo.thumb,
        size: n64(v.photo.size),
        taken_at: fmt_time(v.photo.taken_at),
        caption: v.photo.caption,
        step: v.photo.step.key().into(),
        by: v.photo.by,
        thumb_here: v.thumb_here,
        full_here: v.full_here,
    }
}

/// A position for the UI, with the link that opens Amap at it.
pub fn position(p: &gridline_model::Location, name: &str) -> dto::Position {
    dto::Position {
        lat: p.lat,
        lon: p.lon,
        accuracy_m: p.accuracy_m,
        source: p.source.key().to_owned(),
        map_url: Some(gridline_device::photo::map_link(p, name)),
    }
}

/// A position the UI sends, checked by the model.
pub fn location(p: &dto::Position) -> gridline_device::Result<gridline_model::Location> {
    let l = gridline_model::Location {
        lat: p.lat,
        lon: p.lon,
        accuracy_m: p.accuracy_m,
        source: gridline_model::LocationSource::parse(&p.source)?,
    };
    l.validate()?;
    Ok(l)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridline_device::app::{issue_step, wish_step, IssueAction, WishAction};
    use gridline_model::MAX_TEXT;

    #[test]
    fn the_vocabulary_sends_the_model_s_own_limits() {
        let l = vocabulary().limits;
        assert_eq!(
            l,
            dto::Limits {
                text_max: MAX_TEXT as u32,
                name_max: gridline_model::household::MAX_NAME as u32,
                wish_title_max: gridline_model::wish::MAX_TITLE as u32,
                wish_value_min: gridline_model::wish::MIN_VALUE_YUAN,
                wish_value_max: gridline_model::wish::MAX_VALUE_YUAN,
                urgency_min: *gridline_model::issue::URGENCY.start(),
                urgency_max: *gridline_model::issue::URGENCY.end(),
                warning_min: 1,
                warning_max: 3,
                people_max: gridline_model::mediation::MAX_PEOPLE,
                extension_days_max: gridline_model::mediation::MAX_EXTENSION_DAYS,
                reveal_reason_max: gridline_model::limits::MAX_REVEAL_REASON as u32,
                photos_per_step_max: 12,
                caption_max: gridline_model::photo::MAX_CAPTION as u32,
            },
            "the UI is sent exactly the bounds the model validates with"
        );
    }

    /// The UI's tests check forms against the vocabulary exactly as it is
    /// sent; this keeps their fixture equal to it (`GRIDLINE_WRITE_FIXTURES=1`
    /// rewrites it).
    #[test]
    fn the_ui_tests_use_the_vocabulary_the_app_sends() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../ui/tests/fixtures/vocabulary.json"
        );
        let sent =
            serde_json::to_string_pretty(&vocabulary()).expect("the vocabulary is JSON") + "\n";
        if std::env::var_os("GRIDLINE_WRITE_FIXTURES").is_some() {
            std::fs::write(path, &sent).expect("the fixture is writable");
        }
        let kept = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            kept == sent,
            "ui/tests/fixtures/vocabulary.json differs from what the app sends; \
             rerun with GRIDLINE_WRITE_FIXTURES=1 and commit it"
        );
    }

    /// An action for `step` with every field the app can send filled in.
    fn filled(step: &str) -> IssueAction {
        IssueAction {
            step: step.into(),
            reason: Some("理由".into()),
            into: Some(uuid::Uuid::now_v7().to_string()),
            note: Some("说明".into()),
            departments: vec!["城管".into()],
            grade: Some("normal".into()),
            feedback: Some("已处理".into()),
            satisfied: Some(true),
            resident: Some("王芳".into()),
            comment: Some("很好".into()),
            amount: Some(2),
            approve: Some(true),
        }
    }

    /// The action with `field` left out, as a form that skipped it sends it.
    fn without(mut a: IssueAction, field: &str) -> IssueAction {
        match field {
            "reason" => a.reason = None,
            "into" => a.into = None,
            "note" => a.note = None,
            "departments" => a.departments = vec![],
            "grade" => a.grade = None,
            "feedback" => a.feedback = None,
            "satisfied" => a.satisfied = None,
            "resident" => a.resident = Some("  ".into()),
            "comment" => a.comment = None,
            "amount" => a.amount = None,
            "approve" => a.approve = None,
            other => panic!("the vocabulary names a field the app cannot send: {other}"),
        }
        a
    }

    #[test]
    fn an_issue_step_is_refused_without_a_field_exactly_when_the_vocabulary_says_required() {
        for s in vocabulary().issue_steps {
            // What act_on_issue does before the fold: parse, then the model's check.
            let refused = |a: &IssueAction| issue_step(a).and_then(|st| Ok(st.validate()?)).err();
            assert!(
                refused(&filled(&s.step)).is_none(),
                "{} with every field is accepted",
                s.step
            );
            for f in &s.fields {
                let e = refused(&without(filled(&s.step), &f.name));
                assert_eq!(
                    e.is_some(),
                    f.required,
                    "{} without {}: the device refuses it iff the vocabulary says required ({e:?})",
                    s.step,
                    f.name
                );
            }
        }
    }

    #[test]
    fn a_wish_step_is_refused_without_a_field_exactly_when_the_vocabulary_says_required() {
        // The steps as act_on_wish builds them from a WishAction's texts.
        let step = |key: &str, text: &str| {
            let t = Some(text.to_owned());
            wish_step(&WishAction {
                step: key.into(),
                note: t.clone(),
                resident: t.clone(),
                reason: t,
            })
            .unwrap_or_else(|e| panic!("act_on_wish takes the vocabulary's step {key}: {e}"))
        };
        for s in vocabulary().wish_steps {
            assert!(
                step(&s.step, "有").validate().is_ok(),
                "{} filled in",
                s.step
            );
            for f in &s.fields {
                assert_eq!(
                    step(&s.step, "").validate().is_err(),
                    f.required,
                    "{} without {}: refused iff required",
                    s.step,
                    f.name
                );
            }
        }
    }

    /// The UI reads a case event's detail by position (ui/src/lib/mediation.ts,
    /// `formatCaseEventDetail`): keys and times first, free text last.
    #[test]
    fn a_case_event_detail_puts_the_model_s_keys_first_and_free_text_last() {
        use gridline_model::mediation::{AgreementForm, MediationKind, Performance, Satisfaction};
        let at: gridline_model::Instant = "2026-03-01T02:00:00Z".parse().unwrap();
        for (step, detail) in [
            (CaseStep::Register, ""),
            (
                CaseStep::Agree {
                    form: AgreementForm::Oral,
                    perform_by: at,
                },
                "oral · 2026-03-01T02:00:00.000Z",
            ),
            (
                CaseStep::Transfer {
                    to: MediationKind::Judicial,
                    reason: "涉及赔偿金额 · 较大".into(),
                },
                "judicial · 涉及赔偿金额 · 较大",
            ),
            (
                CaseStep::FollowUp {
                    performance: Performance::Partly,
                    satisfaction: Satisfaction::Basic,
                    risk: String::new(),
                },
                "partly · basic",
            ),
            (
                CaseStep::Extend {
                    days: 15,
                    reason: "等待鉴定".into(),
                    consent: true,
                },
                "15 · 等待鉴定",
            ),
            (CaseStep::CourtRule { confirmed: false }, "refused"),
        ] {
            assert_eq!(case_event_detail(&step), detail, "{}", step.key());
        }
    }
}

//! From the device crate's views to the IPC types. Only field mapping here.

use gridline_device::{
    HouseholdSummary, HouseholdView, IssueSummary, IssueView, VisitSummary, WishSummary, WishView,
};
use gridline_model::{fmt_time, IssueStep, WishStep};

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
        notes: r.notes,
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

pub fn household(v: HouseholdView) -> dto::HouseholdDetail {
    let h = v.household;
    let private = v.private;
    let residents = h
        .residents
        .iter()
        .map(|r| dto::Resident {
            id: r.id.to_string(),
            name: r.name.clone(),
            relation: r.relation.key().into(),
            gender: r.gender.map(|g| g.key().into()),
            birth_date: r.birth_date.map(|d| d.to_string()),
            phone: r.phone.as_ref().map(|p| p.to_string()),
            tags: r.tags.iter().map(|t| t.zh().into()).collect(),
            id_number_masked: private
                .as_ref()
                .and_then(|p| p.id_numbers.get(&r.id))
                .map(|n| n.masked()),
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
    use gridline_model::{limits, Tag, LIMITS};
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
        },
        issue_steps: steps(limits::ISSUE_STEP_FIELDS),
        wish_steps: steps(limits::WISH_STEP_FIELDS),
    }
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
}

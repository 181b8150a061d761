use gridline_model::issue::{Deadlines, IssueState, Stage};
use gridline_model::{Grade, IssueEvent, IssueStep, RecordId};
use proptest::prelude::*;

use super::*;

fn ev(n: u128, hour: i64, u: &User, step: IssueStep) -> IssueEvent {
    IssueEvent {
        id: id(n),
        at: t(hour),
        author: author(u),
        step,
    }
}

fn fold(events: &[IssueEvent]) -> IssueState {
    IssueState::fold(events, community().as_str(), &Deadlines::default())
}

fn full_chain() -> Vec<IssueEvent> {
    vec![
        ev(1, 0, &worker(), IssueStep::Report),
        ev(2, 1, &community_staff(), IssueStep::Accept),
        ev(
            3,
            2,
            &community_staff(),
            IssueStep::Escalate {
                note: "需要城管".into(),
            },
        ),
        ev(
            4,
            3,
            &street_staff(),
            IssueStep::Dispatch {
                departments: vec!["城管".into(), "住建".into()],
                grade: Grade::Urgent,
            },
        ),
        ev(
            5,
            4,
            &department("城管"),
            IssueStep::Handle {
                feedback: "已清理".into(),
            },
        ),
        ev(
            6,
            5,
            &department("住建"),
            IssueStep::Handle {
                feedback: "已修复".into(),
            },
        ),
        ev(
            7,
            6,
            &community_staff(),
            IssueStep::VerifyClose {
                note: "现场核查".into(),
            },
        ),
        ev(
            8,
            7,
            &worker(),
            IssueStep::Evaluate {
                satisfied: true,
                resident: "邵秀英".into(),
                comment: String::new(),
            },
        ),
    ]
}

#[test]
fn the_whole_chain_reaches_evaluated_with_nothing_refused() {
    let s = fold(&full_chain());
    assert_eq!(
        s.stage,
        Some(Stage::Evaluated),
        "every step was made by the right role in the right state"
    );
    assert!(
        s.outcomes.iter().all(|o| o.refused.is_none()),
        "nothing refused: {:?}",
        s.outcomes
    );
    assert_eq!(s.feedback.len(), 2, "both departments fed back");
}

#[test]
fn handling_waits_for_every_dispatched_department() {
    let s = fold(&full_chain()[..5]);
    assert_eq!(
        s.stage,
        Some(Stage::Dispatched),
        "one of two departments has fed back"
    );
    let s = fold(&full_chain()[..6]);
    assert_eq!(
        s.stage,
        Some(Stage::Handled),
        "both departments have fed back"
    );
}

#[test]
fn a_step_by_the_wrong_role_is_kept_and_refused_with_a_reason() {
    let mut events = full_chain()[..2].to_vec();
    events.push(ev(
        9,
        2,
        &worker(),
        IssueStep::Escalate {
            note: String::new(),
        },
    ));
    let s = fold(&events);
    assert_eq!(
        s.stage,
        Some(Stage::Accepted),
        "the refused step changed nothing"
    );
    assert_eq!(s.outcomes.len(), 3, "the refused event is kept");
    let why = s.refusal(id(9)).expect("a grid worker may not escalate");
    assert!(
        why.contains("grid-worker"),
        "the reason names the role: {why}"
    );
}

#[test]
fn a_step_in_the_wrong_state_is_refused() {
    let events = vec![
        ev(1, 0, &worker(), IssueStep::Report),
        ev(
            2,
            1,
            &community_staff(),
            IssueStep::VerifyClose {
                note: String::new(),
            },
        ),
    ];
    let s = fold(&events);
    assert_eq!(s.stage, Some(Stage::Reported));
    assert!(
        s.refusal(id(2)).unwrap().contains("reported"),
        "the reason names the state"
    );
}

#[test]
fn another_communitys_staff_and_an_undispatched_department_are_refused() {
    let mut events = full_chain()[..1].to_vec();
    events.push(ev(2, 1, &other_community_staff(), IssueStep::Accept));
    let s = fold(&events);
    assert!(
        s.refusal(id(2)).is_some(),
        "staff of another community may not accept"
    );
    let mut events = full_chain()[..4].to_vec();
    events.push(ev(
        9,
        4,
        &department("消防"),
        IssueStep::Handle {
            feedback: "x".into(),
        },
    ));
    let s = fold(&events);
    assert!(
        s.refusal(id(9)).unwrap().contains("消防"),
        "a department not dispatched may not handle"
    );
}

#[test]
fn unsatisfied_evaluation_reopens_to_accepted() {
    let mut events = full_chain()[..7].to_vec();
    events.push(ev(
        8,
        7,
        &leader(),
        IssueStep::Evaluate {
            satisfied: false,
            resident: "邵秀英".into(),
            comment: "没修好".into(),
        },
    ));
    let s = fold(&events);
    assert_eq!(
        s.stage,
        Some(Stage::Accepted),
        "unsatisfied goes back to the community"
    );
    assert_eq!(s.reopened, 1);
    assert_eq!(s.deadline, None, "the old deadline no longer applies");
    events.push(ev(
        9,
        8,
        &community_staff(),
        IssueStep::Resolve {
            note: "返工".into(),
        },
    ));
    assert_eq!(
        fold(&events).stage,
        Some(Stage::Resolved),
        "a reopened issue can be resolved again"
    );
}

#[test]
fn reject_needs_a_reason_and_merge_records_the_target() {
    let base = vec![ev(1, 0, &worker(), IssueStep::Report)];
    let mut e = base.clone();
    e.push(ev(
        2,
        1,
        &community_staff(),
        IssueStep::Reject { reason: " ".into() },
    ));
    assert!(
        fold(&e).refusal(id(2)).is_some(),
        "an empty reason is refused"
    );
    let mut e = base;
    e.push(ev(
        2,
        1,
        &community_staff(),
        IssueStep::Merge { into: id(77) },
    ));
    let s = fold(&e);
    assert_eq!(
        (s.stage, s.merged_into),
        (Some(Stage::Merged), Some(id(77)))
    );
}

#[test]
fn deadlines_follow_the_grade_and_overdue_is_computed_from_now() {
    let s = fold(&full_chain()[..4]);
    assert_eq!(
        s.deadline,
        Some(t(3 + 24)),
        "urgent: 24 hours from dispatch"
    );
    assert!(!s.is_overdue(t(26)), "not overdue before the deadline");
    assert!(s.is_overdue(t(28)), "overdue after the deadline");
    let s = fold(&full_chain()[..6]);
    assert!(!s.is_overdue(t(100)), "a handled issue is not overdue");
    let minor = vec![
        ev(1, 0, &worker(), IssueStep::Report),
        ev(2, 1, &community_staff(), IssueStep::Accept),
        ev(
            3,
            2,
            &community_staff(),
            IssueStep::Escalate {
                note: String::new(),
            },
        ),
        ev(
            4,
            3,
            &street_staff(),
            IssueStep::Dispatch {
                departments: vec!["城管".into()],
                grade: Grade::Minor,
            },
        ),
    ];
    assert_eq!(fold(&minor).deadline, Some(t(3 + 7 * 24)), "minor: 7 days");
}

#[test]
fn would_accept_matches_the_fold() {
    let s = fold(&full_chain()[..2]);
    assert!(s
        .would_accept(
            &author(&community_staff()),
            &IssueStep::Escalate {
                note: String::new()
            },
        )
        .is_ok());
    assert!(
        s.would_accept(
            &author(&street_staff()),
            &IssueStep::Dispatch {
                departments: vec!["x".into()],
                grade: Grade::Normal
            },
        )
        .is_err(),
        "dispatch needs escalated"
    );
}

fn arb_step() -> impl Strategy<Value = (usize, IssueStep)> {
    prop_oneof![
        Just((0, IssueStep::Report)),
        Just((2, IssueStep::Accept)),
        Just((
            2,
            IssueStep::Reject {
                reason: "不属实".into()
            }
        )),
        Just((
            2,
            IssueStep::Resolve {
                note: String::new()
            }
        )),
        Just((
            2,
            IssueStep::Escalate {
                note: String::new()
            }
        )),
        Just((
            3,
            IssueStep::Dispatch {
                departments: vec!["城管".into()],
                grade: Grade::Normal
            }
        )),
        Just((
            4,
            IssueStep::Handle {
                feedback: "ok".into()
            }
        )),
        Just((
            2,
            IssueStep::VerifyClose {
                note: String::new()
            }
        )),
        Just((
            1,
            IssueStep::Evaluate {
                satisfied: false,
                resident: "张三".into(),
                comment: String::new()
            }
        )),
        Just((
            0,
            IssueStep::Evaluate {
                satisfied: true,
                resident: "张三".into(),
                comment: String::new()
            }
        )),
    ]
}

proptest! {
    /// Any order of arrival of the same events folds to the same state.
    #[test]
    fn any_order_of_the_same_events_folds_to_the_same_state(
        steps in prop::collection::vec((arb_step(), 0i64..20), 1..25),
        seed in any::<u64>(),
    ) {
        let people = [worker(), leader(), community_staff(), street_staff(), department("城管")];
        let events: Vec<IssueEvent> = steps.iter().enumerate()
            .map(|(i, ((who, step), hour))| ev(i as u128 + 1, *hour, &people[*who], step.clone()))
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
        prop_assert_eq!(&a, &b, "fold must not depend on arrival order");
        prop_assert_eq!(a.outcomes.len(), events.len(), "every event is kept, applied or refused");
        let _: Option<RecordId> = a.merged_into;
    }
}

#[test]
fn only_a_dispatched_issue_can_be_overdue_and_the_store_reads_only_those() {
    // DESIGN §4: the deadline runs from dispatch until the department
    // reports it handled; in no other stage is an issue overdue.
    assert_eq!(
        gridline_model::issue::stages_that_can_be_overdue(),
        vec![Stage::Dispatched]
    );
}

//! Time limits as a street sets them: a table in working hours, extensions,
//! deferral and send-backs, folded and counted as every replica does.

use chrono::TimeZone;
use gridline_model::issue::Stage;
use gridline_model::monthly::{IssueFacts, MonthlyFigures, Period};
use gridline_model::time_limit::{LimitRow, LimitUnit, Warning};
use gridline_model::{Grade, Issue, IssueEvent, IssueStep, StreetLimits};

use super::*;

/// An instant in Beijing time, November 2026 (Friday the 27th, Monday the 30th).
fn bj(d: u32, h: u32, m: u32) -> Instant {
    gridline_model::beijing()
        .with_ymd_and_hms(2026, 11, d, h, m, 0)
        .unwrap()
        .with_timezone(&Utc)
}

/// 市容环境 normal: 4 working hours, yellow at 50 %, red at 80 %.
fn street() -> StreetLimits {
    StreetLimits {
        table: vec![LimitRow {
            category: "市容环境".into(),
            grade: Grade::Normal,
            amount: 4,
            unit: LimitUnit::WorkingHours,
            yellow_percent: 50,
            red_percent: 80,
        }],
        ..StreetLimits::default()
    }
}

fn step(n: u128, at: Instant, u: &User, step: IssueStep) -> IssueEvent {
    IssueEvent {
        id: id(n),
        at,
        author: author(u),
        step,
    }
}

/// Reported, accepted and escalated on Friday morning, dispatched to 城管
/// at 16:00: due Monday 11:00.
fn dispatched(more: Vec<IssueEvent>) -> Issue {
    let mut events = vec![
        step(1, bj(27, 9, 0), &worker(), IssueStep::Report),
        step(2, bj(27, 10, 0), &community_staff(), IssueStep::Accept),
        step(
            3,
            bj(27, 11, 0),
            &community_staff(),
            IssueStep::Escalate {
                note: String::new(),
            },
        ),
        step(
            4,
            bj(27, 16, 0),
            &street_staff(),
            IssueStep::Dispatch {
                departments: vec!["城管".into()],
                grade: Grade::Normal,
            },
        ),
    ];
    events.extend(more);
    Issue {
        id: id(900),
        grid: grid(1),
        category: "市容环境".into(),
        description: "垃圾暴露".into(),
        location: String::new(),
        household: None,
        urgency: 2,
        reporter: "gw1".into(),
        reported_at: bj(27, 9, 0),
        events,
    }
}

fn ask(n: u128, at: Instant, by: &User, amount: u32) -> IssueEvent {
    step(
        n,
        at,
        by,
        IssueStep::RequestExtension {
            amount,
            reason: "需协调物业".into(),
        },
    )
}

fn decide(n: u128, at: Instant, by: &User, approve: bool) -> IssueEvent {
    step(
        n,
        at,
        by,
        IssueStep::DecideExtension {
            approve,
            note: String::new(),
        },
    )
}

fn refused(i: &Issue, n: u128) -> Option<gridline_model::Text> {
    i.state_with(&street()).refusal(id(n)).cloned()
}

#[test]
fn the_table_sets_a_deadline_in_working_hours_over_the_weekend() {
    let s = dispatched(vec![]).state_with(&street());
    assert_eq!(
        s.deadline,
        Some(bj(30, 11, 0)),
        "1.5 h Friday, 2.5 h Monday"
    );
    assert_eq!(
        dispatched(vec![]).state().deadline,
        Some(bj(27, 16, 0) + chrono::Duration::days(3)),
        "with no table the grade's calendar days apply, as before"
    );
    assert_eq!(s.warning(bj(27, 17, 0)), Warning::None, "1 of 4 hours used");
    assert_eq!(
        s.warning(bj(29, 20, 0)),
        Warning::None,
        "Sunday uses nothing"
    );
    assert_eq!(s.warning(bj(30, 9, 0)), Warning::Yellow, "2 of 4 hours");
    assert_eq!(s.warning(bj(30, 10, 30)), Warning::Red, "3.5 of 4 hours");
    assert_eq!(s.warning(bj(30, 11, 30)), Warning::Overdue, "past 11:00");
}

#[test]
fn an_approved_extension_moves_the_deadline_in_working_time() {
    let dep = department("城管");
    let i = dispatched(vec![
        ask(5, bj(30, 9, 0), &dep, 2),
        decide(6, bj(30, 9, 30), &street_staff(), true),
    ]);
    let s = i.state_with(&street());
    assert!(
        s.outcomes.iter().all(|o| o.refused.is_none()),
        "{:?}",
        s.outcomes
    );
    assert_eq!(
        s.deadline,
        Some(bj(30, 15, 0)),
        "11:00 plus 2 working hours skips the lunch break"
    );
    assert_eq!(s.extensions, 1);
    assert!(!s.is_overdue(bj(30, 12, 0)), "within the extended limit");
}

#[test]
fn a_refused_extension_leaves_the_deadline() {
    let dep = department("城管");
    let i = dispatched(vec![
        ask(5, bj(30, 9, 0), &dep, 2),
        decide(6, bj(30, 9, 30), &street_staff(), false),
    ]);
    let s = i.state_with(&street());
    assert_eq!(s.deadline, Some(bj(30, 11, 0)), "unchanged");
    assert_eq!(s.extension_requested, None, "the request is decided");
    assert!(
        s.refusal(id(6)).is_none(),
        "a refusal is a decision, applied"
    );
}

#[test]
fn extensions_are_refused_from_the_wrong_people_in_both_languages() {
    let dep = department("城管");
    let other = department("住建");
    let cases = [
        (
            dispatched(vec![ask(5, bj(30, 9, 0), &worker(), 2)]),
            "grid worker",
        ),
        (
            dispatched(vec![ask(5, bj(30, 9, 0), &other, 2)]),
            "not dispatched",
        ),
        (
            dispatched(vec![ask(5, bj(30, 9, 0), &street_staff(), 2)]),
            "street staff ask nothing",
        ),
        (
            dispatched(vec![
                ask(4, bj(30, 8, 0), &dep, 2),
                decide(5, bj(30, 9, 0), &dep, true),
            ]),
            "a department decides nothing",
        ),
        (
            dispatched(vec![
                ask(4, bj(30, 8, 0), &dep, 2),
                decide(5, bj(30, 9, 0), &community_staff(), true),
            ]),
            "community staff decide nothing",
        ),
        (
            dispatched(vec![decide(5, bj(30, 9, 0), &street_staff(), true)]),
            "nothing to decide",
        ),
        (
            dispatched(vec![
                ask(4, bj(30, 8, 0), &dep, 2),
                ask(5, bj(30, 9, 0), &dep, 1),
            ]),
            "one open request at a time",
        ),
        (
            dispatched(vec![ask(5, bj(30, 9, 0), &dep, 0)]),
            "zero hours",
        ),
        (
            dispatched(vec![ask(5, bj(30, 9, 0), &dep, 161)]),
            "over the bound",
        ),
    ];
    for (i, why) in cases {
        let r = refused(&i, 5).unwrap_or_else(|| panic!("{why}: must be refused"));
        assert!(
            !r.zh.is_empty() && !r.en.is_empty() && r.zh != r.en,
            "{why}: {r:?}"
        );
        assert_eq!(
            i.state_with(&street()).deadline,
            Some(bj(30, 11, 0)),
            "{why}: a refused step changes nothing"
        );
    }
}

fn month(facts: &IssueFacts) -> MonthlyFigures {
    MonthlyFigures::count([facts], Period::month(2026, 11).unwrap())
}

#[test]
fn a_deferred_issue_is_out_of_due_and_never_overdue() {
    let i = dispatched(vec![step(
        5,
        bj(30, 9, 0),
        &street_staff(),
        IssueStep::Defer {
            reason: "待产权单位确认".into(),
        },
    )]);
    let s = i.state_with(&street());
    assert!(s.deferred && s.refusal(id(5)).is_none(), "{:?}", s.outcomes);
    assert_eq!(s.deadline, None, "no limit runs while deferred");
    assert_eq!(s.deferred_deadline, Some(bj(30, 11, 0)), "kept to show");
    assert!(!s.is_overdue(bj(30, 17, 0)), "never overdue");
    assert_eq!(s.warning(bj(30, 17, 0)), Warning::None);
    let f = IssueFacts::of(&i, &street()).unwrap();
    let m = month(&f);
    assert_eq!((m.total.due, m.total.deferred), (1, 1), "due, and deferred");
    assert_eq!(m.total.closure_rate(), None, "nothing left in the rates");
    for who in [department("城管"), community_staff(), worker()] {
        let by = dispatched(vec![step(
            5,
            bj(30, 9, 0),
            &who,
            IssueStep::Defer { reason: "x".into() },
        )]);
        assert!(refused(&by, 5).is_some(), "{:?} may not defer", who.role);
    }
}

#[test]
fn a_send_back_reopens_for_the_same_department_and_counts_against_it() {
    let dep = department("城管");
    let i = dispatched(vec![
        step(
            5,
            bj(30, 9, 0),
            &dep,
            IssueStep::Handle {
                feedback: "已清理".into(),
            },
        ),
        step(
            6,
            bj(30, 10, 0),
            &community_staff(),
            IssueStep::SendBack {
                reason: "现场仍有垃圾".into(),
            },
        ),
    ]);
    let s = i.state_with(&street());
    assert_eq!(s.stage, Some(Stage::Dispatched), "{:?}", s.outcomes);
    assert!(s.feedback.is_empty(), "feedback cleared");
    assert_eq!(s.departments, vec!["城管".to_string()], "same departments");
    assert_eq!(s.deadline, Some(bj(30, 11, 0)), "deadline unchanged");
    let m = month(&IssueFacts::of(&i, &street()).unwrap());
    assert_eq!(m.by_department["城管"].sent_back, 1, "against 城管");
    assert_eq!(m.total.sent_back, 1);
    assert_eq!(m.total.evaluated, 0, "not a resident's verdict");
    let by_worker = dispatched(vec![
        step(
            5,
            bj(30, 9, 0),
            &dep,
            IssueStep::Handle {
                feedback: "已清理".into(),
            },
        ),
        step(
            6,
            bj(30, 10, 0),
            &worker(),
            IssueStep::SendBack { reason: "x".into() },
        ),
    ]);
    assert!(
        refused(&by_worker, 6).is_some(),
        "a grid worker verifies nothing"
    );
    assert!(
        refused(
            &dispatched(vec![step(
                6,
                bj(30, 10, 0),
                &community_staff(),
                IssueStep::SendBack { reason: "x".into() },
            )]),
            6
        )
        .is_some(),
        "nothing handled yet to send back"
    );
}

#[test]
fn would_accept_offers_the_new_steps_to_their_roles_only() {
    let s = dispatched(vec![]).state_with(&street());
    let req = IssueStep::RequestExtension {
        amount: 1,
        reason: "x".into(),
    };
    assert!(s.would_accept(&author(&department("城管")), &req).is_ok());
    assert!(s.would_accept(&author(&worker()), &req).is_err());
    let defer = IssueStep::Defer { reason: "x".into() };
    assert!(s.would_accept(&author(&street_staff()), &defer).is_ok());
    assert!(s
        .would_accept(&author(&department("城管")), &defer)
        .is_err());
}

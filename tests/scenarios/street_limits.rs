//! The street's time limits on a live hub (HTTP on loopback): the admin sets
//! them on the hub's data directory while it serves, the change is audited,
//! and a device's next sync takes them, re-projecting the deadlines of the
//! issues and cases it already holds, with no document pushed or pulled. A
//! refused `set` changes nothing anyone sees.

use chrono::Duration;
use gridline_device::mediation::{CaseFilter, NewCase, PrivateNote};
use gridline_device::{Device, IssueFilter, NewIssue};
use gridline_hub::{AuditQuery, Hub};
use gridline_model::mediation::months_later;
use gridline_model::{CaseStep, Grade, Instant, IssueStep, Role, StreetLimits};

use super::{device, store_of, Served, GRID};

struct Phone {
    _dir: tempfile::TempDir,
    d: Device,
}

fn sync(served: &Served, p: &mut Phone) -> gridline_device::sync::SyncReport {
    let r = served
        .rt
        .block_on(gridline_device::sync::sync(&mut p.d, |_| {}))
        .unwrap();
    assert!(r.refused.is_empty(), "nothing refused: {:?}", r.refused);
    r
}

/// The deadline and overdue flag of the one issue and the one case, as the
/// device's lists (its projection) show them at `now`.
fn listed(p: &Phone, now: Instant) -> ((Option<Instant>, bool), (Option<Instant>, bool)) {
    let issues = p.d.issues(&IssueFilter::default(), now).unwrap();
    let cases = p.d.cases(&CaseFilter::default(), now).unwrap();
    assert_eq!((issues.len(), cases.len()), (1, 1), "one of each");
    (
        (issues[0].deadline, issues[0].overdue),
        (cases[0].deadline, cases[0].overdue),
    )
}

#[test]
fn the_admin_sets_the_streets_limits_and_a_device_follows_them_on_its_next_sync() {
    let t0: Instant = chrono::Utc::now();
    let at = |hours: i64| t0 + Duration::hours(hours);
    let (hub_dir, hub) = gridline_test_support::sample_hub(t0);
    let people = [
        ("gw-1", Role::GridWorker, format!("grids:{GRID}")),
        (
            "cs-1",
            Role::CommunityStaff,
            "community:522701001001".to_owned(),
        ),
        ("ss-1", Role::StreetStaff, "street:522701001".to_owned()),
    ];
    let codes: Vec<String> = people
        .iter()
        .map(|(i, r, s)| {
            hub.enrol_code(&gridline_test_support::user(i, *r, s), "admin", t0)
                .unwrap()
        })
        .collect();
    let served = Served::start(hub, None);
    let mut phones: Vec<Phone> = people
        .iter()
        .zip(&codes)
        .map(|((i, r, s), code)| {
            let (dir, mut d) = device(i, *r, s);
            served
                .rt
                .block_on(gridline_device::sync::enroll(
                    &mut d,
                    &served.url,
                    code,
                    None,
                ))
                .unwrap();
            Phone { _dir: dir, d }
        })
        .collect();
    let [gw, cs, ss] = &mut phones[..] else {
        unreachable!()
    };

    // An issue and a dispute, reported, accepted, and the issue dispatched
    // as urgent; every device syncs what the others did.
    let issue =
        gw.d.report_issue(
            &NewIssue {
                grid: Some(GRID.into()),
                category: "市容环境".into(),
                description: "垃圾堆放在楼道".into(),
                ..Default::default()
            },
            at(0),
        )
        .unwrap()
        .to_string();
    let case =
        gw.d.report_dispute_with_id(
            &NewCase {
                grid: Some(GRID.into()),
                summary: "楼上漏水到楼下".into(),
                ..Default::default()
            },
            None,
            at(0),
        )
        .unwrap()
        .id
        .to_string();
    sync(&served, gw);
    sync(&served, cs);
    cs.d.act_on_issue(&issue, IssueStep::Accept, at(1)).unwrap();
    cs.d.act_on_issue(
        &issue,
        IssueStep::Escalate {
            note: "需城管处理".into(),
        },
        at(1),
    )
    .unwrap();
    cs.d.act_on_case(
        &case,
        CaseStep::Accept {
            mediator: "王调解员".into(),
        },
        &PrivateNote::default(),
        at(1),
    )
    .unwrap();
    sync(&served, cs);
    sync(&served, ss);
    ss.d.act_on_issue(
        &issue,
        IssueStep::Dispatch {
            departments: vec!["城管".into()],
            grade: Grade::Urgent,
        },
        at(2),
    )
    .unwrap();
    sync(&served, ss);
    sync(&served, cs);
    let dispatched =
        cs.d.issue(&issue, at(2))
            .unwrap()
            .state
            .dispatched_at
            .unwrap();
    let accepted = cs.d.case(&case, at(2)).unwrap().state.accepted_at.unwrap();
    // 13 hours after dispatch, 40 days after acceptance.
    let (soon, later) = (
        dispatched + Duration::hours(13),
        accepted + Duration::days(40),
    );
    assert_eq!(
        store_of(&cs.d).street_limits().unwrap(),
        StreetLimits::default(),
        "until the admin sets them, the hub sends the defaults"
    );
    let (i, c) = listed(cs, soon);
    assert_eq!(
        i,
        (Some(dispatched + Duration::hours(24)), false),
        "24 hours by default"
    );
    assert_eq!(c.0, months_later(accepted, 1), "one month by default");
    assert!(
        listed(cs, later).1 .1,
        "40 days on, the case is overdue by default"
    );

    // The admin works on the hub's data directory while it serves.
    let admin = Hub::open(hub_dir.path()).unwrap();
    let street = StreetLimits {
        urgent_hours: 12,
        normal_days: 3,
        minor_days: 5,
        conclude_months: 2,
        ..StreetLimits::default()
    };
    assert!(
        admin
            .set_street_limits(
                &StreetLimits {
                    minor_days: 2,
                    ..street.clone()
                },
                "李管理员",
                at(3)
            )
            .is_err(),
        "minor issues with less time than normal ones are refused"
    );
    assert_eq!(
        admin.street_limits().unwrap(),
        StreetLimits::default(),
        "a refused set changes nothing"
    );
    let quiet = sync(&served, cs);
    assert!(
        !quiet.limits_changed && listed(cs, soon).0 == i,
        "nor on a device"
    );
    admin.set_street_limits(&street, "李管理员", at(3)).unwrap();
    let audited: Vec<_> = admin
        .audit(&AuditQuery::default())
        .unwrap()
        .into_iter()
        .filter(|r| r.action == "limits")
        .collect();
    assert_eq!(audited.len(), 1, "the change is audited once: {audited:?}");
    assert_eq!(
        audited[0].admin.as_deref(),
        Some("李管理员"),
        "with its admin"
    );

    // The device takes them on its next sync, with no document moving.
    let report = sync(&served, cs);
    assert!(report.limits_changed, "the sync reports the new limits");
    assert_eq!(
        (report.pushed, report.pulled),
        (0, 0),
        "no document was pushed or pulled: the limits alone changed"
    );
    assert_eq!(
        store_of(&cs.d).street_limits().unwrap(),
        street,
        "the device holds the street's limits, durably"
    );
    let (i, c) = listed(cs, soon);
    assert_eq!(
        i,
        (Some(dispatched + Duration::hours(12)), true),
        "the urgent issue is due 12 hours after dispatch, so 13 hours on it is overdue"
    );
    assert_eq!(c.0, months_later(accepted, 2), "the case has two months");
    assert!(
        !listed(cs, later).1 .1,
        "40 days on, the case is no longer overdue"
    );
    let view = cs.d.issue(&issue, soon).unwrap();
    assert!(
        view.overdue && view.state.deadline == Some(dispatched + Duration::hours(12)),
        "the issue's own view folds with the street's limits too"
    );
    assert_eq!(
        cs.d.case(&case, later).unwrap().state.deadline,
        months_later(accepted, 2),
        "and so does the case's"
    );
    assert!(
        !sync(&served, cs).limits_changed,
        "the same limits again are nothing new"
    );
    served.stop();
}

//! A dispute across devices on a live hub (HTTP on loopback): a grid worker
//! finds it on a visit and reports it; community staff accept it, mediate in
//! two sessions and record an agreement; the grid worker makes the follow-up
//! visit; the agreement is judicially confirmed. Every device ends with the
//! same state, the figures equal a recount of what the test did, and a
//! joint-household leader's device never receives a case's private part:
//! not in its store, not on the wire.

use chrono::Duration;
use gridline_device::mediation::{NewCase, NewParty, PrivateNote};
use gridline_device::{Device, NewVisit};
use gridline_model::mediation::{
    AgreementForm, CaseStage, Confirmation, Performance, Satisfaction,
};
use gridline_model::{CaseStep, Instant, Role};
use gridline_sync::{SyncRequest, PROTOCOL_VERSION};

use super::{device, store_of, Served, GRID};

const ID_NUMBER: &str = "11010519491231002X";
const PHONE: &str = "13800138000";

struct Phone {
    _dir: tempfile::TempDir,
    d: Device,
}

fn enrolled(served: &Served, code: &str, id: &str, role: Role, scope: &str) -> Phone {
    let (dir, mut d) = device(id, role, scope);
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
}

fn sync(served: &Served, p: &mut Phone) -> gridline_device::sync::SyncReport {
    let r = served
        .rt
        .block_on(gridline_device::sync::sync(&mut p.d, |_| {}))
        .unwrap();
    assert!(r.refused.is_empty(), "nothing refused: {:?}", r.refused);
    r
}

fn count(p: &Phone, kind: &str) -> i64 {
    store_of(&p.d)
        .connection()
        .query_row(
            "SELECT count(*) FROM documents WHERE kind = ?1",
            [kind],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn a_dispute_goes_from_a_visit_to_judicial_confirmation_on_every_device() {
    let t0: Instant = chrono::Utc::now();
    let at = |days: i64| t0 + Duration::days(days);
    let (_h, hub) = gridline_test_support::sample_hub(t0);
    let hh = hub.household_ids(GRID, 2).unwrap();
    let (home, neighbour) = (hh[0].clone(), hh[1].clone());
    let user = |id: &str, role: Role, scope: &str| gridline_test_support::user(id, role, scope);
    let code = |u: &gridline_model::User| hub.enrol_code(u, "admin", chrono::Utc::now()).unwrap();
    let people = [
        ("gw-1", Role::GridWorker, format!("grids:{GRID}")),
        (
            "cs-1",
            Role::CommunityStaff,
            "community:522701001001".to_owned(),
        ),
        ("ss-1", Role::StreetStaff, "street:522701001".to_owned()),
        ("jl-1", Role::JointLeader, format!("households:{home}")),
    ];
    let codes: Vec<String> = people
        .iter()
        .map(|(i, r, s)| code(&user(i, *r, s)))
        .collect();
    let served = Served::start(hub, None);
    let mut phones: Vec<Phone> = people
        .iter()
        .zip(&codes)
        .map(|((i, r, s), c)| enrolled(&served, c, i, *r, s))
        .collect();
    for p in &mut phones {
        sync(&served, p);
    }
    let [gw, cs, ss, jl] = &mut phones[..] else {
        unreachable!()
    };

    // The grid worker finds the dispute on a visit and reports it from there.
    let visit =
        gw.d.log_visit(
            &NewVisit {
                household: home.clone(),
                notes: "楼上卫生间漏水到楼下，两户争执".into(),
                ..Default::default()
            },
            at(0),
        )
        .unwrap()
        .to_string();
    let case =
        gw.d.case_from_visit(
            &visit,
            &NewCase {
                households: vec![home.clone(), neighbour.clone()],
                warning: Some(2),
                ..Default::default()
            },
            None,
            at(0),
        )
        .unwrap()
        .id
        .to_string();
    assert!(
        gw.d.case_from_visit(&visit, &NewCase::default(), None, at(0))
            .is_ok(),
        "a visit may raise more than one case"
    );
    let view = gw.d.case(&case, at(0)).unwrap();
    assert_eq!(
        view.case.summary, "楼上卫生间漏水到楼下，两户争执",
        "the visit's notes, not retyped"
    );
    assert_eq!(
        view.case.from_visit.map(|v| v.to_string()),
        Some(visit.clone())
    );
    sync(&served, gw);

    // Community staff accept, record the parties, mediate twice and agree.
    sync(&served, cs);
    let waiting = cs.d.cases_needing_me(at(1)).unwrap();
    assert!(
        waiting
            .iter()
            .any(|(c, why)| c.id.to_string() == case && why.en.contains("accepted")),
        "Today shows the new case to community staff: {waiting:?}"
    );
    let staff_note = |participants: &str, notes: &str| PrivateNote {
        participants: participants.into(),
        notes: notes.into(),
        terms: String::new(),
    };
    cs.d.act_on_case(
        &case,
        CaseStep::Accept {
            mediator: "王调解员".into(),
        },
        &PrivateNote::default(),
        at(1),
    )
    .unwrap();
    cs.d.set_case_parties(
        &case,
        &[
            NewParty {
                name: "张三".into(),
                id_number: Some(ID_NUMBER.into()),
                phone: Some(PHONE.into()),
                address: "8栋1单元401".into(),
            },
            NewParty {
                name: "李四".into(),
                ..Default::default()
            },
        ],
        Some("楼上卫生间防水层破损"),
        at(1),
    )
    .unwrap();
    for (day, notes) in [(3, "双方各执一词"), (7, "双方同意修缮")] {
        cs.d.act_on_case(
            &case,
            CaseStep::Session { held_on: at(day) },
            &staff_note("张三、李四", notes),
            at(day),
        )
        .unwrap();
    }
    let agreed =
        cs.d.act_on_case(
            &case,
            CaseStep::Agree {
                form: AgreementForm::Written,
                perform_by: at(21),
            },
            &PrivateNote {
                terms: "张三负责修缮防水层，李四配合入户".into(),
                ..Default::default()
            },
            at(8),
        )
        .unwrap();
    assert_eq!(agreed.stage, Some(CaseStage::Agreed));
    assert_eq!(agreed.sessions, 2);
    // Closing before the follow-up visit is refused, and writes nothing.
    let events_before = cs.d.case(&case, at(9)).unwrap().case.events.len();
    let early = cs.d.act_on_case(
        &case,
        CaseStep::Close {
            note: String::new(),
        },
        &PrivateNote::default(),
        at(9),
    );
    let Err(gridline_device::Error::StepRefused(why)) = early else {
        panic!("closing before the follow-up is refused: {early:?}");
    };
    assert!(
        why.zh.contains("回访") && why.en.contains("follow-up"),
        "{why:?}"
    );
    assert_eq!(
        cs.d.case(&case, at(9)).unwrap().case.events.len(),
        events_before
    );
    sync(&served, cs);

    // The grid worker's follow-up visit.
    sync(&served, gw);
    let due = |day| {
        gw.d.cases_needing_me(at(day))
            .unwrap()
            .iter()
            .any(|(c, _)| c.id.to_string() == case)
    };
    assert!(!due(20), "before the performance deadline nothing is due");
    assert!(
        due(22),
        "after it, Today asks the grid worker for the follow-up visit"
    );
    let gw_view = gw.d.case(&case, at(22)).unwrap();
    assert_eq!(
        gw_view.offered,
        vec!["follow-up"],
        "a grid worker is offered the follow-up only"
    );
    let private = gw_view
        .private
        .expect("a grid worker reads its grid's private parts");
    assert_eq!(private.parties.len(), 2);
    assert_eq!(private.sessions.len(), 2, "both session records");
    gw.d.act_on_case(
        &case,
        CaseStep::FollowUp {
            performance: Performance::Fully,
            satisfaction: Satisfaction::Satisfied,
            risk: String::new(),
        },
        &PrivateNote::default(),
        at(22),
    )
    .unwrap();
    sync(&served, gw);

    // Judicial confirmation, then the case is closed.
    sync(&served, cs);
    for step in [
        CaseStep::ApplyConfirmation {
            court: "凯里市人民法院".into(),
        },
        CaseStep::CourtAccept {
            case_number: "（2026）黔2601民特调确字第12号".into(),
        },
        CaseStep::CourtRule { confirmed: true },
        CaseStep::Close {
            note: "协议已全部履行".into(),
        },
    ] {
        cs.d.act_on_case(&case, step, &PrivateNote::default(), at(23))
            .unwrap();
    }
    sync(&served, cs);

    // The leader reports a dispute of its own household.
    let own =
        jl.d.report_dispute_with_id(
            &NewCase {
                households: vec![home.clone()],
                summary: "门口堆放杂物引发口角".into(),
                ..Default::default()
            },
            None,
            at(24),
        )
        .unwrap()
        .id
        .to_string();
    sync(&served, jl);
    sync(&served, cs);
    cs.d.act_on_case(
        &own,
        CaseStep::Accept {
            mediator: "王调解员".into(),
        },
        &PrivateNote::default(),
        at(25),
    )
    .unwrap();
    cs.d.set_case_parties(
        &own,
        &[NewParty {
            name: "张三".into(),
            id_number: Some(ID_NUMBER.into()),
            phone: Some(PHONE.into()),
            address: String::new(),
        }],
        None,
        at(25),
    )
    .unwrap();
    sync(&served, cs);
    for p in [&mut *gw, &mut *ss, &mut *jl] {
        sync(&served, p);
    }

    // Every device that reads the case holds the same state.
    let states: Vec<_> = [&*gw, &*cs, &*ss]
        .iter()
        .map(|p| p.d.case(&case, at(30)).unwrap().state)
        .collect();
    assert!(
        states.windows(2).all(|w| w[0] == w[1]),
        "one state everywhere"
    );
    let s = &states[0];
    assert_eq!(s.stage, Some(CaseStage::Closed));
    assert!(matches!(
        s.confirmation,
        Some(Confirmation::Confirmed { .. })
    ));
    assert!(
        s.outcomes.iter().all(|o| o.refused.is_none()),
        "{:?}",
        s.outcomes
    );

    // The leader: its own case, public part only; never the grid worker's
    // case (though in its household), never a private part.
    assert!(jl.d.case(&own, at(30)).unwrap().private.is_none());
    assert!(
        jl.d.case(&case, at(30)).is_err(),
        "not the case it did not report"
    );
    assert_eq!(count(jl, "mediation"), 1);
    assert_eq!(
        count(jl, "mediation-private"),
        0,
        "no private part in the leader's store"
    );
    // On the wire: a first sync with the leader's token carries neither the
    // private documents nor the ID number or the phone.
    let token = store_of(&jl.d).meta("token").unwrap().unwrap();
    let req = SyncRequest {
        v: PROTOCOL_VERSION,
        cursor: 0,
        page: 2000,
        want_total: false,
        new_actor: None,
        push: Vec::new(),
        sync: Vec::new(),
        am_sync: false,
        reveals: Vec::new(),
        directory: None,
    };
    let raw = served.rt.block_on(async {
        reqwest::Client::new()
            .post(format!("{}/v1/sync", served.url))
            .bearer_auth(&token)
            .header("content-type", "application/cbor")
            .body(gridline_sync::encode(&req))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
    });
    let resp = gridline_sync::decode_response(&raw).unwrap();
    assert!(!resp.more, "one page holds the leader's scope");
    let private_ids = [&case, &own]
        .map(|c| gridline_records::mediation::private_doc_id(c.parse().unwrap()).to_string());
    assert!(
        resp.docs.iter().any(|d| d.id == own),
        "its own case is sent"
    );
    assert!(
        resp.docs
            .iter()
            .all(|d| !private_ids.contains(&d.id) && d.id != case),
        "no private part and no case it did not report: {:?}",
        resp.docs.iter().map(|d| &d.id).collect::<Vec<_>>()
    );
    let contains = |needle: &[u8]| raw.windows(needle.len()).any(|w| w == needle);
    assert!(!contains(ID_NUMBER.as_bytes()), "no ID number on the wire");
    assert!(!contains(PHONE.as_bytes()), "no party's phone on the wire");
    // The same request with the grid worker's token does carry them, so the
    // check above could fail.
    let gw_token = store_of(&gw.d).meta("token").unwrap().unwrap();
    let gw_raw = served.rt.block_on(async {
        reqwest::Client::new()
            .post(format!("{}/v1/sync", served.url))
            .bearer_auth(&gw_token)
            .header("content-type", "application/cbor")
            .body(gridline_sync::encode(&req))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
    });
    let gw_resp = gridline_sync::decode_response(&gw_raw).unwrap();
    assert!(gw_resp.docs.iter().any(|d| d.id == private_ids[0]));

    // The figures equal a recount of what this test did: two cases in the
    // community, one concluded with an agreement, confirmed, followed up as
    // fully performed, on time; the leader's case is open and in time.
    for p in [&*cs, &*ss] {
        let f = p.d.mediation_figures(at(30)).unwrap();
        assert_eq!(
            (
                f.cases,
                f.concluded,
                f.agreements,
                f.confirmed,
                f.followed_up,
                f.fully_performed
            ),
            (3, 1, 1, 1, 1, 1),
            "two cases from the visit (one still registered) and the leader's"
        );
        assert_eq!(f.concluded_on_time, 1);
        assert_eq!(f.overdue, 0);
        assert_eq!(f.success_rate(), Some(1.0));
        assert_eq!(f.by_stage.get(&CaseStage::Closed), Some(&1));
        assert_eq!(f.by_stage.get(&CaseStage::Accepted), Some(&1));
        assert_eq!(f.by_stage.get(&CaseStage::Registered), Some(&1));
    }
    // A month and a day after its acceptance, the leader's case is overdue.
    assert_eq!(cs.d.mediation_figures(at(57)).unwrap().overdue, 1);
    assert!(
        gw.d.mediation_figures(at(30)).is_err(),
        "the dashboard is for staff"
    );
}

//! The device API as the CLI and the app use it: rules before writes, demo data.

use chrono::{TimeZone, Utc};
use gridline_device::demo::{seed, Scale};
use gridline_device::{
    Device, Error, HouseholdEdit, NewHousehold, NewIssue, NewResident, NewVisit, NewWish,
};
use gridline_device::{HouseholdFilter, IssueFilter};
use gridline_model::issue::Stage;
use gridline_model::permission::Kind;
use gridline_model::wish::WishStage;
use gridline_model::*;

mod dashboard;
mod deliberation;
mod export;
mod import;
mod merge;
mod one_door;
mod photos;

/// A second connection to a device's store, for what only the store shows.
fn store_of(d: &Device) -> gridline_store::Store {
    gridline_device::open_store_for_checks(d.dir()).unwrap()
}

fn now() -> Instant {
    Utc.with_ymd_and_hms(2026, 11, 28, 6, 0, 0).unwrap()
}
const GRID: &str = "522701001001001";

fn device(role: Role, scope: &str) -> (tempfile::TempDir, Device) {
    let dir = tempfile::tempdir().unwrap();
    let user = User {
        id: format!("{}-1", role.key()),
        name: "测试".into(),
        role,
        scope: Scope::parse(scope).unwrap(),
    };
    let d = Device::init(dir.path(), user).unwrap();
    (dir, d)
}

fn worker() -> (tempfile::TempDir, Device) {
    device(Role::GridWorker, &format!("grids:{GRID}"))
}

/// A wish posted by community staff on a device of their own and brought to
/// `d`, as a sync would: the worker may claim it, not having posted it.
fn wish_posted_by_staff(d: &mut Device, title: &str, at: gridline_model::Instant) -> String {
    let (_dir, mut staff) = device(Role::CommunityStaff, "community:522701001001");
    let new = NewWish {
        grid: Some(GRID.into()),
        title: title.into(),
        category: "生活物资".into(),
        value_yuan: 100,
        ..Default::default()
    };
    let id = staff.post_wish(&new, at).unwrap().to_string();
    d.apply_remote(&staff.export_doc(&id).unwrap(), at).unwrap();
    id
}

fn zhang_san() -> NewHousehold {
    NewHousehold {
        grid: GRID.into(),
        compound: "水花都小区".into(),
        building: "8栋".into(),
        unit: "1单元".into(),
        room: "401".into(),
        phone: Some("18517374590".into()),
        tags: vec!["独居老人".into(), "低保户".into()],
        head: NewResident {
            name: "张三".into(),
            id_number: Some("522701198706182382".into()),
            ..Default::default()
        },
        members: Vec::new(),
        notes: String::new(),
    }
}

fn count(d: &Device) -> usize {
    d.households(&HouseholdFilter::default()).unwrap().len()
}

#[test]
fn a_household_added_is_found_by_pinyin_and_keeps_its_id_number_apart() {
    let (_dir, mut d) = worker();
    let id = d.add_household(&zhang_san(), now()).unwrap();
    let found = d.search("zs", 10).unwrap();
    assert_eq!(found.len(), 1, "initials find the household");
    assert_eq!(found[0].id, id);
    let view = d.household(&id.to_string(), now()).unwrap();
    assert!(
        !view.household.tags.contains(&Tag::LowIncome),
        "sensitive tag is not on the ordinary record"
    );
    let p = view.private.expect("a grid worker reads the private part");
    assert!(
        p.sensitive_tags.contains(&Tag::LowIncome),
        "sensitive tag is in the private part"
    );
    assert_eq!(
        p.id_numbers.values().next().unwrap().as_str(),
        "522701198706182382"
    );
    let head = &view.household.residents[0];
    assert_eq!(
        head.birth_date,
        chrono::NaiveDate::from_ymd_opt(1987, 6, 18),
        "birth date taken from the ID number"
    );
    assert_eq!(
        head.gender,
        Some(Gender::Female),
        "gender taken from the ID number"
    );
}

#[test]
fn bad_input_and_refused_actions_write_nothing() {
    let (_dir, mut d) = worker();
    let mut bad = zhang_san();
    bad.head.id_number = Some("522701198706182383".into());
    assert!(
        matches!(d.add_household(&bad, now()), Err(Error::Invalid(ref e)) if e.field == "head.id_number"),
        "wrong check digit"
    );
    let mut bad = zhang_san();
    bad.head.birth_date = Some("1990-01-01".into());
    assert!(
        matches!(d.add_household(&bad, now()), Err(Error::Invalid(_))),
        "birth date disagrees with ID number"
    );
    let mut other = zhang_san();
    other.grid = "522701001001002".into();
    let e = d.add_household(&other, now()).unwrap_err();
    assert!(
        matches!(e, Error::Refused(_)) && e.is_user_error(),
        "another grid is out of scope: {e}"
    );
    let mut bad = zhang_san();
    bad.room = String::new();
    assert!(
        matches!(d.add_household(&bad, now()), Err(Error::Invalid(ref e)) if e.field == "room")
    );
    assert_eq!(count(&d), 0, "nothing was written by any refused call");
    assert!(
        matches!(
            d.household("0193a1b2-0000-7000-8000-000000000000", now()),
            Err(Error::NotFound { .. })
        ),
        "unknown id"
    );
    assert!(
        matches!(d.household("not-an-id", now()), Err(Error::Invalid(_))),
        "malformed id"
    );
}

#[test]
fn a_joint_household_leader_never_sees_id_numbers_and_cannot_edit() {
    let (dir, mut gw) = worker();
    let id = gw.add_household(&zhang_san(), now()).unwrap();
    drop(gw);
    // Same store, re-opened as a leader linked to this household (trial mode).
    let leader = User {
        id: "jl-1".into(),
        name: "李四".into(),
        role: Role::JointLeader,
        scope: Scope::Households(vec![id]),
    };
    let store = gridline_device::open_store_for_checks(dir.path()).unwrap();
    store.set_meta("role", leader.role.key()).unwrap();
    store.set_meta("scope", &leader.scope.encode()).unwrap();
    drop(store);
    let mut jl = Device::open(dir.path()).unwrap();
    let view = jl.household(&id.to_string(), now()).unwrap();
    assert!(
        view.private.is_none(),
        "a leader's view has no private part"
    );
    let e = jl
        .edit_household(
            &id.to_string(),
            &HouseholdEdit {
                room: Some("402".into()),
                ..Default::default()
            },
            now(),
        )
        .unwrap_err();
    assert!(
        matches!(e, Error::Refused(_)),
        "leaders read households but do not edit them: {e}"
    );
    let e = jl
        .export_doc(&gridline_records::private::doc_id(id).to_string())
        .unwrap_err();
    assert!(
        matches!(e, Error::Refused(_)),
        "nor export the private document"
    );
    jl.log_visit(
        &NewVisit {
            household: id.to_string(),
            notes: "看望".into(),
            ..Default::default()
        },
        now(),
    )
    .expect("leaders log visits to linked households");
}

#[test]
fn edits_change_only_what_was_asked_and_sync_state_is_local() {
    let (_dir, mut d) = worker();
    let id = d.add_household(&zhang_san(), now()).unwrap();
    let edit = HouseholdEdit {
        room: Some("402".into()),
        add_tags: vec!["党员".into()],
        remove_tags: vec!["低保户".into()],
        add_resident: Some(NewResident {
            name: "李娟".into(),
            relation: Some("配偶".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    d.edit_household(&id.to_string(), &edit, now()).unwrap();
    let v = d.household(&id.to_string(), now()).unwrap();
    assert_eq!(v.household.address.room, "402");
    assert!(
        v.household.tags.contains(&Tag::PartyMember)
            && v.household.tags.contains(&Tag::ElderlyAlone),
        "added tag kept with old"
    );
    assert!(
        v.private.unwrap().sensitive_tags.is_empty(),
        "removed sensitive tag is gone"
    );
    assert_eq!(v.household.residents.len(), 2);
    assert_eq!(
        v.sync_state,
        gridline_store::SyncState::Local,
        "never synced: on this device only"
    );
}

#[test]
fn an_issue_goes_through_the_community_and_a_refused_step_changes_nothing() {
    let (_dir, mut cs) = device(Role::CommunityStaff, "community:522701001001");
    let id = cs
        .report_issue(
            &NewIssue {
                grid: Some(GRID.into()),
                category: "噪音".into(),
                description: "夜间施工噪音".into(),
                ..Default::default()
            },
            now(),
        )
        .unwrap()
        .to_string();
    let e = cs
        .act_on_issue(
            &id,
            IssueStep::Dispatch {
                departments: vec!["城管".into()],
                grade: Grade::Urgent,
            },
            now(),
        )
        .unwrap_err();
    assert!(
        matches!(e, Error::StepRefused(_)),
        "community staff may not dispatch: {e}"
    );
    let view = cs.issue(&id, now()).unwrap();
    assert_eq!(view.issue.events.len(), 1, "the refused step wrote nothing");
    assert_eq!(
        view.offered,
        ["accept", "reject", "merge"],
        "only steps the rules allow are offered"
    );
    cs.act_on_issue(&id, IssueStep::Accept, now()).unwrap();
    cs.act_on_issue(
        &id,
        IssueStep::Resolve {
            note: "已协调".into(),
        },
        now(),
    )
    .unwrap();
    let s = cs
        .act_on_issue(
            &id,
            IssueStep::VerifyClose {
                note: String::new(),
            },
            now(),
        )
        .unwrap();
    assert_eq!(s.stage, Some(Stage::Closed));
    let s = cs
        .act_on_issue(
            &id,
            IssueStep::Evaluate {
                satisfied: false,
                resident: "王奶奶".into(),
                comment: "仍有噪音".into(),
            },
            now(),
        )
        .unwrap();
    assert_eq!(s.stage, Some(Stage::Accepted), "unsatisfied reopens");
    assert_eq!(
        cs.issues(
            &IssueFilter {
                stage: Some(Stage::Accepted),
                ..Default::default()
            },
            now()
        )
        .unwrap()
        .len(),
        1,
        "projection follows"
    );
}

#[test]
fn a_wish_is_posted_claimed_fulfilled_and_confirmed_in_trial_mode() {
    let (_dir, mut d) = worker();
    let h = d.add_household(&zhang_san(), now()).unwrap().to_string();
    let new = NewWish {
        household: Some(h.clone()),
        title: "一台助听器".into(),
        category: "医疗健康".into(),
        value_yuan: 600,
        ..Default::default()
    };
    let own = d.post_wish(&new, now()).unwrap().to_string();
    assert!(
        matches!(d.claim_wish(&own, now()), Err(Error::StepRefused(ref why)) if why.en.contains("a wish you posted")),
        "the poster may not claim their own wish"
    );
    assert!(
        !d.wish(&own).unwrap().offered.contains(&"claim"),
        "nor is it offered to them"
    );
    d.withdraw_wish(&own, false, "重复", now()).unwrap();
    let w = wish_posted_by_staff(&mut d, "一台助听器", now());
    let s = d.claim_wish(&w, now()).unwrap();
    assert_eq!(
        s.stage,
        Some(WishStage::Claimed),
        "the trial hub grants the claim"
    );
    assert_eq!(s.claimant.as_deref(), Some("grid-worker-1"));
    assert!(
        matches!(
            d.confirm_wish(&w, "张三", now()),
            Err(Error::StepRefused(_))
        ),
        "cannot confirm before fulfilment"
    );
    d.fulfil_wish(&w, "已送到", now()).unwrap();
    let s = d.confirm_wish(&w, "张三", now()).unwrap();
    assert_eq!(s.stage, Some(WishStage::Confirmed));
    let w2 = d.post_wish(&new, now()).unwrap().to_string();
    let s = d.withdraw_wish(&w2, false, "重复", now()).unwrap();
    assert_eq!(s.stage, Some(WishStage::Withdrawn));
    assert_eq!(d.wishes(Some(WishStage::Confirmed), None).unwrap().len(), 1);
    let bad = NewWish {
        category: "奢侈品".into(),
        ..new
    };
    assert!(
        matches!(d.post_wish(&bad, now()), Err(Error::Invalid(_))),
        "unknown category"
    );
}

#[test]
fn visits_cannot_be_in_the_future_and_are_listed_by_household_and_visitor() {
    let (_dir, mut d) = worker();
    let h = d.add_household(&zhang_san(), now()).unwrap().to_string();
    let future = NewVisit {
        household: h.clone(),
        at: Some("2027-01-01 10:00".into()),
        ..Default::default()
    };
    assert!(matches!(d.log_visit(&future, now()), Err(Error::Invalid(ref e)) if e.field == "at"));
    let garbled = NewVisit {
        household: h.clone(),
        at: Some("昨天".into()),
        ..Default::default()
    };
    assert!(
        matches!(d.log_visit(&garbled, now()), Err(Error::Invalid(_))),
        "malformed date"
    );
    d.log_visit(
        &NewVisit {
            household: h.clone(),
            kind: Some("上门服务日".into()),
            at: Some("2026-11-27 15:30".into()),
            ..Default::default()
        },
        now(),
    )
    .unwrap();
    assert_eq!(d.visits(Some(&h), None, None).unwrap().len(), 1);
    assert_eq!(
        d.visits(None, Some("grid-worker-1"), None).unwrap().len(),
        1
    );
    let f = HouseholdFilter {
        not_visited_since: Some(now() - chrono::Duration::days(30)),
        ..Default::default()
    };
    assert!(d.households(&f).unwrap().is_empty(), "visited yesterday");
}

#[test]
fn demo_seed_of_a_grid_has_the_proportions_of_the_design_and_is_deterministic() {
    let (_a, mut a) = worker();
    let stats = seed(&mut a, Scale::Grid, 7, now()).unwrap();
    assert_eq!(stats.households, 300, "a grid has about 300 households");
    assert!(
        (700..1200).contains(&stats.residents),
        "about 900 residents: {}",
        stats.residents
    );
    assert_eq!(
        (stats.visits, stats.issues, stats.wishes),
        (5000, 1500, 300),
        "five years of history"
    );
    assert_eq!(
        stats.mediations,
        gridline_demo::MEDIATIONS_PER_GRID,
        "≈400 mediation cases a street a year, shared by its 80 grids"
    );
    assert_eq!(
        stats.private_parts,
        300 + stats.mediations,
        "a grid worker keeps the households' and the cases' private parts"
    );
    assert_eq!(stats.skipped, 0);
    let cases = a
        .cases(&gridline_device::mediation::CaseFilter::default(), now())
        .unwrap();
    assert_eq!(cases.len(), stats.mediations, "the cases are listed");
    assert!(
        cases.iter().all(|c| c.refused_events == 0),
        "demo cases fold with no refused step"
    );
    // Every demo issue folds without a refused step.
    let refused: i64 = store_of(&a)
        .connection()
        .query_row("SELECT sum(refused_events) FROM issues", [], |r| r.get(0))
        .unwrap();
    assert_eq!(refused, 0, "generated workflows follow the rules");
    let overdue = a
        .issues(
            &IssueFilter {
                overdue_at: Some(now()),
                ..Default::default()
            },
            now(),
        )
        .unwrap();
    let open = a
        .issues(
            &IssueFilter {
                stage: Some(Stage::Dispatched),
                ..Default::default()
            },
            now(),
        )
        .unwrap();
    assert!(overdue.len() <= open.len());
    let (_b, mut b) = worker();
    seed(&mut b, Scale::Grid, 7, now()).unwrap();
    let ids = |d: &Device| {
        d.households(&HouseholdFilter::default())
            .unwrap()
            .into_iter()
            .map(|r| (r.id, r.head_name))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&a), ids(&b), "the same seed gives the same records");
    assert_eq!(
        a.sync_counts().unwrap().demo,
        gridline_demo::DOCUMENTS_PER_GRID as i64,
        "all demo documents are marked demo (never synced)"
    );
    let by_tag = a
        .households(&HouseholdFilter {
            tag: Some(Tag::ElderlyAlone),
            ..Default::default()
        })
        .unwrap()
        .len();
    assert!((5..60).contains(&by_tag), "about 8% live alone: {by_tag}");
}

#[test]
fn demo_seed_keeps_only_what_the_scope_allows() {
    let (_d, mut jl) = device(Role::JointLeader, "households:");
    let stats = seed(&mut jl, Scale::Grid, 1, now()).unwrap();
    assert_eq!(
        stats.households, 10,
        "a leader is linked to about ten households"
    );
    assert_eq!(stats.private_parts, 0, "a leader never holds ID numbers");
    assert_eq!(
        stats.mediations, 0,
        "a leader reads only the cases it reported, and it reported none"
    );
    assert_eq!(stats.wishes, 300, "wishes are street-wide");
    let n: i64 = store_of(&jl)
        .connection()
        .query_row(
            "SELECT count(*) FROM documents WHERE kind = ?1",
            [Kind::HouseholdPrivate.key()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 0, "no private document in the leader's store");
    let by_leader = jl
        .visits(None, Some(&format!("jl-{GRID}-01")), None)
        .unwrap()
        .len();
    assert!(
        by_leader > 0,
        "the group's own leader visits its ten households: {by_leader}"
    );
    assert!(
        jl.visits(None, None, None).unwrap().len() > by_leader,
        "and the grid worker visits them too"
    );
    let (_e, mut dep) = device(Role::DepartmentLiaison, "department:城管");
    let stats = seed(&mut dep, Scale::Grid, 1, now()).unwrap();
    assert_eq!(stats.households, 0, "departments see no households");
    assert!(
        stats.issues > 0 && stats.issues < 1500,
        "only issues dispatched to 城管: {}",
        stats.issues
    );
}

#[test]
fn a_claim_and_its_trial_grant_in_the_same_millisecond_still_fold_in_order() {
    let (_dir, mut d) = worker();
    // Sub-millisecond times, as a real clock gives them.
    let t = now() + chrono::Duration::nanoseconds(400_123);
    for i in 0..20 {
        let w = wish_posted_by_staff(&mut d, &format!("心愿{i}"), t);
        let s = d.claim_wish(&w, t).unwrap();
        assert_eq!(
            s.stage,
            Some(WishStage::Claimed),
            "the grant must sort after the claim (run {i})"
        );
        assert_eq!(
            d.wish(&w).unwrap().state.stage,
            Some(WishStage::Claimed),
            "and read back the same (run {i})"
        );
    }
}

#[test]
fn resolving_names_the_conflicting_fields_and_refuses_when_there_is_nothing_to_resolve() {
    let (_a, mut a) = worker();
    let (_b, mut b) = worker();
    let id = a.add_household(&zhang_san(), now()).unwrap().to_string();
    b.apply_remote(&a.export_doc(&id).unwrap(), now()).unwrap();
    let nothing = a
        .resolve_conflict(&id, "room", "401", now())
        .expect_err("a record without conflicts has nothing to resolve");
    let msg = nothing.to_string();
    assert!(
        nothing.is_user_error() && msg.starts_with("记录") && msg.contains("nothing to resolve"),
        "says there is nothing to resolve, Chinese first: {msg}"
    );
    let room = |r: &str| HouseholdEdit {
        room: Some(r.into()),
        ..Default::default()
    };
    a.edit_household(&id, &room("402"), now()).unwrap();
    b.edit_household(&id, &room("403"), now()).unwrap();
    a.apply_remote(&b.export_doc(&id).unwrap(), now()).unwrap();
    let other = a
        .resolve_conflict(&id, "phone", "18517374590", now())
        .expect_err("phone has no conflict");
    let msg = other.to_string();
    assert!(
        msg.starts_with("字段 phone 没有冲突")
            && msg.contains("nothing to resolve")
            && msg.contains("有冲突的字段：room")
            && msg.contains("fields with conflicts: room"),
        "names the fields that do conflict: {msg}"
    );
    let wrong = a
        .resolve_conflict(&id, "room", "999", now())
        .expect_err("999 was never offered");
    let msg = wrong.to_string();
    assert!(
        msg.starts_with("\"999\" 不是字段 room 的冲突值之一")
            && msg.contains("402")
            && msg.contains("403"),
        "offers the values to choose from, Chinese first: {msg}"
    );
    a.resolve_conflict(&id, "room", "403", now()).unwrap();
    let v = a.household(&id, now()).unwrap();
    assert!(
        v.conflicts.is_empty() && v.household.address.room == "403",
        "a value offered resolves the conflict"
    );
}

#[test]
fn a_create_retried_with_the_same_id_is_one_record() {
    let (_dir, mut d) = worker();
    let id = "0193a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b";
    let first = d
        .add_household_with_id(&zhang_san(), Some(id), now())
        .unwrap();
    assert!(
        !first.already_saved && first.id.to_string() == id,
        "the first save uses the caller's id"
    );
    let again = d
        .add_household_with_id(&zhang_san(), Some(id), now())
        .unwrap();
    assert!(again.already_saved, "the retry is the same record");
    assert_eq!(count(&d), 1, "a retried save adds no second household");
    let visit = NewVisit {
        household: id.into(),
        ..Default::default()
    };
    let used = d
        .log_visit_with_id(&visit, Some(id), now())
        .expect_err("the id names a household, not a visit");
    assert!(
        matches!(used, Error::Invalid(ref e) if e.field == "id"),
        "an id used by another kind is refused: {used}"
    );
    let v4 = d
        .log_visit_with_id(&visit, Some("0b6f5f0e-5c5e-4b0a-9a51-3a1c6a7d2e10"), now())
        .expect_err("a UUID v4 is refused");
    assert!(
        v4.to_string().contains("must be a UUID v7"),
        "says a v7 is needed: {v4}"
    );
    assert_eq!(
        d.visits(Some(id), None, None).unwrap().len(),
        0,
        "a refused create writes nothing"
    );
}

/// "Overdue" is the model's one rule, asked of typed rows: a dispatched
/// urgent issue is not overdue within its 24 hours and is after them, in the
/// list's flag and in the `overdue_at` filter alike.
#[test]
fn an_urgent_issue_is_overdue_after_its_24_hours_and_listed_so() {
    let (_c, mut cs) = device(Role::CommunityStaff, "community:522701001001");
    let (_s, mut st) = device(Role::StreetStaff, "street:522701001");
    let id = cs
        .report_issue(
            &NewIssue {
                grid: Some(GRID.into()),
                category: "噪音".into(),
                description: "夜间施工噪音".into(),
                ..Default::default()
            },
            now(),
        )
        .unwrap()
        .to_string();
    cs.act_on_issue(&id, IssueStep::Accept, now()).unwrap();
    cs.act_on_issue(
        &id,
        IssueStep::Escalate {
            note: "需要城管".into(),
        },
        now(),
    )
    .unwrap();
    st.apply_remote(&cs.export_doc(&id).unwrap(), now())
        .unwrap();
    st.act_on_issue(
        &id,
        IssueStep::Dispatch {
            departments: vec!["城管".into(), "住建".into()],
            grade: Grade::Urgent,
        },
        now(),
    )
    .unwrap();
    let listed = |at: Instant, only_overdue: bool| {
        st.issues(
            &IssueFilter {
                overdue_at: only_overdue.then_some(at),
                ..Default::default()
            },
            at,
        )
        .unwrap()
    };
    let within = now() + chrono::Duration::hours(23);
    let after = now() + chrono::Duration::hours(25);
    let row = &listed(within, false)[0];
    assert_eq!(
        row.stage,
        Some(Stage::Dispatched),
        "the row carries the model's stage"
    );
    assert_eq!(
        row.departments,
        vec!["城管".to_owned(), "住建".to_owned()],
        "departments are a list, not a joined string"
    );
    assert!(
        !row.overdue,
        "within 24 hours an urgent issue is not overdue"
    );
    assert!(
        listed(within, true).is_empty(),
        "the overdue filter agrees with the flag within 24 hours"
    );
    assert!(
        listed(after, false)[0].overdue,
        "after 24 hours it is overdue"
    );
    assert_eq!(
        listed(after, true).len(),
        1,
        "the overdue filter agrees with the flag after 24 hours"
    );
    for (at, want) in [(within, 0), (after, 1)] {
        assert_eq!(
            st.today(at).unwrap().overdue_issues,
            want,
            "Today counts overdue by the same rule"
        );
        assert_eq!(
            st.dashboard(at).unwrap().overdue,
            want,
            "the dashboard counts overdue by the same rule"
        );
    }
}

#[test]
fn a_household_with_its_members_is_one_save_with_every_resident_and_id_number() {
    let (_dir, mut d) = worker();
    let mut new = zhang_san();
    new.members = vec![
        NewResident {
            name: "李四".into(),
            relation: Some("配偶".into()),
            id_number: Some("522701198801011231".into()),
            ..Default::default()
        },
        NewResident {
            name: "张小三".into(),
            ..Default::default()
        },
    ];
    let id = d.add_household(&new, now()).unwrap();
    let view = d.household(&id.to_string(), now()).unwrap();
    let names: Vec<_> = view
        .household
        .residents
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(names, ["张三", "李四", "张小三"]);
    assert_eq!(view.household.residents[1].relation.key(), "配偶");
    assert_eq!(
        view.household.residents[2].relation.key(),
        "其他",
        "no relation given is other"
    );
    let private = view.private.expect("a grid worker keeps the private part");
    assert_eq!(
        private.id_numbers.len(),
        2,
        "both ID numbers are in the private part"
    );
    // A bad member refuses the whole household: nothing is half-saved.
    let before = count(&d);
    let mut bad = zhang_san();
    bad.room = "402".into();
    bad.members = vec![NewResident {
        name: "王五".into(),
        // The check digit is wrong (…1241 where …124X is right).
        id_number: Some("522701198801011241".into()),
        ..Default::default()
    }];
    let err = d.add_household(&bad, now()).unwrap_err().to_string();
    assert!(
        err.contains("members.0"),
        "the error names the member: {err}"
    );
    // A second member without a name, and a second head: each named.
    for (member, says) in [
        (NewResident::default(), "第 2 位家庭成员没有姓名"),
        (
            NewResident {
                name: "赵六".into(),
                relation: Some("户主".into()),
                ..Default::default()
            },
            "一户只有一位户主",
        ),
    ] {
        bad.members = vec![
            NewResident {
                name: "王五".into(),
                ..Default::default()
            },
            member,
        ];
        let err = d.add_household(&bad, now()).unwrap_err();
        let shown = format!("{err}");
        assert!(
            shown.contains("members.1") && shown.contains(says),
            "the error names the second member and says why: {shown}"
        );
    }
    assert_eq!(count(&d), before, "nothing saved");
}

#[test]
fn the_list_at_a_warning_holds_exactly_the_dispatched_issues_the_fold_calls_so() {
    let (_dir, mut d) = worker();
    seed(&mut d, Scale::Grid, 3, now()).unwrap();
    let open = d
        .issues(
            &IssueFilter {
                stage: Some(Stage::Dispatched),
                ..Default::default()
            },
            now(),
        )
        .unwrap();
    // Instants 60 % and 90 % of the way through some running limits:
    // yellow and red under the default thresholds (50 % and 80 %).
    let mut instants = Vec::new();
    for i in open.iter().take(4) {
        let v = d.issue(&i.id.to_string(), now()).unwrap();
        if let (Some(s), Some(e)) = (v.state.dispatched_at, v.state.deadline) {
            instants.push(s + (e - s) * 6 / 10);
            instants.push(s + (e - s) * 9 / 10);
        }
    }
    assert!(
        !instants.is_empty(),
        "the demo grid has dispatched issues with deadlines"
    );
    let (mut seen_yellow, mut seen_red) = (0, 0);
    for at in instants {
        // The independent recount: each dispatched issue's own view at `at`.
        let mut yellow = Vec::new();
        let mut red = Vec::new();
        for i in &open {
            match d.issue(&i.id.to_string(), at).unwrap().warning {
                time_limit::Warning::Yellow => yellow.push(i.id),
                time_limit::Warning::Red => red.push(i.id),
                _ => {}
            }
        }
        let listed = |w| {
            let mut ids: Vec<_> = d
                .issues(
                    &IssueFilter {
                        warning: Some((w, at)),
                        ..Default::default()
                    },
                    at,
                )
                .unwrap()
                .into_iter()
                .map(|i| i.id)
                .collect();
            ids.sort();
            ids
        };
        yellow.sort();
        red.sort();
        assert_eq!(
            listed(time_limit::Warning::Yellow),
            yellow,
            "yellow at {at}"
        );
        assert_eq!(listed(time_limit::Warning::Red), red, "red at {at}");
        let counted = d.issue_warnings(at).unwrap();
        assert_eq!(
            counted,
            (yellow.len() as i64, red.len() as i64),
            "Today counts the same"
        );
        seen_yellow += yellow.len();
        seen_red += red.len();
    }
    assert!(
        seen_yellow > 0 && seen_red > 0,
        "some instant had each warning ({seen_yellow}, {seen_red})"
    );
}

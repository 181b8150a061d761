//! The store on disk: migrations, durability, projection and queries.

use std::collections::BTreeSet;

use chrono::{TimeZone, Utc};
use gridline_model::issue::Stage;
use gridline_model::*;
use gridline_records::{household, issue, new_doc, visit, Record};
use gridline_store::migrations::{migrate_to, MIGRATIONS};
use gridline_store::{HouseholdFilter, IssueFilter, Origin, Store, SyncState};

const ACTOR: [u8; 16] = [3; 16];

fn at(days: i64) -> Instant {
    Utc.with_ymd_and_hms(2026, 11, 1, 8, 0, 0).unwrap() + chrono::Duration::days(days)
}
fn grid(n: u16) -> GridId {
    GridId::new(&CommunityCode::parse("522701001001").unwrap(), n)
}

fn household_named(n: u128, name: &str, g: u16, tags: &[Tag]) -> Household {
    Household {
        id: RecordId::from_u128(n),
        grid: grid(g),
        address: Address {
            compound: "水花都小区".into(),
            building: format!("{n}栋"),
            unit: "1单元".into(),
            room: "401".into(),
        },
        phone: Some(phone::parse_mobile(&format!("185{:08}", n), "phone").unwrap()),
        tags: tags.iter().copied().collect(),
        residents: vec![Resident {
            id: RecordId::from_u128(1000 + n),
            name: name.into(),
            gender: None,
            birth_date: None,
            relation: Relation::Head,
            phone: None,
            tags: BTreeSet::new(),
        }],
        notes: String::new(),
        location: None,
    }
}

fn save_household(s: &mut Store, h: &Household) {
    let mut d = new_doc(&ACTOR);
    household::create(&mut d, h, at(0)).unwrap();
    s.save(&mut d, &Record::Household(h.clone()), Origin::Local, at(0))
        .unwrap();
}

fn populated(s: &mut Store) {
    save_household(s, &household_named(1, "张三", 1, &[Tag::ElderlyAlone]));
    save_household(s, &household_named(2, "曾小红", 1, &[]));
    save_household(s, &household_named(3, "李四", 2, &[Tag::ElderlyAlone]));
}

#[test]
fn an_empty_store_migrates_to_the_latest_schema() {
    let s = Store::open_in_memory().unwrap();
    let v: i64 = s
        .connection()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v as usize, MIGRATIONS.len(), "all migrations ran");
    assert_eq!(s.integrity_check().unwrap(), "ok");
}

#[test]
fn a_populated_store_at_an_older_schema_migrates_and_keeps_its_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    {
        // Build a store as the first release left it: schema 1, with data.
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        migrate_to(&mut conn, 1).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, 1);
    }
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute("INSERT INTO meta (key, value) VALUES ('device', 'old')", [])
            .unwrap();
        drop(conn.transaction().unwrap());
    }
    let s = Store::open(&path).unwrap();
    assert_eq!(
        s.meta("device").unwrap().as_deref(),
        Some("old"),
        "data written at schema 1 survives"
    );
    let n: i64 = s
        .connection()
        .query_row("SELECT count(*) FROM refused_copies", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0, "migration 2 added its table");
}

#[test]
fn a_store_from_a_newer_build_is_refused_not_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let e = Store::open(&path)
        .err()
        .expect("newer schema refused")
        .to_string();
    assert!(e.contains("newer"), "says why and what to do: {e}");
}

#[test]
fn a_save_survives_reopening_and_the_store_is_in_wal_with_full_sync() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    {
        let mut s = Store::open(&path).unwrap();
        populated(&mut s);
        let mode: String = s
            .connection()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        let sync: i64 = s
            .connection()
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            (mode.as_str(), sync),
            ("wal", 2),
            "WAL with synchronous=FULL (2)"
        );
    }
    let s = Store::open(&path).unwrap();
    assert_eq!(
        s.households(&HouseholdFilter::default()).unwrap().len(),
        3,
        "every saved household is there after reopening"
    );
    let (kind, bytes) = s.load(RecordId::from_u128(1)).unwrap().unwrap();
    assert_eq!(kind, permission::Kind::Household);
    let doc = gridline_records::load(&bytes, &ACTOR).unwrap();
    assert_eq!(
        household::read(&doc).unwrap().head_name(),
        "张三",
        "document and projection agree"
    );
}

#[test]
fn an_unflushed_part_leaves_the_store_at_full_sync_whether_it_saved_or_failed() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("device.db")).unwrap();
    let sync = |s: &Store| -> i64 {
        s.connection()
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap()
    };
    let h = household_named(1, "张三", 1, &[]);
    let mut d = new_doc(&ACTOR);
    household::create(&mut d, &h, at(0)).unwrap();
    let record = Record::Household(h.clone());
    s.save_batch_unflushed(
        [(gridline_store::Saved::of(&mut d, true), &record)],
        Origin::Remote,
        at(0),
    )
    .unwrap();
    assert_eq!(sync(&s), 2, "FULL again after a part that saved");
    assert_eq!(s.households(&HouseholdFilter::default()).unwrap().len(), 1);

    // Bytes that are no document, under heads other than the stored ones:
    // the save has to load them to merge, and fails.
    let mut bad = gridline_store::Saved::of(&mut d, true);
    bad.bytes = b"not an automerge document".to_vec();
    bad.heads = "00".repeat(32);
    assert!(s
        .save_batch_unflushed([(bad, &record)], Origin::Remote, at(0))
        .is_err());
    assert_eq!(sync(&s), 2, "FULL again after a part that failed");
    let (_, bytes) = s.load(h.id).unwrap().unwrap();
    assert!(
        gridline_records::load(&bytes, &ACTOR).is_ok(),
        "the failed part wrote nothing"
    );
}

#[test]
fn households_by_grid_and_tag() {
    let mut s = Store::open_in_memory().unwrap();
    populated(&mut s);
    let f = HouseholdFilter {
        grid: Some(grid(1)),
        tag: Some(Tag::ElderlyAlone),
        ..Default::default()
    };
    let rows = s.households(&f).unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| r.head_name.as_str())
            .collect::<Vec<_>>(),
        ["张三"],
        "grid 1 with 独居老人"
    );
    assert_eq!(rows[0].tags, ["独居老人"]);
    assert_eq!(
        rows[0].sync_state,
        SyncState::Local,
        "never sent: on this device only"
    );
}

#[test]
fn pinyin_full_initials_characters_address_and_phone_all_find_a_household() {
    let mut s = Store::open_in_memory().unwrap();
    populated(&mut s);
    let names = |q: &str| {
        s.search_households(q, None, 10)
            .unwrap()
            .into_iter()
            .map(|r| r.head_name)
            .collect::<Vec<_>>()
    };
    assert_eq!(names("zs"), ["张三"], "initials");
    assert_eq!(names("zhangsan"), ["张三"], "full pinyin");
    assert_eq!(names("ZhangS"), ["张三"], "mixed case prefix");
    assert_eq!(names("张"), ["张三"], "characters");
    assert_eq!(names("zeng"), ["曾小红"], "曾 as a surname reads zeng");
    assert_eq!(names("zxh"), ["曾小红"]);
    assert_eq!(names("00000003"), ["李四"], "phone fragment");
    assert_eq!(names("2栋"), ["曾小红"], "address fragment");
    assert!(names("wangwu").is_empty(), "no false hits");
    let in_grid = s.search_households("l", Some(&grid(1)), 10).unwrap();
    assert!(in_grid.is_empty(), "李四 is in grid 2, not 1");
}

#[test]
fn a_hit_through_another_resident_names_that_resident() {
    let mut s = Store::open_in_memory().unwrap();
    let mut h = household_named(7, "段建国", 1, &[]);
    let mut other = h.residents[0].clone();
    other.id = RecordId::from_u128(2007);
    other.name = "单秀英".into();
    other.relation = Relation::Spouse;
    h.residents.push(other);
    let mut d = new_doc(&ACTOR);
    household::create(&mut d, &h, at(0)).unwrap();
    s.save(&mut d, &Record::Household(h), Origin::Local, at(0))
        .unwrap();
    let matched = |q: &str| {
        s.search_households(q, None, 10)
            .unwrap()
            .into_iter()
            .map(|r| r.matched_name)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        matched("sxy"),
        [Some("单秀英".to_owned())],
        "found through the spouse's initials: the row must say whom it matched"
    );
    assert_eq!(
        matched("秀英"),
        [Some("单秀英".to_owned())],
        "characters too"
    );
    assert_eq!(
        matched("djg"),
        [None],
        "the head is the row's own name, so nothing more to say"
    );
}

#[test]
fn edits_and_visits_update_the_projection() {
    let mut s = Store::open_in_memory().unwrap();
    populated(&mut s);
    let mut h = household_named(1, "张三", 1, &[Tag::ElderlyAlone]);
    let mut d = new_doc(&ACTOR);
    household::create(&mut d, &h, at(0)).unwrap();
    h.residents[0].name = "王五".into();
    household::update(&mut d, &h, at(1)).unwrap();
    s.save(&mut d, &Record::Household(h.clone()), Origin::Local, at(1))
        .unwrap();
    assert!(
        s.search_households("zs", None, 10).unwrap().is_empty(),
        "old name's keys are gone"
    );
    assert_eq!(
        s.search_households("ww", None, 10).unwrap().len(),
        1,
        "new name found"
    );

    let v = Visit {
        id: RecordId::from_u128(50),
        household: h.id,
        grid: grid(1),
        visitor: Author {
            user: "gw1".into(),
            role: Role::GridWorker,
            unit: String::new(),
        },
        at: at(10),
        kind: VisitKind::Routine,
        notes: "身体尚好".into(),
    };
    let mut vd = new_doc(&ACTOR);
    visit::create(&mut vd, &v).unwrap();
    s.save(&mut vd, &Record::Visit(v), Origin::Local, at(10))
        .unwrap();
    let unvisited = s
        .households(&HouseholdFilter {
            not_visited_since: Some(at(5)),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        unvisited.len(),
        2,
        "the visited household drops out of the not-visited list"
    );
    assert_eq!(
        s.visits(None, Some("gw1"), None).unwrap().len(),
        1,
        "visits by visitor"
    );
    let by_household = s.visits(Some(&h.id.to_string()), None, None).unwrap();
    assert_eq!(by_household.len(), 1, "visits by household");
    assert_eq!(
        by_household[0].notes, "身体尚好",
        "a visit's notes are read back from its document, not lost"
    );
}

#[test]
fn issues_by_state_and_category() {
    let mut s = Store::open_in_memory().unwrap();
    let gw = Author {
        user: "gw1".into(),
        role: Role::GridWorker,
        unit: String::new(),
    };
    let cs = Author {
        user: "cs1".into(),
        role: Role::CommunityStaff,
        unit: "522701001001".into(),
    };
    let ss = Author {
        user: "ss1".into(),
        role: Role::StreetStaff,
        unit: "522701001".into(),
    };
    let mut i = Issue {
        id: RecordId::from_u128(9),
        grid: grid(1),
        category: "噪音".into(),
        description: "夜间施工".into(),
        location: String::new(),
        household: None,
        urgency: 2,
        reporter: "gw1".into(),
        reported_at: at(0),
        events: vec![IssueEvent {
            id: RecordId::from_u128(1),
            at: at(0),
            author: gw,
            step: IssueStep::Report,
        }],
    };
    let mut d = new_doc(&ACTOR);
    issue::create(&mut d, &i).unwrap();
    for (n, author, step) in [
        (2, cs.clone(), IssueStep::Accept),
        (
            3,
            cs,
            IssueStep::Escalate {
                note: String::new(),
            },
        ),
        (
            4,
            ss,
            IssueStep::Dispatch {
                departments: vec!["城管".into()],
                grade: Grade::Urgent,
            },
        ),
    ] {
        let e = IssueEvent {
            id: RecordId::from_u128(n),
            at: at(1),
            author,
            step,
        };
        issue::push_event(&mut d, &e).unwrap();
        i.events.push(e);
    }
    s.save(&mut d, &Record::Issue(i), Origin::Local, at(1))
        .unwrap();
    let q = |f: IssueFilter| s.issues(&f).unwrap().len();
    assert_eq!(
        q(IssueFilter {
            stage: Some(Stage::Dispatched.key().into()),
            ..Default::default()
        }),
        1
    );
    assert_eq!(
        q(IssueFilter {
            category: Some("电梯".into()),
            ..Default::default()
        }),
        0,
        "other category"
    );
}

#[test]
fn sync_state_moves_from_local_to_synced_to_pending() {
    let mut s = Store::open_in_memory().unwrap();
    let h = household_named(1, "张三", 1, &[]);
    let mut d = new_doc(&ACTOR);
    household::create(&mut d, &h, at(0)).unwrap();
    s.save(&mut d, &Record::Household(h.clone()), Origin::Local, at(0))
        .unwrap();
    assert_eq!(s.sync_state(h.id).unwrap(), Some(SyncState::Local));
    let heads = gridline_records::heads_hex(&mut d);
    assert!(
        s.mark_synced(h.id, &heads).unwrap(),
        "acknowledged at current heads"
    );
    assert_eq!(s.sync_state(h.id).unwrap(), Some(SyncState::Synced));
    let mut h2 = h.clone();
    h2.address.room = "402".into();
    household::update(&mut d, &h2, at(1)).unwrap();
    s.save(&mut d, &Record::Household(h2), Origin::Local, at(1))
        .unwrap();
    assert_eq!(
        s.sync_state(h.id).unwrap(),
        Some(SyncState::Pending),
        "changed after sync: not sent"
    );
    assert!(
        !s.mark_synced(h.id, &heads).unwrap(),
        "an ack of old heads does not clear newer changes"
    );
    assert_eq!(s.sync_counts().unwrap().pending, 1);
}

/// Two writers on one file (`gridline device sync --watch` merging a
/// colleague's change while a CLI command saves a local edit): a save built
/// from a copy loaded before the other writer's save keeps both changes, in
/// the document and in the projection. Before the fix the later save
/// overwrote the earlier one (found by tests/reliability two_writers).
#[test]
fn a_save_from_a_stale_copy_keeps_the_other_writers_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    let mut app = Store::open(&path).unwrap();
    let mut watch = Store::open(&path).unwrap();
    let h = household_named(1, "张三", 1, &[]);
    save_household(&mut app, &h);
    let (_, stale) = app.load(h.id).unwrap().unwrap();

    // The watcher saves a colleague's change to the notes.
    let (_, bytes) = watch.load(h.id).unwrap().unwrap();
    let mut theirs = gridline_records::load(&bytes, &[4; 16]).unwrap();
    let mut hb = h.clone();
    hb.notes = "腿脚不便".into();
    household::update(&mut theirs, &hb, at(1)).unwrap();
    watch
        .save(&mut theirs, &Record::Household(hb), Origin::Remote, at(1))
        .unwrap();

    // The CLI, from the copy it loaded before, changes the room.
    let mut ours = gridline_records::load(&stale, &ACTOR).unwrap();
    let mut ha = h.clone();
    ha.address.room = "402".into();
    household::update(&mut ours, &ha, at(2)).unwrap();
    app.save(&mut ours, &Record::Household(ha), Origin::Local, at(2))
        .unwrap();

    let (_, stored) = app.load(h.id).unwrap().unwrap();
    let merged = household::read(&gridline_records::load(&stored, &ACTOR).unwrap()).unwrap();
    assert_eq!(merged.notes, "腿脚不便", "the colleague's change is kept");
    assert_eq!(merged.address.room, "402", "the local change is kept");
    let row = &app.households(&HouseholdFilter::default()).unwrap()[0];
    assert!(
        row.address.contains("402"),
        "the projection is of the merged record: {}",
        row.address
    );
    assert_ne!(
        row.sync_state,
        SyncState::Synced,
        "the local change waits to be sent"
    );
}

/// What a refusal touches, read back: the refused copies, the document's
/// bytes, the household's listed head, and the actor in `meta`.
fn refusal_state(s: &Store, id: RecordId) -> (usize, Option<Vec<u8>>, Vec<String>, Option<String>) {
    (
        s.refused_copies().unwrap().len(),
        s.load(id).unwrap().map(|(_, b)| b),
        s.households(&HouseholdFilter::default())
            .unwrap()
            .into_iter()
            .map(|r| r.head_name)
            .collect(),
        s.meta("actor").unwrap(),
    )
}

/// Taking a refusal is three steps (keep a read-only copy, return to the
/// hub's version, switch actor) in one transaction: a failure injected at
/// each step in turn (a trigger that aborts it, as a crash there would)
/// leaves every step undone, and without the failure all three are done.
#[test]
fn a_refusal_is_taken_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("device.db")).unwrap();
    s.set_meta("actor", "0303").unwrap();
    let ours = household_named(7, "王五", 1, &[]);
    save_household(&mut s, &ours);
    // The hub's version: the same household as it holds it.
    let mut theirs_doc = new_doc(&[9; 16]);
    let theirs = household_named(7, "王伍", 1, &[]);
    household::create(&mut theirs_doc, &theirs, at(0)).unwrap();
    let hub_bytes = theirs_doc.save();
    let hub_record = Record::Household(theirs);
    let reason = gridline_model::Text::new("被拒绝", "refused");
    let refusal = gridline_store::Refusal {
        id: ours.id,
        reason: &reason,
        hub_version: Some((&hub_bytes, &hub_record)),
    };
    let meta = [("actor", "0404"), ("new_actor", "0404")];
    let before = refusal_state(&s, ours.id);

    let steps = [
        ("keeping the copy", "BEFORE INSERT ON refused_copies"),
        (
            "returning to the hub's version",
            "BEFORE INSERT ON documents",
        ),
        (
            "switching actor",
            "BEFORE UPDATE ON meta WHEN NEW.key = 'actor'",
        ),
    ];
    for (step, when) in steps {
        s.connection()
            .execute_batch(&format!(
                "CREATE TEMP TRIGGER fail {when} BEGIN SELECT RAISE(ABORT, 'injected'); END;"
            ))
            .unwrap();
        let failed = s.take_refusals(&[refusal], &meta, at(1));
        assert!(
            failed.is_err(),
            "the failure injected at {step} stops the refusal"
        );
        assert_eq!(
            refusal_state(&s, ours.id),
            before,
            "a failure at {step} leaves no step of the refusal done"
        );
        s.connection().execute_batch("DROP TRIGGER fail;").unwrap();
    }

    s.take_refusals(&[refusal], &meta, at(1)).unwrap();
    let (copies, bytes, heads, actor) = refusal_state(&s, ours.id);
    assert_eq!(
        copies, 1,
        "the device's version is kept as a read-only copy"
    );
    assert_eq!(
        bytes.as_deref(),
        Some(hub_bytes.as_slice()),
        "the document is the hub's version"
    );
    assert_eq!(heads, vec!["王伍".to_owned()], "and so is its projection");
    assert_eq!(
        actor.as_deref(),
        Some("0404"),
        "the device writes as the fresh actor"
    );
    assert_eq!(
        s.sync_state(ours.id).unwrap(),
        Some(SyncState::Synced),
        "the hub's version is what the hub holds"
    );
    let copy = &s.refused_copies().unwrap()[0];
    let kept = household::read(&gridline_records::load(&copy.bytes, &ACTOR).unwrap()).unwrap();
    assert_eq!(
        kept.residents[0].name, "王五",
        "the copy is the device's own version"
    );
}

#[test]
fn a_topic_is_listed_from_its_projection_and_its_facts_are_what_the_fold_says() {
    use gridline_model::deliberation::{DeliberationFigures, Proposer, TopicFacts, TopicStage};
    use gridline_store::DeliberationFilter;
    let mut s = Store::open_in_memory().unwrap();
    let cs = Author {
        user: "cs1".into(),
        role: Role::CommunityStaff,
        unit: "522701001001".into(),
    };
    let ev = |n: u128, day: i64, step: TopicStep| TopicEvent {
        id: RecordId::from_u128(n),
        at: at(day),
        author: cs.clone(),
        step,
    };
    let task = RecordId::from_u128(50);
    let mut t = Topic {
        id: RecordId::from_u128(7),
        grid: grid(2),
        household: None,
        title: "小区加装电动车充电桩".into(),
        description: "电动车在楼道充电有火灾隐患".into(),
        proposer: Proposer::PartyBranch,
        proposer_name: "水花都小区党支部".into(),
        submitted_by: "cs1".into(),
        proposed_at: at(0),
        events: vec![ev(1, 0, TopicStep::Propose), ev(2, 1, TopicStep::Accept)],
    };
    let mut doc = new_doc(&ACTOR);
    gridline_records::deliberation::create(&mut doc, &t).unwrap();
    let attendance = vec![deliberation::Attendance {
        member: deliberation::MemberType::ResidentRepresentatives,
        expected: 3,
        present: 3,
    }];
    for e in [
        ev(
            3,
            4,
            TopicStep::Meeting {
                held_on: at(4),
                place: "社区党群服务中心".into(),
                notice_posted: at(1),
                meeting_type: deliberation::MeetingType::Ordinary,
                attendance,
            },
        ),
        ev(
            4,
            5,
            TopicStep::Resolve {
                text: "加装充电桩".into(),
                votes_for: 3,
                against: 0,
                abstain: 0,
                posted_on: at(5),
            },
        ),
        ev(
            5,
            6,
            TopicStep::Task {
                task,
                owner: "物业公司".into(),
                due: at(10),
                what: "安装".into(),
            },
        ),
    ] {
        gridline_records::deliberation::push_event(&mut doc, &e).unwrap();
        t.events.push(e);
    }
    s.save(
        &mut doc,
        &Record::Deliberation(t.clone()),
        Origin::Local,
        at(6),
    )
    .unwrap();
    let rows = s.deliberations(&DeliberationFilter::default()).unwrap();
    assert_eq!(rows.len(), 1, "the topic is listed");
    let r = &rows[0];
    assert_eq!(
        (r.stage, r.proposer, r.tasks, r.open_task_dues.as_slice()),
        (
            Some(TopicStage::Implementing),
            Proposer::PartyBranch,
            1,
            &[at(10)][..]
        ),
        "the row keeps the stage, the proposer and the open task's due date"
    );
    assert_eq!(r.resolved_at, Some(at(5)), "and when it was resolved");
    let by_fold = TopicFacts::of(&t, &t.state()).expect("validly proposed");
    assert_eq!(
        s.deliberation_facts().unwrap(),
        vec![by_fold],
        "the stored facts are the fold's"
    );
    assert_eq!(
        DeliberationFigures::of_facts(s.deliberation_facts().unwrap(), at(11)).overdue_tasks,
        1,
        "summed from rows, the open task is overdue after its due date"
    );
    assert!(
        s.deliberations(&DeliberationFilter {
            stage: Some(TopicStage::Closed),
            ..Default::default()
        })
        .unwrap()
        .is_empty(),
        "the stage filter applies"
    );
    s.remove(t.id).unwrap();
    assert!(
        s.deliberations(&DeliberationFilter::default())
            .unwrap()
            .is_empty(),
        "a removed topic leaves the list"
    );
}

#[test]
fn new_street_limits_reproject_every_issue_deadline_at_once_and_stay() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    let mut s = Store::open(&path).unwrap();
    let author = |user: &str, role, unit: &str| Author {
        user: user.into(),
        role,
        unit: unit.into(),
    };
    let mut i = Issue {
        id: RecordId::from_u128(9),
        grid: grid(1),
        category: "噪音".into(),
        description: "夜间施工".into(),
        location: String::new(),
        household: None,
        urgency: 3,
        reporter: "gw1".into(),
        reported_at: at(0),
        events: Vec::new(),
    };
    let steps = [
        (author("gw1", Role::GridWorker, ""), IssueStep::Report),
        (
            author("cs1", Role::CommunityStaff, "522701001001"),
            IssueStep::Accept,
        ),
        (
            author("cs1", Role::CommunityStaff, "522701001001"),
            IssueStep::Escalate {
                note: String::new(),
            },
        ),
        (
            author("ss1", Role::StreetStaff, "522701001"),
            IssueStep::Dispatch {
                departments: vec!["城管".into()],
                grade: Grade::Urgent,
            },
        ),
    ];
    for (n, (who, step)) in steps.into_iter().enumerate() {
        i.events.push(IssueEvent {
            id: RecordId::from_u128(100 + n as u128),
            at: at(1),
            author: who,
            step,
        });
    }
    let mut d = new_doc(&ACTOR);
    issue::create(&mut d, &i).unwrap();
    s.save(&mut d, &Record::Issue(i), Origin::Local, at(1))
        .unwrap();
    let deadline = |s: &Store| {
        s.issues(&IssueFilter::default()).unwrap()[0]
            .deadline
            .clone()
    };
    assert_eq!(
        deadline(&s),
        Some(fmt_time(at(1) + chrono::Duration::hours(24))),
        "projected under the defaults until the hub sends limits"
    );
    let street = StreetLimits {
        urgent_hours: 12,
        ..StreetLimits::default()
    };
    assert!(
        s.set_street_limits(&street).unwrap(),
        "new limits are taken"
    );
    assert_eq!(
        deadline(&s),
        Some(fmt_time(at(1) + chrono::Duration::hours(12))),
        "the issue already held is projected again under them"
    );
    assert!(
        !s.set_street_limits(&street).unwrap(),
        "the same limits again write nothing"
    );
    drop(s);
    let s = Store::open(&path).unwrap();
    assert_eq!(s.street_limits().unwrap(), street, "the limits are durable");
}

#[test]
fn households_are_sent_before_the_records_that_hang_on_them() {
    // Offline: a visit (or a dispute) is recorded on a new household, and the
    // household is edited afterwards. The hub accepts a case or a topic only
    // beside a household it holds, so the household goes first.
    let mut s = Store::open_in_memory().unwrap();
    let h = household_named(1, "张三", 1, &[]);
    let v = Visit {
        id: RecordId::from_u128(50),
        household: h.id,
        grid: grid(1),
        visitor: Author {
            user: "gw1".into(),
            role: Role::GridWorker,
            unit: String::new(),
        },
        at: at(1),
        kind: VisitKind::Routine,
        notes: "楼上漏水".into(),
    };
    let mut vd = new_doc(&ACTOR);
    visit::create(&mut vd, &v).unwrap();
    s.save(&mut vd, &Record::Visit(v.clone()), Origin::Local, at(1))
        .unwrap();
    let mut hd = new_doc(&ACTOR);
    household::create(&mut hd, &h, at(2)).unwrap();
    s.save(&mut hd, &Record::Household(h.clone()), Origin::Local, at(2))
        .unwrap();
    let order: Vec<RecordId> = s.unsent(10).unwrap().into_iter().map(|u| u.id).collect();
    assert_eq!(order, vec![h.id, v.id], "saved last, sent first");
}

#[test]
fn issues_stored_before_migration_11_get_their_monthly_facts_when_the_store_next_opens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    let cs = Author {
        user: "cs1".into(),
        role: Role::CommunityStaff,
        unit: "522701001001".into(),
    };
    let i = Issue {
        id: RecordId::from_u128(9),
        grid: grid(1),
        category: "市容环境".into(),
        description: "垃圾".into(),
        location: String::new(),
        household: None,
        urgency: 2,
        reporter: "gw1".into(),
        reported_at: at(0),
        events: vec![
            IssueEvent {
                id: RecordId::from_u128(1),
                at: at(0),
                author: Author {
                    user: "gw1".into(),
                    role: Role::GridWorker,
                    unit: String::new(),
                },
                step: IssueStep::Report,
            },
            IssueEvent {
                id: RecordId::from_u128(2),
                at: at(1),
                author: cs,
                step: IssueStep::Accept,
            },
        ],
    };
    {
        let mut s = Store::open(&path).unwrap();
        let mut d = new_doc(&ACTOR);
        issue::create(&mut d, &i).unwrap();
        s.save(&mut d, &Record::Issue(i.clone()), Origin::Local, at(1))
            .unwrap();
        // As a store of schema 10 leaves it once migration 11 has run:
        // the new columns empty, and the mark the migration sets.
        let c = s.connection();
        c.execute("UPDATE issues SET accepted_at = NULL", [])
            .unwrap();
        c.execute(
            "INSERT INTO meta (key, value) VALUES ('reproject_issues', '1')",
            [],
        )
        .unwrap();
    }
    let s = Store::open(&path).unwrap();
    assert_eq!(
        s.meta("reproject_issues").unwrap(),
        None,
        "done once, mark gone"
    );
    let period = gridline_model::monthly::Period {
        start: at(0),
        end: at(2),
    };
    let facts = s.issue_facts("", period).unwrap();
    assert_eq!(facts.len(), 1);
    assert_eq!(facts[0].accepted_at, Some(at(1)));

    // The migration sets the mark only where there are issues to redo.
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    migrate_to(&mut conn, MIGRATIONS.len()).unwrap();
    let marks: i64 = conn
        .query_row(
            "SELECT count(*) FROM meta WHERE key = 'reproject_issues'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(marks, 0);
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    migrate_to(&mut conn, 10).unwrap();
    conn.execute(
        "INSERT INTO issues (id, grid, category, urgency, reporter, reported_at, departments, refused_events, summary)
         VALUES ('x', 'g', 'c', 2, 'r', 't', '', 0, '')",
        [],
    )
    .unwrap();
    migrate_to(&mut conn, 11).unwrap();
    let marks: i64 = conn
        .query_row(
            "SELECT count(*) FROM meta WHERE key = 'reproject_issues'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(marks, 1);
}

#[test]
fn a_merged_household_that_leaves_the_device_takes_its_merge_with_it() {
    let mut s = Store::open_in_memory().unwrap();
    let kept = household_named(1, "张三", 1, &[]);
    let merged = household_named(2, "张三", 1, &[]);
    save_household(&mut s, &kept);
    let mut d = new_doc(&ACTOR);
    household::create(&mut d, &merged, at(0)).unwrap();
    household::push_merge_event(
        &mut d,
        &MergeEvent {
            id: RecordId::from_u128(900),
            at: at(1),
            author: Author {
                user: "cs-1".into(),
                role: Role::CommunityStaff,
                unit: "522701001001".into(),
            },
            actor: String::new(),
            step: MergeStep::Merge {
                into: kept.id,
                into_grid: kept.grid.clone(),
                reason: "重复登记".into(),
            },
        },
    )
    .unwrap();
    s.save(
        &mut d,
        &Record::Household(merged.clone()),
        Origin::Local,
        at(1),
    )
    .unwrap();
    let m = s.merge_of(&merged.id.to_string()).unwrap();
    assert_eq!(
        m.map(|m| m.survivor),
        Some(kept.id.to_string()),
        "the merge is projected while the household is here"
    );
    assert_eq!(s.merged_into(&kept.id.to_string()).unwrap().len(), 1);
    s.remove(merged.id).unwrap();
    assert_eq!(
        s.merge_of(&merged.id.to_string()).unwrap(),
        None,
        "its edge went with it"
    );
    assert!(
        s.merged_into(&kept.id.to_string()).unwrap().is_empty(),
        "and the survivor no longer lists it"
    );
}

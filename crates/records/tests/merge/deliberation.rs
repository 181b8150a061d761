//! Deliberation topics (居民议事): the committed v1 document still reads and
//! folds, and two replicas appending steps apart merge, in either order, to
//! one document, one topic and one fold.

use automerge::{AutoCommit, ReadDoc};
use gridline_model::deliberation::{Attendance, MeetingType, MemberType, Proposer, TopicStage};
use gridline_model::*;
use gridline_records::{deliberation, heads_hex, load, new_doc};
use proptest::prelude::*;

use super::{at, author, grid, merged, A, B};

/// The community of [`grid`], whose staff take a topic's steps.
const COMMUNITY: &str = "522701001001";

fn staff() -> Author {
    author("cs-1", Role::CommunityStaff, COMMUNITY)
}

/// Community staff, but of the next community.
fn other_staff() -> Author {
    author("cs-9", Role::CommunityStaff, "522701001002")
}

fn worker() -> Author {
    author("gw-1", Role::GridWorker, "")
}

fn ev(id: u128, at: Instant, author: Author, step: TopicStep) -> TopicEvent {
    TopicEvent {
        id: RecordId::from_u128(id),
        at,
        author,
        step,
    }
}

fn attendance(rows: &[(MemberType, u32, u32)]) -> Vec<Attendance> {
    rows.iter()
        .map(|&(member, expected, present)| Attendance {
            member,
            expected,
            present,
        })
        .collect()
}

/// A resident's topic as the grid worker enters it: proposed, nothing else.
fn proposed() -> Topic {
    Topic {
        id: RecordId::from_u128(9),
        grid: grid(),
        household: Some(RecordId::from_u128(7)),
        title: "小区加装电动车充电桩".into(),
        description: "电动车在楼道里充电有火灾隐患，希望在小区内集中建充电桩".into(),
        proposer: Proposer::Resident,
        proposer_name: "邵秀英".into(),
        submitted_by: "gw-1".into(),
        proposed_at: at(0),
        events: vec![ev(100, at(0), worker(), TopicStep::Propose)],
    }
}

/// The fixture's topic: accepted, a tripartite meeting (三方共议) with a
/// quorum by member type and three days' notice, an adopted resolution, two
/// tasks both done, feedback, closed.
fn fixture_topic() -> Topic {
    let (chargers, signs) = (RecordId::from_u128(500), RecordId::from_u128(501));
    let steps = [
        (24, TopicStep::Accept),
        (
            96,
            TopicStep::Meeting {
                held_on: at(96),
                place: "水花都小区党群服务站".into(),
                notice_posted: at(24),
                meeting_type: MeetingType::Tripartite,
                // 17 of 21: at least two thirds, each of the three parties in.
                attendance: attendance(&[
                    (MemberType::PartyOrganisation, 3, 3),
                    (MemberType::ResidentsCommittee, 2, 2),
                    (MemberType::ResidentRepresentatives, 9, 7),
                    (MemberType::OwnersCommittee, 5, 4),
                    (MemberType::PropertyCompany, 2, 1),
                ]),
            },
        ),
        (
            97,
            TopicStep::Resolve {
                text: "在8栋旁空地加装12个电动车充电桩".into(),
                votes_for: 13,
                against: 2,
                abstain: 2,
                posted_on: at(120),
            },
        ),
        (
            120,
            TopicStep::Task {
                task: chargers,
                owner: "水花都物业服务中心".into(),
                due: at(24 * 30),
                what: "安装12个充电桩并接通电源".into(),
            },
        ),
        (
            121,
            TopicStep::Task {
                task: signs,
                owner: "社区居委会".into(),
                due: at(24 * 12),
                what: "在各单元张贴禁止楼道充电的告示".into(),
            },
        ),
        (
            24 * 10,
            TopicStep::TaskDone {
                task: signs,
                note: "告示已张贴".into(),
            },
        ),
        (
            24 * 28,
            TopicStep::TaskDone {
                task: chargers,
                note: "12个充电桩已安装通电".into(),
            },
        ),
        (
            24 * 29,
            TopicStep::Feedback {
                note: "落实情况已在公告栏公示".into(),
            },
        ),
        (24 * 30, TopicStep::Close),
    ];
    let mut t = proposed();
    for (n, (h, step)) in steps.into_iter().enumerate() {
        t.events.push(ev(101 + n as u128, at(h), staff(), step));
    }
    t
}

/// The fixture's document as a device grows it: created with the proposal,
/// then each step appended as its own change.
fn fixture_doc() -> AutoCommit {
    let t = fixture_topic();
    let mut doc = new_doc(&A);
    deliberation::create(
        &mut doc,
        &Topic {
            events: t.events[..1].to_vec(),
            ..t.clone()
        },
    )
    .unwrap();
    for e in &t.events[1..] {
        deliberation::push_event(&mut doc, e).unwrap();
    }
    doc
}

fn fixture_path() -> String {
    format!(
        "{}/tests/fixtures/deliberation-v{}.automerge",
        env!("CARGO_MANIFEST_DIR"),
        gridline_records::SCHEMA_VERSION
    )
}

/// As for the household fixture: the committed document is what the writer
/// produces now, compared as documents rather than bytes; a layout change
/// fails here first and needs a new `SCHEMA_VERSION` (the old file stays)
/// or, if old documents need not match, `GRIDLINE_WRITE_FIXTURES=1`.
#[test]
fn the_deliberation_fixture_is_what_the_writer_produces_now() {
    let path = fixture_path();
    let mut written = fixture_doc();
    super::assert_fixture_is_current(&path, &mut written);
}

#[test]
fn a_saved_deliberation_fixture_reads_back_and_folds_with_nothing_refused() {
    // Written by this crate at schema v1; must keep loading as the code changes.
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/deliberation-v1.automerge"
    ))
    .expect("fixture present");
    let doc = load(&bytes, &A).expect("fixture loads");
    let t = deliberation::read(&doc).expect("the fixture reads as a topic");
    assert_eq!(t, fixture_topic(), "fixture reads back as the sample topic");
    let s = t.state();
    assert!(
        s.outcomes.iter().all(|o| o.refused.is_none()),
        "every step of the fixture is one the fold accepts: {:?}",
        s.outcomes
    );
    assert_eq!(
        s.outcomes.len(),
        t.events.len(),
        "every event of the fixture is folded"
    );
    assert_eq!(
        s.stage,
        Some(TopicStage::Closed),
        "the fixture's topic closed"
    );
    let m = s.meeting.as_ref().expect("the fixture's topic met");
    assert_eq!(
        (m.expected, m.present),
        (21, 17),
        "the attendance rows add up by member type"
    );
    assert!(
        s.resolution.as_ref().is_some_and(|r| r.adopted),
        "13 of 17 present adopt the resolution"
    );
    assert_eq!(
        s.implemented_on_time(),
        Some(true),
        "both tasks were done by their due dates"
    );
}

/// Steps to append, each with whether the fold refuses it whatever came
/// before (given the topic is already proposed and only this pool's
/// meetings are held). Times inside the steps are fixed, so validity
/// depends only on the fold's state, not on when the step is recorded.
fn step_pool() -> Vec<(TopicStep, bool)> {
    use MemberType::*;
    let (t1, t2) = (RecordId::from_u128(700), RecordId::from_u128(701));
    let meeting =
        |notice: i64, kind: MeetingType, rows: &[(MemberType, u32, u32)]| TopicStep::Meeting {
            held_on: at(72),
            place: "社区议事厅".into(),
            notice_posted: at(72 - notice),
            meeting_type: kind,
            attendance: attendance(rows),
        };
    // 9 of 10 present, each of the three parties in: the only meeting held.
    let quorate = [
        (PartyOrganisation, 2, 2),
        (OwnersCommittee, 3, 3),
        (PropertyCompany, 1, 1),
        (ResidentRepresentatives, 4, 3),
    ];
    let resolve = |votes_for, against, abstain| TopicStep::Resolve {
        text: "加装充电桩".into(),
        votes_for,
        against,
        abstain,
        posted_on: at(73),
    };
    let task = |task| TopicStep::Task {
        task,
        owner: "物业公司".into(),
        due: at(24 * 365),
        what: "安装充电桩".into(),
    };
    let done = |task| TopicStep::TaskDone {
        task,
        note: "已完成".into(),
    };
    vec![
        (TopicStep::Accept, false),
        (
            TopicStep::Decline {
                reason: "不属于居民议事范围".into(),
            },
            false,
        ),
        (meeting(72, MeetingType::Tripartite, &quorate), false),
        // Short quorum: 5 of 9 is less than two thirds.
        (
            meeting(
                72,
                MeetingType::Ordinary,
                &[(ResidentRepresentatives, 9, 5)],
            ),
            true,
        ),
        // A day's notice, not two.
        (meeting(24, MeetingType::Tripartite, &quorate), true),
        // A tripartite meeting without the property company.
        (
            meeting(
                72,
                MeetingType::Tripartite,
                &[(PartyOrganisation, 2, 2), (OwnersCommittee, 3, 3)],
            ),
            true,
        ),
        (resolve(6, 2, 1), false),
        // 11 votes from 9 present.
        (resolve(8, 2, 1), true),
        // 3 of 9 for: not adopted, but a vote all the same.
        (resolve(3, 5, 1), false),
        (task(t1), false),
        (task(t2), false),
        (done(t1), false),
        (done(t2), false),
        (
            TopicStep::Feedback {
                note: "已公示".into(),
            },
            false,
        ),
        (TopicStep::Close, false),
        // Already proposed.
        (TopicStep::Propose, true),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Two replicas of a proposed topic each append some of the steps apart
    /// (valid and invalid, by staff of the topic's community, staff of
    /// another and a grid worker); merged in either order they are one
    /// document, one topic and one fold, the fold of all the events, in which
    /// every refused event says why and every step no state allows is refused.
    ///
    /// Half the picks take the next step of the topic's life (by the right
    /// staff), the others any step of the pool by any author; each event is
    /// stamped a few hours after the one before, give or take, so that
    /// neighbours arrive out of order and a topic still gets far.
    #[test]
    fn concurrent_topic_steps_merge_in_either_order_to_one_fold(
        picks in prop::collection::vec((0usize..32, 0usize..3, 0i64..8, any::<bool>()), 1..24),
    ) {
        let pool = step_pool();
        // Accept, the quorate meeting, an adopted vote, two tasks, both
        // done, feedback, close.
        let mut life = [0, 2, 6, 9, 10, 11, 12, 13, 14].into_iter();
        let authors = [staff(), other_staff(), worker()];
        let topic = proposed();
        let mut a = new_doc(&A);
        deliberation::create(&mut a, &topic).unwrap();
        let mut b = load(&a.save(), &B).unwrap();
        let mut all = topic.events.clone();
        let mut must_refuse = Vec::new();
        for (n, &(pick, who, jitter, on_a)) in picks.iter().enumerate() {
            let (step, who) = match (pick >= pool.len()).then(|| life.next()).flatten() {
                Some(next) => (next, 0),
                None => (pick % pool.len(), who),
            };
            let (step, refused_anyway) = pool[step].clone();
            let hour = 1 + 3 * n as i64 + jitter;
            let e = ev(200 + n as u128, at(hour), authors[who].clone(), step);
            deliberation::push_event(if on_a { &mut a } else { &mut b }, &e).unwrap();
            if refused_anyway || who != 0 {
                must_refuse.push(e.id);
            }
            all.push(e);
        }

        let mut ab = merged(&mut a, &mut b);
        let mut ba = merged(&mut b, &mut a);
        prop_assert_eq!(
            ab.hydrate(automerge::ROOT, None).unwrap(),
            ba.hydrate(automerge::ROOT, None).unwrap(),
            "both merge orders hold the same document"
        );
        prop_assert_eq!(heads_hex(&mut ab), heads_hex(&mut ba), "and the same history");
        let (t_ab, t_ba) = (deliberation::read(&ab).unwrap(), deliberation::read(&ba).unwrap());
        prop_assert_eq!(&t_ab, &t_ba, "both merge orders read as the same topic");
        let mut ids: Vec<RecordId> = t_ab.events.iter().map(|e| e.id).collect();
        ids.sort();
        let mut want: Vec<RecordId> = all.iter().map(|e| e.id).collect();
        want.sort();
        prop_assert_eq!(ids, want, "no event of either replica is lost or doubled");

        let s = t_ab.state();
        prop_assert_eq!(&s, &t_ba.state(), "both merge orders fold the same");
        prop_assert_eq!(
            &s,
            &TopicState::fold(&all, COMMUNITY),
            "the fold of the merge is the fold of every event, however they arrived"
        );
        prop_assert_eq!(s.outcomes.len(), all.len(), "every event is kept, applied or refused");
        for o in &s.outcomes {
            if let Some(why) = &o.refused {
                prop_assert!(
                    !why.zh.trim().is_empty() && !why.en.trim().is_empty(),
                    "refused event {} says why in both languages: {:?}", o.event, why
                );
            }
        }
        for id in must_refuse {
            prop_assert!(
                s.refusal(id).is_some(),
                "event {} (a wrong author or a step no state allows) is refused: {:?}",
                id, s.outcomes
            );
        }
        prop_assert!(s.stage.is_some(), "the proposal itself always stands");
    }
}

//! Deliberation topics through the device: who proposes, who steps, what a
//! refused step leaves behind, the list's overdue flag and the figures.

use chrono::Duration;
use gridline_device::deliberation::{NewTopic, TopicFilter};
use gridline_device::{new_id, Device, Error};
use gridline_model::deliberation::{
    Attendance, MeetingType, MemberType, TopicStage, MIN_NOTICE_HOURS,
};
use gridline_model::{Instant, Role, TopicStep};

use super::{device, now, worker, zhang_san, GRID};

fn staff() -> (tempfile::TempDir, Device) {
    device(Role::CommunityStaff, "community:522701001001")
}

fn charging_posts() -> NewTopic {
    NewTopic {
        grid: Some(GRID.into()),
        title: "小区加装电动车充电桩".into(),
        description: "电动车在楼道充电有火灾隐患，居民提议集中加装充电桩".into(),
        proposer_name: "邵秀英".into(),
        ..Default::default()
    }
}

fn meeting(at: Instant, expected: u32, present: u32) -> TopicStep {
    TopicStep::Meeting {
        held_on: at,
        place: "社区党群服务中心".into(),
        notice_posted: at - Duration::hours(MIN_NOTICE_HOURS + 24),
        meeting_type: MeetingType::Ordinary,
        attendance: vec![Attendance {
            member: MemberType::ResidentRepresentatives,
            expected,
            present,
        }],
    }
}

fn resolve(votes_for: u32, at: Instant) -> TopicStep {
    TopicStep::Resolve {
        text: "加装 12 个充电桩".into(),
        votes_for,
        against: 0,
        abstain: 0,
        posted_on: at,
    }
}

#[test]
fn a_retried_proposal_is_one_topic_and_a_grid_worker_proposes_in_its_one_grid() {
    let (_dir, mut d) = worker();
    let id = new_id(now()).to_string();
    let new = NewTopic {
        grid: None,
        ..charging_posts()
    };
    let first = d.propose_with_id(&new, Some(&id), now()).unwrap();
    let again = d
        .propose_with_id(&new, Some(&id), now() + Duration::minutes(1))
        .unwrap();
    assert!(
        !first.already_saved && again.already_saved && first.id == again.id,
        "the retried save names the same topic and writes nothing: {first:?} {again:?}"
    );
    let listed = d.topics(&TopicFilter::default(), now()).unwrap();
    assert_eq!(listed.len(), 1, "one topic, not two");
    assert_eq!(
        (listed[0].grid.as_str(), listed[0].stage),
        (GRID, Some(TopicStage::Proposed)),
        "a worker of one grid proposes there"
    );
    let view = d.topic(&id, now()).unwrap();
    assert!(
        view.offered.is_empty(),
        "a grid worker proposes and reads; it is offered no step: {:?}",
        view.offered
    );
    let e = d
        .act_on_topic(&id, TopicStep::Accept, now())
        .expect_err("a grid worker takes no step");
    assert!(matches!(e, Error::Refused(_)), "refused by the rules: {e}");
}

#[test]
fn a_leader_names_a_linked_household_and_street_staff_do_not_propose() {
    let (_wd, mut w) = worker();
    let h = w.add_household(&zhang_san(), now()).unwrap();
    let (_ld, mut l) = device(Role::JointLeader, &format!("households:{h}"));
    l.apply_remote(&w.export_doc(&h.to_string()).unwrap(), now())
        .unwrap();
    let e = l
        .propose_with_id(&charging_posts(), None, now())
        .expect_err("a leader's topic names a household");
    assert!(
        matches!(&e, Error::Invalid(i) if i.field == "household"),
        "the refusal names the household: {e}"
    );
    let made = l
        .propose_with_id(
            &NewTopic {
                grid: None,
                household: Some(h.to_string()),
                ..charging_posts()
            },
            None,
            now(),
        )
        .unwrap();
    let view = l.topic(&made.id.to_string(), now()).unwrap();
    assert_eq!(
        (view.topic.household, view.topic.grid.as_str()),
        (Some(h), GRID),
        "the topic is the household's, in its grid"
    );
    let (_sd, mut s) = device(Role::StreetStaff, "street:522701001");
    let e = s
        .propose_with_id(&charging_posts(), None, now())
        .expect_err("street staff read topics and propose none");
    assert!(matches!(e, Error::Refused(_)), "{e}");
}

#[test]
fn a_topic_runs_to_closed_refused_steps_write_nothing_and_the_figures_count_it() {
    let (_dir, mut d) = staff();
    let id = d
        .propose_with_id(&charging_posts(), None, now())
        .unwrap()
        .id
        .to_string();
    assert_eq!(
        d.topic(&id, now()).unwrap().offered,
        ["accept", "decline"],
        "a proposed topic is accepted or declined"
    );
    d.act_on_topic(&id, TopicStep::Accept, now() + Duration::hours(1))
        .unwrap();
    let day = |n: i64| now() + Duration::days(n);
    let before = d.export_doc(&id).unwrap();
    // Nine expected, five present: one short of the two-thirds quorum.
    let e = d
        .act_on_topic(&id, meeting(day(3), 9, 5), day(3))
        .expect_err("a quorum short by one");
    assert!(
        matches!(&e, Error::StepRefused(t) if t.zh.contains("三分之二") && t.en.contains("quorum")),
        "refused, saying why in both languages: {e}"
    );
    assert_eq!(
        d.export_doc(&id).unwrap(),
        before,
        "a refused step writes nothing"
    );
    d.act_on_topic(&id, meeting(day(3), 9, 6), day(3)).unwrap();
    let e = d
        .act_on_topic(
            &id,
            TopicStep::Resolve {
                text: "加装 12 个充电桩".into(),
                votes_for: 5,
                against: 2,
                abstain: 0,
                posted_on: day(3),
            },
            day(3),
        )
        .expect_err("seven votes from six present");
    assert!(
        matches!(&e, Error::StepRefused(t) if t.en.contains("larger than the attendance")),
        "{e}"
    );
    let s = d.act_on_topic(&id, resolve(5, day(3)), day(3)).unwrap();
    assert_eq!(s.stage, Some(TopicStage::Resolved), "five of six adopt it");
    let task = new_id(day(4));
    d.act_on_topic(
        &id,
        TopicStep::Task {
            task,
            owner: "物业公司".into(),
            due: day(10),
            what: "安装充电桩".into(),
        },
        day(4),
    )
    .unwrap();
    let listed = d.topics(&TopicFilter::default(), day(11)).unwrap();
    assert_eq!(
        (listed[0].open_tasks, listed[0].overdue_tasks),
        (1, 1),
        "past its due date the open task is flagged overdue in the list"
    );
    assert_eq!(
        d.deliberation_figures(day(11)).unwrap().overdue_tasks,
        1,
        "and counted in the figures"
    );
    let e = d
        .act_on_topic(
            &id,
            TopicStep::Feedback {
                note: "已公示".into(),
            },
            day(11),
        )
        .expect_err("feedback waits for the task");
    assert!(matches!(e, Error::StepRefused(_)), "{e}");
    d.act_on_topic(
        &id,
        TopicStep::TaskDone {
            task,
            note: "已安装并通电".into(),
        },
        day(12),
    )
    .unwrap();
    d.act_on_topic(
        &id,
        TopicStep::Feedback {
            note: "已在公告栏公示落实情况".into(),
        },
        day(13),
    )
    .unwrap();
    let s = d.act_on_topic(&id, TopicStep::Close, day(14)).unwrap();
    assert_eq!(s.stage, Some(TopicStage::Closed), "closed");
    let view = d.topic(&id, day(14)).unwrap();
    assert!(
        view.state.outcomes.iter().all(|o| o.refused.is_none()),
        "no stored step was refused: {:?}",
        view.state.outcomes
    );
    assert!(view.offered.is_empty(), "nothing is left to do");
    let f = d.deliberation_figures(day(14)).unwrap();
    assert_eq!(
        (
            f.raised,
            f.accepted,
            f.resolved,
            f.implemented_on_time,
            f.overdue_tasks
        ),
        (1, 1, 1, 0, 0),
        "one topic raised, accepted and resolved; its task was done late"
    );
    let (_wd, w) = worker();
    assert!(
        w.deliberation_figures(day(14)).is_err(),
        "the figures are behind the dashboard rule"
    );
}

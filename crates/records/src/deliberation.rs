//! The deliberation topic document (居民议事): one document per topic, not
//! sensitive, so there is no private part. The topic's own fields are
//! written once, when it is proposed; everything after is an event appended
//! to `events`.
//!
//! ```text
//! { kind: "deliberation", v: 1, id, grid, household?, title,
//!   description: Text, proposer, proposer_name, submitted_by, proposed_at,
//!   events: [ { id, at, user, role, unit, step, …step fields } ] }
//! ```
//!
//! Step fields, by step: `decline` reason; `meeting` held_on, place,
//! notice_posted, meeting_type, attendance (a list of strings
//! `member:present/expected`, such as `party-organisation:3/3`); `resolve`
//! text, votes_for, against, abstain, posted_on; `task` task, owner, due,
//! what; `task-done` task, note; `feedback` note. Counts are decimal
//! strings, times RFC 3339. Attendance is a list of scalars, not of maps,
//! so the hub's append-only check sees every figure of a meeting.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ReadDoc, ROOT};
use gridline_model::deliberation::{Attendance, MeetingType, MemberType, Proposer};
use gridline_model::{GridId, Topic, TopicEvent, TopicStep};

use crate::fields::*;
use crate::visit::read_author;
use crate::{Error, Result};

pub const KIND: &str = "deliberation";

/// Writes a new topic with its events (the propose event among them).
pub fn create(doc: &mut AutoCommit, t: &Topic) -> Result<()> {
    let events = t.events.iter().map(|e| event(doc, e)).collect();
    let mut f = Fields::header(doc, KIND, t.id);
    f.str("grid", t.grid.as_str())
        .opt("household", t.household.map(|h| h.to_string()).as_deref())
        .str("title", &t.title)
        .text("description", &t.description)
        .str("proposer", t.proposer.key())
        .str("proposer_name", &t.proposer_name)
        .str("submitted_by", &t.submitted_by)
        .str("proposed_at", &fmt_time(t.proposed_at))
        .list("events", events);
    f.write_root(doc)?;
    commit(doc, t.proposed_at);
    Ok(())
}

/// Appends one step as its own change.
pub fn push_event(doc: &mut AutoCommit, e: &TopicEvent) -> Result<()> {
    expect_kind(doc, KIND)?;
    let list = opt_list(doc, &ROOT, "events")?.ok_or_else(|| Error::shape("events", "missing"))?;
    let value = event(doc, e);
    doc.batch_create_object(&list, doc.length(&list), &value, true)?;
    commit(doc, e.at);
    Ok(())
}

/// One attendance row as the document keeps it: `member:present/expected`.
pub fn attendance_str(a: &Attendance) -> String {
    format!("{}:{}/{}", a.member.key(), a.present, a.expected)
}

fn parse_attendance(s: &str) -> Result<Attendance> {
    let bad = || Error::shape("attendance", format!("not member:present/expected: {s:?}"));
    let (member, counts) = s.split_once(':').ok_or_else(bad)?;
    let (present, expected) = counts.split_once('/').ok_or_else(bad)?;
    Ok(Attendance {
        member: MemberType::parse(member)?,
        present: present.parse().map_err(|_| bad())?,
        expected: expected.parse().map_err(|_| bad())?,
    })
}

fn event(doc: &AutoCommit, e: &TopicEvent) -> automerge::hydrate::Value {
    let mut f = Fields::new(doc);
    f.str("id", &e.id.to_string())
        .str("at", &fmt_time(e.at))
        .author(&e.author)
        .str("step", e.step.key());
    match &e.step {
        TopicStep::Propose | TopicStep::Accept | TopicStep::Close => {}
        TopicStep::Decline { reason } => {
            f.str("reason", reason);
        }
        TopicStep::Meeting {
            held_on,
            place,
            notice_posted,
            meeting_type,
            attendance,
        } => {
            let rows: Vec<String> = attendance.iter().map(attendance_str).collect();
            f.str("held_on", &fmt_time(*held_on))
                .str("place", place)
                .str("notice_posted", &fmt_time(*notice_posted))
                .str("meeting_type", meeting_type.key())
                .strs("attendance", &rows);
        }
        TopicStep::Resolve {
            text,
            votes_for,
            against,
            abstain,
            posted_on,
        } => {
            f.str("text", text)
                .str("votes_for", &votes_for.to_string())
                .str("against", &against.to_string())
                .str("abstain", &abstain.to_string())
                .str("posted_on", &fmt_time(*posted_on));
        }
        TopicStep::Task {
            task,
            owner,
            due,
            what,
        } => {
            f.str("task", &task.to_string())
                .str("owner", owner)
                .str("due", &fmt_time(*due))
                .str("what", what);
        }
        TopicStep::TaskDone { task, note } => {
            f.str("task", &task.to_string()).str("note", note);
        }
        TopicStep::Feedback { note } => {
            f.str("note", note);
        }
    }
    f.into_value()
}

fn number(doc: &AutoCommit, obj: &ObjId, key: &str) -> Result<u32> {
    let s = req_str(doc, obj, key)?;
    s.parse()
        .map_err(|_| Error::shape(key, format!("not a number: {s:?}")))
}

pub fn read(doc: &AutoCommit) -> Result<Topic> {
    expect_kind(doc, KIND)?;
    let events = crate::issue::event_maps(doc)?
        .into_iter()
        .map(|(m, _)| read_event(doc, &m))
        .collect::<Result<Vec<_>>>()?;
    Ok(Topic {
        id: req_uuid(doc, &ROOT, "id")?,
        grid: GridId::parse(&req_str(doc, &ROOT, "grid")?)?,
        household: opt_uuid(doc, &ROOT, "household")?,
        title: req_str(doc, &ROOT, "title")?,
        description: opt_str(doc, &ROOT, "description")?.unwrap_or_default(),
        proposer: Proposer::parse(&req_str(doc, &ROOT, "proposer")?)?,
        proposer_name: req_str(doc, &ROOT, "proposer_name")?,
        submitted_by: req_str(doc, &ROOT, "submitted_by")?,
        proposed_at: req_time(doc, &ROOT, "proposed_at")?,
        events,
    })
}

fn read_event(doc: &AutoCommit, m: &ObjId) -> Result<TopicEvent> {
    let s = |k: &str| req_str(doc, m, k);
    let o = |k: &str| opt_str(doc, m, k).map(|v| v.unwrap_or_default());
    let step = match s("step")?.as_str() {
        "propose" => TopicStep::Propose,
        "accept" => TopicStep::Accept,
        "decline" => TopicStep::Decline {
            reason: o("reason")?,
        },
        "meeting" => TopicStep::Meeting {
            held_on: req_time(doc, m, "held_on")?,
            place: o("place")?,
            notice_posted: req_time(doc, m, "notice_posted")?,
            meeting_type: MeetingType::parse(&s("meeting_type")?)?,
            attendance: read_str_list(doc, m, "attendance")?
                .iter()
                .map(|a| parse_attendance(a))
                .collect::<Result<Vec<_>>>()?,
        },
        "resolve" => TopicStep::Resolve {
            text: o("text")?,
            votes_for: number(doc, m, "votes_for")?,
            against: number(doc, m, "against")?,
            abstain: number(doc, m, "abstain")?,
            posted_on: req_time(doc, m, "posted_on")?,
        },
        "task" => TopicStep::Task {
            task: req_uuid(doc, m, "task")?,
            owner: o("owner")?,
            due: req_time(doc, m, "due")?,
            what: o("what")?,
        },
        "task-done" => TopicStep::TaskDone {
            task: req_uuid(doc, m, "task")?,
            note: o("note")?,
        },
        "feedback" => TopicStep::Feedback { note: o("note")? },
        "close" => TopicStep::Close,
        other => {
            return Err(Error::shape(
                "step",
                format!("unknown deliberation step {other:?}"),
            ))
        }
    };
    Ok(TopicEvent {
        id: req_uuid(doc, m, "id")?,
        at: req_time(doc, m, "at")?,
        author: read_author(doc, m)?,
        step,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridline_model::{Author, Instant, Role};

    fn at(s: &str) -> Instant {
        s.parse().unwrap()
    }

    fn sample() -> Topic {
        Topic {
            id: uuid::Uuid::from_u128(9),
            grid: GridId::parse("522701001001001").unwrap(),
            household: Some(uuid::Uuid::from_u128(1)),
            title: "小区加装电动车充电桩".into(),
            description: "电动车在楼道充电有火灾隐患".into(),
            proposer: Proposer::Resident,
            proposer_name: "邵秀英".into(),
            submitted_by: "gw-1".into(),
            proposed_at: at("2026-11-01T01:00:00Z"),
            events: vec![TopicEvent {
                id: uuid::Uuid::from_u128(100),
                at: at("2026-11-01T01:00:00Z"),
                author: Author {
                    user: "gw-1".into(),
                    role: Role::GridWorker,
                    unit: String::new(),
                },
                step: TopicStep::Propose,
            }],
        }
    }

    #[test]
    fn a_topic_and_every_kind_of_step_read_back_as_written() {
        let mut t = sample();
        let mut doc = crate::new_doc(&[1; 16]);
        create(&mut doc, &t).unwrap();
        assert_eq!(read(&doc).unwrap(), t, "the proposal reads back");
        let staff = Author {
            user: "cs-1".into(),
            role: Role::CommunityStaff,
            unit: "522701001001".into(),
        };
        let steps = [
            TopicStep::Accept,
            TopicStep::Decline {
                reason: "重复议题".into(),
            },
            TopicStep::Meeting {
                held_on: at("2026-11-05T02:00:00Z"),
                place: "社区党群服务中心".into(),
                notice_posted: at("2026-11-02T02:00:00Z"),
                meeting_type: MeetingType::Tripartite,
                attendance: vec![
                    Attendance {
                        member: MemberType::PartyOrganisation,
                        expected: 3,
                        present: 3,
                    },
                    Attendance {
                        member: MemberType::OwnersCommittee,
                        expected: 5,
                        present: 4,
                    },
                ],
            },
            TopicStep::Resolve {
                text: "加装 12 个充电桩".into(),
                votes_for: 5,
                against: 1,
                abstain: 1,
                posted_on: at("2026-11-06T02:00:00Z"),
            },
            TopicStep::Task {
                task: uuid::Uuid::from_u128(500),
                owner: "物业公司".into(),
                due: at("2026-11-20T15:59:00Z"),
                what: "安装充电桩".into(),
            },
            TopicStep::TaskDone {
                task: uuid::Uuid::from_u128(500),
                note: "已安装并通电".into(),
            },
            TopicStep::Feedback {
                note: "已在公告栏公示".into(),
            },
            TopicStep::Close,
        ];
        for (n, step) in steps.into_iter().enumerate() {
            let e = TopicEvent {
                id: uuid::Uuid::from_u128(101 + n as u128),
                at: at("2026-11-02T01:00:00Z") + chrono::Duration::days(n as i64),
                author: staff.clone(),
                step,
            };
            push_event(&mut doc, &e).unwrap();
            t.events.push(e);
        }
        assert_eq!(read(&doc).unwrap(), t, "every step reads back as written");
        t.household = None;
        let mut doc = crate::new_doc(&[2; 16]);
        create(&mut doc, &t).unwrap();
        assert_eq!(
            read(&doc).unwrap().household,
            None,
            "a topic entered at the office names no household"
        );
    }

    #[test]
    fn attendance_that_is_not_member_present_expected_does_not_read() {
        assert!(parse_attendance("party-organisation:3/3").is_ok());
        for bad in [
            "party-organisation",
            "party-organisation:3",
            "x:1/1",
            "party-organisation:a/1",
        ] {
            assert!(parse_attendance(bad).is_err(), "{bad:?} is refused");
        }
    }
}

//! The document schema of every record kind, as Markdown for
//! `docs/sync-protocol.md`, generated from the code rather than written
//! beside it.
//!
//! A fully populated sample of each kind is written with this crate's own
//! writers and its Automerge document is walked key by key, so the keys and
//! their Automerge types are what a device really writes. Whether the hub
//! needs a key is found the same way: the key is deleted from a copy of the
//! sample, and the copy must then fail to read or to validate
//! ([`Record::read`], [`Record::validate`]), which is what the hub refuses as
//! `malformed`. Limits and vocabularies come from `gridline_model`. Only the
//! meaning of each key is prose, and [`schema_markdown`] panics if a key has
//! none or a meaning names a key the documents do not have.
//!
//! `crates/records/tests/merge/schema.rs` checks the committed document
//! against [`schema_markdown`].

use std::collections::BTreeMap;
use std::fmt::Write;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, Prop, ReadDoc, ScalarValue, Value, ROOT};
use chrono::{NaiveDate, TimeZone, Utc};
use gridline_model::deliberation::{
    Attendance, MeetingType, MemberType, Proposer, TopicStage, MIN_NOTICE_HOURS,
};
use gridline_model::issue::{CATEGORIES, URGENCY};
use gridline_model::mediation::{
    AgreementForm, CaseStage, CaseType, MediationKind, Party, Performance, Referral, Satisfaction,
    Scale, SessionRecord, Source, MAX_EXTENSION_DAYS, MAX_PEOPLE, WARNING,
};
use gridline_model::permission::Kind;
use gridline_model::wish::{MAX_TITLE, MAX_VALUE_YUAN, WISH_CATEGORIES};
use gridline_model::{
    household::MAX_NAME, id_number::parse_id_number, phone::parse_mobile, Address, Author,
    CaseEvent, CaseStep, CommunityCode, Gender, Grade, GridId, Household, HouseholdPrivate,
    Instant, Issue, IssueEvent, IssueStep, MediationCase, MediationPrivate, RecordId, Relation,
    Resident, Role, Scope, Tag, Topic, TopicEvent, TopicStep, User, Visit, VisitKind, Wish,
    WishEvent, WishStep, MAX_TEXT,
};

use crate::{deliberation, household, issue, mediation, private, visit, wish, Record};

/// The line that opens the generated part of `docs/sync-protocol.md`.
pub const BEGIN: &str =
    "<!-- generated: record schemas (crates/records/src/schema.rs); do not edit by hand -->";
/// The line that closes it.
pub const END: &str = "<!-- end generated -->";

/// The record documents section of `docs/sync-protocol.md`, between (and
/// without) the [`BEGIN`] and [`END`] lines.
pub fn schema_markdown() -> String {
    let samples = samples();
    let mut out = String::new();
    intro(&mut out, &samples);
    for s in &samples {
        kind_section(&mut out, s);
    }
    authors(&mut out);
    vocabularies(&mut out);
    out
}

/// One record kind: its sample document and what its keys mean.
struct Sample {
    kind: Kind,
    doc: AutoCommit,
    record: Record,
    /// Maps whose keys are data (resident ids, tags), with the placeholder
    /// the table shows for a key.
    data_keys: &'static [(&'static str, &'static str)],
    meanings: Vec<(&'static str, String)>,
    /// What the kind section says before its table.
    about: String,
    /// Further documents of the kind, walked like the first, for the steps
    /// it cannot hold without its fold refusing one (a declined topic is
    /// never accepted).
    more: Vec<(AutoCommit, Record)>,
}

impl Sample {
    /// The sample's documents with the records they hold, the first first.
    fn docs(&self) -> impl Iterator<Item = (&AutoCommit, &Record)> {
        std::iter::once((&self.doc, &self.record)).chain(self.more.iter().map(|(d, r)| (d, r)))
    }
}

/// One key found in a sample document.
struct Found {
    /// With data keys replaced by placeholders: `residents.<resident id>.name`;
    /// keys of an event map as `events[].<key>`.
    path: String,
    /// The object holding the key, and the key, for deleting it from a copy.
    obj: ObjId,
    prop: Prop,
    ty: String,
    /// For keys inside an event map: the event's `step`.
    step: Option<String>,
    /// Whether the record still reads and validates without this key.
    optional: bool,
}

fn at(minutes: i64) -> Instant {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 30, 0).unwrap() + chrono::Duration::minutes(minutes)
}

/// A UUID v7 as a device mints one: the time, then fixed "random" bits.
fn v7(minutes: i64, n: u8) -> RecordId {
    uuid::Builder::from_unix_timestamp_millis(at(minutes).timestamp_millis() as u64, &[n; 10])
        .into_uuid()
}

fn grid() -> GridId {
    GridId::parse("522701001001001").expect("a 15-digit grid")
}

fn samples() -> Vec<Sample> {
    let household_id = v7(0, 1);
    let head = v7(0, 2);
    let child = v7(1, 3);
    let worker = User {
        id: "gw-1".into(),
        name: "张伟".into(),
        role: Role::GridWorker,
        scope: Scope::Grids(vec![grid()]),
    };
    let h = Household {
        id: household_id,
        grid: grid(),
        address: Address {
            compound: "水花都小区".into(),
            building: "8栋".into(),
            unit: "1单元".into(),
            room: "401".into(),
        },
        phone: Some(parse_mobile("18517374590", "phone").expect("a mobile number")),
        tags: [Tag::ElderlyAlone].into(),
        residents: vec![
            Resident {
                id: head,
                name: "邵秀英".into(),
                gender: Some(Gender::Female),
                birth_date: NaiveDate::from_ymd_opt(1987, 6, 18),
                relation: Relation::Head,
                phone: Some(parse_mobile("13912345678", "phone").expect("a mobile number")),
                tags: [Tag::PartyMember].into(),
            },
            Resident {
                id: child,
                name: "邵小明".into(),
                gender: Some(Gender::Male),
                birth_date: NaiveDate::from_ymd_opt(2015, 3, 9),
                relation: Relation::Child,
                phone: None,
                tags: [Tag::LeftBehindChild].into(),
            },
        ],
        notes: "腿脚不便，上门请先打电话".into(),
        location: Some((26.2614, 107.5191)),
    };
    let p = HouseholdPrivate {
        household: household_id,
        grid: grid(),
        id_numbers: [(
            head,
            parse_id_number("522701198706182382", "id_number").expect("a valid ID number"),
        )]
        .into(),
        sensitive_tags: [Tag::LowIncome].into(),
    };
    let v = Visit {
        id: v7(30, 4),
        household: household_id,
        grid: grid(),
        visitor: worker.author(),
        at: at(30),
        kind: VisitKind::Routine,
        notes: "血压正常，药已按时服用".into(),
    };
    let i = sample_issue(&worker, household_id);
    let i_id = i.id;
    let w = sample_wish(&worker, household_id);

    let mut out = Vec::new();
    let mut doc = crate::new_doc(&[1; 16]);
    household::create(&mut doc, &h, at(0)).expect("the sample household writes");
    household::push_merge_event(
        &mut doc,
        &gridline_model::MergeEvent {
            id: v7(2, 9),
            at: at(30),
            author: Author {
                user: "cs-1".into(),
                role: Role::CommunityStaff,
                unit: "522701001001".into(),
            },
            actor: String::new(),
            step: gridline_model::MergeStep::Merge {
                into: v7(2, 10),
                into_grid: grid(),
                reason: "重复录入".into(),
            },
        },
    )
    .expect("the sample merge writes");
    out.push(Sample {
        kind: Kind::Household,
        doc,
        record: Record::Household(h),
        data_keys: &[
            ("residents", "<resident id>"),
            ("tags", "<tag>"),
            ("residents.<resident id>.tags", "<tag>"),
        ],
        meanings: household_meanings(),
        about: "An address, its residents and ordinary tags. Readable by grid workers, \
                joint-household leaders (their linked households), community and street staff; \
                written by grid workers and community staff."
            .into(),
        more: Vec::new(),
    });
    let mut doc = crate::new_doc(&[1; 16]);
    private::create(&mut doc, &p, at(0)).expect("the sample private part writes");
    out.push(Sample {
        kind: Kind::HouseholdPrivate,
        doc,
        record: Record::HouseholdPrivate(p),
        data_keys: &[("id_numbers", "<resident id>"), ("tags", "<tag>")],
        meanings: private_meanings(),
        about: "A household's ID numbers and sensitive tags, kept apart so that a role that \
                may not see them never receives them (a joint-household leader never does). \
                One per household, at most; its id is derived from the household's."
            .into(),
        more: Vec::new(),
    });
    let mut doc = crate::new_doc(&[1; 16]);
    visit::create(&mut doc, &v).expect("the sample visit writes");
    out.push(Sample {
        kind: Kind::Visit,
        doc,
        record: Record::Visit(v),
        data_keys: &[],
        meanings: visit_meanings(),
        about: "One visit to a household. Created by grid workers and joint-household \
                leaders; never edited afterwards."
            .into(),
        more: Vec::new(),
    });
    let mut doc = crate::new_doc(&[1; 16]);
    issue::create(&mut doc, &i).expect("the sample issue writes");
    crate::photos::add(&mut doc, &[sample_photo(&i)], i.reported_at)
        .expect("the sample photo writes");
    out.push(Sample {
        kind: Kind::Issue,
        doc,
        record: Record::Issue(i),
        data_keys: &[],
        meanings: issue_meanings(),
        about: "A reported problem and its workflow. The keys other than `events` are set \
                when the issue is reported and never change afterwards (the hub refuses a \
                change to them with `not_permitted`); every step is a new map appended to \
                `events`. The sample below holds one event of every step, and one photo \
                reference (`photos`, the same list on visits, wishes and mediation cases: \
                [Photos](#photos))."
            .into(),
        more: Vec::new(),
    });
    let mut doc = crate::new_doc(&[1; 16]);
    wish::create(&mut doc, &w).expect("the sample wish writes");
    out.push(Sample {
        kind: Kind::Wish,
        doc,
        record: Record::Wish(w),
        data_keys: &[],
        meanings: wish_meanings(),
        about: "A micro-wish (微心愿) and its workflow. As for issues, only `events` grows \
                after the wish is posted. A `grant` or `refuse-claim` counts only when the \
                hub's own actor made the event map (read from the Automerge object id, never \
                from a key), so a device never writes one. The sample below holds one event \
                of every step."
            .into(),
        more: Vec::new(),
    });
    let (c, cp) = sample_case(&worker, household_id, i_id);
    let mut doc = crate::new_doc(&[1; 16]);
    mediation::create(&mut doc, &c).expect("the sample case writes");
    out.push(Sample {
        kind: Kind::Mediation,
        doc,
        record: Record::Mediation(c),
        data_keys: &[],
        meanings: mediation_meanings(),
        about: "A dispute (矛盾纠纷) and its mediation (DESIGN §8). Reported by grid \
                workers, joint-household leaders, community and street staff; read by grid \
                workers of its grid, community staff of its community and street staff of its \
                street, and by a joint-household leader only when it reported the case (no \
                department reads one). Community and street staff take every step; a grid \
                worker also makes the follow-up visit (`follow-up`). The keys other than \
                `events` change only with `Edit`, which only community and street staff have \
                (anyone else's change is refused as `not_permitted`); `events` is append-only, \
                as for issues. Who may take which step in which state is the fold's rule, \
                applied the same on every replica: a step it refuses is kept and shown as \
                refused. Parties, facts, session records and terms are not here but in the \
                case's `mediation-private` part. The sample below holds an event of every \
                step (and two sessions)."
            .into(),
        more: Vec::new(),
    });
    let mut doc = crate::new_doc(&[1; 16]);
    mediation::create_private(&mut doc, &cp, at(180)).expect("the sample private part writes");
    out.push(Sample {
        kind: Kind::MediationPrivate,
        doc,
        record: Record::MediationPrivate(cp),
        data_keys: &[],
        meanings: mediation_private_meanings(),
        about: "A case's parties (with their ID numbers and phones), facts, session records \
                and agreement terms, kept apart like household-private. Read by grid workers \
                of its grid, community and street staff; created and written only by \
                community and street staff. It is placed by its grid alone, so a \
                joint-household leader never receives it, not even for a case it reported. One \
                per case, at most; its id is derived from the case's."
            .into(),
        more: Vec::new(),
    });
    let (t, declined) = sample_topic(&worker, household_id);
    let mut doc = crate::new_doc(&[1; 16]);
    deliberation::create(&mut doc, &t).expect("the sample topic writes");
    let mut declined_doc = crate::new_doc(&[1; 16]);
    deliberation::create(&mut declined_doc, &declined).expect("the declined topic writes");
    out.push(Sample {
        kind: Kind::Deliberation,
        doc,
        record: Record::Deliberation(t),
        data_keys: &[],
        meanings: deliberation_meanings(),
        about: "A residents' deliberation topic (居民议事) and its workflow (DESIGN §8). \
                Proposed by grid workers of its grid and joint-household leaders, for a \
                resident (naming the resident's household), and by community staff, for the \
                party branch, the owners' committee or the property company; read by grid \
                workers of any grid of its community, community staff of its community, \
                street staff of its street, and a joint-household leader when it names one of \
                the leader's linked households or the leader entered it. Staff of the \
                topic's community take every other step. Not sensitive: there is no private \
                part. The keys other than `events` are written when the topic is proposed \
                and never change (the hub refuses a change to them with `not_permitted`); \
                `events` is append-only. Who may take which step in which state is the \
                fold's rule, applied the same on every replica: a step it refuses is kept \
                and shown as refused. The first sample below goes from a resident's proposal \
                through a tripartite meeting (三方共议), an adopted resolution and two tasks \
                to feedback and close; a second, a property company's topic declined and \
                closed, adds the `decline` step. The fold refuses none of their events."
            .into(),
        more: vec![(declined_doc, Record::Deliberation(declined))],
    });
    out
}

/// A resident's topic entered by the grid worker for the sample household,
/// and a property company's topic entered at the office and declined: the
/// two lives of a topic, every step between them, none refused. Community
/// staff of 522701001001 take every step after the proposal.
fn sample_topic(worker: &User, household: RecordId) -> (Topic, Topic) {
    let staff = Author {
        user: "cs-1".into(),
        role: Role::CommunityStaff,
        unit: "522701001001".into(),
    };
    // Minutes after the first sample time, by day, as for the case.
    let day = |d: i64| 240 + d * 24 * 60;
    let (signs, chargers) = (v7(day(6), 111), v7(day(6), 110));
    let steps = [
        (0, TopicStep::Propose),
        (1, TopicStep::Accept),
        (
            5,
            TopicStep::Meeting {
                held_on: at(day(5)),
                place: "水花都小区党群服务站".into(),
                // Three days ahead: at least MIN_NOTICE_HOURS.
                notice_posted: at(day(2)),
                meeting_type: MeetingType::Tripartite,
                // 17 of 21 present: at least two thirds, and each of the
                // three parties in the room.
                attendance: [
                    (MemberType::PartyOrganisation, 3, 3),
                    (MemberType::ResidentsCommittee, 2, 2),
                    (MemberType::ResidentRepresentatives, 9, 7),
                    (MemberType::OwnersCommittee, 5, 4),
                    (MemberType::PropertyCompany, 2, 1),
                ]
                .into_iter()
                .map(|(member, expected, present)| Attendance {
                    member,
                    expected,
                    present,
                })
                .collect(),
            },
        ),
        (
            5,
            TopicStep::Resolve {
                text: "在8栋旁空地加装12个电动车充电桩，由物业公司建设并按用电收费".into(),
                // 13 of the 17 present: more than half.
                votes_for: 13,
                against: 2,
                abstain: 2,
                posted_on: at(day(6)),
            },
        ),
        (
            6,
            TopicStep::Task {
                task: chargers,
                owner: "水花都物业服务中心".into(),
                due: at(day(30)),
                what: "在8栋旁空地安装12个充电桩并接通电源".into(),
            },
        ),
        (
            6,
            TopicStep::Task {
                task: signs,
                owner: "社区居委会".into(),
                due: at(day(12)),
                what: "在各单元张贴禁止楼道充电的告示".into(),
            },
        ),
        (
            10,
            TopicStep::TaskDone {
                task: signs,
                note: "告示已在8栋各单元张贴".into(),
            },
        ),
        (
            28,
            TopicStep::TaskDone {
                task: chargers,
                note: "12个充电桩已安装通电".into(),
            },
        ),
        (
            29,
            TopicStep::Feedback {
                note: "落实情况已在小区公告栏公示，网格员已告知提议人".into(),
            },
        ),
        (30, TopicStep::Close),
    ];
    let events: Vec<TopicEvent> = steps
        .into_iter()
        .enumerate()
        .map(|(n, (d, step))| TopicEvent {
            id: v7(day(d) + n as i64, 90 + n as u8),
            at: at(day(d) + n as i64),
            author: if matches!(step, TopicStep::Propose) {
                worker.author()
            } else {
                staff.clone()
            },
            step,
        })
        .collect();
    let t = Topic {
        id: v7(day(0), 80),
        grid: grid(),
        household: Some(household),
        title: "小区加装电动车充电桩".into(),
        description: "电动车在楼道里充电有火灾隐患，居民希望在小区内集中建充电桩".into(),
        proposer: Proposer::Resident,
        proposer_name: "邵秀英".into(),
        submitted_by: worker.id.clone(),
        proposed_at: at(day(0)),
        events,
    };
    let steps = [
        (2, TopicStep::Propose),
        (
            3,
            TopicStep::Decline {
                reason: "属物业公司自身的管理职责，由物业公司按合同办理，不需居民议事".into(),
            },
        ),
        (3, TopicStep::Close),
    ];
    let events: Vec<TopicEvent> = steps
        .into_iter()
        .enumerate()
        .map(|(n, (d, step))| TopicEvent {
            id: v7(day(d) + n as i64, 120 + n as u8),
            at: at(day(d) + n as i64),
            author: staff.clone(),
            step,
        })
        .collect();
    let declined = Topic {
        id: v7(day(2), 81),
        grid: grid(),
        household: None,
        title: "更换小区门禁系统".into(),
        description: "门禁读卡器老化，物业公司提出整体更换".into(),
        proposer: Proposer::PropertyCompany,
        proposer_name: "水花都物业服务中心".into(),
        submitted_by: staff.user.clone(),
        proposed_at: at(day(2)),
        events,
    };
    for topic in [&t, &declined] {
        let s = topic.state();
        assert!(
            s.outcomes.iter().all(|o| o.refused.is_none()),
            "the fold refuses no event of the sample topic {:?}: {:?}",
            topic.title,
            s.outcomes
        );
        assert_eq!(
            s.stage,
            Some(TopicStage::Closed),
            "the sample topic {:?} reaches its end",
            topic.title
        );
    }
    (t, declined)
}

fn sample_issue(worker: &User, household: RecordId) -> Issue {
    let street = Author {
        user: "ss-1".into(),
        role: Role::StreetStaff,
        unit: "522701001".into(),
    };
    let steps = [
        IssueStep::Report,
        IssueStep::Accept,
        IssueStep::Reject {
            reason: "重复上报".into(),
        },
        IssueStep::Merge { into: v7(5, 9) },
        IssueStep::Resolve {
            note: "已协调物业".into(),
        },
        IssueStep::Escalate {
            note: "需住建部门处理".into(),
        },
        IssueStep::Dispatch {
            departments: vec!["住建".into(), "城管".into()],
            grade: Grade::Normal,
        },
        IssueStep::Handle {
            feedback: "已修复".into(),
        },
        IssueStep::VerifyClose {
            note: "现场核实".into(),
        },
        IssueStep::Evaluate {
            satisfied: true,
            resident: "邵秀英".into(),
            comment: "处理及时".into(),
        },
    ];
    let events = steps
        .into_iter()
        .enumerate()
        .map(|(n, step)| IssueEvent {
            id: v7(60 + n as i64, 20 + n as u8),
            at: at(60 + n as i64),
            author: if matches!(step, IssueStep::Report | IssueStep::Evaluate { .. }) {
                worker.author()
            } else {
                street.clone()
            },
            step,
        })
        .collect();
    Issue {
        id: v7(60, 10),
        grid: grid(),
        category: "电梯".into(),
        description: "3号楼电梯停运两天".into(),
        location: "水花都小区3栋".into(),
        household: Some(household),
        urgency: 2,
        reporter: worker.id.clone(),
        reported_at: at(60),
        events,
    }
}

fn sample_wish(worker: &User, household: RecordId) -> Wish {
    let claim = v7(121, 41);
    let steps = [
        WishStep::Post,
        WishStep::RequestClaim,
        WishStep::Grant { claim },
        WishStep::RefuseClaim { claim },
        WishStep::Fulfil {
            note: "已送到".into(),
        },
        WishStep::Confirm {
            resident: "邵秀英".into(),
        },
        WishStep::WithdrawWish {
            reason: "已由家人购买".into(),
        },
        WishStep::WithdrawClaim,
    ];
    let hub = Author {
        user: "hub".into(),
        role: Role::Hub,
        unit: String::new(),
    };
    let events = steps
        .into_iter()
        .enumerate()
        .map(|(n, step)| WishEvent {
            id: if n == 1 {
                claim
            } else {
                v7(120 + n as i64, 40 + n as u8)
            },
            at: at(120 + n as i64),
            author: if matches!(step, WishStep::Grant { .. } | WishStep::RefuseClaim { .. }) {
                hub.clone()
            } else {
                worker.author()
            },
            // What the reader finds: the actor this module writes as.
            actor: "01".repeat(16),
            step,
        })
        .collect();
    Wish {
        id: v7(120, 30),
        grid: grid(),
        household: Some(household),
        title: "一台助听器".into(),
        category: "医疗健康".into(),
        value_yuan: 300,
        description: "老人听力下降，希望有一台助听器".into(),
        poster: worker.id.clone(),
        posted_at: at(120),
        events,
    }
}

/// A neighbours' dispute made from the sample issue: the grid worker
/// registers it and makes the follow-up visit, community staff of
/// 522701001001 take every other step, one of each (two sessions).
fn sample_case(
    worker: &User,
    household: RecordId,
    issue: RecordId,
) -> (MediationCase, MediationPrivate) {
    let staff = Author {
        user: "cs-1".into(),
        role: Role::CommunityStaff,
        unit: "522701001001".into(),
    };
    // Minutes after the first sample time, by day: a case runs for weeks.
    let day = |d: i64| 180 + d * 24 * 60;
    let steps = [
        (0, CaseStep::Register),
        (
            1,
            CaseStep::Accept {
                mediator: "王调解".into(),
            },
        ),
        (
            1,
            CaseStep::Decline {
                reason: "已由法院立案".into(),
            },
        ),
        (
            2,
            CaseStep::Transfer {
                to: MediationKind::Administrative,
                reason: "涉及物业维修责任".into(),
            },
        ),
        (
            3,
            CaseStep::Session {
                held_on: at(day(3)),
            },
        ),
        (
            20,
            CaseStep::Extend {
                days: 15,
                reason: "等待漏水原因鉴定".into(),
                consent: true,
            },
        ),
        (
            25,
            CaseStep::Session {
                held_on: at(day(25)),
            },
        ),
        (
            25,
            CaseStep::Agree {
                form: AgreementForm::Written,
                perform_by: at(day(40)),
            },
        ),
        (
            26,
            CaseStep::Fail {
                referral: Referral::Litigation,
                note: "一方反悔".into(),
            },
        ),
        (
            27,
            CaseStep::ApplyConfirmation {
                court: "都匀市人民法院".into(),
            },
        ),
        (
            29,
            CaseStep::CourtAccept {
                case_number: "（2026）黔2701民特调确字第57号".into(),
            },
        ),
        (
            30,
            CaseStep::Perform {
                note: "已更换排水管".into(),
            },
        ),
        (40, CaseStep::CourtRule { confirmed: true }),
        (
            45,
            CaseStep::FollowUp {
                performance: Performance::Fully,
                satisfaction: Satisfaction::Satisfied,
                risk: "无".into(),
            },
        ),
        (
            46,
            CaseStep::Close {
                note: "协议履行完毕".into(),
            },
        ),
    ];
    let events: Vec<CaseEvent> = steps
        .into_iter()
        .enumerate()
        .map(|(n, (d, step))| CaseEvent {
            id: v7(day(d) + n as i64, 60 + n as u8),
            at: at(day(d) + n as i64),
            author: if matches!(step, CaseStep::Register | CaseStep::FollowUp { .. }) {
                worker.author()
            } else {
                staff.clone()
            },
            step,
        })
        .collect();
    let sessions: Vec<SessionRecord> = events
        .iter()
        .filter_map(|e| match e.step {
            CaseStep::Session { held_on } => Some((e.id, held_on)),
            _ => None,
        })
        .zip([
            (
                "邵秀英、罗建国、物业公司李经理",
                "双方陈述漏水经过，约定等待鉴定",
            ),
            (
                "邵秀英、罗建国",
                "鉴定为501排水管老化，罗建国同意更换并赔偿",
            ),
        ])
        .map(|((event, held_on), (participants, notes))| SessionRecord {
            event,
            held_on,
            participants: participants.into(),
            notes: notes.into(),
        })
        .collect();
    let c = MediationCase {
        id: v7(day(0), 50),
        grid: grid(),
        households: vec![household],
        case_type: CaseType::Neighbour,
        scale: Scale::MultiParty,
        people: 3,
        warning: 2,
        source: Source::GridReport,
        from_issue: Some(issue),
        from_visit: Some(v7(30, 4)),
        kind: MediationKind::People,
        summary: "楼上卫生间漏水，两户争执赔偿".into(),
        reporter: worker.id.clone(),
        registered_at: at(day(0)),
        events,
    };
    let p = MediationPrivate {
        case: c.id,
        grid: grid(),
        parties: vec![
            Party {
                name: "邵秀英".into(),
                id_number: Some(
                    parse_id_number("522701198706182382", "id_number").expect("a valid ID number"),
                ),
                phone: Some(parse_mobile("13912345678", "phone").expect("a mobile number")),
                address: "水花都小区8栋1单元401".into(),
            },
            Party {
                name: "罗建国".into(),
                id_number: None,
                phone: None,
                address: "水花都小区8栋1单元501".into(),
            },
        ],
        facts: "501室卫生间渗水至401室吊顶；401要求赔偿，501认为系公共管道老化".into(),
        sessions,
        agreement: "罗建国于2026年12月20日前更换排水管，赔偿401室吊顶修复费1200元".into(),
    };
    (c, p)
}

fn text_limit() -> String {
    format!("at most {MAX_TEXT} characters")
}

fn household_meanings() -> Vec<(&'static str, String)> {
    vec![
        ("kind", "`\"household\"`".into()),
        ("v", schema_version()),
        (
            "id",
            "the household's id: UUID v7 when a device adds it, opaque when the hub imported it ([Ids](#ids))".into(),
        ),
        ("grid", grid_meaning()),
        ("compound", "小区, the compound; may be empty".into()),
        ("building", "楼栋, the building; not blank".into()),
        ("unit", "单元, the stairway; may be empty".into()),
        ("room", "房号, the room; not blank".into()),
        ("phone", format!("the household's {}", mobile())),
        (
            "lat",
            "latitude (WGS-84) as decimal text, -90 to 90; written with `lon` or not at all".into(),
        ),
        ("lon", "longitude as decimal text, -180 to 180".into()),
        ("tags", ordinary_tags()),
        ("notes", format!("free text, {}", text_limit())),
        (
            "residents",
            "one map per resident, keyed by the resident's id (UUID v7, minted by the device that adds the resident)".into(),
        ),
        (
            "residents.<resident id>",
            "one resident, with the keys below".into(),
        ),
        (
            "residents.<resident id>.name",
            format!("not blank, at most {MAX_NAME} characters"),
        ),
        ("residents.<resident id>.gender", "`男` or `女`".into()),
        (
            "residents.<resident id>.birth_date",
            "`YYYY-MM-DD`, not in the future".into(),
        ),
        (
            "residents.<resident id>.relation",
            "relation to the head of household ([Vocabularies](#vocabularies)); at most one `户主` per household".into(),
        ),
        ("residents.<resident id>.phone", format!("the resident's {}", mobile())),
        ("residents.<resident id>.tags", ordinary_tags()),
        (
            "events",
            "the household's merges (合并), a list of event maps; absent on a document written before merges (a new household is written with an empty list, so concurrent merges append to one list). Only community staff of the household's community merge: the hub refuses another role's merge event as `not-permitted`, and every replica's fold refuses it too".into(),
        ),
        (
            "events[].step",
            "`merge` (this household is the same as `into`; it is kept, never deleted, and lists show it no more) or `unmerge` (the merge was a mistake; it stands on its own again). The latest by (`at`, `id`) stands; a chain A→B→C ends at C, and in a cycle the smallest id survives".into(),
        ),
        (
            "events[].into",
            "`merge`: the surviving household's id, another household of the same community".into(),
        ),
        (
            "events[].into_grid",
            "`merge`: the surviving household's grid, so the community can be checked without its document".into(),
        ),
        (
            "events[].reason",
            format!("why, as staff typed it; may be empty, at most {} characters", gridline_model::merge::MAX_REASON),
        ),
    ]
    .into_iter()
    .chain(event_meanings().into_iter().filter(|(k, _)| *k != "events[].step"))
    .collect()
}

fn private_meanings() -> Vec<(&'static str, String)> {
    vec![
        ("kind", "`\"household-private\"`".into()),
        ("v", schema_version()),
        (
            "id",
            "the id derived from `household` ([Ids](#ids)). The hub compares `push[].id` with the id it derives from `household`, not with this key; write it all the same".into(),
        ),
        ("household", "the household's id".into()),
        (
            "grid",
            "the household's grid: who may read and write the part is decided on it".into(),
        ),
        (
            "id_numbers",
            "keyed by resident id (a key of the household's `residents`): the 18-character resident ID number, GB 11643: 17 digits and a check character `0`–`9` or upper-case `X`, holding a real birth date. A device also checks that the resident exists and that the birth dates agree; the hub does not".into(),
        ),
        (
            "tags",
            "sensitive tags only ([Vocabularies](#vocabularies)), each mapped to `true`".into(),
        ),
    ]
}

fn visit_meanings() -> Vec<(&'static str, String)> {
    vec![
        ("kind", "`\"visit\"`".into()),
        ("v", schema_version()),
        ("id", "the visit's id: UUID v7 minted by the device".into()),
        ("household", "the visited household's id".into()),
        ("grid", "that household's grid".into()),
        (
            "user",
            "the visitor: the `user_id` the device enrolled as".into(),
        ),
        (
            "role",
            "the visitor's role key, as enrolment returned it".into(),
        ),
        (
            "unit",
            "the visitor's unit ([Authors and units](#authors-and-units))".into(),
        ),
        (
            "at",
            format!("when the visit took place: {}", time_meaning()),
        ),
        (
            "visit_kind",
            "`routine`, `home-service-day` or `follow-up`".into(),
        ),
        ("notes", format!("free text, {}", text_limit())),
    ]
}

fn issue_meanings() -> Vec<(&'static str, String)> {
    vec![
        ("kind", "`\"issue\"`".into()),
        ("v", schema_version()),
        ("id", "the issue's id: UUID v7 minted by the device".into()),
        ("grid", grid_meaning()),
        (
            "category",
            "one of the issue categories ([Vocabularies](#vocabularies))".into(),
        ),
        (
            "urgency",
            format!(
                "the reporter's judgement as decimal text, `\"{}\"` (low) to `\"{}\"` (high)",
                URGENCY.start(),
                URGENCY.end()
            ),
        ),
        (
            "household",
            "the household concerned, if any: its id".into(),
        ),
        (
            "location",
            format!("where, as free text; may be empty, {}", text_limit()),
        ),
        ("reporter", "the reporting user's id".into()),
        (
            "reported_at",
            format!("when it was reported: {}", time_meaning()),
        ),
        (
            "description",
            format!("what was seen: not blank, {}", text_limit()),
        ),
        (
            "events",
            "the workflow, a list of event maps (the tables below); the first is the `report` step"
                .into(),
        ),
        (
            "events[].reason",
            format!("why it was sent back, {}", text_limit()),
        ),
        (
            "events[].into",
            "the id of the issue this one duplicates".into(),
        ),
        (
            "events[].note",
            format!("the note of the step, {}", text_limit()),
        ),
        (
            "events[].departments",
            "the departments' names (each a department liaison's unit)".into(),
        ),
        ("events[].grade", "`urgent`, `normal` or `minor`".into()),
        (
            "events[].feedback",
            format!("the department's report, {}", text_limit()),
        ),
        ("events[].satisfied", "`\"yes\"` or `\"no\"`".into()),
        (
            "events[].resident",
            format!("the name of the resident who judged, {}", text_limit()),
        ),
        ("events[].comment", format!("their words, {}", text_limit())),
    ]
    .into_iter()
    .chain(event_meanings())
    .chain(photo_meanings())
    .collect()
}

/// One photo reference, as a grid worker's report carries it.
fn sample_photo(i: &Issue) -> gridline_model::PhotoRef {
    gridline_model::PhotoRef {
        hash: "a1b3ea2c992155f9e1a0b623f7cef3e437174b05d177f59ede56f1d0e4b22967".into(),
        size: 212_480,
        mime: gridline_model::photo::JPEG.into(),
        thumb: "5e0c2f1b7d9a4e3c8b6f0a2d4c6e8f1a3b5d7f9e1c3a5b7d9f1e3c5a7b9d1f3e".into(),
        thumb_size: 11_264,
        taken_at: i.reported_at,
        caption: "电梯按钮损坏".into(),
        step: gridline_model::PhotoStep::Report,
        by: i.reporter.clone(),
    }
}

/// The keys of a `photos` entry (DESIGN §9), the same on every kind that holds them.
fn photo_meanings() -> Vec<(&'static str, String)> {
    use gridline_model::photo::{MAX_CAPTION, MAX_PHOTOS_PER_RECORD, MAX_PHOTO_BYTES};
    vec![
        (
            "photos",
            format!(
                "photo references, only ever appended to, at most {MAX_PHOTOS_PER_RECORD}: the bytes are blobs ([Photos](#photos))"
            ),
        ),
        (
            "photos[].hash",
            "the photo's SHA-256, 64 lowercase hex digits: its blob's name".into(),
        ),
        (
            "photos[].size",
            format!("the photo's bytes as decimal text, 1 to {MAX_PHOTO_BYTES}"),
        ),
        ("photos[].mime", "`\"image/jpeg\"`".into()),
        (
            "photos[].thumb",
            "the thumbnail's SHA-256 (longest side 320 px)".into(),
        ),
        (
            "photos[].thumb_size",
            "the thumbnail's bytes as decimal text".into(),
        ),
        (
            "photos[].taken_at",
            format!("when it was taken: {}", time_meaning()),
        ),
        (
            "photos[].caption",
            format!("may be empty, at most {MAX_CAPTION} characters"),
        ),
        (
            "photos[].step",
            "what it is evidence of: `report`, `handling`, `verification`, `fulfilment`, `visit` or `agreement`".into(),
        ),
        (
            "photos[].by",
            "the id of the user who added it: the pushing device's own user".into(),
        ),
    ]
}

fn wish_meanings() -> Vec<(&'static str, String)> {
    vec![
        ("kind", "`\"wish\"`".into()),
        ("v", schema_version()),
        ("id", "the wish's id: UUID v7 minted by the device".into()),
        ("grid", grid_meaning()),
        (
            "household",
            "the household that wishes, if any: its id".into(),
        ),
        (
            "title",
            format!("what is wished, 1 to {MAX_TITLE} characters"),
        ),
        (
            "category",
            "one of the wish categories ([Vocabularies](#vocabularies))".into(),
        ),
        (
            "value_yuan",
            format!("estimated value in yuan as decimal text, 0 to {MAX_VALUE_YUAN}"),
        ),
        ("poster", "the posting user's id".into()),
        (
            "posted_at",
            format!("when it was posted: {}", time_meaning()),
        ),
        (
            "description",
            format!("more about the wish; may be empty, {}", text_limit()),
        ),
        (
            "events",
            "the workflow, a list of event maps (the tables below); the first is the `post` step"
                .into(),
        ),
        (
            "events[].claim",
            "the `id` of the `claim` event this grants or refuses".into(),
        ),
        (
            "events[].note",
            format!("how it was fulfilled, {}", text_limit()),
        ),
        (
            "events[].resident",
            format!("the name of the resident who confirmed, {}", text_limit()),
        ),
        (
            "events[].reason",
            format!("why it was withdrawn, {}", text_limit()),
        ),
    ]
    .into_iter()
    .chain(event_meanings())
    .collect()
}

fn mediation_meanings() -> Vec<(&'static str, String)> {
    let vocabulary = |what: &str| format!("a {what} key ([Vocabularies](#vocabularies))");
    vec![
        ("kind", "`\"mediation\"`".into()),
        ("v", schema_version()),
        ("id", "the case's id: UUID v7 minted by the device".into()),
        (
            "grid",
            "the case's grid (15 digits: the community's 12-digit division code, then a 3-digit grid number); it decides who reads the case and whose staff take its steps".into(),
        ),
        (
            "households",
            "the ids of the households party to the dispute, linked rather than copied; may be empty. The first places the case: on a new case the hub must hold it, the device must be able to read it, and it must lie in the case's grid (otherwise `not_permitted`); the others may lie in a neighbouring grid".into(),
        ),
        ("type", format!("the kind of dispute (纠纷类型), {}", vocabulary("case type"))),
        ("scale", format!("how many sides (纠纷规模), {}", vocabulary("scale"))),
        (
            "people",
            format!("how many people are involved, as decimal text, 1 to {MAX_PEOPLE}"),
        ),
        (
            "warning",
            format!(
                "the warning level (预警等级) as decimal text, `\"{}\"` (may lead to a mass incident) to `\"{}\"` (the least)",
                WARNING.start(),
                WARNING.end()
            ),
        ),
        ("source", format!("where the case came from (案件来源), {}", vocabulary("source"))),
        (
            "from_issue",
            "the id of the issue (such as a `邻里纠纷`) the case was made from, if any: the dispute is recorded once and linked, not typed again".into(),
        ),
        (
            "from_visit",
            "the id of the visit the dispute was found on, if any".into(),
        ),
        (
            "mediation_kind",
            format!(
                "the mediation it was registered under (调解类型), {}. A `transfer` event changes the kind the fold reports, not this key",
                vocabulary("mediation kind")
            ),
        ),
        (
            "reporter",
            "the reporting user's id; a new case's must be the pushing device's own user (`forged_author`). A joint-household leader reads only the cases whose `reporter` it is".into(),
        ),
        (
            "registered_at",
            format!("when it was reported: {}", time_meaning()),
        ),
        (
            "summary",
            format!(
                "what the dispute is about, in a line or two: not blank, {}. Names and facts belong in the private part",
                text_limit()
            ),
        ),
        (
            "events",
            "the workflow, a list of event maps (the tables below); the first is the `register` step".into(),
        ),
        (
            "events[].mediator",
            format!("who mediates, {}; the fold refuses a blank one", text_limit()),
        ),
        (
            "events[].reason",
            format!(
                "why the case was declined, transferred or given more time, {}; the fold refuses a blank one",
                text_limit()
            ),
        ),
        (
            "events[].to",
            format!(
                "the mediation the case moves to, {}; the fold refuses the kind it already has",
                vocabulary("mediation kind")
            ),
        ),
        (
            "events[].held_on",
            format!(
                "when the session was held: {}. Who took part and what was said is in the private part's `sessions`",
                time_meaning()
            ),
        ),
        (
            "events[].days",
            format!(
                "the extension in days as decimal text, added to the deadline (one calendar month from `accept`). 1 to {MAX_EXTENSION_DAYS} (the hub refuses others as `malformed`), recorded before the deadline has passed (the fold refuses a later one)"
            ),
        ),
        (
            "events[].consent",
            "`\"yes\"` when the parties agreed to the extension; the fold refuses an extension without it".into(),
        ),
        (
            "events[].form",
            format!("{}; the terms are in the private part's `agreement`", vocabulary("form")),
        ),
        (
            "events[].perform_by",
            format!(
                "by when the parties perform the agreement: {}; the fold refuses one before the agreement",
                time_meaning()
            ),
        ),
        (
            "events[].referral",
            format!("where the parties are referred when mediation fails, {}", vocabulary("referral")),
        ),
        (
            "events[].note",
            format!("the note of the step, {}", text_limit()),
        ),
        (
            "events[].court",
            format!(
                "the court applied to for judicial confirmation (司法确认), within 30 days of the agreement, {}",
                text_limit()
            ),
        ),
        (
            "events[].case_number",
            "the court's 调确字 case number, such as `（2026）黔2701民特调确字第57号`; the court accepts within 3 days of the application".into(),
        ),
        (
            "events[].confirmed",
            "the court's ruling, within 15 days of accepting: `\"yes\"` (confirmed) or `\"no\"` (refused)".into(),
        ),
        (
            "events[].performance",
            format!("what the follow-up visit (回访) found of the agreement, {}", vocabulary("performance")),
        ),
        (
            "events[].satisfaction",
            format!("the parties' satisfaction, {}", vocabulary("satisfaction")),
        ),
        (
            "events[].risk",
            format!("any risk that remains; may be empty, {}", text_limit()),
        ),
    ]
    .into_iter()
    .chain(event_meanings())
    .collect()
}

fn mediation_private_meanings() -> Vec<(&'static str, String)> {
    vec![
        ("kind", "`\"mediation-private\"`".into()),
        ("v", schema_version()),
        (
            "id",
            "the id derived from `case` ([Ids](#ids)). The hub compares `push[].id` with the id it derives from `case`, not with this key; write it all the same".into(),
        ),
        ("case", "the case's id".into()),
        (
            "grid",
            "the case's grid: who may read and write the part is decided on it alone, never on the case's reporter or households".into(),
        ),
        (
            "facts",
            format!("the facts and the disputed points, {}", text_limit()),
        ),
        (
            "agreement",
            format!(
                "the terms as agreed: each side's responsibility and what is done by when; empty until an agreement, {}",
                text_limit()
            ),
        ),
        (
            "parties",
            "one map per party to the dispute; a device that changes a party writes the whole list again".into(),
        ),
        (
            "parties[].name",
            format!("not blank, at most {MAX_NAME} characters"),
        ),
        (
            "parties[].id_number",
            "the 18-character resident ID number, if given, as in household-private: GB 11643, 17 digits and a check character `0`–`9` or upper-case `X`, holding a real birth date".into(),
        ),
        ("parties[].phone", format!("the party's {}, if given", mobile())),
        (
            "parties[].address",
            format!("where the party lives, as free text; may be empty, {}", text_limit()),
        ),
        (
            "sessions",
            "one map per session record, appended and never rewritten".into(),
        ),
        (
            "sessions[].event",
            "the `id` of the case's `session` event this records".into(),
        ),
        (
            "sessions[].held_on",
            format!("when the session was held: {}", time_meaning()),
        ),
        (
            "sessions[].participants",
            format!("who took part, {}", text_limit()),
        ),
        (
            "sessions[].notes",
            format!("what was said and agreed, {}", text_limit()),
        ),
    ]
}

fn deliberation_meanings() -> Vec<(&'static str, String)> {
    let vocabulary = |what: &str| format!("a {what} key ([Vocabularies](#vocabularies))");
    let title = gridline_model::deliberation::MAX_TITLE;
    vec![
        ("kind", "`\"deliberation\"`".into()),
        ("v", schema_version()),
        ("id", "the topic's id: UUID v7 minted by the device".into()),
        (
            "grid",
            "the proposer's grid (15 digits: the community's 12-digit division code, then a 3-digit grid number); the topic belongs to its community, whose staff take its steps".into(),
        ),
        (
            "household",
            "the household of the resident who proposed the topic, when a grid worker or a joint-household leader entered it: its id. A leader's topic names one of its linked households, which is what places the topic in the leader's scope".into(),
        ),
        ("title", format!("the topic (议题), 1 to {title} characters")),
        (
            "description",
            format!(
                "what is to be deliberated and why (议题内容): not blank, {}",
                text_limit()
            ),
        ),
        ("proposer", format!("who proposes (提议方), {}", vocabulary("proposer"))),
        (
            "proposer_name",
            format!(
                "the resident or body as signed on the proposal (提议人): not blank, {}",
                text_limit()
            ),
        ),
        (
            "submitted_by",
            "the id of the user who entered the topic; a joint-household leader also reads the topics it entered".into(),
        ),
        (
            "proposed_at",
            format!("when it was proposed: {}", time_meaning()),
        ),
        (
            "events",
            "the workflow, a list of event maps (the tables below); the first is the `propose` step".into(),
        ),
        (
            "events[].reason",
            format!(
                "why the topic is not taken up (不予受理理由), {}; the fold refuses a blank one",
                text_limit()
            ),
        ),
        (
            "events[].held_on",
            format!("when the meeting was held (开会时间): {}", time_meaning()),
        ),
        (
            "events[].place",
            format!(
                "where it was held (开会地点), {}; the fold refuses a blank one",
                text_limit()
            ),
        ),
        (
            "events[].notice_posted",
            format!(
                "when the notice of the meeting went up on the notice board (通知张贴时间): {}; the fold refuses a meeting whose notice went up less than {MIN_NOTICE_HOURS} hours (2 days) before `held_on`",
                time_meaning()
            ),
        ),
        (
            "events[].meeting_type",
            format!(
                "the kind of meeting (会议类型), {}; the fold refuses a `tripartite` meeting (三方共议) unless the party organisation, the owners' committee and the property company each have someone present",
                vocabulary("meeting type")
            ),
        ),
        (
            "events[].attendance",
            "who was expected and who came (各方应到和实到人数): one string per member type ([Vocabularies](#vocabularies)), `<member type>:<present>/<expected>` in decimal, such as `party-organisation:3/3`. The fold refuses a meeting that lists none, lists a member type twice, has more present than expected, or has fewer than two thirds of all those expected present (3 × present ≥ 2 × expected). Strings rather than maps, so that the hub's append-only check covers every figure".into(),
        ),
        (
            "events[].text",
            format!(
                "the resolution put to the vote (决议内容), {}; the fold refuses a blank one",
                text_limit()
            ),
        ),
        (
            "events[].votes_for",
            "the votes for (赞成票数), as decimal text. The resolution is adopted when more than half of those present at the last meeting vote for it (an abstention counts against); a vote that fails leaves the topic met, and only a new meeting may vote again".into(),
        ),
        (
            "events[].against",
            "the votes against (反对票数), as decimal text; the fold refuses a vote whose for, against and abstain add up to more than the meeting's present".into(),
        ),
        (
            "events[].abstain",
            "the abstentions (弃权票数), as decimal text".into(),
        ),
        (
            "events[].posted_on",
            format!(
                "when the resolution went up on the notice board (决议公示时间): {}; the fold refuses one before the meeting",
                time_meaning()
            ),
        ),
        (
            "events[].task",
            "the task's id, a UUID v7 minted with the `task` step; a `task-done` names the task it completes, once".into(),
        ),
        (
            "events[].owner",
            format!(
                "who carries the task out (责任方), {}; the fold refuses a blank one",
                text_limit()
            ),
        ),
        (
            "events[].due",
            format!(
                "by when (完成期限): {}, after the resolution (the fold refuses one before); a task not done by then is overdue (超期)",
                time_meaning()
            ),
        ),
        (
            "events[].what",
            format!(
                "what is to be done (任务内容), {}; the fold refuses a blank one",
                text_limit()
            ),
        ),
        (
            "events[].note",
            format!(
                "what was done (完成情况) for a `task-done`, what residents were told (反馈居民) for a `feedback`, {}; the fold refuses a blank one, and a `feedback` while a task is open",
                text_limit()
            ),
        ),
    ]
    .into_iter()
    .chain(event_meanings())
    .collect()
}

/// The keys every workflow event carries: issue, wish, mediation case or
/// deliberation topic.
fn event_meanings() -> Vec<(&'static str, String)> {
    vec![
        (
            "events[].id",
            "the event's id: UUID v7 minted by the device; unique within the record".into(),
        ),
        (
            "events[].at",
            format!("when: {}. Events fold in (`at`, `id`) order, so a new step must be stamped strictly after the record's last event", time_meaning()),
        ),
        (
            "events[].user",
            "the author's user id: the device's own `user_id`".into(),
        ),
        (
            "events[].role",
            "the author's role key: the device's own role".into(),
        ),
        (
            "events[].unit",
            "the author's unit ([Authors and units](#authors-and-units)); absent reads as empty".into(),
        ),
        ("events[].step", "which step (the table below)".into()),
    ]
}

fn schema_version() -> String {
    format!(
        "the schema version, `{}`; the hub does not read it, write it all the same",
        crate::SCHEMA_VERSION
    )
}

fn grid_meaning() -> String {
    "the grid: 15 digits, the community's 12-digit division code then a 3-digit grid number".into()
}

fn mobile() -> String {
    "mobile number: 11 ASCII digits, `1`, then `3`–`9`, then 9 more".into()
}

fn ordinary_tags() -> String {
    "ordinary tags ([Vocabularies](#vocabularies)), each mapped to `true`; a sensitive tag here is refused".into()
}

fn time_meaning() -> String {
    format!(
        "RFC 3339 in UTC with milliseconds, e.g. `{}`",
        crate::fmt_time(at(0))
    )
}

fn intro(out: &mut String, samples: &[Sample]) {
    let household = samples[0].record.doc_id();
    let private_id = private::doc_id(household);
    let case = samples
        .iter()
        .find(|s| s.kind == Kind::Mediation)
        .expect("a mediation sample")
        .record
        .doc_id();
    let case_private_id = mediation::private_doc_id(case);
    let _ = write!(
        out,
        "\
## Record documents

Every record is one Automerge document. This section is generated from the
code (`crates/records/src/schema.rs`): each kind's sample below is written by
the same functions the device uses, and its document is walked key by key.
`cargo test -p gridline-records` fails when this text and the code differ, and
`GRIDLINE_WRITE_DOCS=1 cargo test -p gridline-records` rewrites it.

- **Root.** Every document's root map holds `kind`, `v` and `id`, then the
  kind's own keys. Keys not listed are kept but ignored.
- **Types.** *string* is a scalar Automerge string: two devices setting it
  concurrently is a conflict that a person resolves. *Text* is an Automerge
  Text object, merged character by character. Wherever a string is read, the
  readers accept either form, but write the form listed. Numbers such as
  `urgency`, `value_yuan`, `lat`, `lon`, `people`, `warning`, `days` and a
  vote's `votes_for`, `against` and `abstain` are decimal *strings*, not
  Automerge numbers. Only `v` is an integer (Automerge `int`), and only tag
  maps hold booleans.
- **Required.** \"The hub refuses without it\" was found by deleting the key
  from a copy of the sample. A document that lacks such a key, or whose value
  breaks a rule in the table, is refused as `malformed` (\"not a Gridline
  record\" or \"invalid record\").
{times}
- **Editing.** Change only the keys that change, so a concurrent edit of
  another key merges cleanly. Put a string only if its value differs, and edit
  Text in place rather than replacing the object.

### Ids

- Record ids are UUIDs in lower-case hyphenated text. A device mints a new
  household, visit, issue, wish, mediation case or deliberation topic id, a
  resident id, a task id and an event id as UUID v7 (RFC 9562: the Unix time
  in milliseconds, then random bits). The hub refuses new records whose ids
  are not v7.
{private_part}
{case_private_part}
- Households imported by the hub have ids the hub derives its own way. Treat
  them as opaque: never parse them, derive them or guess them.
- `push[].id` is the document's id. It must equal the document's `id` (for a
  private part, the id derived from its `household` or its `case`), or the
  push is refused as `malformed`.
",
        times = bullet(&format!("**Times** are {}.", time_meaning())),
        private_part = bullet(&format!(
            "A household-private part has no id of its own. It is UUID v5 (SHA-1) with \
             the household's id as the namespace and the 17 ASCII bytes \
             `household-private` as the name, so two devices that make the part offline \
             name the same document. For household `{household}`, the part is \
             `{private_id}`."
        )),
        case_private_part = bullet(&format!(
            "A mediation case's private part is named the same way: UUID v5 with the \
             case's id as the namespace and the 17 ASCII bytes `mediation-private` as the \
             name. For case `{case}`, the part is `{case_private_id}`."
        )),
    );
}

fn kind_section(out: &mut String, s: &Sample) {
    let mut found = walk_sample(s);
    // In the order the meanings are written (kind, v, id first), not
    // Automerge's alphabetical order; unknown keys last, to be refused below.
    let rank = |path: &str| {
        s.meanings
            .iter()
            .position(|(k, _)| *k == path)
            .unwrap_or(usize::MAX)
    };
    found.sort_by_key(|f| rank(&f.path));
    let mut meanings: BTreeMap<&str, (String, bool)> = s
        .meanings
        .iter()
        .map(|(k, m)| (*k, (m.clone(), false)))
        .collect();
    let mut meaning = |path: &str| -> String {
        let (m, used) = meanings.get_mut(path).unwrap_or_else(|| {
            panic!(
                "{} key {path} has no meaning in crates/records/src/schema.rs",
                s.kind.key()
            )
        });
        *used = true;
        m.clone()
    };
    let _ = writeln!(out, "\n### {}\n\n{}\n", s.kind.key(), wrap(&s.about));
    let _ = writeln!(
        out,
        "| key | type | the hub refuses without it | meaning |\n|---|---|---|---|"
    );
    let mut seen: Vec<&str> = Vec::new();
    for f in found.iter().filter(|f| f.step.is_none()) {
        if seen.contains(&f.path.as_str()) {
            continue;
        }
        seen.push(&f.path);
        let optional = found
            .iter()
            .filter(|g| g.path == f.path)
            .all(|g| g.optional);
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            f.path,
            f.ty,
            if optional { "no" } else { "yes" },
            meaning(&f.path)
        );
    }
    if found.iter().any(|f| f.step.is_some()) {
        events_section(out, s, &found, &mut meaning);
    }
    let unused: Vec<&str> = meanings
        .iter()
        .filter(|(_, (_, used))| !used)
        .map(|(k, _)| *k)
        .collect();
    assert!(
        unused.is_empty(),
        "schema.rs describes {} keys the document does not have: {unused:?}",
        s.kind.key()
    );
}

/// The keys of every event, then each step's own keys.
fn events_section(
    out: &mut String,
    s: &Sample,
    found: &[Found],
    meaning: &mut impl FnMut(&str) -> String,
) {
    let mut steps: Vec<&str> = Vec::new();
    for f in found {
        if let Some(step) = &f.step {
            if !steps.contains(&step.as_str()) {
                steps.push(step);
            }
        }
    }
    let in_step = |step: &str| -> Vec<&Found> {
        found
            .iter()
            .filter(|f| f.step.as_deref() == Some(step))
            .collect()
    };
    let mut common: Vec<&str> = in_step(steps[0]).iter().map(|f| f.path.as_str()).collect();
    common.retain(|p| {
        steps
            .iter()
            .all(|st| in_step(st).iter().any(|f| f.path == *p))
    });
    let _ = writeln!(
        out,
        "\n{}\n",
        wrap(
            "Every entry of `events` is a map with these keys. The hub refuses a new event \
             whose `user`, `role` and `unit` are not the pushing device's own \
             (`forged_author`), or whose map an actor not bound to the device created \
             (`forged_actor`). Events are never changed or removed once the hub holds \
             them (`forged_author`), and two events of a record may not share an `id` \
             (`malformed`)."
        )
    );
    let _ = writeln!(
        out,
        "| key | type | the hub refuses without it | meaning |\n|---|---|---|---|"
    );
    for p in &common {
        let all: Vec<&Found> = found.iter().filter(|f| f.path == *p).collect();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            p,
            all[0].ty,
            if all.iter().all(|f| f.optional) {
                "no"
            } else {
                "yes"
            },
            meaning(p)
        );
    }
    let _ = writeln!(
        out,
        "\nEach step adds these keys (*required*: the hub refuses the event without it):\n"
    );
    let _ = writeln!(out, "| `step` | | further keys |\n|---|---|---|");
    let mut extra_keys: Vec<&Found> = Vec::new();
    for st in &steps {
        let mut listed: Vec<&str> = Vec::new();
        let extra: Vec<String> = in_step(st)
            .into_iter()
            .filter(|f| !common.contains(&f.path.as_str()))
            // A step that occurs twice in the sample lists its keys once.
            .filter(|f| {
                let first = !listed.contains(&f.path.as_str());
                listed.push(&f.path);
                first
            })
            .map(|f| {
                if !extra_keys.iter().any(|g| g.path == f.path) {
                    extra_keys.push(f);
                }
                let key = f.path.trim_start_matches("events[].");
                let req = if f.optional { "" } else { ", required" };
                format!("`{key}` ({}{req})", f.ty)
            })
            .collect();
        let _ = writeln!(
            out,
            "| `{st}` | {} | {} |",
            step_zh(s, st),
            if extra.is_empty() {
                "—".to_owned()
            } else {
                extra.join(", ")
            }
        );
    }
    let _ = writeln!(out, "\n| further key | meaning |\n|---|---|");
    for f in extra_keys {
        let _ = writeln!(out, "| `{}` | {} |", f.path, meaning(&f.path));
    }
}

/// The Chinese name of a step, from the sample's own events.
fn step_zh(s: &Sample, key: &str) -> &'static str {
    s.docs()
        .find_map(|(_, record)| record_step_zh(record, key))
        .unwrap_or_default()
}

fn record_step_zh(record: &Record, key: &str) -> Option<&'static str> {
    match record {
        Record::Issue(i) => i
            .events
            .iter()
            .find(|e| e.step.key() == key)
            .map(|e| e.step.zh()),
        Record::Wish(w) => w
            .events
            .iter()
            .find(|e| e.step.key() == key)
            .map(|e| e.step.zh()),
        Record::Mediation(c) => c
            .events
            .iter()
            .find(|e| e.step.key() == key)
            .map(|e| e.step.zh()),
        Record::Deliberation(t) => t
            .events
            .iter()
            .find(|e| e.step.key() == key)
            .map(|e| e.step.zh()),
        _ => None,
    }
}

/// Every key of the sample, with its type and whether the record reads and
/// validates without it.
fn walk_sample(s: &Sample) -> Vec<Found> {
    let mut found = Vec::new();
    for (doc, record) in s.docs() {
        let start = found.len();
        walk(s, doc, &ROOT, "", None, &mut found);
        for f in &mut found[start..] {
            let mut copy = doc.clone();
            copy.delete(&f.obj, f.prop.clone())
                .expect("a key of the sample deletes");
            f.optional = Record::read(&copy)
                .ok()
                .is_some_and(|r| r.validate(at(24 * 60)).is_ok());
        }
        assert!(
            Record::read(doc).is_ok_and(|r| r == *record),
            "the {} sample reads back as written",
            s.kind.key()
        );
    }
    found
}

fn walk(
    s: &Sample,
    doc: &AutoCommit,
    obj: &ObjId,
    path: &str,
    step: Option<&str>,
    out: &mut Vec<Found>,
) {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    let placeholder = s
        .data_keys
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, ph)| *ph);
    for key in doc.keys(obj) {
        let child_path = join(placeholder.unwrap_or(&key));
        let (value, id) = doc
            .get(obj, key.as_str())
            .expect("a listed key reads")
            .expect("a listed key has a value");
        let ty = type_of(s, doc, &value, &id, &child_path);
        out.push(Found {
            path: child_path.clone(),
            obj: obj.clone(),
            prop: Prop::Map(key.clone()),
            ty,
            step: step.map(str::to_owned),
            optional: false,
        });
        match value {
            Value::Object(ObjType::Map) if !collapsed(s, doc, &id, &child_path) => {
                walk(s, doc, &id, &child_path, step, out)
            }
            Value::Object(ObjType::List) if child_path == "events" => {
                for i in 0..doc.length(&id) {
                    let (_, event) = doc
                        .get(&id, i)
                        .expect("an event reads")
                        .expect("an event is there");
                    let st = crate::fields::req_str(doc, &event, "step")
                        .expect("every event has a step");
                    walk(s, doc, &event, "events[]", Some(&st), out);
                }
            }
            // Other lists of maps (a case's parties and sessions): each
            // item's keys as `<list>[].<key>`.
            Value::Object(ObjType::List) if is_list_of_maps(doc, &id) => {
                for (_, item) in doc.values(&id) {
                    walk(s, doc, &item, &format!("{child_path}[]"), step, out);
                }
            }
            _ => {}
        }
    }
}

fn is_list_of_maps(doc: &AutoCommit, list: &ObjId) -> bool {
    doc.length(list) > 0
        && doc
            .values(list)
            .all(|(v, _)| matches!(v, Value::Object(ObjType::Map)))
}

/// A map of data keys to scalars (tags, ID numbers) is shown as one row.
fn collapsed(s: &Sample, doc: &AutoCommit, map: &ObjId, path: &str) -> bool {
    s.data_keys.iter().any(|(p, _)| *p == path)
        && doc.values(map).all(|(v, _)| matches!(v, Value::Scalar(_)))
}

fn type_of(s: &Sample, doc: &AutoCommit, value: &Value<'_>, id: &ObjId, path: &str) -> String {
    match value {
        Value::Scalar(v) => scalar_type(v).into(),
        Value::Object(ObjType::Text) => "Text".into(),
        Value::Object(ObjType::List) if path == "events" || is_list_of_maps(doc, id) => {
            "list of maps".into()
        }
        Value::Object(ObjType::List) => {
            let items: Vec<String> = doc
                .values(id)
                .map(|(v, i)| type_of(s, doc, &v, &i, path))
                .collect();
            assert!(
                items.windows(2).all(|w| w[0] == w[1]),
                "{path}: a list of one type"
            );
            format!("list of {}", items.first().map_or("string", String::as_str))
        }
        Value::Object(ObjType::Map) => {
            match s.data_keys.iter().find(|(p, _)| *p == path) {
                Some((_, ph)) if collapsed(s, doc, id, path) => {
                    let items: Vec<String> = doc
                        .values(id)
                        .map(|(v, i)| type_of(s, doc, &v, &i, path))
                        .collect();
                    match items.first().map_or("string", String::as_str) {
                        // Tags: the key is what counts; the value is always true.
                        "boolean" => format!("map {ph} → `true`"),
                        item => format!("map {ph} → {item}"),
                    }
                }
                Some((_, ph)) => format!("map {ph} → map"),
                None => "map".into(),
            }
        }
        Value::Object(ObjType::Table) => "table".into(),
    }
}

fn scalar_type(v: &ScalarValue) -> &'static str {
    match v {
        ScalarValue::Str(_) => "string",
        ScalarValue::Int(_) => "int",
        ScalarValue::Uint(_) => "uint",
        ScalarValue::F64(_) => "float",
        ScalarValue::Boolean(_) => "boolean",
        ScalarValue::Null => "null",
        ScalarValue::Timestamp(_) => "timestamp",
        ScalarValue::Counter(_) => "counter",
        ScalarValue::Bytes(_) => "bytes",
        ScalarValue::Unknown { .. } => "unknown",
    }
}

/// Which `unit` an author of each role names: [`Scope::unit`] of a scope of
/// the shape the role has.
fn authors(out: &mut String) {
    let _ = write!(
        out,
        "
### Authors and units

A visit names its visitor, and every workflow event names its author, as
three keys: `user` (the user id), `role` (the role key) and `unit`. A device
writes its own binding as enrolment returned it (`user_id`, `role`), and the
unit that its scope gives:

| `role` | | scope (enrolment's `scope`) | `unit` |
|---|---|---|---|
"
    );
    let community = CommunityCode::parse("522701001001").expect("a 12-digit community code");
    for role in Role::ALL {
        let scope = match role {
            Role::GridWorker => Scope::Grids(vec![grid()]),
            Role::JointLeader => Scope::Households(vec![v7(0, 1)]),
            Role::CommunityStaff => Scope::Community(community.clone()),
            Role::StreetStaff => Scope::Street("522701001".into()),
            Role::DepartmentLiaison => Scope::Department("城管".into()),
            Role::Admin | Role::Hub => Scope::Everything,
        };
        let unit = scope.unit();
        let what = match role {
            Role::GridWorker | Role::JointLeader => "empty",
            Role::CommunityStaff => "the community code",
            Role::StreetStaff => "the street code",
            Role::DepartmentLiaison => "the department's name",
            Role::Admin => "no device is bound to an admin",
            Role::Hub => "the hub's own events (claim grants); no device writes as `hub`",
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | `{}` | `\"{unit}\"`: {what} |",
            role.key(),
            role.zh(),
            scope.encode()
        );
    }
}

fn vocabularies(out: &mut String) {
    let list = |items: Vec<String>| {
        items
            .iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Stored keys with their Chinese names (which readers also accept).
    fn keyed<'a>(items: impl Iterator<Item = (&'a str, &'a str)>) -> String {
        items
            .map(|(k, zh)| format!("`{k}` ({zh})"))
            .collect::<Vec<_>>()
            .join(", ")
    }
    let tags = |sensitive: bool| {
        Tag::ALL
            .into_iter()
            .filter(|t| t.is_sensitive() == sensitive)
            .map(|t| format!("`{}` ({})", t.zh(), t.en()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let bullets = [
        format!(
            "**Ordinary tags** (`tags` of a household and of its residents): {}.",
            tags(false)
        ),
        format!(
            "**Sensitive tags** (`tags` of the household-private part only): {}.",
            tags(true)
        ),
        format!(
            "**Relations** (`relation`): {}.",
            list(Relation::ALL.iter().map(|r| r.key().to_owned()).collect())
        ),
        format!(
            "**Genders** (`gender`): {}.",
            list(
                [Gender::Male, Gender::Female]
                    .iter()
                    .map(|g| g.key().to_owned())
                    .collect()
            )
        ),
        format!(
            "**Visit kinds** (`visit_kind`): {}.",
            list(VisitKind::ALL.iter().map(|k| k.key().to_owned()).collect())
        ),
        format!(
            "**Issue categories** (`category` of an issue): {}.",
            list(CATEGORIES.iter().map(|c| (*c).to_owned()).collect())
        ),
        format!(
            "**Wish categories** (`category` of a wish): {}.",
            list(WISH_CATEGORIES.iter().map(|c| (*c).to_owned()).collect())
        ),
        format!(
            "**Grades** (`grade` of a `dispatch`): {}.",
            list(
                [Grade::Urgent, Grade::Normal, Grade::Minor]
                    .iter()
                    .map(|g| g.key().to_owned())
                    .collect()
            )
        ),
        format!(
            "**Case types** (`type` of a mediation case): {}.",
            keyed(CaseType::ALL.iter().map(|v| (v.key(), v.zh())))
        ),
        format!(
            "**Scales** (`scale`): {}.",
            keyed(Scale::ALL.iter().map(|v| (v.key(), v.zh())))
        ),
        format!(
            "**Sources** (`source`): {}.",
            keyed(Source::ALL.iter().map(|v| (v.key(), v.zh())))
        ),
        format!(
            "**Mediation kinds** (`mediation_kind`, and `to` of a `transfer`): {}.",
            keyed(MediationKind::ALL.iter().map(|v| (v.key(), v.zh())))
        ),
        format!(
            "**Agreement forms** (`form` of an `agree`): {}.",
            keyed(AgreementForm::ALL.iter().map(|v| (v.key(), v.zh())))
        ),
        format!(
            "**Referrals** (`referral` of a `fail`): {}.",
            keyed(Referral::ALL.iter().map(|v| (v.key(), v.zh())))
        ),
        format!(
            "**Performance** (`performance` of a `follow-up`): {}.",
            keyed(Performance::ALL.iter().map(|v| (v.key(), v.zh())))
        ),
        format!(
            "**Satisfaction** (`satisfaction` of a `follow-up`): {}.",
            keyed(Satisfaction::ALL.iter().map(|v| (v.key(), v.zh())))
        ),
        format!(
            "**Case states**, never stored: the fold of a case's `events` gives one, \
             and the lists, the command line and the app name it by these keys: {}.",
            keyed(CaseStage::ALL.iter().map(|v| (v.key(), v.zh())))
        ),
        format!(
            "**Proposers** (`proposer` of a deliberation topic): {}.",
            keyed(Proposer::ALL.iter().map(|v| (v.key(), v.zh())))
        ),
        format!(
            "**Member types** (the `<member type>` of each `attendance` row of a \
             `meeting`): {}.",
            keyed(MemberType::ALL.iter().map(|v| (v.key(), v.zh())))
        ),
        format!(
            "**Meeting types** (`meeting_type` of a `meeting`): {}.",
            keyed(MeetingType::ALL.iter().map(|v| (v.key(), v.zh())))
        ),
        format!(
            "**Topic states**, never stored: the fold of a topic's `events` gives one, \
             as for cases: {}.",
            keyed(TopicStage::ALL.iter().map(|v| (v.key(), v.zh())))
        ),
        format!(
            "**Roles** (`role`): {}.",
            list(
                Role::ALL
                    .iter()
                    .filter(|r| !matches!(r, Role::Admin))
                    .map(|r| r.key().to_owned())
                    .collect()
            )
        ),
        format!(
            "**Limits.** Free text (notes, descriptions, locations, the texts of events) \
             is at most {MAX_TEXT} characters, a resident's name at most {MAX_NAME}, a \
             wish title 1 to {MAX_TITLE}; a wish is worth at most {MAX_VALUE_YUAN} yuan; \
             urgency is {} to {}; a mediation party's name is at most {MAX_NAME}, a case \
             involves 1 to {MAX_PEOPLE} people and its warning level is {} to {}; a \
             topic title is 1 to {} characters. \
             Characters are Unicode scalar values, not bytes. \
             The address keys, categories and user ids have no length limit of their \
             own: only the request's body limit bounds them.",
            URGENCY.start(),
            URGENCY.end(),
            WARNING.start(),
            WARNING.end(),
            gridline_model::deliberation::MAX_TITLE
        ),
    ];
    let _ = writeln!(
        out,
        "\n### Vocabularies\n\nStored values are the exact strings below.\n"
    );
    for b in bullets {
        let _ = writeln!(out, "{}", bullet(&b));
    }
}

/// A list item wrapped like the rest of the document.
fn bullet(text: &str) -> String {
    wrap(&format!("- {text}")).replace('\n', "\n  ")
}

/// Prose as lines of at most 78 characters, like the rest of the document.
fn wrap(text: &str) -> String {
    let mut lines: Vec<String> = vec![String::new()];
    for word in text.split_whitespace() {
        let last = lines.last_mut().expect("one line at least");
        if !last.is_empty() && last.chars().count() + 1 + word.chars().count() > 78 {
            lines.push(word.to_owned());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    lines.join("\n")
}

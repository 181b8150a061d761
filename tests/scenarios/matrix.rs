//! Who may write what, on the wire: for every role and every write a device
//! can push (create and edit of each record kind, issue and wish steps), in
//! scope and out of scope, a device bound to that role pushes the change to a
//! live hub over HTTP — bypassing its own app's checks, as a tampered device
//! would — and the hub's answer must match DESIGN §3, written out below as a
//! table (not derived from the code under test). Then every role syncs and
//! must hold exactly what it may read, by a second table written out from
//! DESIGN §3 (role × record kind × in scope or not), with the governance
//! records of DESIGN §8 (mediation cases, deliberation topics) beside them.

use std::collections::BTreeMap;

use automerge::AutoCommit;
use gridline_model::deliberation::Proposer;
use gridline_model::mediation::{
    CaseType, MediationKind, Performance, Satisfaction, Scale, Source,
};
use gridline_model::permission::Kind;
use gridline_model::{
    Author, CaseEvent, CaseStep, GridId, Issue, IssueEvent, IssueStep, MediationCase,
    MediationPrivate, RecordId, Role, Scope, Topic, TopicEvent, TopicStep, User, Visit, VisitKind,
    Wish, WishEvent, WishStep,
};
use gridline_records::Record;
use gridline_sync::{PushDoc, SyncRequest, PROTOCOL_VERSION};

use super::now;

const GRID_A: &str = "522701001001001"; // community 522701001001
const GRID_B: &str = "522701001002001"; // community 522701001002
const GRID_A2: &str = "522701001001002"; // another grid of community 522701001001

/// One device on the hub: its user, actor and token.
struct Dev {
    user: User,
    actor: Vec<u8>,
    token: String,
}

impl Dev {
    fn author(&self) -> Author {
        self.user.author()
    }
}

/// The served hub, its file (read directly for documents a device may not
/// hold), and one HTTP client.
struct Live {
    served: super::Served,
    db: std::path::PathBuf,
    http: reqwest::Client,
}

impl Live {
    fn enrol(&self, code: &str, user: &User) -> Dev {
        let actor = uuid::Uuid::new_v4().as_bytes().to_vec();
        let body = serde_json::json!({
            "code": code, "device_id": uuid::Uuid::new_v4().to_string(), "actor": hex(&actor),
        });
        let token = self.served.rt.block_on(async {
            let r = self
                .http
                .post(format!("{}/v1/enroll", self.served.url))
                .header("content-type", "application/json")
                .body(body.to_string())
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "enrolment works");
            let v: serde_json::Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
            v["token"].as_str().unwrap().to_owned()
        });
        Dev {
            user: user.clone(),
            actor,
            token,
        }
    }

    fn request(&self, dev: &Dev, req: &SyncRequest) -> gridline_sync::SyncResponse {
        self.served.rt.block_on(async {
            let r = self
                .http
                .post(format!("{}/v1/sync", self.served.url))
                .bearer_auth(&dev.token)
                .header("content-type", "application/cbor")
                .body(gridline_sync::encode(req))
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "HTTP {}", r.status());
            gridline_sync::decode_response(&r.bytes().await.unwrap()).unwrap()
        })
    }

    /// Pushes `doc` (whole) as `dev`; true when the hub acknowledged it.
    fn push(&self, dev: &Dev, id: RecordId, doc: &mut AutoCommit) -> bool {
        let req = SyncRequest {
            v: PROTOCOL_VERSION,
            cursor: u64::MAX / 2,
            page: 1,
            want_total: false,
            new_actor: None,
            push: vec![PushDoc {
                id: id.to_string(),
                changes: doc.save(),
                heads: doc.get_heads().iter().map(|h| h.to_string()).collect(),
            }],
            sync: Vec::new(),
            am_sync: false,
            reveals: Vec::new(),
            directory: None,
        };
        let resp = self.request(dev, &req);
        let acked = resp.acks.iter().any(|a| a.id == id.to_string());
        let refused = resp.refusals.iter().any(|r| r.id == id.to_string());
        assert!(acked != refused, "exactly one answer for {id}: {resp:?}");
        acked
    }

    /// The hub's copy of a document, loaded to be written as `dev`.
    fn hub_doc(&self, dev: &Dev, id: RecordId) -> AutoCommit {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        let bytes: Vec<u8> = conn
            .query_row(
                "SELECT bytes FROM documents WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .unwrap();
        gridline_records::load(&bytes, &dev.actor).unwrap()
    }

    /// Every document on the hub with its record, for the read check.
    fn hub_records(&self) -> Vec<(String, Record)> {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        let mut st = conn.prepare("SELECT id, bytes FROM documents").unwrap();
        st.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        })
        .unwrap()
        .map(|r| {
            let (id, b) = r.unwrap();
            (id, Record::read(&AutoCommit::load(&b).unwrap()).unwrap())
        })
        .collect()
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn user(id: &str, role: Role, scope: &str) -> User {
    User {
        id: id.into(),
        name: id.into(),
        role,
        scope: Scope::parse(scope).unwrap(),
    }
}

fn new_id() -> RecordId {
    uuid::Uuid::now_v7()
}

fn issue_doc(dev: &Dev, grid: &str, household: Option<RecordId>) -> (RecordId, AutoCommit) {
    let id = new_id();
    let at = now();
    let i = Issue {
        id,
        grid: GridId::parse(grid).unwrap(),
        category: "电梯".into(),
        description: "电梯停运".into(),
        location: String::new(),
        household,
        urgency: 2,
        reporter: dev.user.id.clone(),
        reported_at: at,
        events: vec![IssueEvent {
            id: new_id(),
            at,
            author: dev.author(),
            step: IssueStep::Report,
        }],
    };
    let mut doc = gridline_records::new_doc(&dev.actor);
    gridline_records::issue::create(&mut doc, &i).unwrap();
    (id, doc)
}

fn wish_doc(dev: &Dev, grid: &str, household: Option<RecordId>) -> (RecordId, AutoCommit) {
    let id = new_id();
    let at = now();
    let w = Wish {
        id,
        grid: GridId::parse(grid).unwrap(),
        household,
        title: "一台助听器".into(),
        category: "医疗健康".into(),
        value_yuan: 600,
        description: String::new(),
        poster: dev.user.id.clone(),
        posted_at: at,
        events: vec![WishEvent {
            id: new_id(),
            at,
            author: dev.author(),
            actor: hex(&dev.actor),
            step: WishStep::Post,
        }],
    };
    let mut doc = gridline_records::new_doc(&dev.actor);
    gridline_records::wish::create(&mut doc, &w).unwrap();
    (id, doc)
}

fn case_doc(dev: &Dev, grid: &str, household: RecordId) -> (RecordId, AutoCommit) {
    let id = new_id();
    let at = now();
    let c = MediationCase {
        id,
        grid: GridId::parse(grid).unwrap(),
        households: vec![household],
        case_type: CaseType::Neighbour,
        scale: Scale::Individual,
        people: 2,
        warning: 3,
        source: Source::GridReport,
        from_issue: None,
        from_visit: None,
        kind: MediationKind::People,
        summary: "楼上漏水，邻里争执".into(),
        reporter: dev.user.id.clone(),
        registered_at: at,
        events: vec![CaseEvent {
            id: new_id(),
            at,
            author: dev.author(),
            step: CaseStep::Register,
        }],
    };
    let mut doc = gridline_records::new_doc(&dev.actor);
    gridline_records::mediation::create(&mut doc, &c).unwrap();
    (id, doc)
}

fn topic_doc(dev: &Dev, grid: &str, household: Option<RecordId>) -> (RecordId, AutoCommit) {
    let id = new_id();
    let at = now();
    let t = Topic {
        id,
        grid: GridId::parse(grid).unwrap(),
        household,
        title: "小区加装电动车充电桩".into(),
        description: "电动车在楼道充电有火灾隐患".into(),
        proposer: Proposer::Resident,
        proposer_name: "邵秀英".into(),
        submitted_by: dev.user.id.clone(),
        proposed_at: at,
        events: vec![TopicEvent {
            id: new_id(),
            at,
            author: dev.author(),
            step: TopicStep::Propose,
        }],
    };
    let mut doc = gridline_records::new_doc(&dev.actor);
    gridline_records::deliberation::create(&mut doc, &t).unwrap();
    (id, doc)
}

/// The step each role would take on a mediation case (DESIGN §8): a grid
/// worker's (or a leader's) follow-up visit, everyone else's acceptance.
fn case_step_of(role: Role) -> CaseStep {
    match role {
        Role::GridWorker | Role::JointLeader => CaseStep::FollowUp {
            performance: Performance::Fully,
            satisfaction: Satisfaction::Satisfied,
            risk: String::new(),
        },
        _ => CaseStep::Accept {
            mediator: "王调解".into(),
        },
    }
}

/// The step each role would take on an issue (DESIGN §3).
fn issue_step_of(role: Role) -> IssueStep {
    match role {
        Role::CommunityStaff => IssueStep::Accept,
        Role::StreetStaff => IssueStep::Dispatch {
            departments: vec!["城管".into()],
            grade: gridline_model::Grade::Normal,
        },
        Role::DepartmentLiaison => IssueStep::Handle {
            feedback: "已处理".into(),
        },
        _ => IssueStep::Evaluate {
            satisfied: true,
            resident: "邵秀英".into(),
            comment: String::new(),
        },
    }
}

#[test]
fn every_role_writes_exactly_what_design_3_allows_and_reads_nothing_more() {
    // --- The hub: the sample import, served on loopback.
    let (dir, hub) = gridline_test_support::sample_hub(now());
    let ha: RecordId = hub.household_ids(GRID_A, 1).unwrap()[0].parse().unwrap();
    let hb: RecordId = hub.household_ids(GRID_B, 1).unwrap()[0].parse().unwrap();
    let roles: Vec<(Role, User)> = vec![
        (
            Role::GridWorker,
            user("gw", Role::GridWorker, &format!("grids:{GRID_A}")),
        ),
        (
            Role::JointLeader,
            user("jl", Role::JointLeader, &format!("households:{ha}")),
        ),
        (
            Role::CommunityStaff,
            user("cs", Role::CommunityStaff, "community:522701001001"),
        ),
        (
            Role::StreetStaff,
            user("ss", Role::StreetStaff, "street:522701001"),
        ),
        (
            Role::DepartmentLiaison,
            user("dl", Role::DepartmentLiaison, "department:城管"),
        ),
    ];
    // Many devices per role: a refused push retires nothing here, but each
    // cell gets a fresh device so no cell depends on another.
    const CELLS: usize = 28;
    let mut codes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (_, u) in &roles {
        for _ in 0..CELLS {
            codes
                .entry(u.id.clone())
                .or_default()
                .push(hub.enrol_code(u, "admin", chrono::Utc::now()).unwrap());
        }
    }
    let setup_users = [
        user("gw-b", Role::GridWorker, &format!("grids:{GRID_B}")),
        user("cs-a", Role::CommunityStaff, "community:522701001001"),
        user("ss-0", Role::StreetStaff, "street:522701001"),
        user("gw-a", Role::GridWorker, &format!("grids:{GRID_A}")),
    ];
    let setup_codes: Vec<String> = setup_users
        .iter()
        .map(|u| hub.enrol_code(u, "admin", chrono::Utc::now()).unwrap())
        .collect();
    let live = Live {
        served: super::Served::start(hub, None),
        db: dir.path().join("hub.db"),
        http: reqwest::Client::new(),
    };

    // --- Fixtures made by the right people: issues and wishes in A and B,
    // and an issue in A dispatched to 城管 (accepted, escalated, dispatched).
    let setup: Vec<Dev> = setup_users
        .iter()
        .zip(&setup_codes)
        .map(|(u, c)| live.enrol(c, u))
        .collect();
    let (gw_b, cs_a, ss_0, gw_a) = (&setup[0], &setup[1], &setup[2], &setup[3]);
    let made = |dev: &Dev, (id, mut doc): (RecordId, AutoCommit)| {
        assert!(live.push(dev, id, &mut doc), "fixture {id} accepted");
        id
    };
    let issue_a = made(gw_a, issue_doc(gw_a, GRID_A, Some(ha)));
    let issue_b = made(gw_b, issue_doc(gw_b, GRID_B, Some(hb)));
    let wish_a = made(gw_a, wish_doc(gw_a, GRID_A, Some(ha)));
    let wish_b = made(gw_b, wish_doc(gw_b, GRID_B, Some(hb)));
    let dispatched = made(gw_a, issue_doc(gw_a, GRID_A, Some(ha)));
    let step = |dev: &Dev, id: RecordId, s: IssueStep| {
        let mut doc = live.hub_doc(dev, id);
        let at = now() + chrono::Duration::seconds(1);
        let e = IssueEvent {
            id: new_id(),
            at,
            author: dev.author(),
            step: s,
        };
        gridline_records::issue::push_event(&mut doc, &e).unwrap();
        live.push(dev, id, &mut doc)
    };
    assert!(step(cs_a, dispatched, IssueStep::Accept));
    assert!(step(
        cs_a,
        dispatched,
        IssueStep::Escalate {
            note: String::new()
        }
    ));
    assert!(step(
        ss_0,
        dispatched,
        IssueStep::Dispatch {
            departments: vec!["城管".into()],
            grade: gridline_model::Grade::Urgent
        }
    ));
    // Mediation cases reported in A and B, each with a private part the
    // street keeps (street staff may write it in any community).
    let case_a = made(gw_a, case_doc(gw_a, GRID_A, ha));
    let case_b = made(gw_b, case_doc(gw_b, GRID_B, hb));
    for (case, grid) in [(case_a, GRID_A), (case_b, GRID_B)] {
        let p = MediationPrivate {
            case,
            grid: GridId::parse(grid).unwrap(),
            parties: vec![gridline_model::mediation::Party {
                name: "张三".into(),
                id_number: Some(
                    gridline_model::id_number::parse_id_number("11010519491231002X", "id").unwrap(),
                ),
                phone: None,
                address: String::new(),
            }],
            facts: "楼上卫生间漏水".into(),
            sessions: Vec::new(),
            agreement: String::new(),
        };
        let mut doc = gridline_records::new_doc(&ss_0.actor);
        gridline_records::mediation::create_private(&mut doc, &p, now()).unwrap();
        let pid = gridline_records::mediation::private_doc_id(case);
        assert!(
            live.push(ss_0, pid, &mut doc),
            "private part of {case} accepted"
        );
    }

    // Deliberation topics: one in A for a household of A, one entered at the
    // community office in another grid of A (no household), one in B.
    let topic_a = made(gw_a, topic_doc(gw_a, GRID_A, Some(ha)));
    let topic_a2 = made(cs_a, topic_doc(cs_a, GRID_A2, None));
    let topic_b = made(gw_b, topic_doc(gw_b, GRID_B, Some(hb)));

    // --- DESIGN §3 as (in scope, out of scope) per role, in the order
    // grid worker, joint-household leader, community, street, department.
    // Street staff cover the whole street, so they have no out-of-scope cell.
    const Y: (bool, bool) = (true, false);
    const NO: (bool, bool) = (false, false);
    const ALL: (bool, bool) = (true, true);
    // DESIGN §8 for mediation: grid workers, leaders, community and street
    // staff report; a grid worker makes the follow-up visit, staff take
    // every step, a leader none; only staff write the private part.
    // DESIGN §8 for deliberation: grid workers and leaders propose (a leader
    // for a resident of a linked household), community staff propose and
    // take every step, street staff and departments neither.
    let table: [(&str, [(bool, bool); 5]); 13] = [
        ("household.create", [Y, NO, Y, NO, NO]),
        ("household.edit", [Y, NO, Y, NO, NO]),
        ("private.edit", [Y, NO, Y, NO, NO]),
        ("visit.create", [Y, Y, NO, NO, NO]),
        ("issue.report", [Y, Y, Y, Y, NO]),
        ("issue.step", [Y, Y, Y, Y, Y]),
        ("wish.post", [Y, Y, Y, NO, NO]),
        ("wish.claim", [ALL, ALL, ALL, ALL, NO]),
        ("mediation.report", [Y, Y, Y, Y, NO]),
        ("mediation.step", [Y, NO, Y, Y, NO]),
        ("mediation-private.edit", [NO, NO, Y, Y, NO]),
        ("deliberation.propose", [Y, Y, Y, NO, NO]),
        ("deliberation.step", [NO, NO, Y, NO, NO]),
    ];

    let mut checked = 0;
    let mut refusals = 0;
    let mut failures = Vec::new();
    let mut pool: BTreeMap<String, Vec<String>> = codes;
    for (ri, (role, u)) in roles.iter().enumerate() {
        for (action, cells) in &table {
            let (want_in, want_out) = cells[ri];
            for in_scope in [true, false] {
                if !in_scope && *role == Role::StreetStaff {
                    continue;
                }
                let code = pool.get_mut(&u.id).unwrap().pop().expect("enough codes");
                let dev = live.enrol(&code, u);
                let (grid, hh) = if in_scope { (GRID_A, ha) } else { (GRID_B, hb) };
                let got = match *action {
                    "household.create" => {
                        let mut h =
                            gridline_records::household::read(&live.hub_doc(&dev, hh)).unwrap();
                        h.id = new_id();
                        h.grid = GridId::parse(grid).unwrap();
                        for r in &mut h.residents {
                            r.id = new_id();
                        }
                        let mut doc = gridline_records::new_doc(&dev.actor);
                        gridline_records::household::create(&mut doc, &h, now()).unwrap();
                        live.push(&dev, h.id, &mut doc)
                    }
                    "household.edit" => {
                        let mut doc = live.hub_doc(&dev, hh);
                        let mut h = gridline_records::household::read(&doc).unwrap();
                        h.notes = format!("{} 改", h.notes);
                        gridline_records::household::update(&mut doc, &h, now()).unwrap();
                        live.push(&dev, hh, &mut doc)
                    }
                    "private.edit" => {
                        let pid = gridline_records::private::doc_id(hh);
                        let mut doc = live.hub_doc(&dev, pid);
                        let mut p = gridline_records::private::read(&doc).unwrap();
                        // Toggle, so that every push is a real change.
                        let t = gridline_model::Tag::LowIncome;
                        if !p.sensitive_tags.remove(&t) {
                            p.sensitive_tags.insert(t);
                        }
                        gridline_records::private::update(&mut doc, &p, now()).unwrap();
                        live.push(&dev, pid, &mut doc)
                    }
                    "visit.create" => {
                        let v = Visit {
                            id: new_id(),
                            household: hh,
                            grid: GridId::parse(grid).unwrap(),
                            visitor: dev.author(),
                            at: now(),
                            kind: VisitKind::Routine,
                            notes: "身体尚好".into(),
                        };
                        let mut doc = gridline_records::new_doc(&dev.actor);
                        gridline_records::visit::create(&mut doc, &v).unwrap();
                        live.push(&dev, v.id, &mut doc)
                    }
                    "issue.report" => {
                        let (id, mut doc) = issue_doc(&dev, grid, Some(hh));
                        live.push(&dev, id, &mut doc)
                    }
                    "issue.step" => {
                        // The department's scope is the issues dispatched to it.
                        let target = match (role, in_scope) {
                            (Role::DepartmentLiaison, true) => dispatched,
                            (_, true) => issue_a,
                            (_, false) => issue_b,
                        };
                        step(&dev, target, issue_step_of(*role))
                    }
                    "wish.post" => {
                        let (id, mut doc) = wish_doc(&dev, grid, Some(hh));
                        live.push(&dev, id, &mut doc)
                    }
                    "wish.claim" => {
                        let id = if in_scope { wish_a } else { wish_b };
                        let mut doc = live.hub_doc(&dev, id);
                        let e = WishEvent {
                            id: new_id(),
                            at: now() + chrono::Duration::seconds(2),
                            author: dev.author(),
                            actor: hex(&dev.actor),
                            step: WishStep::RequestClaim,
                        };
                        gridline_records::wish::push_event(&mut doc, &e).unwrap();
                        live.push(&dev, id, &mut doc)
                    }
                    "mediation.report" => {
                        let (id, mut doc) = case_doc(&dev, grid, hh);
                        live.push(&dev, id, &mut doc)
                    }
                    "mediation.step" => {
                        let id = if in_scope { case_a } else { case_b };
                        let mut doc = live.hub_doc(&dev, id);
                        let e = CaseEvent {
                            id: new_id(),
                            at: now() + chrono::Duration::seconds(3),
                            author: dev.author(),
                            step: case_step_of(*role),
                        };
                        gridline_records::mediation::push_event(&mut doc, &e).unwrap();
                        live.push(&dev, id, &mut doc)
                    }
                    "mediation-private.edit" => {
                        let case = if in_scope { case_a } else { case_b };
                        let pid = gridline_records::mediation::private_doc_id(case);
                        let mut doc = live.hub_doc(&dev, pid);
                        let mut p = gridline_records::mediation::read_private(&doc).unwrap();
                        p.facts = format!("{} 补充", p.facts);
                        gridline_records::mediation::update_private(&mut doc, &p, now()).unwrap();
                        live.push(&dev, pid, &mut doc)
                    }
                    "deliberation.propose" => {
                        let (id, mut doc) = topic_doc(&dev, grid, Some(hh));
                        live.push(&dev, id, &mut doc)
                    }
                    "deliberation.step" => {
                        let id = if in_scope { topic_a } else { topic_b };
                        let mut doc = live.hub_doc(&dev, id);
                        let e = TopicEvent {
                            id: new_id(),
                            at: now() + chrono::Duration::seconds(4),
                            author: dev.author(),
                            step: TopicStep::Accept,
                        };
                        gridline_records::deliberation::push_event(&mut doc, &e).unwrap();
                        live.push(&dev, id, &mut doc)
                    }
                    other => unreachable!("{other}"),
                };
                let want = if in_scope { want_in } else { want_out };
                checked += 1;
                if !got {
                    refusals += 1;
                }
                if got != want {
                    failures.push(format!(
                        "{} {action} {}: hub {} but DESIGN §3 says {}",
                        role.key(),
                        if in_scope { "in scope" } else { "out of scope" },
                        if got { "accepted" } else { "refused" },
                        if want { "allowed" } else { "refused" },
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} cells disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        checked,
        13 * 9,
        "13 writes × (5 roles in scope + 4 out of scope)"
    );
    // 45 from §3, 18 from mediation, 14 from deliberation (propose: one out
    // of scope each for the worker, the leader and community staff, street
    // staff's one cell, the department's two; step: every cell but
    // community staff's in scope).
    assert_eq!(
        refusals,
        45 + 18 + 14,
        "the refusals DESIGN §3 and §8 imply, each proven"
    );

    // --- Reads: DESIGN §3 as (in scope, out of scope) per record kind and
    // role, in the same order as the writes; a department's scope is the
    // issues dispatched to it, and wishes are read street-wide.
    // A leader reads only the cases they reported (DESIGN §8): that cell is
    // decided by the case's reporter below, not by this table.
    // Topics are read community-wide by grid workers (DESIGN §8): for them a
    // topic is in scope anywhere in its grid's community. A leader's
    // community is not in its binding (permission.rs): it is sent the topics
    // of its linked households and those it proposed, and not topic_a2,
    // which DESIGN's "read (community)" would also give it; that is the one
    // narrowing here, asserted by name below.
    let reads: [(Kind, [(bool, bool); 5]); 8] = [
        (Kind::Household, [Y, Y, Y, Y, NO]),
        (Kind::HouseholdPrivate, [Y, NO, Y, Y, NO]),
        (Kind::Visit, [Y, Y, Y, Y, NO]),
        (Kind::Issue, [Y, Y, Y, Y, Y]),
        (Kind::Wish, [ALL, ALL, ALL, ALL, NO]),
        (Kind::Mediation, [Y, NO, Y, Y, NO]),
        (Kind::MediationPrivate, [Y, NO, Y, Y, NO]),
        (Kind::Deliberation, [Y, Y, Y, Y, NO]),
    ];
    // Whether a hub document lies in a role's scope, from the document's own
    // grid and household and what this test dispatched (not from the rules).
    let in_scope = |role: Role, id: &str, r: &Record| -> bool {
        let (grid, household) = match r {
            Record::Household(h) => (&h.grid, Some(h.id)),
            Record::HouseholdPrivate(p) => (&p.grid, Some(p.household)),
            Record::Visit(v) => (&v.grid, Some(v.household)),
            Record::Issue(i) => (&i.grid, i.household),
            Record::Wish(w) => (&w.grid, w.household),
            Record::Mediation(c) => (&c.grid, c.households.first().copied()),
            Record::MediationPrivate(p) => (&p.grid, None),
            Record::Deliberation(t) => (&t.grid, t.household),
        };
        let community_wide = matches!(r, Record::Deliberation(_));
        match role {
            Role::GridWorker if community_wide => grid.as_str().starts_with("522701001001"),
            Role::GridWorker => grid.as_str() == GRID_A,
            Role::JointLeader => household == Some(ha),
            Role::CommunityStaff => grid.as_str().starts_with("522701001001"),
            Role::StreetStaff => grid.as_str().starts_with("522701001"),
            Role::DepartmentLiaison => id == dispatched.to_string(),
            Role::Admin | Role::Hub => false,
        }
    };
    // Each role syncs from zero and holds exactly what the table lets it
    // read: nothing more (ID numbers to a leader, households to a
    // department), and nothing less (no settled wish is out of scope here,
    // the one thing the hub keeps back from what a role may read).
    let records = live.hub_records();
    let mut cells_seen: BTreeMap<(&str, bool), usize> = BTreeMap::new();
    for (ri, (role, u)) in roles.iter().enumerate() {
        let code = pool.get_mut(&u.id).unwrap().pop().unwrap();
        let dev = live.enrol(&code, u);
        let mut cursor = 0;
        let mut held = std::collections::BTreeSet::new();
        let mut directory = None;
        for _ in 0..50 {
            let req = SyncRequest {
                v: PROTOCOL_VERSION,
                cursor,
                page: 2000,
                want_total: false,
                new_actor: None,
                push: Vec::new(),
                sync: Vec::new(),
                am_sync: false,
                reveals: Vec::new(),
                // The first request holds no directory: it asks for one.
                directory: Some(
                    directory
                        .as_ref()
                        .map(|d: &gridline_sync::Directory| d.version.clone())
                        .unwrap_or_default(),
                ),
            };
            let resp = live.request(&dev, &req);
            if let Some(d) = resp.directory.clone() {
                directory = Some(d);
            }
            held.extend(resp.docs.iter().map(|d| d.id.clone()));
            cursor = resp.cursor;
            if !resp.more {
                break;
            }
        }
        let mut wrong = Vec::new();
        for (id, r) in &records {
            let kind = r.kind();
            let inside = in_scope(*role, id, r);
            *cells_seen.entry((kind.key(), inside)).or_default() += 1;
            let (may_in, may_out) = reads.iter().find(|(k, _)| *k == kind).unwrap().1[ri];
            let mut may = if inside { may_in } else { may_out };
            if let (Role::JointLeader, Record::Mediation(c)) = (role, r) {
                may = c.reporter == u.id;
            }
            if let (Role::JointLeader, Record::Deliberation(t)) = (role, r) {
                may = may || t.submitted_by == u.id;
            }
            if may != held.contains(id) {
                wrong.push(format!(
                    "{} {id} {}: {} but DESIGN §3 says {}",
                    kind.key(),
                    if inside { "in scope" } else { "out of scope" },
                    if may { "not received" } else { "received" },
                    if may { "readable" } else { "not readable" },
                ));
            }
        }
        assert!(
            wrong.is_empty(),
            "{} must hold exactly what it may read; {} of {} hub documents disagree:\n{}",
            role.key(),
            wrong.len(),
            records.len(),
            wrong.join("\n")
        );
        let kinds = |k: Kind| {
            held.iter()
                .filter(|id| records.iter().any(|(i, r)| i == *id && r.kind() == k))
                .count()
        };
        match role {
            Role::JointLeader => {
                assert_eq!(
                    kinds(Kind::HouseholdPrivate),
                    0,
                    "a leader never holds a private part (ID numbers)"
                );
                assert_eq!(
                    kinds(Kind::MediationPrivate),
                    0,
                    "a leader never holds a case's private part (parties, ID numbers)"
                );
                assert_eq!(
                    kinds(Kind::Mediation),
                    1,
                    "a leader holds the one case it reported, not the one in its household another reported"
                );
                assert!(
                    held.contains(&topic_a.to_string())
                        && !held.contains(&topic_a2.to_string())
                        && !held.contains(&topic_b.to_string()),
                    "a leader holds the topic of its linked household, not one of its community \
                     naming no household of its (its binding names no community), nor another community's"
                );
            }
            Role::DepartmentLiaison => {
                assert_eq!(
                    kinds(Kind::Household) + kinds(Kind::HouseholdPrivate),
                    0,
                    "a department holds no household"
                );
                assert!(
                    held.contains(&dispatched.to_string()),
                    "a department holds its dispatched issue"
                );
                assert!(
                    !held.contains(&issue_a.to_string()),
                    "a department holds no issue not dispatched to it"
                );
            }
            Role::GridWorker => {
                assert!(
                    held.contains(&ha.to_string()) && !held.contains(&hb.to_string()),
                    "a grid worker holds its grid's household and not another grid's"
                );
                assert!(
                    held.contains(&topic_a.to_string())
                        && held.contains(&topic_a2.to_string())
                        && !held.contains(&topic_b.to_string()),
                    "a grid worker receives every topic of its community, another grid's too, \
                     and none of another community"
                );
            }
            _ => {}
        }
        assert!(!held.is_empty(), "{} receives its scope", role.key());
        // The people directory (names, roles, units of the street's users):
        // DESIGN is silent on it; every event already names its author's id,
        // and a name is what every role needs to read its own timelines, so
        // every role of the street is sent it, as wishes go street-wide.
        let sent_directory = [true, true, true, true, true][ri];
        let names = directory.as_ref().map(|d| {
            d.people
                .iter()
                .map(|p| (p.id.as_str(), p.unit.as_str()))
                .collect::<BTreeMap<_, _>>()
        });
        assert_eq!(
            names.is_some(),
            sent_directory,
            "{} is sent the street's people directory",
            role.key()
        );
        if let Some(names) = names {
            assert!(
                roles.iter().all(|(_, u)| names.contains_key(u.id.as_str())),
                "{} is sent every role's name: {names:?}",
                role.key()
            );
            assert_eq!(
                names.get("jl").copied(),
                Some(""),
                "a joint leader's linked households are not in anyone's directory"
            );
        }
    }
    // The read table is only proven where the hub holds documents: every
    // kind, in and out of some role's scope.
    for kind in Kind::ALL {
        for inside in [true, false] {
            assert!(
                cells_seen
                    .get(&(kind.key(), inside))
                    .is_some_and(|n| *n > 0),
                "the hub holds a {} {} some role's scope, so that read cell is tested",
                kind.key(),
                if inside { "in" } else { "outside" }
            );
        }
    }
}

/// A poster's claim on their own wish, as a device older than the rule (or a
/// forged one) sends it: the hub refuses it in the open, with a step every
/// device understands, and the next claimant in line gets the wish.
#[test]
fn the_hub_refuses_a_posters_claim_on_their_own_wish_and_grants_the_next() {
    let (dir, hub) = gridline_test_support::sample_hub(now());
    let ha: RecordId = hub.household_ids(GRID_A, 1).unwrap()[0].parse().unwrap();
    let gw_user = user("gw", Role::GridWorker, &format!("grids:{GRID_A}"));
    let cs_user = user("cs", Role::CommunityStaff, "community:522701001001");
    let gw_code = hub
        .enrol_code(&gw_user, "admin", chrono::Utc::now())
        .unwrap();
    let cs_code = hub
        .enrol_code(&cs_user, "admin", chrono::Utc::now())
        .unwrap();
    let hub_actor = hub.actor_hex();
    let live = Live {
        served: super::Served::start(hub, None),
        db: dir.path().join("hub.db"),
        http: reqwest::Client::new(),
    };
    let gw = live.enrol(&gw_code, &gw_user);
    let cs = live.enrol(&cs_code, &cs_user);
    let (id, mut doc) = wish_doc(&gw, GRID_A, Some(ha));
    assert!(live.push(&gw, id, &mut doc), "the wish is posted");

    let claim = |dev: &Dev, secs: i64| {
        let mut doc = live.hub_doc(dev, id);
        let e = WishEvent {
            id: new_id(),
            at: now() + chrono::Duration::seconds(secs),
            author: dev.author(),
            actor: hex(&dev.actor),
            step: WishStep::RequestClaim,
        };
        gridline_records::wish::push_event(&mut doc, &e).unwrap();
        assert!(
            live.push(dev, id, &mut doc),
            "{} may send a claim",
            dev.user.id
        );
        e.id
    };
    let own = claim(&gw, 2);
    let other = claim(&cs, 3);

    let w = gridline_records::wish::read(&live.hub_doc(&gw, id)).unwrap();
    let refused: Vec<RecordId> = w
        .events
        .iter()
        .filter_map(|e| match e.step {
            WishStep::RefuseClaim { claim } => Some(claim),
            _ => None,
        })
        .collect();
    assert_eq!(
        refused,
        vec![own],
        "the poster's own claim is refused in a step of its own"
    );
    let state = gridline_model::wish::WishState::fold(&w.events, Some(&hub_actor));
    assert!(
        state.pending.is_empty(),
        "nothing waits: {:?}",
        state.pending
    );
    assert_eq!(
        state.claimant.as_deref(),
        Some("cs"),
        "the next claimant has the wish"
    );
    assert!(state.refusal(other).is_none());
}

/// Who may fetch a photo, on the wire: a photo is readable exactly when its
/// record is (DESIGN §3 and §9). Issues and visits carrying photos lie in
/// the leader's linked household, in another household of the same grid,
/// in another community's grid, and one issue is dispatched to 城管; each
/// role asks the live hub for every photo and thumbnail over HTTP and must
/// get the bytes exactly where the table below (written from DESIGN §3,
/// not from the code) says it reads the record, and elsewhere the answer a
/// made-up hash gets, status and body alike.
#[test]
fn every_role_fetches_exactly_the_photos_of_records_it_may_read() {
    use gridline_model::{PhotoRef, PhotoStep};

    let (dir, hub) = gridline_test_support::sample_hub(now());
    let ids_a = hub.household_ids(GRID_A, 2).unwrap();
    let ha: RecordId = ids_a[0].parse().unwrap();
    let ha2: RecordId = ids_a[1].parse().unwrap();
    let hb: RecordId = hub.household_ids(GRID_B, 1).unwrap()[0].parse().unwrap();
    let roles: Vec<(Role, User)> = vec![
        (
            Role::GridWorker,
            user("gw", Role::GridWorker, &format!("grids:{GRID_A}")),
        ),
        (
            Role::JointLeader,
            user("jl", Role::JointLeader, &format!("households:{ha}")),
        ),
        (
            Role::CommunityStaff,
            user("cs", Role::CommunityStaff, "community:522701001001"),
        ),
        (
            Role::StreetStaff,
            user("ss", Role::StreetStaff, "street:522701001"),
        ),
        (
            Role::DepartmentLiaison,
            user("dl", Role::DepartmentLiaison, "department:城管"),
        ),
    ];
    let setup_users = [
        user("gw-a", Role::GridWorker, &format!("grids:{GRID_A}")),
        user("gw-b", Role::GridWorker, &format!("grids:{GRID_B}")),
        user("cs-a", Role::CommunityStaff, "community:522701001001"),
        user("ss-0", Role::StreetStaff, "street:522701001"),
    ];
    let code = |u: &User| hub.enrol_code(u, "admin", chrono::Utc::now()).unwrap();
    let role_codes: Vec<String> = roles.iter().map(|(_, u)| code(u)).collect();
    let setup_codes: Vec<String> = setup_users.iter().map(code).collect();
    let live = Live {
        served: super::Served::start(hub, None),
        db: dir.path().join("hub.db"),
        http: reqwest::Client::new(),
    };
    let setup: Vec<Dev> = setup_users
        .iter()
        .zip(&setup_codes)
        .map(|(u, c)| live.enrol(c, u))
        .collect();
    let (gw_a, gw_b, cs_a, ss_0) = (&setup[0], &setup[1], &setup[2], &setup[3]);

    // Real photos, re-encoded as a device takes them (the device names
    // them by hash); the reporting device uploads each in one piece.
    let (_camera_dir, mut camera) =
        super::device("camera", Role::GridWorker, &format!("grids:{GRID_A}"));
    let mut seed = 0u8;
    let mut photo = |dev: &Dev, step: PhotoStep| -> PhotoRef {
        seed += 1;
        let t = camera
            .take_photo(&super::photos::scene(400, 300, seed), now())
            .unwrap();
        for h in [&t.hash, &t.thumb] {
            let bytes = camera.photo_bytes(h, now()).unwrap().unwrap();
            let url = format!(
                "{}/v1/blobs/{h}/upload?offset=0&total={}",
                live.served.url,
                bytes.len()
            );
            let status = live.served.rt.block_on(async {
                live.http
                    .put(url)
                    .bearer_auth(&dev.token)
                    .header("content-type", "application/octet-stream")
                    .body(bytes)
                    .send()
                    .await
                    .unwrap()
                    .status()
            });
            assert!(status.is_success(), "the reporter uploads {h}: {status}");
        }
        PhotoRef {
            hash: t.hash,
            size: t.size,
            mime: gridline_model::photo::JPEG.into(),
            thumb: t.thumb,
            thumb_size: t.thumb_size,
            taken_at: now(),
            caption: String::new(),
            step,
            by: dev.user.id.clone(),
        }
    };
    let with_photo = |dev: &Dev, (id, mut doc): (RecordId, AutoCommit), p: &PhotoRef| {
        gridline_records::photos::add(&mut doc, std::slice::from_ref(p), now()).unwrap();
        assert!(live.push(dev, id, &mut doc), "{id} with its photo accepted");
        id
    };
    let visit = |dev: &Dev, grid: &str, household: RecordId| {
        let v = Visit {
            id: new_id(),
            household,
            grid: GridId::parse(grid).unwrap(),
            visitor: dev.author(),
            at: now(),
            kind: VisitKind::Routine,
            notes: "门口台阶破损".into(),
        };
        let mut doc = gridline_records::new_doc(&dev.actor);
        gridline_records::visit::create(&mut doc, &v).unwrap();
        (v.id, doc)
    };

    let mut records: Vec<(&str, PhotoRef)> = Vec::new();
    let p = photo(gw_a, PhotoStep::Report);
    with_photo(gw_a, issue_doc(gw_a, GRID_A, Some(ha)), &p);
    records.push(("issue, the leader's household", p));
    let p = photo(gw_a, PhotoStep::Report);
    with_photo(gw_a, issue_doc(gw_a, GRID_A, Some(ha2)), &p);
    records.push(("issue, another household of the grid", p));
    let p = photo(gw_a, PhotoStep::Report);
    let dispatched = with_photo(gw_a, issue_doc(gw_a, GRID_A, Some(ha2)), &p);
    records.push(("issue dispatched to 城管", p));
    let p = photo(gw_b, PhotoStep::Report);
    with_photo(gw_b, issue_doc(gw_b, GRID_B, Some(hb)), &p);
    records.push(("issue, another community", p));
    let p = photo(gw_a, PhotoStep::Visit);
    with_photo(gw_a, visit(gw_a, GRID_A, ha), &p);
    records.push(("visit, the leader's household", p));
    let p = photo(gw_a, PhotoStep::Visit);
    with_photo(gw_a, visit(gw_a, GRID_A, ha2), &p);
    records.push(("visit, another household of the grid", p));
    let p = photo(gw_b, PhotoStep::Visit);
    with_photo(gw_b, visit(gw_b, GRID_B, hb), &p);
    records.push(("visit, another community", p));
    for (dev, s) in [
        (cs_a, IssueStep::Accept),
        (
            cs_a,
            IssueStep::Escalate {
                note: String::new(),
            },
        ),
        (
            ss_0,
            IssueStep::Dispatch {
                departments: vec!["城管".into()],
                grade: gridline_model::Grade::Normal,
            },
        ),
    ] {
        let mut doc = live.hub_doc(dev, dispatched);
        let e = IssueEvent {
            id: new_id(),
            at: now() + chrono::Duration::seconds(1),
            author: dev.author(),
            step: s,
        };
        gridline_records::issue::push_event(&mut doc, &e).unwrap();
        assert!(
            live.push(dev, dispatched, &mut doc),
            "the dispatch path is taken"
        );
    }

    // DESIGN §3, read rules, per record in the order grid worker (of grid
    // A), joint-household leader (of the first household of A), community
    // staff (of A's community), street staff, department (城管). A photo
    // follows its record: the leader reads only its linked household's
    // issues and visits; a department reads only issues dispatched to it,
    // and no visit; street staff read the whole street.
    const Y: bool = true;
    const N: bool = false;
    let table: [(&str, [bool; 5]); 7] = [
        ("issue, the leader's household", [Y, Y, Y, Y, N]),
        ("issue, another household of the grid", [Y, N, Y, Y, N]),
        ("issue dispatched to 城管", [Y, N, Y, Y, Y]),
        ("issue, another community", [N, N, N, Y, N]),
        ("visit, the leader's household", [Y, Y, Y, Y, N]),
        ("visit, another household of the grid", [Y, N, Y, Y, N]),
        ("visit, another community", [N, N, N, Y, N]),
    ];
    assert_eq!(
        table.map(|(r, _)| r),
        records.iter().map(|(r, _)| *r).collect::<Vec<_>>()[..],
        "one row per record made"
    );

    let fetch = |dev: &Dev, hash: &str| -> (u16, Vec<u8>) {
        live.served.rt.block_on(async {
            let r = live
                .http
                .get(format!("{}/v1/blobs/{hash}", live.served.url))
                .bearer_auth(&dev.token)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
        })
    };
    let made_up = "0f".repeat(32);
    let mut failures = Vec::new();
    let mut checked = 0;
    for (ri, ((role, u), code)) in roles.iter().zip(&role_codes).enumerate() {
        let dev = live.enrol(code, u);
        let nothing = fetch(&dev, &made_up);
        assert_eq!(nothing.0, 404, "a made-up hash is not found");
        for ((record, p), (_, cells)) in records.iter().zip(&table) {
            for (what, hash) in [("photo", &p.hash), ("thumbnail", &p.thumb)] {
                let want = cells[ri];
                let got = fetch(&dev, hash);
                let bytes = camera.photo_bytes(hash, now()).unwrap().unwrap();
                let ok = if want {
                    got == (200, bytes)
                } else {
                    got == nothing
                };
                checked += 1;
                if !ok {
                    failures.push(format!(
                        "{} {what} of {record}: HTTP {} but DESIGN §3 says {}",
                        role.key(),
                        got.0,
                        if want {
                            "readable (the bytes)"
                        } else {
                            "not readable (a made-up hash's answer)"
                        }
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} cells disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        checked,
        5 * 7 * 2,
        "5 roles × 7 records × photo and thumbnail"
    );
}

// --- Time limits (issue 15): extension, deferral and send-back cells.

/// The time-limit steps, pushed to a live hub by each role on an issue in
/// grid A dispatched to 城管 and handled (DESIGN §3 and issue 15: a
/// department asks for an extension only on an issue dispatched to it, only
/// street staff decide one or defer, the verifying community or street
/// sends back, and a grid worker or leader does none of these). A refused
/// step is refused by the hub itself, naming the role and step in both
/// languages, not left for the fold.
#[test]
fn time_limit_steps_are_taken_exactly_by_the_roles_design_names() {
    let (dir, hub) = gridline_test_support::sample_hub(now());
    let ha: RecordId = hub.household_ids(GRID_A, 1).unwrap()[0].parse().unwrap();
    let people = [
        user("gw", Role::GridWorker, &format!("grids:{GRID_A}")),
        user("jl", Role::JointLeader, &format!("households:{ha}")),
        user("cs", Role::CommunityStaff, "community:522701001001"),
        user("cs-b", Role::CommunityStaff, "community:522701001002"),
        user("ss", Role::StreetStaff, "street:522701001"),
        user("dl", Role::DepartmentLiaison, "department:城管"),
        user("dl-zj", Role::DepartmentLiaison, "department:住建"),
    ];
    let codes: Vec<String> = people
        .iter()
        .map(|u| hub.enrol_code(u, "admin", chrono::Utc::now()).unwrap())
        .collect();
    let live = Live {
        served: super::Served::start(hub, None),
        db: dir.path().join("hub.db"),
        http: reqwest::Client::new(),
    };
    let devs: Vec<Dev> = people
        .iter()
        .zip(&codes)
        .map(|(u, c)| live.enrol(c, u))
        .collect();
    let by = |id: &str| devs.iter().find(|d| d.user.id == id).unwrap();
    let seconds = std::cell::Cell::new(0);
    // The hub's answer to one step: `None` when acknowledged, else the refusal.
    let answer = |dev: &Dev, id: RecordId, s: IssueStep| {
        let mut doc = live.hub_doc(dev, id);
        seconds.set(seconds.get() + 1);
        let e = IssueEvent {
            id: new_id(),
            at: now() + chrono::Duration::seconds(seconds.get()),
            author: dev.author(),
            step: s,
        };
        gridline_records::issue::push_event(&mut doc, &e).unwrap();
        let req = SyncRequest {
            v: PROTOCOL_VERSION,
            cursor: u64::MAX / 2,
            page: 1,
            want_total: false,
            new_actor: None,
            push: vec![PushDoc {
                id: id.to_string(),
                changes: doc.save(),
                heads: doc.get_heads().iter().map(|h| h.to_string()).collect(),
            }],
            sync: Vec::new(),
            am_sync: false,
            reveals: Vec::new(),
            directory: None,
        };
        let resp = live.request(dev, &req);
        resp.refusals.into_iter().find(|r| r.id == id.to_string())
    };
    let (id, mut doc) = issue_doc(by("gw"), GRID_A, Some(ha));
    assert!(live.push(by("gw"), id, &mut doc), "the report is accepted");
    for (who, s) in [
        ("cs", IssueStep::Accept),
        (
            "cs",
            IssueStep::Escalate {
                note: String::new(),
            },
        ),
        (
            "ss",
            IssueStep::Dispatch {
                departments: vec!["城管".into()],
                grade: gridline_model::Grade::Normal,
            },
        ),
        (
            "dl",
            IssueStep::Handle {
                feedback: "已清理".into(),
            },
        ),
    ] {
        assert!(answer(by(who), id, s).is_none(), "fixture step by {who}");
    }
    let steps = [
        (
            "request-extension",
            IssueStep::RequestExtension {
                amount: 2,
                reason: "需协调物业".into(),
            },
        ),
        (
            "decide-extension",
            IssueStep::DecideExtension {
                approve: true,
                note: String::new(),
            },
        ),
        (
            "defer",
            IssueStep::Defer {
                reason: "待产权确认".into(),
            },
        ),
        (
            "send-back",
            IssueStep::SendBack {
                reason: "现场仍有垃圾".into(),
            },
        ),
    ];
    // People in the order of `people`: gw, jl, cs, cs-b, ss, dl (城管), dl-zj (住建).
    let table: [(&str, [bool; 7]); 4] = [
        (
            "request-extension",
            [false, false, false, false, false, true, false],
        ),
        (
            "decide-extension",
            [false, false, false, false, true, false, false],
        ),
        ("defer", [false, false, false, false, true, false, false]),
        ("send-back", [false, false, true, false, true, false, false]),
    ];
    let mut failures = Vec::new();
    let mut checked = 0;
    for (key, cells) in table {
        let step = &steps.iter().find(|(k, _)| *k == key).unwrap().1;
        for (u, want) in people.iter().zip(cells) {
            let refusal = answer(by(&u.id), id, step.clone());
            checked += 1;
            if refusal.is_none() != want {
                failures.push(format!(
                    "{} ({}) {key}: {} but DESIGN says {}",
                    u.id,
                    u.role.key(),
                    if refusal.is_none() {
                        "accepted"
                    } else {
                        "refused"
                    },
                    if want { "accepted" } else { "refused" }
                ));
            }
            // In scope but the wrong role: the hub names the role and step.
            if let (Some(r), true) = (&refusal, u.id == "gw") {
                assert!(
                    r.reason.zh.contains("不能") && r.reason.en.contains(key),
                    "a grid worker's {key} is refused in both languages: {r:?}"
                );
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} cells disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(checked, 4 * 7, "4 steps × 7 people");
}

/// Merging households (合并), a cell per role: DESIGN §3 gives household
/// writes to grid workers and community staff and the community's steps
/// (accept, merge, …) to community staff; street staff only read
/// households. A merge relinks a whole household, so it is community staff
/// of that community only: every other role's merge is refused by the hub.
#[test]
fn merging_households_is_for_community_staff_of_that_community_only() {
    let (dir, hub) = gridline_test_support::sample_hub(now());
    let ids = hub.household_ids(GRID_A, 2).unwrap();
    let (ha, hb): (RecordId, RecordId) = (ids[0].parse().unwrap(), ids[1].parse().unwrap());
    let people = [
        user("gw", Role::GridWorker, &format!("grids:{GRID_A}")),
        user("jl", Role::JointLeader, &format!("households:{ha},{hb}")),
        user("ss", Role::StreetStaff, "street:522701001"),
        user("dl", Role::DepartmentLiaison, "department:城管"),
        user("cs-b", Role::CommunityStaff, "community:522701001002"),
        user("cs", Role::CommunityStaff, "community:522701001001"),
    ];
    // In the order of `people`; community staff of A's community last, so
    // the one accepted merge comes after every refusal.
    let want = [false, false, false, false, false, true];
    let codes: Vec<String> = people
        .iter()
        .map(|u| hub.enrol_code(u, "admin", chrono::Utc::now()).unwrap())
        .collect();
    let live = Live {
        served: super::Served::start(hub, None),
        db: dir.path().join("hub.db"),
        http: reqwest::Client::new(),
    };
    let devs: Vec<Dev> = people
        .iter()
        .zip(&codes)
        .map(|(u, c)| live.enrol(c, u))
        .collect();
    let grid = GridId::parse(GRID_A).unwrap();
    let mut failures = Vec::new();
    for (i, (dev, want)) in devs.iter().zip(want).enumerate() {
        let mut doc = live.hub_doc(dev, ha);
        let e = gridline_model::MergeEvent {
            id: new_id(),
            at: now() + chrono::Duration::seconds(i as i64 + 1),
            author: dev.author(),
            actor: String::new(),
            step: gridline_model::MergeStep::Merge {
                into: hb,
                into_grid: grid.clone(),
                reason: "重复录入".into(),
            },
        };
        gridline_records::household::push_merge_event(&mut doc, &e).unwrap();
        let accepted = live.push(dev, ha, &mut doc);
        if accepted != want {
            failures.push(format!(
                "{} ({}) merge households: {} but DESIGN says {}",
                dev.user.id,
                dev.user.role.key(),
                if accepted { "accepted" } else { "refused" },
                if want { "accepted" } else { "refused" }
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

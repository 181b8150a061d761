//! The mediation case documents: the public case with its append-only step
//! list, and the private part (parties, facts, session records, terms) in a
//! document of its own, like household-private, so a role that may not read
//! it never receives it.
//!
//! ```text
//! { kind: "mediation", v: 1, id, grid, households: [id], type, scale, people,
//!   warning, source, from_issue?, from_visit?, mediation_kind, reporter,
//!   registered_at, summary: Text,
//!   events: [ { id, at, user, role, unit, step, …step fields } ] }
//! { kind: "mediation-private", v: 1, id: <derived from the case id>, case, grid,
//!   facts: Text, agreement: Text,
//!   parties: [ { name, id_number?, phone?, address } ],
//!   sessions: [ { event, held_on, participants, notes } ] }
//! ```

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ReadDoc, ROOT};
use gridline_model::id_number::parse_id_number;
use gridline_model::mediation::{
    AgreementForm, CaseStep, CaseType, MediationKind, Party, Performance, Referral, Satisfaction,
    Scale, SessionRecord, Source,
};
use gridline_model::phone::parse_mobile;
use gridline_model::{CaseEvent, GridId, Instant, MediationCase, MediationPrivate};

use crate::fields::*;
use crate::visit::read_author;
use crate::{Error, Result};

pub const KIND: &str = "mediation";
pub const PRIVATE_KIND: &str = "mediation-private";

/// The private document's id, derived from the case's, so two replicas that
/// make it offline still name one record.
pub fn private_doc_id(case: uuid::Uuid) -> uuid::Uuid {
    uuid::Uuid::new_v5(&case, b"mediation-private")
}

/// Writes a new case with its events (the register event among them).
pub fn create(doc: &mut AutoCommit, c: &MediationCase) -> Result<()> {
    let events = c.events.iter().map(|e| event(doc, e)).collect();
    let households: Vec<String> = c.households.iter().map(ToString::to_string).collect();
    let mut f = Fields::header(doc, KIND, c.id);
    f.str("grid", c.grid.as_str())
        .strs("households", &households)
        .str("type", c.case_type.key())
        .str("scale", c.scale.key())
        .str("people", &c.people.to_string())
        .str("warning", &c.warning.to_string())
        .str("source", c.source.key())
        .opt("from_issue", c.from_issue.map(|i| i.to_string()).as_deref())
        .opt("from_visit", c.from_visit.map(|i| i.to_string()).as_deref())
        .str("mediation_kind", c.kind.key())
        .str("reporter", &c.reporter)
        .str("registered_at", &fmt_time(c.registered_at))
        .text("summary", &c.summary)
        .list("events", events);
    f.write_root(doc)?;
    commit(doc, c.registered_at);
    Ok(())
}

/// Appends one step as its own change.
pub fn push_event(doc: &mut AutoCommit, e: &CaseEvent) -> Result<()> {
    expect_kind(doc, KIND)?;
    let list = opt_list(doc, &ROOT, "events")?.ok_or_else(|| Error::shape("events", "missing"))?;
    let value = event(doc, e);
    doc.batch_create_object(&list, doc.length(&list), &value, true)?;
    commit(doc, e.at);
    Ok(())
}

fn event(doc: &AutoCommit, e: &CaseEvent) -> automerge::hydrate::Value {
    let mut f = Fields::new(doc);
    f.str("id", &e.id.to_string())
        .str("at", &fmt_time(e.at))
        .author(&e.author)
        .str("step", e.step.key());
    match &e.step {
        CaseStep::Register => {}
        CaseStep::Accept { mediator } => {
            f.str("mediator", mediator);
        }
        CaseStep::Decline { reason } => {
            f.str("reason", reason);
        }
        CaseStep::Session { held_on } => {
            f.str("held_on", &fmt_time(*held_on));
        }
        CaseStep::Agree { form, perform_by } => {
            f.str("form", form.key())
                .str("perform_by", &fmt_time(*perform_by));
        }
        CaseStep::Fail { referral, note } => {
            f.str("referral", referral.key()).str("note", note);
        }
        CaseStep::Transfer { to, reason } => {
            f.str("to", to.key()).str("reason", reason);
        }
        CaseStep::Extend {
            days,
            reason,
            consent,
        } => {
            f.str("days", &days.to_string())
                .str("reason", reason)
                .str("consent", if *consent { "yes" } else { "no" });
        }
        CaseStep::Perform { note } | CaseStep::Close { note } => {
            f.str("note", note);
        }
        CaseStep::FollowUp {
            performance,
            satisfaction,
            risk,
        } => {
            f.str("performance", performance.key())
                .str("satisfaction", satisfaction.key())
                .str("risk", risk);
        }
        CaseStep::ApplyConfirmation { court } => {
            f.str("court", court);
        }
        CaseStep::CourtAccept { case_number } => {
            f.str("case_number", case_number);
        }
        CaseStep::CourtRule { confirmed } => {
            f.str("confirmed", if *confirmed { "yes" } else { "no" });
        }
    }
    f.into_value()
}

fn number<T: std::str::FromStr>(doc: &AutoCommit, obj: &ObjId, key: &str) -> Result<T> {
    let s = req_str(doc, obj, key)?;
    s.parse()
        .map_err(|_| Error::shape(key, format!("not a number: {s:?}")))
}

pub fn read(doc: &AutoCommit) -> Result<MediationCase> {
    expect_kind(doc, KIND)?;
    let households = read_str_list(doc, &ROOT, "households")?
        .iter()
        .map(|h| {
            uuid::Uuid::parse_str(h)
                .map_err(|_| Error::shape("households", format!("not a uuid: {h:?}")))
        })
        .collect::<Result<Vec<_>>>()?;
    let events = crate::issue::event_maps(doc)?
        .into_iter()
        .map(|(m, _)| read_event(doc, &m))
        .collect::<Result<Vec<_>>>()?;
    Ok(MediationCase {
        id: req_uuid(doc, &ROOT, "id")?,
        grid: GridId::parse(&req_str(doc, &ROOT, "grid")?)?,
        households,
        case_type: CaseType::parse(&req_str(doc, &ROOT, "type")?)?,
        scale: Scale::parse(&req_str(doc, &ROOT, "scale")?)?,
        people: number(doc, &ROOT, "people")?,
        warning: number(doc, &ROOT, "warning")?,
        source: Source::parse(&req_str(doc, &ROOT, "source")?)?,
        from_issue: opt_uuid(doc, &ROOT, "from_issue")?,
        from_visit: opt_uuid(doc, &ROOT, "from_visit")?,
        kind: MediationKind::parse(&req_str(doc, &ROOT, "mediation_kind")?)?,
        summary: opt_str(doc, &ROOT, "summary")?.unwrap_or_default(),
        reporter: req_str(doc, &ROOT, "reporter")?,
        registered_at: req_time(doc, &ROOT, "registered_at")?,
        events,
    })
}

fn read_event(doc: &AutoCommit, m: &ObjId) -> Result<CaseEvent> {
    let s = |k: &str| req_str(doc, m, k);
    let o = |k: &str| opt_str(doc, m, k).map(|v| v.unwrap_or_default());
    let yes = |k: &str| -> Result<bool> { Ok(s(k)? == "yes") };
    let step = match s("step")?.as_str() {
        "register" => CaseStep::Register,
        "accept" => CaseStep::Accept {
            mediator: o("mediator")?,
        },
        "decline" => CaseStep::Decline {
            reason: o("reason")?,
        },
        "session" => CaseStep::Session {
            held_on: req_time(doc, m, "held_on")?,
        },
        "agree" => CaseStep::Agree {
            form: AgreementForm::parse(&s("form")?)?,
            perform_by: req_time(doc, m, "perform_by")?,
        },
        "fail" => CaseStep::Fail {
            referral: Referral::parse(&s("referral")?)?,
            note: o("note")?,
        },
        "transfer" => CaseStep::Transfer {
            to: MediationKind::parse(&s("to")?)?,
            reason: o("reason")?,
        },
        "extend" => CaseStep::Extend {
            days: number(doc, m, "days")?,
            reason: o("reason")?,
            consent: yes("consent")?,
        },
        "perform" => CaseStep::Perform { note: o("note")? },
        "follow-up" => CaseStep::FollowUp {
            performance: Performance::parse(&s("performance")?)?,
            satisfaction: Satisfaction::parse(&s("satisfaction")?)?,
            risk: o("risk")?,
        },
        "apply-confirmation" => CaseStep::ApplyConfirmation { court: o("court")? },
        "court-accept" => CaseStep::CourtAccept {
            case_number: o("case_number")?,
        },
        "court-rule" => CaseStep::CourtRule {
            confirmed: yes("confirmed")?,
        },
        "close" => CaseStep::Close { note: o("note")? },
        other => {
            return Err(Error::shape(
                "step",
                format!("unknown mediation step {other:?}"),
            ))
        }
    };
    Ok(CaseEvent {
        id: req_uuid(doc, m, "id")?,
        at: req_time(doc, m, "at")?,
        author: read_author(doc, m)?,
        step,
    })
}

fn party(doc: &AutoCommit, p: &Party) -> automerge::hydrate::Value {
    let mut f = Fields::new(doc);
    f.str("name", &p.name)
        .opt("id_number", p.id_number.as_ref().map(|n| n.as_str()))
        .opt("phone", p.phone.as_ref().map(|n| n.as_str()))
        .str("address", &p.address);
    f.into_value()
}

fn session(doc: &AutoCommit, s: &SessionRecord) -> automerge::hydrate::Value {
    let mut f = Fields::new(doc);
    f.str("event", &s.event.to_string())
        .str("held_on", &fmt_time(s.held_on))
        .text("participants", &s.participants)
        .text("notes", &s.notes);
    f.into_value()
}

/// Writes a new private part.
pub fn create_private(doc: &mut AutoCommit, p: &MediationPrivate, at: Instant) -> Result<()> {
    let parties = p.parties.iter().map(|x| party(doc, x)).collect();
    let sessions = p.sessions.iter().map(|x| session(doc, x)).collect();
    let mut f = Fields::header(doc, PRIVATE_KIND, private_doc_id(p.case));
    f.str("case", &p.case.to_string())
        .str("grid", p.grid.as_str())
        .text("facts", &p.facts)
        .text("agreement", &p.agreement)
        .list("parties", parties)
        .list("sessions", sessions);
    f.write_root(doc)?;
    commit(doc, at);
    Ok(())
}

/// Brings the private part to `p`: texts by diff, the parties list replaced
/// only when it changed, and session records appended (each names its
/// session step, and one is never rewritten).
pub fn update_private(doc: &mut AutoCommit, p: &MediationPrivate, at: Instant) -> Result<()> {
    let old = read_private(doc)?;
    put_str(doc, &ROOT, "grid", p.grid.as_str())?;
    put_text(doc, &ROOT, "facts", &p.facts)?;
    put_text(doc, &ROOT, "agreement", &p.agreement)?;
    // Parties are edited in place: a removed one is deleted, a new one
    // appended, so another device's party added meanwhile merges in.
    if old.parties != p.parties {
        let list = match opt_list(doc, &ROOT, "parties")? {
            Some(l) => l,
            None => doc.put_object(&ROOT, "parties", ObjType::List)?,
        };
        let mut i = 0;
        while i < doc.length(&list) {
            let here = match doc.get(&list, i)? {
                Some((automerge::Value::Object(ObjType::Map), m)) => read_party(doc, &m)?,
                _ => return Err(Error::shape("parties", "expected a list of maps")),
            };
            if p.parties.contains(&here) {
                i += 1;
            } else {
                doc.delete(&list, i)?;
            }
        }
        let kept = read_private(doc)?.parties;
        for x in &p.parties {
            if !kept.contains(x) {
                let v = party(doc, x);
                doc.batch_create_object(&list, doc.length(&list), &v, true)?;
            }
        }
    }
    let list = match opt_list(doc, &ROOT, "sessions")? {
        Some(l) => l,
        None => doc.put_object(&ROOT, "sessions", ObjType::List)?,
    };
    for s in &p.sessions {
        if !old.sessions.iter().any(|o| o.event == s.event) {
            let v = session(doc, s);
            doc.batch_create_object(&list, doc.length(&list), &v, true)?;
        }
    }
    commit(doc, at);
    Ok(())
}

/// The maps of every list under `key`. Two devices that each made the
/// private part offline both wrote a list there; Automerge keeps both as a
/// conflict, and reading them all loses neither device's parties or sessions.
fn maps(doc: &AutoCommit, key: &str) -> Result<Vec<ObjId>> {
    let mut out = Vec::new();
    for (value, list) in doc.get_all(&ROOT, key)? {
        if !matches!(value, automerge::Value::Object(ObjType::List)) {
            return Err(Error::shape(key, "expected a list"));
        }
        for i in 0..doc.length(&list) {
            match doc.get(&list, i)? {
                Some((automerge::Value::Object(ObjType::Map), id)) => out.push(id),
                _ => return Err(Error::shape(key, "expected a list of maps")),
            }
        }
    }
    Ok(out)
}

fn read_party(doc: &AutoCommit, m: &ObjId) -> Result<Party> {
    Ok(Party {
        name: req_str(doc, m, "name")?,
        id_number: opt_str(doc, m, "id_number")?
            .map(|n| parse_id_number(&n, "id_number"))
            .transpose()?,
        phone: opt_str(doc, m, "phone")?
            .map(|n| parse_mobile(&n, "phone"))
            .transpose()?,
        address: opt_str(doc, m, "address")?.unwrap_or_default(),
    })
}

pub fn read_private(doc: &AutoCommit) -> Result<MediationPrivate> {
    expect_kind(doc, PRIVATE_KIND)?;
    let parties = maps(doc, "parties")?
        .iter()
        .map(|m| read_party(doc, m))
        .collect::<Result<Vec<_>>>()?;
    let mut parties_once: Vec<Party> = Vec::with_capacity(parties.len());
    for p in parties {
        if !parties_once.contains(&p) {
            parties_once.push(p);
        }
    }
    let parties = parties_once;
    let sessions = maps(doc, "sessions")?
        .iter()
        .map(|m| {
            Ok(SessionRecord {
                event: req_uuid(doc, m, "event")?,
                held_on: req_time(doc, m, "held_on")?,
                participants: opt_str(doc, m, "participants")?.unwrap_or_default(),
                notes: opt_str(doc, m, "notes")?.unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<SessionRecord>>>()?;
    let mut sessions_once: Vec<SessionRecord> = Vec::with_capacity(sessions.len());
    for x in sessions {
        if !sessions_once.iter().any(|o| o.event == x.event) {
            sessions_once.push(x);
        }
    }
    let sessions = sessions_once;
    Ok(MediationPrivate {
        case: req_uuid(doc, &ROOT, "case")?,
        grid: GridId::parse(&req_str(doc, &ROOT, "grid")?)?,
        parties,
        facts: opt_str(doc, &ROOT, "facts")?.unwrap_or_default(),
        sessions,
        agreement: opt_str(doc, &ROOT, "agreement")?.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridline_model::mediation::{CaseStep, CaseType, MediationKind, Scale, Source};
    use gridline_model::{Author, Role};

    fn at(s: &str) -> Instant {
        s.parse().unwrap()
    }

    fn sample() -> MediationCase {
        let author = Author {
            user: "gw-1".into(),
            role: Role::GridWorker,
            unit: String::new(),
        };
        MediationCase {
            id: uuid::Uuid::from_u128(9),
            grid: GridId::parse("522701001001001").unwrap(),
            households: vec![uuid::Uuid::from_u128(1), uuid::Uuid::from_u128(2)],
            case_type: CaseType::Neighbour,
            scale: Scale::MultiParty,
            people: 3,
            warning: 2,
            source: Source::GridReport,
            from_issue: Some(uuid::Uuid::from_u128(5)),
            from_visit: None,
            kind: MediationKind::People,
            summary: "楼上漏水，邻里争执".into(),
            reporter: "gw-1".into(),
            registered_at: at("2026-01-05T01:00:00Z"),
            events: vec![CaseEvent {
                id: uuid::Uuid::from_u128(100),
                at: at("2026-01-05T01:00:00Z"),
                author,
                step: CaseStep::Register,
            }],
        }
    }

    #[test]
    fn a_case_and_its_steps_read_back_as_written() {
        let mut c = sample();
        let mut doc = crate::new_doc(&[1; 16]);
        create(&mut doc, &c).unwrap();
        let staff = Author {
            user: "cs-1".into(),
            role: Role::CommunityStaff,
            unit: "522701001001".into(),
        };
        for (n, step) in [
            CaseStep::Accept {
                mediator: "王调解".into(),
            },
            CaseStep::Extend {
                days: 10,
                reason: "等待鉴定".into(),
                consent: true,
            },
            CaseStep::Agree {
                form: AgreementForm::Oral,
                perform_by: at("2026-02-01T00:00:00Z"),
            },
            CaseStep::FollowUp {
                performance: Performance::Partly,
                satisfaction: Satisfaction::Basic,
                risk: "仍有矛盾".into(),
            },
            CaseStep::CourtRule { confirmed: false },
        ]
        .into_iter()
        .enumerate()
        {
            let e = CaseEvent {
                id: uuid::Uuid::from_u128(101 + n as u128),
                at: at("2026-01-06T01:00:00Z") + chrono::Duration::days(n as i64),
                author: staff.clone(),
                step,
            };
            push_event(&mut doc, &e).unwrap();
            c.events.push(e);
        }
        assert_eq!(read(&doc).unwrap(), c);
    }

    /// Two mediators each make the private part offline (neither held it),
    /// one recording a session, the other the parties; later two devices
    /// each add a party to the one document. Merged, nothing is lost.
    #[test]
    fn private_parts_made_or_edited_apart_merge_without_losing_anything() {
        let c = sample();
        let at0 = at("2026-01-06T00:00:00Z");
        let mut a = MediationPrivate::new(&c);
        let mut doc_a = crate::new_doc(&[3; 16]);
        create_private(&mut doc_a, &a, at0).unwrap();
        a.sessions.push(SessionRecord {
            event: uuid::Uuid::from_u128(300),
            held_on: at0,
            participants: "张三、李四".into(),
            notes: "第一次调解".into(),
        });
        update_private(&mut doc_a, &a, at0).unwrap();
        let mut b = MediationPrivate::new(&c);
        let mut doc_b = crate::new_doc(&[4; 16]);
        create_private(&mut doc_b, &b, at0).unwrap();
        b.parties.push(Party {
            name: "张三".into(),
            id_number: None,
            phone: None,
            address: String::new(),
        });
        update_private(&mut doc_b, &b, at0).unwrap();
        doc_a.merge(&mut doc_b).unwrap();
        let merged = read_private(&doc_a).unwrap();
        assert_eq!(merged.sessions.len(), 1, "A's session survives: {merged:?}");
        assert_eq!(merged.parties.len(), 1, "B's party survives: {merged:?}");
        // Two devices each add a party to the merged document.
        let mut one = doc_a
            .fork()
            .with_actor(automerge::ActorId::from(&[5u8; 16][..]));
        let mut two = doc_a
            .fork()
            .with_actor(automerge::ActorId::from(&[6u8; 16][..]));
        for (doc, name) in [(&mut one, "李四"), (&mut two, "王五")] {
            let mut p = read_private(doc).unwrap();
            p.parties.push(Party {
                name: name.into(),
                id_number: None,
                phone: None,
                address: String::new(),
            });
            update_private(doc, &p, at0).unwrap();
        }
        one.merge(&mut two).unwrap();
        let names: Vec<String> = read_private(&one)
            .unwrap()
            .parties
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names.len(), 3, "张三, 李四 and 王五: {names:?}");
        assert!(names.contains(&"李四".to_owned()) && names.contains(&"王五".to_owned()));
    }

    #[test]
    fn the_private_part_keeps_parties_and_appends_sessions() {
        let c = sample();
        let mut p = MediationPrivate::new(&c);
        p.parties.push(Party {
            name: "张三".into(),
            id_number: Some(parse_id_number("11010519491231002X", "id").unwrap()),
            phone: Some(parse_mobile("13800138000", "phone").unwrap()),
            address: "8栋1单元401".into(),
        });
        p.facts = "楼上卫生间漏水".into();
        let mut doc = crate::new_doc(&[2; 16]);
        create_private(&mut doc, &p, at("2026-01-06T00:00:00Z")).unwrap();
        assert_eq!(read_private(&doc).unwrap(), p);
        assert_eq!(crate::id_of(&doc).unwrap(), private_doc_id(c.id));
        p.sessions.push(SessionRecord {
            event: uuid::Uuid::from_u128(300),
            held_on: at("2026-01-08T00:00:00Z"),
            participants: "张三、李四".into(),
            notes: "双方同意修缮".into(),
        });
        p.agreement = "张三负责修缮，李四配合".into();
        p.parties.push(Party {
            name: "李四".into(),
            id_number: None,
            phone: None,
            address: String::new(),
        });
        update_private(&mut doc, &p, at("2026-01-08T00:00:00Z")).unwrap();
        assert_eq!(read_private(&doc).unwrap(), p);
    }
}

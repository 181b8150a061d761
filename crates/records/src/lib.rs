//! Each Gridline record is one Automerge document (DESIGN §5).
//!
//! Every document's root map carries `kind` (household, household-private,
//! visit, issue, wish, mediation, mediation-private, deliberation), `v` (the
//! schema version, 1) and `id`. Short fields are scalar strings, so two
//! people changing the same field concurrently is a visible conflict
//! ([`conflicts`], [`resolve`]); long free text (notes,
//! descriptions) is Automerge Text, merged character by character. Tags are a
//! map of tag → `true`, so concurrent additions of different tags both stay.
//! Workflow events are maps appended to the `events` list; the actor that
//! created each event map is read back from its object id, which is how the
//! wish fold knows a grant really came from the hub.
//!
//! ```
//! use gridline_records::{household, new_doc};
//! # use gridline_model::*;
//! # let h = Household { id: RecordId::nil(), grid: GridId::parse("522701001001001").unwrap(),
//! #   address: Address { compound: "水花都小区".into(), building: "8栋".into(), unit: "1单元".into(), room: "401".into() },
//! #   phone: None, tags: Default::default(), residents: vec![], notes: String::new(), location: None };
//! # let at = chrono::Utc::now();
//! let mut doc = new_doc(&[1; 16]);
//! household::create(&mut doc, &h, at).unwrap();
//! assert_eq!(household::read(&doc).unwrap(), h);
//! ```

mod conflict;
pub mod deliberation;
mod error;
mod fields;
pub mod household;
pub mod issue;
pub mod mediation;
pub mod photos;
pub mod position;
pub mod private;
pub mod schema;
pub mod visit;
pub mod wish;

use automerge::{ActorId, AutoCommit, ROOT};
pub use conflict::{conflicts, resolve, Conflict};
pub use error::{Error, Result};
use gridline_model::text;
/// Every workflow event of an issue or wish document: its id, the hex actor
/// that created the event (read from the object id, not from a field), and the
/// author it names. Empty for other kinds.
pub fn event_authors(
    doc: &AutoCommit,
) -> Result<Vec<(uuid::Uuid, String, gridline_model::Author)>> {
    issue::event_maps(doc)?
        .into_iter()
        .map(|(m, actor)| {
            Ok((
                fields::req_uuid(doc, &m, "id")?,
                actor,
                visit::read_author(doc, &m)?,
            ))
        })
        .collect()
}

/// Every workflow event map of an issue or wish document, keyed by its object
/// id, with its contents rendered canonically (`key=value` lines, sorted) and
/// the hex actor that created it. The hub compares these before and after a
/// push: events are append-only, so every earlier map must survive unchanged.
pub fn event_snapshots(doc: &AutoCommit) -> Result<Vec<(automerge::ObjId, String, String)>> {
    use automerge::{ReadDoc, Value};
    let render = |obj: &automerge::ObjId| -> Result<String> {
        let mut out = String::new();
        for key in doc.keys(obj) {
            let v = match doc.get(obj, key.as_str())? {
                Some((Value::Scalar(s), _)) => s.to_string(),
                Some((Value::Object(_), id)) => {
                    let items: Vec<String> = doc.values(&id).map(|(v, _)| v.to_string()).collect();
                    format!("[{}]", items.join(","))
                }
                None => String::new(),
            };
            out.push_str(&format!("{key}={v}\n"));
        }
        Ok(out)
    };
    issue::event_maps(doc)?
        .into_iter()
        .map(|(m, actor)| Ok((m.clone(), render(&m)?, actor)))
        .collect()
}

/// Times in documents and the store: RFC 3339, UTC, milliseconds, so they
/// compare correctly as strings.
pub use fields::{fmt_time, parse_time};
use gridline_model::permission::Kind;

/// Schema version written into every document's root.
pub const SCHEMA_VERSION: i64 = 1;

/// An empty document that will write changes as `actor`.
pub fn new_doc(actor: &[u8]) -> AutoCommit {
    AutoCommit::new().with_actor(ActorId::from(actor))
}

/// Loads saved bytes and sets the actor this device writes as.
pub fn load(bytes: &[u8], actor: &[u8]) -> Result<AutoCommit> {
    let doc = AutoCommit::load(bytes)?;
    Ok(doc.with_actor(ActorId::from(actor)))
}

/// The record kind a document says it is.
pub fn kind_of(doc: &AutoCommit) -> Result<Kind> {
    let k = fields::req_str(doc, &ROOT, "kind")?;
    Kind::parse(&k).ok_or_else(|| Error::shape("kind", format!("unknown record kind {k:?}")))
}

/// The record id a document says it has.
pub fn id_of(doc: &AutoCommit) -> Result<uuid::Uuid> {
    fields::req_uuid(doc, &ROOT, "id")
}

/// Heads as lower-case hex, sorted, joined by commas: how the store keeps them.
pub fn heads_hex(doc: &mut AutoCommit) -> String {
    let mut hs: Vec<String> = doc.get_heads().iter().map(|h| h.to_string()).collect();
    hs.sort();
    hs.join(",")
}

/// Whether the document has any field in conflict.
pub fn has_conflicts(doc: &AutoCommit) -> bool {
    !conflicts(doc).is_empty()
}

/// A record read from (or about to be written as) a document, by kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Household(gridline_model::Household),
    HouseholdPrivate(gridline_model::HouseholdPrivate),
    Visit(gridline_model::Visit),
    Issue(gridline_model::Issue),
    Wish(gridline_model::Wish),
    Mediation(gridline_model::MediationCase),
    MediationPrivate(gridline_model::MediationPrivate),
    Deliberation(gridline_model::Topic),
}

impl Record {
    /// Reads whichever record the document holds.
    pub fn read(doc: &AutoCommit) -> Result<Record> {
        Ok(match kind_of(doc)? {
            Kind::Household => Record::Household(household::read(doc)?),
            Kind::HouseholdPrivate => Record::HouseholdPrivate(private::read(doc)?),
            Kind::Visit => Record::Visit(visit::read(doc)?),
            Kind::Issue => Record::Issue(issue::read(doc)?),
            Kind::Wish => Record::Wish(wish::read(doc)?),
            Kind::Mediation => Record::Mediation(mediation::read(doc)?),
            Kind::MediationPrivate => Record::MediationPrivate(mediation::read_private(doc)?),
            Kind::Deliberation => Record::Deliberation(deliberation::read(doc)?),
        })
    }

    /// The record's own rules (addresses, ID numbers, tags, categories,
    /// lengths), as the device checks them when the record is made: what the
    /// hub applies to a pushed document, so a tampered device cannot store
    /// what the app would refuse. `now` bounds dates; the hub passes a
    /// tolerant one, since a phone's clock may run ahead.
    pub fn validate(
        &self,
        now: gridline_model::Instant,
    ) -> std::result::Result<(), gridline_model::Invalid> {
        use gridline_model::{IssueStep, WishStep};
        let long = gridline_model::check_length;
        match self {
            Record::Household(h) => h.validate(now.date_naive()),
            Record::HouseholdPrivate(p) => {
                if let Some(t) = p.sensitive_tags.iter().find(|t| !t.is_sensitive()) {
                    return Err(gridline_model::Invalid::new(
                        "sensitive_tags",
                        text!("\"{t}\" 不是敏感标签", "not a sensitive tag \"{t}\""),
                        text!(
                            "普通标签写在户信息里",
                            "ordinary tags belong to the household"
                        ),
                    ));
                }
                Ok(())
            }
            Record::Visit(v) => v.validate(now),
            Record::Issue(i) => {
                for e in &i.events {
                    match &e.step {
                        IssueStep::Reject { reason: t }
                        | IssueStep::Resolve { note: t }
                        | IssueStep::Escalate { note: t }
                        | IssueStep::VerifyClose { note: t }
                        | IssueStep::Handle { feedback: t }
                        | IssueStep::RequestExtension { reason: t, .. }
                        | IssueStep::DecideExtension { note: t, .. }
                        | IssueStep::Defer { reason: t }
                        | IssueStep::SendBack { reason: t } => long("events", t)?,
                        IssueStep::Evaluate {
                            resident, comment, ..
                        } => {
                            long("events", resident)?;
                            long("events", comment)?;
                        }
                        IssueStep::Dispatch { departments, .. } => {
                            long("events", &departments.join(","))?
                        }
                        IssueStep::Report | IssueStep::Accept | IssueStep::Merge { .. } => {}
                    }
                }
                i.validate()
            }
            Record::Wish(w) => {
                for e in &w.events {
                    match &e.step {
                        WishStep::Fulfil { note: t }
                        | WishStep::Confirm { resident: t }
                        | WishStep::WithdrawWish { reason: t } => long("events", t)?,
                        _ => {}
                    }
                }
                w.validate()
            }
            Record::Mediation(c) => {
                // Each step as the device checks it before writing it: its
                // texts, its required fields, an extension's days.
                for e in &c.events {
                    e.step.validate()?;
                }
                c.validate()
            }
            Record::MediationPrivate(p) => p.validate(),
            Record::Deliberation(t) => {
                // Each step as the device checks it before writing it.
                for e in &t.events {
                    e.step.validate()?;
                }
                t.validate()
            }
        }
    }

    pub fn kind(&self) -> Kind {
        match self {
            Record::Household(_) => Kind::Household,
            Record::HouseholdPrivate(_) => Kind::HouseholdPrivate,
            Record::Visit(_) => Kind::Visit,
            Record::Issue(_) => Kind::Issue,
            Record::Wish(_) => Kind::Wish,
            Record::Mediation(_) => Kind::Mediation,
            Record::MediationPrivate(_) => Kind::MediationPrivate,
            Record::Deliberation(_) => Kind::Deliberation,
        }
    }

    /// The document id (the household's own id for households; a derived id
    /// for the household-private part).
    pub fn doc_id(&self) -> uuid::Uuid {
        match self {
            Record::Household(h) => h.id,
            Record::HouseholdPrivate(p) => private::doc_id(p.household),
            Record::Visit(v) => v.id,
            Record::Issue(i) => i.id,
            Record::Wish(w) => w.id,
            Record::Mediation(c) => c.id,
            Record::MediationPrivate(p) => mediation::private_doc_id(p.case),
            Record::Deliberation(t) => t.id,
        }
    }

    /// Where the record sits, for the permission rules.
    pub fn target(&self) -> gridline_model::Target {
        use gridline_model::Target;
        match self {
            Record::Household(h) => Target::household(h.grid.clone(), h.id),
            Record::HouseholdPrivate(p) => Target::household(p.grid.clone(), p.household),
            Record::Visit(v) => Target::household(v.grid.clone(), v.household),
            Record::Issue(i) => Target {
                grid: i.grid.clone(),
                household: i.household,
                dispatched_to: i.state().departments,
                reporter: Some(i.reporter.clone()),
            },
            Record::Wish(w) => Target {
                household: w.household,
                reporter: Some(w.poster.clone()),
                ..Target::grid(w.grid.clone())
            },
            Record::Mediation(c) => Target {
                household: c.households.first().copied(),
                reporter: Some(c.reporter.clone()),
                ..Target::grid(c.grid.clone())
            },
            // The private part is read by scope alone: a leader who reported
            // the case still never receives it.
            Record::MediationPrivate(p) => Target::grid(p.grid.clone()),
            // The proposer's grid, the resident's household if it names one,
            // and who entered it: a leader reads the topics it proposed.
            Record::Deliberation(t) => Target {
                household: t.household,
                reporter: Some(t.submitted_by.clone()),
                ..Target::grid(t.grid.clone())
            },
        }
    }

    pub fn grid(&self) -> &gridline_model::GridId {
        match self {
            Record::Household(h) => &h.grid,
            Record::HouseholdPrivate(p) => &p.grid,
            Record::Visit(v) => &v.grid,
            Record::Issue(i) => &i.grid,
            Record::Wish(w) => &w.grid,
            Record::Mediation(c) => &c.grid,
            Record::MediationPrivate(p) => &p.grid,
            Record::Deliberation(t) => &t.grid,
        }
    }
}

//! The hub's checks on a pushed document (DESIGN §5, "Identity" and "Authority").
//!
//! The hub accepts a pushed change only if its actor is bound to the pushing
//! device and every event it adds names that device's user and bound role, so
//! history is attributable and a role cannot be claimed; and only for a
//! document of a kind the role may write, inside its write scope before and
//! after the change. Workflow steps the rules refuse are *not* refused here:
//! they are kept and shown refused by the fold, identically on every replica.

use automerge::sync::{Message, State, SyncDoc};
use automerge::AutoCommit;
use gridline_model::permission::{check, Action, Kind, Target};
use gridline_model::User;
use gridline_records::Record;

use crate::{Refusal, RefusalCode};

/// What the hub knows of a device: the user it is bound to and every actor id
/// (hex) it has registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub device_id: String,
    pub user: User,
    pub actors: Vec<String>,
}

/// A pushed document that passed every check, merged into the hub's copy.
pub struct Checked {
    pub doc: AutoCommit,
    pub record: Record,
    /// Whether the push changed anything (a retried push does not).
    pub changed: bool,
}

/// How a device sends its changes to one document.
#[derive(Debug, Clone, Copy)]
pub enum Payload<'a> {
    /// Automerge changes (`save_after` or `save`), applied with `load_incremental`.
    Changes(&'a [u8]),
    /// An encoded Automerge sync message answering the hub's, applied with
    /// `receive_sync_message` on a fresh sync state.
    SyncMessage(&'a [u8]),
}

/// Merges `changes` into a copy of the hub's document (`None`: the hub has
/// none) and checks them against the binding. The hub's own copy is untouched
/// when the push is refused.
pub fn check_push(
    binding: &Binding,
    id: &str,
    hub_doc: Option<&AutoCommit>,
    hub_actor: &[u8],
    changes: &[u8],
) -> Result<Checked, Refusal> {
    check_payload(
        binding,
        id,
        hub_doc,
        hub_actor,
        Payload::Changes(changes),
        None,
    )
}

/// [`check_push`] for either payload: the same checks, whatever carried the
/// changes. `moved_from`: where the hub's copy was when the device last heard
/// of it, if it has moved since (out of the device's write scope, perhaps).
/// Changes the device made while it could write there are accepted as long
/// as they leave the document where the hub has it now.
pub fn check_payload(
    binding: &Binding,
    id: &str,
    hub_doc: Option<&AutoCommit>,
    hub_actor: &[u8],
    payload: Payload<'_>,
    moved_from: Option<&Target>,
) -> Result<Checked, Refusal> {
    let refuse = |code: RefusalCode, reason: String| Refusal {
        id: id.to_owned(),
        code,
        reason,
    };
    let mut doc = match hub_doc {
        Some(d) => d.clone(),
        None => gridline_records::new_doc(hub_actor),
    };
    let before_heads = doc.get_heads();
    match payload {
        Payload::Changes(changes) => {
            doc.load_incremental(changes)
                .map_err(|e| refuse(RefusalCode::Malformed, format!("changes do not load: {e}")))?;
        }
        Payload::SyncMessage(msg) => {
            let msg = Message::decode(msg).map_err(|e| {
                refuse(
                    RefusalCode::Malformed,
                    format!("sync message does not decode: {e}"),
                )
            })?;
            doc.sync()
                .receive_sync_message(&mut State::new(), msg)
                .map_err(|e| {
                    refuse(
                        RefusalCode::Malformed,
                        format!("sync message does not apply: {e}"),
                    )
                })?;
        }
    }
    if !doc.get_missing_deps(&[]).is_empty() {
        return Err(refuse(
            RefusalCode::MissingDeps,
            "changes depend on ones the hub does not have; send the whole document".into(),
        ));
    }
    let new_changes = doc.get_changes(&before_heads);
    for c in &new_changes {
        let actor = c.actor_id().to_hex_string();
        if !binding.actors.contains(&actor) {
            return Err(refuse(
                RefusalCode::ForgedActor,
                format!("a change by actor {actor}, which is not bound to this device"),
            ));
        }
    }
    let changed = !new_changes.is_empty();
    let record = Record::read(&doc).map_err(|e| {
        refuse(
            RefusalCode::Malformed,
            format!("not a Gridline record: {e}"),
        )
    })?;
    // What the app would refuse, the hub refuses too. It checks content, not
    // clocks (this crate reads none, and a phone's may run ahead): dates are
    // only bounded by a far-off year.
    if changed {
        use chrono::TimeZone;
        let no_clock = chrono::Utc
            .with_ymd_and_hms(9000, 1, 1, 0, 0, 0)
            .single()
            .expect("a valid date");
        record
            .validate(no_clock)
            .map_err(|e| refuse(RefusalCode::Malformed, format!("invalid record: {e}")))?;
    }
    if record.doc_id().to_string() != id {
        return Err(refuse(
            RefusalCode::Malformed,
            format!("the document says it is {}, not {id}", record.doc_id()),
        ));
    }
    if !changed {
        return Ok(Checked {
            doc,
            record,
            changed,
        });
    }

    let before = match hub_doc {
        Some(d) => Some(
            Record::read(d)
                .map_err(|e| refuse(RefusalCode::Malformed, format!("hub copy unreadable: {e}")))?,
        ),
        None => None,
    };
    let user = &binding.user;
    let kind = record.kind();
    // The same words whether or not the hub holds the document, so a device
    // learns nothing about records outside its scope.
    let not_permitted = |_: gridline_model::Refusal| {
        refuse(
            RefusalCode::NotPermitted,
            "不在本设备可写的范围内，或本角色不能写此类记录 (outside what this device may write: its scope or its role)".into(),
        )
    };
    let action_for = |k: Kind| match k {
        Kind::Issue | Kind::Wish => Action::Step,
        Kind::Household | Kind::HouseholdPrivate | Kind::Visit => Action::Edit,
    };
    match &before {
        None => check(user, kind, Action::Create, &record.target()).map_err(not_permitted)?,
        Some(b) => {
            // Scope first: only a device that may write the hub's copy (or
            // could, where it was when the device last heard of it) learns
            // anything more about it.
            let action = action_for(b.kind());
            let may_now = check(user, b.kind(), action, &b.target());
            let may_then = moved_from.is_some_and(|t| check(user, b.kind(), action, t).is_ok());
            if let Err(e) = &may_now {
                if !may_then {
                    return Err(not_permitted(e.clone()));
                }
            }
            if b.kind() != kind {
                return Err(refuse(
                    RefusalCode::Malformed,
                    "a document cannot change its kind".into(),
                ));
            }
            let (was, is) = (b.target(), record.target());
            if may_now.is_err() && (was.grid != is.grid || was.household != is.household) {
                // Moved away meanwhile: the device may not move it on.
                return Err(not_permitted(gridline_model::Refusal {
                    reason: String::new(),
                }));
            }
            if may_now.is_ok() {
                check(user, kind, action_for(kind), &is).map_err(not_permitted)?;
            }
        }
    }

    // Root fields of issues and wishes are set when they are reported or
    // posted; afterwards only events are added. (Nobody may Edit them.)
    if let (Some(b), Record::Issue(_) | Record::Wish(_)) = (&before, &record) {
        if strip_events(b) != strip_events(&record) {
            check(user, kind, Action::Edit, &b.target()).map_err(not_permitted)?;
        }
    }

    // Events are append-only: every event map the hub holds survives
    // unchanged, and each new map (known by its object, not by the id it
    // claims) was made by this device and names its user and bound role.
    let malformed = |e: gridline_records::Error| refuse(RefusalCode::Malformed, e.to_string());
    let before_events = match hub_doc {
        Some(d) => gridline_records::event_snapshots(d).map_err(malformed)?,
        None => Vec::new(),
    };
    let after_events = gridline_records::event_snapshots(&doc).map_err(malformed)?;
    for (obj, body, _) in &before_events {
        if !after_events.iter().any(|(o, b, _)| o == obj && b == body) {
            return Err(refuse(
                RefusalCode::ForgedAuthor,
                "workflow events cannot be changed or removed, only added".into(),
            ));
        }
    }
    let authors = gridline_records::event_authors(&doc).map_err(malformed)?;
    let mut seen = std::collections::HashSet::new();
    for ((obj, _, actor), (event, _, author)) in after_events.iter().zip(&authors) {
        if !seen.insert(*event) {
            return Err(refuse(
                RefusalCode::Malformed,
                format!("two events share the id {event}"),
            ));
        }
        if before_events.iter().any(|(o, _, _)| o == obj) {
            continue;
        }
        if !binding.actors.contains(actor) {
            return Err(refuse(
                RefusalCode::ForgedActor,
                format!("event {event} was made by actor {actor}, not this device"),
            ));
        }
        if author.user != user.id || author.role != user.role || author.unit != user.scope.unit() {
            return Err(refuse(
                RefusalCode::ForgedAuthor,
                format!(
                    "event {event} names {} as {}, but this device is bound to {} as {}",
                    author.user, author.role, user.id, user.role
                ),
            ));
        }
    }
    Ok(Checked {
        doc,
        record,
        changed,
    })
}

/// An issue or wish without its events: the fields fixed at creation.
fn strip_events(r: &Record) -> Option<Record> {
    match r {
        Record::Issue(i) => Some(Record::Issue(gridline_model::Issue {
            events: Vec::new(),
            ..i.clone()
        })),
        Record::Wish(w) => Some(Record::Wish(gridline_model::Wish {
            events: Vec::new(),
            ..w.clone()
        })),
        _ => None,
    }
}

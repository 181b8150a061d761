//! The micro-wish document.
//!
//! ```text
//! { kind: "wish", v: 1, id, grid, household?, title, category, value_yuan,
//!   poster, posted_at, description: Text,
//!   events: [ { id, at, user, role, unit, step, claim?, note?, resident?, reason? } ] }
//! ```
//!
//! Each event's actor is not a field: it is the actor of the change that made
//! the event map, read from the map's object id.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ReadDoc, ROOT};
use gridline_model::{Wish, WishEvent, WishStep};

use crate::fields::*;
use crate::issue::event_maps;
use crate::visit::read_author;
use crate::{Error, Result};

pub const KIND: &str = "wish";

pub fn create(doc: &mut AutoCommit, w: &Wish) -> Result<()> {
    let events = w.events.iter().map(|e| event(doc, e)).collect();
    let mut f = Fields::header(doc, KIND, w.id);
    f.str("grid", w.grid.as_str())
        .opt("household", w.household.map(|h| h.to_string()).as_deref())
        .str("title", &w.title)
        .str("category", &w.category)
        .str("value_yuan", &w.value_yuan.to_string())
        .str("poster", &w.poster)
        .str("posted_at", &fmt_time(w.posted_at))
        .text("description", &w.description)
        .list("events", events);
    f.write_root(doc)?;
    commit(doc, w.posted_at);
    Ok(())
}

/// Appends one event as its own change. `e.actor` is ignored: the actor is
/// whoever this document writes as.
pub fn push_event(doc: &mut AutoCommit, e: &WishEvent) -> Result<()> {
    expect_kind(doc, KIND)?;
    let list = opt_list(doc, &ROOT, "events")?.ok_or_else(|| Error::shape("events", "missing"))?;
    let value = event(doc, e);
    doc.batch_create_object(&list, doc.length(&list), &value, true)?;
    commit(doc, e.at);
    Ok(())
}

fn event(doc: &AutoCommit, e: &WishEvent) -> automerge::hydrate::Value {
    let mut f = Fields::new(doc);
    f.str("id", &e.id.to_string())
        .str("at", &fmt_time(e.at))
        .author(&e.author)
        .str("step", e.step.key());
    match &e.step {
        WishStep::Post | WishStep::RequestClaim | WishStep::WithdrawClaim => {}
        WishStep::Grant { claim } | WishStep::RefuseClaim { claim } => {
            f.str("claim", &claim.to_string());
        }
        WishStep::Fulfil { note } => {
            f.str("note", note);
        }
        WishStep::Confirm { resident } => {
            f.str("resident", resident);
        }
        WishStep::WithdrawWish { reason } => {
            f.str("reason", reason);
        }
    }
    f.into_value()
}

pub fn read(doc: &AutoCommit) -> Result<Wish> {
    expect_kind(doc, KIND)?;
    let value = req_str(doc, &ROOT, "value_yuan")?;
    let events = event_maps(doc)?
        .into_iter()
        .map(|(m, actor)| read_event(doc, &m, actor))
        .collect::<Result<_>>()?;
    Ok(Wish {
        id: req_uuid(doc, &ROOT, "id")?,
        grid: gridline_model::GridId::parse(&req_str(doc, &ROOT, "grid")?)?,
        household: opt_uuid(doc, &ROOT, "household")?,
        title: req_str(doc, &ROOT, "title")?,
        category: req_str(doc, &ROOT, "category")?,
        value_yuan: value
            .parse()
            .map_err(|_| Error::shape("value_yuan", format!("not a number: {value:?}")))?,
        description: opt_str(doc, &ROOT, "description")?.unwrap_or_default(),
        poster: req_str(doc, &ROOT, "poster")?,
        posted_at: req_time(doc, &ROOT, "posted_at")?,
        events,
    })
}

fn read_event(doc: &AutoCommit, m: &ObjId, actor: String) -> Result<WishEvent> {
    let o = |k: &str| opt_str(doc, m, k).map(|v| v.unwrap_or_default());
    let step = match req_str(doc, m, "step")?.as_str() {
        "post" => WishStep::Post,
        "claim" => WishStep::RequestClaim,
        "grant" => WishStep::Grant {
            claim: req_uuid(doc, m, "claim")?,
        },
        "refuse-claim" => WishStep::RefuseClaim {
            claim: req_uuid(doc, m, "claim")?,
        },
        "fulfil" => WishStep::Fulfil { note: o("note")? },
        "confirm" => WishStep::Confirm {
            resident: o("resident")?,
        },
        "withdraw" => WishStep::WithdrawWish {
            reason: o("reason")?,
        },
        "withdraw-claim" => WishStep::WithdrawClaim,
        other => return Err(Error::shape("step", format!("unknown wish step {other:?}"))),
    };
    Ok(WishEvent {
        id: req_uuid(doc, m, "id")?,
        at: req_time(doc, m, "at")?,
        author: read_author(doc, m)?,
        actor,
        step,
    })
}

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
use automerge::{AutoCommit, ObjId, ObjType, ReadDoc, ROOT};
use gridline_model::{Wish, WishEvent, WishStep};

use crate::fields::*;
use crate::issue::event_maps;
use crate::visit::{put_author, read_author};
use crate::{Error, Result};

pub const KIND: &str = "wish";

pub fn create(doc: &mut AutoCommit, w: &Wish) -> Result<()> {
    put_header(doc, KIND, w.id)?;
    put_str(doc, &ROOT, "grid", w.grid.as_str())?;
    put_opt_str(
        doc,
        &ROOT,
        "household",
        w.household.map(|h| h.to_string()).as_deref(),
    )?;
    put_str(doc, &ROOT, "title", &w.title)?;
    put_str(doc, &ROOT, "category", &w.category)?;
    put_str(doc, &ROOT, "value_yuan", &w.value_yuan.to_string())?;
    put_str(doc, &ROOT, "poster", &w.poster)?;
    put_str(doc, &ROOT, "posted_at", &fmt_time(w.posted_at))?;
    put_text(doc, &ROOT, "description", &w.description)?;
    doc.put_object(&ROOT, "events", ObjType::List)?;
    for e in &w.events {
        push_event_ops(doc, e)?;
    }
    commit(doc, w.posted_at);
    Ok(())
}

/// Appends one event as its own change. `e.actor` is ignored: the actor is
/// whoever this document writes as.
pub fn push_event(doc: &mut AutoCommit, e: &WishEvent) -> Result<()> {
    expect_kind(doc, KIND)?;
    push_event_ops(doc, e)?;
    commit(doc, e.at);
    Ok(())
}

fn push_event_ops(doc: &mut AutoCommit, e: &WishEvent) -> Result<()> {
    let list = opt_list(doc, &ROOT, "events")?.ok_or_else(|| Error::shape("events", "missing"))?;
    let m = doc.insert_object(&list, doc.length(&list), ObjType::Map)?;
    put_str(doc, &m, "id", &e.id.to_string())?;
    put_str(doc, &m, "at", &fmt_time(e.at))?;
    put_author(doc, &m, &e.author)?;
    put_str(doc, &m, "step", e.step.key())?;
    match &e.step {
        WishStep::Post | WishStep::RequestClaim | WishStep::WithdrawClaim => {}
        WishStep::Grant { claim } | WishStep::RefuseClaim { claim } => {
            put_str(doc, &m, "claim", &claim.to_string())?
        }
        WishStep::Fulfil { note } => put_str(doc, &m, "note", note)?,
        WishStep::Confirm { resident } => put_str(doc, &m, "resident", resident)?,
        WishStep::WithdrawWish { reason } => put_str(doc, &m, "reason", reason)?,
    }
    Ok(())
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

//! The issue document: what was reported, and the append-only event list.
//!
//! ```text
//! { kind: "issue", v: 1, id, grid, category, urgency, household?, location,
//!   reporter, reported_at, description: Text,
//!   events: [ { id, at, user, role, unit, step, …step fields } ] }
//! ```
//!
//! The time-limit steps (`request-extension` with `amount` and `reason`,
//! `decide-extension` with `approve` "yes"/"no" and `note`, `defer` and
//! `send-back` with `reason`) are new step names in the same list, so a
//! document without them reads as it always did. A build older than them
//! cannot read an issue that holds one (an unknown step is a shape error).

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ReadDoc, ROOT};
use gridline_model::{Grade, Issue, IssueEvent, IssueStep};

use crate::fields::*;
use crate::visit::read_author;
use crate::{Error, Result};

pub const KIND: &str = "issue";

/// Writes a new issue with its events (the report event among them).
pub fn create(doc: &mut AutoCommit, i: &Issue) -> Result<()> {
    let events = i.events.iter().map(|e| event(doc, e)).collect();
    let mut f = Fields::header(doc, KIND, i.id);
    f.str("grid", i.grid.as_str())
        .str("category", &i.category)
        .str("urgency", &i.urgency.to_string())
        .opt("household", i.household.map(|h| h.to_string()).as_deref())
        .str("location", &i.location)
        .str("reporter", &i.reporter)
        .str("reported_at", &fmt_time(i.reported_at))
        .text("description", &i.description)
        .list("events", events);
    f.write_root(doc)?;
    commit(doc, i.reported_at);
    Ok(())
}

/// Appends one workflow event as its own change.
pub fn push_event(doc: &mut AutoCommit, e: &IssueEvent) -> Result<()> {
    expect_kind(doc, KIND)?;
    let list = opt_list(doc, &ROOT, "events")?.ok_or_else(|| Error::shape("events", "missing"))?;
    let value = event(doc, e);
    doc.batch_create_object(&list, doc.length(&list), &value, true)?;
    commit(doc, e.at);
    Ok(())
}

fn event(doc: &AutoCommit, e: &IssueEvent) -> automerge::hydrate::Value {
    let mut f = Fields::new(doc);
    f.str("id", &e.id.to_string())
        .str("at", &fmt_time(e.at))
        .author(&e.author)
        .str("step", e.step.key());
    match &e.step {
        IssueStep::Report | IssueStep::Accept => {}
        IssueStep::Reject { reason } => {
            f.str("reason", reason);
        }
        IssueStep::Merge { into } => {
            f.str("into", &into.to_string());
        }
        IssueStep::Resolve { note }
        | IssueStep::Escalate { note }
        | IssueStep::VerifyClose { note } => {
            f.str("note", note);
        }
        IssueStep::Dispatch { departments, grade } => {
            f.strs("departments", departments).str("grade", grade.key());
        }
        IssueStep::Handle { feedback } => {
            f.str("feedback", feedback);
        }
        IssueStep::Evaluate {
            satisfied,
            resident,
            comment,
        } => {
            f.str("satisfied", if *satisfied { "yes" } else { "no" })
                .str("resident", resident)
                .str("comment", comment);
        }
        IssueStep::RequestExtension { amount, reason } => {
            f.str("amount", &amount.to_string()).str("reason", reason);
        }
        IssueStep::DecideExtension { approve, note } => {
            f.str("approve", if *approve { "yes" } else { "no" })
                .str("note", note);
        }
        IssueStep::Defer { reason } | IssueStep::SendBack { reason } => {
            f.str("reason", reason);
        }
    }
    f.into_value()
}

pub fn read(doc: &AutoCommit) -> Result<Issue> {
    expect_kind(doc, KIND)?;
    let urgency = req_str(doc, &ROOT, "urgency")?;
    Ok(Issue {
        id: req_uuid(doc, &ROOT, "id")?,
        grid: gridline_model::GridId::parse(&req_str(doc, &ROOT, "grid")?)?,
        category: req_str(doc, &ROOT, "category")?,
        description: opt_str(doc, &ROOT, "description")?.unwrap_or_default(),
        location: opt_str(doc, &ROOT, "location")?.unwrap_or_default(),
        household: opt_uuid(doc, &ROOT, "household")?,
        urgency: urgency
            .parse()
            .map_err(|_| Error::shape("urgency", format!("not a number: {urgency:?}")))?,
        reporter: req_str(doc, &ROOT, "reporter")?,
        reported_at: req_time(doc, &ROOT, "reported_at")?,
        events: read_events(doc)?,
    })
}

fn read_events(doc: &AutoCommit) -> Result<Vec<IssueEvent>> {
    event_maps(doc)?
        .into_iter()
        .map(|(m, _)| read_event(doc, &m))
        .collect()
}

/// The event maps of a record with the hex actor id that created each.
pub(crate) fn event_maps(doc: &AutoCommit) -> Result<Vec<(ObjId, String)>> {
    let Some(list) = opt_list(doc, &ROOT, "events")? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for i in 0..doc.length(&list) {
        match doc.get(&list, i)? {
            Some((automerge::Value::Object(ObjType::Map), id)) => {
                let actor = match &id {
                    ObjId::Id(_, actor, _) => actor.to_hex_string(),
                    ObjId::Root => String::new(),
                };
                out.push((id, actor));
            }
            _ => return Err(Error::shape("events", "expected a list of maps")),
        }
    }
    Ok(out)
}

fn read_event(doc: &AutoCommit, m: &ObjId) -> Result<IssueEvent> {
    let s = |k: &str| req_str(doc, m, k);
    let o = |k: &str| opt_str(doc, m, k).map(|v| v.unwrap_or_default());
    let step = match s("step")?.as_str() {
        "report" => IssueStep::Report,
        "accept" => IssueStep::Accept,
        "reject" => IssueStep::Reject {
            reason: o("reason")?,
        },
        "merge" => IssueStep::Merge {
            into: req_uuid(doc, m, "into")?,
        },
        "resolve" => IssueStep::Resolve { note: o("note")? },
        "escalate" => IssueStep::Escalate { note: o("note")? },
        "close" => IssueStep::VerifyClose { note: o("note")? },
        "dispatch" => IssueStep::Dispatch {
            departments: read_str_list(doc, m, "departments")?,
            grade: Grade::parse(&s("grade")?)?,
        },
        "handle" => IssueStep::Handle {
            feedback: o("feedback")?,
        },
        "evaluate" => IssueStep::Evaluate {
            satisfied: s("satisfied")? == "yes",
            resident: o("resident")?,
            comment: o("comment")?,
        },
        "request-extension" => {
            let amount = s("amount")?;
            IssueStep::RequestExtension {
                amount: amount
                    .parse()
                    .map_err(|_| Error::shape("amount", format!("not a number: {amount:?}")))?,
                reason: o("reason")?,
            }
        }
        "decide-extension" => IssueStep::DecideExtension {
            approve: s("approve")? == "yes",
            note: o("note")?,
        },
        "defer" => IssueStep::Defer {
            reason: o("reason")?,
        },
        "send-back" => IssueStep::SendBack {
            reason: o("reason")?,
        },
        other => {
            return Err(Error::shape(
                "step",
                format!("unknown issue step {other:?}"),
            ))
        }
    };
    Ok(IssueEvent {
        id: req_uuid(doc, m, "id")?,
        at: req_time(doc, m, "at")?,
        author: read_author(doc, m)?,
        step,
    })
}

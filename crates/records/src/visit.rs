//! The visit document.
//!
//! ```text
//! { kind: "visit", v: 1, id, household, grid, user, role, unit, at, visit_kind, notes: Text }
//! ```

use automerge::{AutoCommit, ROOT};
use gridline_model::{Author, GridId, Role, Visit, VisitKind};

use crate::fields::*;
use crate::Result;

pub const KIND: &str = "visit";

pub fn create(doc: &mut AutoCommit, v: &Visit) -> Result<()> {
    let mut f = Fields::header(doc, KIND, v.id);
    f.str("household", &v.household.to_string())
        .str("grid", v.grid.as_str())
        .author(&v.visitor)
        .str("at", &fmt_time(v.at))
        .str("visit_kind", v.kind.key())
        .text("notes", &v.notes);
    f.write_root(doc)?;
    commit(doc, v.at);
    Ok(())
}

pub fn read(doc: &AutoCommit) -> Result<Visit> {
    expect_kind(doc, KIND)?;
    Ok(Visit {
        id: req_uuid(doc, &ROOT, "id")?,
        household: req_uuid(doc, &ROOT, "household")?,
        grid: GridId::parse(&req_str(doc, &ROOT, "grid")?)?,
        visitor: read_author(doc, &ROOT)?,
        at: req_time(doc, &ROOT, "at")?,
        kind: VisitKind::parse(&req_str(doc, &ROOT, "visit_kind")?)?,
        notes: opt_str(doc, &ROOT, "notes")?.unwrap_or_default(),
    })
}

pub(crate) fn read_author(doc: &AutoCommit, obj: &automerge::ObjId) -> Result<Author> {
    Ok(Author {
        user: req_str(doc, obj, "user")?,
        role: Role::parse(&req_str(doc, obj, "role")?)?,
        unit: opt_str(doc, obj, "unit")?.unwrap_or_default(),
    })
}

//! A document's place for the rules, from its row's columns alone: no document is loaded.

use gridline_model::permission::{Kind, Target};
use gridline_model::{GridId, RecordId, User};
use gridline_sync::check::Place;
use gridline_sync::scope::{sends, Standing};
use rusqlite::{params, OptionalExtension, Transaction};

use crate::Result;

/// Whether the hub sends a row to `user`, from the row's columns alone.
pub(crate) fn row_sent(
    user: &User,
    kind: &str,
    target: Option<Target>,
    open: bool,
    claimant: Option<String>,
) -> bool {
    Kind::parse(kind)
        .zip(target)
        .is_some_and(|(k, t)| sends(user, k, &t, &Standing { open, claimant }))
}

/// A row's place for the rules, from its columns: no document is loaded.
pub(crate) fn row_target(
    grid: &str,
    household: Option<&str>,
    reporter: Option<&str>,
    departments: &str,
) -> Option<Target> {
    Some(Target {
        grid: GridId::parse(grid).ok()?,
        household: household.and_then(|h| RecordId::parse_str(h).ok()),
        dispatched_to: departments
            .split(',')
            .filter(|d| !d.is_empty())
            .map(str::to_owned)
            .collect(),
        reporter: reporter.map(str::to_owned),
    })
}

/// What the hub holds under an id, as far as its row tells.
pub(super) enum Held {
    /// No row under this id.
    Nothing,
    /// A row whose columns do not parse: nobody's to see.
    Unreadable,
    /// A document of this kind at this place.
    At(Place),
}

/// A stored document's kind and place columns (no bytes).
struct PlaceRow {
    kind: String,
    grid: String,
    household: Option<String>,
    reporter: Option<String>,
    departments: String,
}

/// A stored document's kind and place, from its row alone (no bytes).
pub(super) fn stored_place(tx: &Transaction<'_>, id: &str) -> Result<Held> {
    let row = tx
        .prepare_cached(
            "SELECT kind, grid, household, reporter, departments FROM documents WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(PlaceRow {
                kind: r.get(0)?,
                grid: r.get(1)?,
                household: r.get(2)?,
                reporter: r.get(3)?,
                departments: r.get(4)?,
            })
        })
        .optional()?;
    let Some(row) = row else {
        return Ok(Held::Nothing);
    };
    let target = row_target(
        &row.grid,
        row.household.as_deref(),
        row.reporter.as_deref(),
        &row.departments,
    );
    Ok(Kind::parse(&row.kind)
        .zip(target)
        .map_or(Held::Unreadable, |(kind, target)| {
            Held::At(Place { kind, target })
        }))
}

/// Where a document was when the device last heard of it (its cursor
/// `seen`), if it has moved since: the device's changes made before it
/// knew still count.
pub(super) fn moved_from_of(tx: &Transaction<'_>, id: &str, seen: i64) -> Result<Option<Target>> {
    Ok(tx
        .prepare_cached(
            "SELECT m.old_grid, m.old_household, d.reporter, d.departments
             FROM moves m JOIN documents d ON d.id = m.doc_id
             WHERE m.doc_id = ?1 AND m.seq > ?2 ORDER BY m.seq LIMIT 1",
        )?
        .query_row(params![id, seen], |r| {
            Ok(row_target(
                &r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?.as_deref(),
                r.get::<_, Option<String>>(2)?.as_deref(),
                &r.get::<_, String>(3)?,
            ))
        })
        .optional()?
        .flatten())
}

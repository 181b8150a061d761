//! Stores a checked change: the document row, its move, its audit rows.

use automerge::AutoCommit;
use gridline_model::Instant;
use gridline_records::Record;
use gridline_sync::check::Checked;
use gridline_sync::scope::Standing;
use rusqlite::{params, Transaction};

use super::check_one::Before;
use super::claims::SettledClaim;
use crate::{Hub, Result};

/// Writes a document row with its scope columns and counter value.
/// `hub_actor` folds a wish's events (only the hub's grants count) for the
/// columns of its sync scope.
pub(crate) fn write_doc(
    tx: &Transaction<'_>,
    doc: &mut AutoCommit,
    record: &Record,
    seq: u64,
    now: Instant,
    hub_actor: &str,
) -> Result<()> {
    let standing = Standing::of(record, hub_actor);
    let (household, reporter, departments) = match record {
        Record::Household(h) => (Some(h.id), None, String::new()),
        Record::HouseholdPrivate(p) => (Some(p.household), None, String::new()),
        Record::Visit(v) => (Some(v.household), None, String::new()),
        Record::Issue(i) => (
            i.household,
            Some(i.reporter.clone()),
            // Departments come from the dispatch alone: the street's
            // deadlines (the default fold's) never change who holds it.
            i.state().departments.join(","),
        ),
        Record::Wish(w) => (w.household, Some(w.poster.clone()), String::new()),
        Record::Mediation(c) => (
            c.households.first().copied(),
            Some(c.reporter.clone()),
            String::new(),
        ),
        // Placed by its grid alone: no household or reporter reaches it.
        Record::MediationPrivate(_) => (None, None, String::new()),
        // The resident's household, if it names one, and who entered it:
        // a leader is sent the topics of its households and its own.
        Record::Deliberation(t) => (t.household, Some(t.submitted_by.clone()), String::new()),
    };
    tx.prepare_cached(
        "INSERT INTO documents (id, kind, grid, household, reporter, departments, bytes, heads, seq, updated_at, open, claimant)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, grid = excluded.grid, household = excluded.household,
            reporter = excluded.reporter, departments = excluded.departments, bytes = excluded.bytes,
            heads = excluded.heads, seq = excluded.seq, updated_at = excluded.updated_at,
            open = excluded.open, claimant = excluded.claimant",
    )?
    .execute(params![
        record.doc_id().to_string(),
        record.kind().key(),
        record.grid().as_str(),
        household.map(|h| h.to_string()),
        reporter,
        departments,
        doc.save(),
        gridline_records::heads_hex(doc),
        seq as i64,
        gridline_records::fmt_time(now),
        standing.open,
        standing.claimant,
    ])?;
    crate::blobs::index_refs(tx, &record.doc_id().to_string(), doc)?;
    Ok(())
}

/// The actors (hex, comma-separated) of the changes `after` has beyond
/// `before`, other than the hub's own: whose changes were applied.
pub(crate) fn new_actors(
    before: Option<&mut AutoCommit>,
    after: &mut AutoCommit,
    hub_hex: &str,
) -> String {
    let heads = before.map(|b| b.get_heads()).unwrap_or_default();
    let mut actors: Vec<String> = after
        .get_changes(&heads)
        .iter()
        .map(|c| c.actor_id().to_hex_string())
        .filter(|a| a != hub_hex)
        .collect();
    actors.sort();
    actors.dedup();
    actors.join(",")
}

/// Whose change is being applied, for the audit.
pub(crate) struct Who<'a> {
    pub device_id: &'a str,
    pub user_id: &'a str,
    pub action: &'a str,
    pub admin: Option<&'a str>,
}

impl Hub {
    /// Stores a checked change: settles wish claims, stamps the next counter
    /// value, records a move, and audits it (and any claim the hub settled).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn apply_checked(
        &self,
        tx: &Transaction<'_>,
        p: &str,
        hub_doc: Option<&mut AutoCommit>,
        before: Option<&Before>,
        checked: &mut Checked,
        seq: &mut u64,
        now: Instant,
        who: &Who<'_>,
    ) -> Result<()> {
        let hub_hex = self.actor_hex();
        checked
            .doc
            .set_actor(automerge::ActorId::from(self.actor.clone()));
        let actors = new_actors(hub_doc, &mut checked.doc, &hub_hex);
        let mut granted = Vec::new();
        if let Record::Wish(w) = &checked.record {
            if let Some(settled) = self.settle_claims(&mut checked.doc, w, now)? {
                checked.record = Record::Wish(settled.wish);
                granted = settled.claims;
            }
        }
        *seq += 1;
        write_doc(tx, &mut checked.doc, &checked.record, *seq, now, &hub_hex)?;
        // A change of place or of a wish's standing can take the
        // document out of some devices' sync scope.
        if let Some(Before {
            grid,
            household,
            standing,
        }) = before
        {
            if grid != checked.record.grid()
                || *household != checked.record.target().household
                || *standing != Standing::of(&checked.record, &hub_hex)
            {
                tx.prepare_cached("INSERT INTO moves (doc_id, seq, old_grid, old_household, old_open, old_claimant) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
                    .execute(params![p, *seq as i64, grid.as_str(), household.map(|h| h.to_string()), standing.open, standing.claimant])?;
            }
        }
        crate::audit::write(
            tx,
            &crate::audit::Entry {
                at: now,
                device_id: Some(who.device_id),
                user_id: who.user_id,
                doc_id: p,
                kind: checked.record.kind().key(),
                action: who.action,
                admin: who.admin,
                detail: &format!("actor {actors}"),
            },
        )?;
        for SettledClaim { action, claim } in &granted {
            crate::audit::write(
                tx,
                &crate::audit::Entry {
                    at: now,
                    device_id: None,
                    user_id: "hub",
                    doc_id: p,
                    kind: "wish",
                    action,
                    admin: who.admin,
                    detail: &format!("claim {claim}"),
                },
            )?;
        }
        Ok(())
    }
}

//! Demo data on a device: the street's synthetic records (made by
//! [`gridline_demo`], deterministic for a seed), of which only what lies in
//! the device's scope is stored, marked as demo data that never syncs.

use gridline_demo::{generate_grid_with, grids_for, GROUP_SIZE};
use gridline_model::permission::{check, Action};
use gridline_model::*;
use gridline_records::Record;
use gridline_store::{Origin, Saved};

pub use gridline_demo::Scale;

use crate::{Device, Result};

/// What a seed wrote, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedStats {
    pub grids: usize,
    pub households: usize,
    pub private_parts: usize,
    pub residents: usize,
    pub visits: usize,
    pub issues: usize,
    pub wishes: usize,
    /// Mediation cases (their private parts count among `private_parts`).
    pub mediations: usize,
    /// Deliberation topics.
    pub deliberations: usize,
    /// Generated but outside this device's scope, so not stored.
    pub skipped: usize,
}

impl SeedStats {
    pub fn documents(&self) -> usize {
        self.households
            + self.private_parts
            + self.visits
            + self.issues
            + self.wishes
            + self.mediations
            + self.deliberations
    }
}

/// Fills the device's store with demo data within its scope. Demo records are
/// marked as such and never sync.
pub fn seed(device: &mut Device, scale: Scale, seed: u64, now: Instant) -> Result<SeedStats> {
    let user = device.user().clone();
    let grids = grids_for(&user.scope, scale)?;
    // A joint-household leader with no linked households yet leads the first
    // joint-household group of the first grid, so the demo has something to show.
    let link_leader = matches!(&user.scope, Scope::Households(h) if h.is_empty());
    let mut stats = SeedStats::default();
    let hub_actor = hex::decode(&device.identity.hub_actor).unwrap_or_default();
    let actor = device.identity.actor.clone();
    // Making Automerge documents is most of the work: threads make grids
    // (each grid from its own seeded stream, so the result does not depend on
    // which thread makes it) while this one writes finished grids to SQLite.
    // One maker more than there are cores keeps them busy while the writer
    // waits on the disk (on 2 cores, 3 makers seeded a street faster than 2
    // or 4; docs/benchmarks.md); at most 8. Two finished grids wait for the
    // writer at most, so memory stays bounded however many cores there are.
    let makers = std::thread::available_parallelism().map_or(2, |n| n.get().min(7)) + 1;
    device.store.bulk_writes(true)?;
    let made = std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Vec<(Saved, Record)>)>(2);
        for k in 0..makers {
            let tx = tx.clone();
            let (grids, user, actor, hub_actor) = (&grids, &user, &actor, &hub_actor);
            scope.spawn(move || {
                for (n, grid) in grids.iter().enumerate().filter(|(n, _)| n % makers == k) {
                    // Each document is saved to bytes as it is made. Demo
                    // documents have one linear history: no conflicts to look for.
                    let docs = generate_grid_with(
                        grid,
                        seed,
                        now,
                        Some(user),
                        actor,
                        hub_actor,
                        |mut d, r| (Saved::of(&mut d, false), r),
                    );
                    if tx.send((n, docs)).is_err() {
                        break; // the writer stopped on an error
                    }
                }
            });
        }
        drop(tx);
        for (n, mut docs) in rx.iter() {
            if link_leader && n == 0 {
                let linked: Vec<RecordId> = docs
                    .iter()
                    .filter_map(|(_, r)| match r {
                        Record::Household(h) => Some(h.id),
                        _ => None,
                    })
                    .take(GROUP_SIZE)
                    .collect();
                device.identity.user.scope = Scope::Households(linked);
                device.identity.save(&device.store)?;
            }
            let user = device.user().clone();
            let before = docs.len();
            docs.retain(|(_, r)| in_scope(&user, r));
            stats.skipped += before - docs.len();
            stats.grids += 1;
            for (_, r) in &docs {
                match r {
                    Record::Household(h) => {
                        stats.households += 1;
                        stats.residents += h.residents.len();
                    }
                    Record::HouseholdPrivate(_) => stats.private_parts += 1,
                    Record::Visit(_) => stats.visits += 1,
                    Record::Issue(_) => stats.issues += 1,
                    Record::Wish(_) => stats.wishes += 1,
                    Record::Mediation(_) => stats.mediations += 1,
                    Record::MediationPrivate(_) => stats.private_parts += 1,
                    Record::Deliberation(_) => stats.deliberations += 1,
                }
            }
            let (saved, records): (Vec<Saved>, Vec<Record>) = docs.into_iter().unzip();
            device
                .store
                .save_batch(saved.into_iter().zip(&records), Origin::Demo, now)?;
        }
        Ok::<_, crate::Error>(())
    });
    // Durable before "saved" is said, whatever the makers did; the writer's
    // own error, if any, is the one reported.
    let flushed = device.store.bulk_writes(false);
    made?;
    flushed?;
    Ok(stats)
}

/// Whether the device's user may read this record (what a hub would send it).
fn in_scope(user: &User, r: &Record) -> bool {
    check(user, r.kind(), Action::Read, &r.target()).is_ok()
}

//! A revoked device keeps its unsynced work (DESIGN §5): every change the hub
//! has not acknowledged, written to one file an admin reviews and imports on
//! the hub (`gridline hub import-changes`).
//!
//! The file is JSON (`format: "gridline-unsynced"`, `v: 1`): the device id,
//! the user binding it held, the actors that wrote the changes, and per
//! document the Automerge changes since the heads the hub last acknowledged
//! (or the whole document if it never acknowledged any), hex-encoded, and
//! the reveals of ID numbers it has not sent (`reveals`, as a sync sends them). The
//! changes keep their original actor; the hub checks them against the binding
//! it holds for the device, never against what the file says.

use gridline_model::Instant;
use serde::{Deserialize, Serialize};

use crate::{Device, Result};

pub const FORMAT: &str = "gridline-unsynced";
pub const VERSION: u32 = 1;

/// The user binding the device held when it exported (for the reviewer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportUser {
    pub id: String,
    pub name: String,
    pub role: String,
    pub scope: String,
}

/// One document's unsent changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportDoc {
    pub id: String,
    pub kind: String,
    /// The device's heads (hex) after these changes.
    pub heads: Vec<String>,
    /// The heads the hub acknowledged last; empty: `changes` is the whole document.
    pub acked_heads: Vec<String>,
    /// Automerge changes (`save_after(acked_heads)`, or `save()`), hex.
    pub changes: String,
    /// Hex actor ids of the changes in `changes`.
    pub actors: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnsyncedExport {
    pub format: String,
    pub v: u32,
    pub device_id: String,
    /// Every actor that wrote an exported change, and the device's current one.
    pub actors: Vec<String>,
    pub user: ExportUser,
    pub hub_actor: String,
    pub exported_at: String,
    pub docs: Vec<ExportDoc>,
    /// Reveals of ID numbers the hub has not acknowledged (DESIGN §7): the
    /// hub audits them on import as a sync would. Absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reveals: Vec<gridline_sync::RevealEntry>,
}

fn split(heads: &str) -> Vec<String> {
    heads
        .split(',')
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Device {
    /// Every document with changes the hub has not acknowledged (demo and
    /// trial records never sync, so they are not exported). Reads only.
    pub fn export_unsynced(&self, now: Instant) -> Result<UnsyncedExport> {
        let mut docs = Vec::new();
        let mut actors = vec![self.identity.actor_hex()];
        for u in self.store.unsent(usize::MAX)? {
            let mut doc = gridline_records::load(&u.bytes, &self.identity.actor)?;
            let acked: Vec<automerge::ChangeHash> = split(&u.acked_heads)
                .iter()
                .filter_map(|h| h.parse().ok())
                .collect();
            let (changes, mut doc_actors) = if acked.is_empty() {
                let all = doc.get_changes(&[]);
                (
                    doc.save(),
                    all.iter().map(|c| c.actor_id().to_hex_string()).collect(),
                )
            } else {
                let new = doc.get_changes(&acked);
                (
                    doc.save_after(&acked),
                    new.iter()
                        .map(|c| c.actor_id().to_hex_string())
                        .collect::<Vec<_>>(),
                )
            };
            doc_actors.sort();
            doc_actors.dedup();
            // The hub's own changes (a whole document it sent) are not this device's.
            doc_actors.retain(|a| *a != self.identity.hub_actor);
            for a in &doc_actors {
                if !actors.contains(a) {
                    actors.push(a.clone());
                }
            }
            docs.push(ExportDoc {
                id: u.id.to_string(),
                kind: gridline_records::kind_of(&doc)?.key().to_owned(),
                heads: split(&u.heads),
                acked_heads: split(&u.acked_heads),
                changes: hex::encode(changes),
                actors: doc_actors,
            });
        }
        let u = &self.identity.user;
        Ok(UnsyncedExport {
            format: FORMAT.into(),
            v: VERSION,
            device_id: self.identity.device_id.clone(),
            actors,
            user: ExportUser {
                id: u.id.clone(),
                name: u.name.clone(),
                role: u.role.key().into(),
                scope: u.scope.encode(),
            },
            hub_actor: self.identity.hub_actor.clone(),
            exported_at: gridline_records::fmt_time(now),
            docs,
            reveals: self
                .store
                .unsent_reveals(usize::MAX)?
                .into_iter()
                .map(crate::reveal::wire_entry)
                .collect(),
        })
    }
}

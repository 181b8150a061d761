//! Demo data on the hub: the street's synthetic records (made by
//! [`gridline_demo`], deterministic for a seed) stored as the hub's own
//! writes, so enrolled devices can sync a realistic street.
//!
//! Every document, wish grants included, is written as the hub's actor. Ids
//! are deterministic, so seeding again with the same seed overwrites the same
//! documents with the same bytes instead of adding new ones.

use automerge::AutoCommit;
use gridline_demo::{community_name, generate_grid, grid_name, grids_for, Scale};
use gridline_model::{Instant, Scope};
use gridline_records::Record;
use rusqlite::params;

use crate::{Hub, Result};

/// What [`Hub::seed_demo`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub grids: usize,
    pub documents: usize,
    /// Mediation cases among `documents` (their private parts are there too).
    pub mediations: usize,
}

impl Hub {
    /// Seeds the hub's street with demo data: one grid (its first) or all of
    /// its 80 grids, each grid's documents in one transaction, audited with
    /// `admin`. Grids are also added to the `grids` table (第N网格 in
    /// 社区NNN) unless already there.
    pub fn seed_demo(
        &self,
        scale: Scale,
        seed: u64,
        admin: &str,
        now: Instant,
    ) -> Result<SeedReport> {
        let grids = grids_for(&Scope::Street(self.street()?), scale)?;
        let actor = hex::decode(self.actor_hex()).expect("the hub's actor is hex");
        let mut report = SeedReport::default();
        // Two threads make grids (each from its own seeded stream, so the
        // result does not depend on which thread makes it) while this one
        // writes finished grids to SQLite.
        const MAKERS: usize = 2;
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<(AutoCommit, Record)>>(MAKERS);
            for k in 0..MAKERS {
                let tx = tx.clone();
                let (grids, actor) = (&grids, &actor);
                scope.spawn(move || {
                    for grid in grids.iter().skip(k).step_by(MAKERS) {
                        let docs = generate_grid(grid, seed, now, None, actor, actor);
                        if tx.send(docs).is_err() {
                            break; // the writer stopped on an error
                        }
                    }
                });
            }
            drop(tx);
            for mut docs in rx.iter() {
                let Some(grid) = docs.first().map(|(_, r)| r.grid().clone()) else {
                    continue;
                };
                let cases: Vec<String> = docs
                    .iter()
                    .filter(|(_, r)| matches!(r, Record::Mediation(_)))
                    .map(|(_, r)| r.doc_id().to_string())
                    .collect();
                let held = self.held(&cases)?;
                report.documents += self.put_own(&mut docs, admin, now)?;
                report.mediations += cases.len() - held;
                self.conn().execute(
                    "INSERT OR IGNORE INTO grids (id, name, community_name) VALUES (?1, ?2, ?3)",
                    params![
                        grid.as_str(),
                        grid_name(&grid),
                        community_name(&grid.community())
                    ],
                )?;
                report.grids += 1;
            }
            Ok::<_, crate::Error>(())
        })?;
        Ok(report)
    }

    /// How many of these documents the hub already holds.
    fn held(&self, ids: &[String]) -> Result<usize> {
        let conn = self.conn();
        let mut st = conn.prepare_cached("SELECT count(*) FROM documents WHERE id = ?1")?;
        let mut n = 0;
        for id in ids {
            n += st.query_row([id], |r| r.get::<_, i64>(0))? as usize;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Instant {
        chrono::DateTime::parse_from_rfc3339("2025-06-01T08:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc)
    }

    fn heads(hub: &Hub) -> Vec<(String, String)> {
        let conn = hub.conn();
        let mut st = conn
            .prepare("SELECT id, heads FROM documents ORDER BY id")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn a_demo_grid_is_written_as_the_hub_and_seeding_again_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let hub = Hub::init(dir.path(), "522701001", "测试街道").unwrap();
        let report = hub.seed_demo(Scale::Grid, 7, "admin", now()).unwrap();
        let per_grid = gridline_demo::DOCUMENTS_PER_GRID;
        assert_eq!(
            report,
            SeedReport {
                grids: 1,
                documents: per_grid,
                mediations: gridline_demo::MEDIATIONS_PER_GRID,
            }
        );
        assert_eq!(hub.document_count().unwrap(), per_grid as u64);
        let grids: Vec<(String, String, String)> = {
            let conn = hub.conn();
            let mut st = conn
                .prepare("SELECT id, name, community_name FROM grids")
                .unwrap();
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        assert_eq!(
            grids,
            vec![(
                "522701001001001".to_owned(),
                "第1网格".to_owned(),
                "社区001".to_owned()
            )]
        );
        // Every change of every document, grants included, is the hub's.
        let hub_hex = hub.actor_hex();
        let bytes: Vec<Vec<u8>> = {
            let conn = hub.conn();
            let mut st = conn
                .prepare("SELECT bytes FROM documents WHERE kind = 'wish'")
                .unwrap();
            st.query_map([], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        assert_eq!(bytes.len(), 300);
        for b in &bytes {
            let mut doc = AutoCommit::load(b).unwrap();
            assert!(doc
                .get_changes(&[])
                .iter()
                .all(|c| c.actor_id().to_hex_string() == hub_hex));
            let wish = gridline_records::wish::read(&doc).unwrap();
            assert!(wish
                .state(Some(&hub_hex))
                .outcomes
                .iter()
                .all(|o| o.refused.is_none()));
        }
        // The cases and their private parts are stored, each case folding
        // with nothing refused.
        let kind_bytes = |kind: &str| -> Vec<Vec<u8>> {
            let conn = hub.conn();
            let mut st = conn
                .prepare("SELECT bytes FROM documents WHERE kind = ?1")
                .unwrap();
            st.query_map([kind], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        let cases = kind_bytes("mediation");
        assert_eq!(cases.len(), gridline_demo::MEDIATIONS_PER_GRID);
        assert_eq!(
            kind_bytes("mediation-private").len(),
            cases.len(),
            "each case with its private part"
        );
        for b in &cases {
            let case = gridline_records::mediation::read(&AutoCommit::load(b).unwrap()).unwrap();
            assert!(
                case.state().outcomes.iter().all(|o| o.refused.is_none()),
                "{}: {:?}",
                case.id,
                case.state().outcomes
            );
        }
        let before = heads(&hub);
        let again = hub.seed_demo(Scale::Grid, 7, "admin", now()).unwrap();
        assert_eq!(
            again,
            SeedReport {
                grids: 1,
                ..Default::default()
            },
            "seeding again writes nothing: existing documents are kept as they are"
        );
        assert_eq!(
            hub.document_count().unwrap(),
            per_grid as u64,
            "not duplicated"
        );
        assert_eq!(heads(&hub), before, "the same documents, byte for byte");
        let n: i64 = hub
            .conn()
            .query_row("SELECT count(*) FROM grids", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }
}

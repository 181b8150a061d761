//! Importing a community office's household spreadsheet into the hub.
//!
//! The file (xlsx, xls, ods or CSV) is read by `gridline_office::import`,
//! the same reader the device imports with, so both refuse the same rows.
//!
//! Communities and grids are matched by name; new ones get the next division
//! code in the street. Each household becomes a household document and a
//! household-private document (ID number, sensitive tags), written by the
//! hub's actor and audited with the admin who asked, all in one transaction:
//! a file with any bad row imports nothing.

use gridline_model::text;
use std::collections::BTreeMap;

use automerge::AutoCommit;
use gridline_model::{Address, CommunityCode, GridId, Instant, RecordId};
use gridline_records::{household, private, Record};
use rusqlite::{params, OptionalExtension};

use crate::{import, put_own_tx, Error, Hub, Result};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Households created (with `dry_run`: that would be).
    pub households: usize,
    /// Rows already on the hub (same grid and address), left as they are.
    pub skipped: usize,
    pub grids: usize,
    pub communities: usize,
    /// The workbook's sheets (empty for CSV) and the one read.
    pub sheets: Vec<String>,
    pub sheet: Option<String>,
    /// Nothing was kept: the counts say what importing would do.
    pub dry_run: bool,
}

/// The same household (grid and address) always gets the same id, so
/// importing a file twice does not duplicate anyone. The id is an HMAC of
/// the grid and address under a key only this hub holds (`meta.id_key`), so
/// an id seen in a log or on the wire says nothing about an address.
fn household_id(key: &[u8], grid: &GridId, address: &Address) -> RecordId {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(address_key(grid, address).as_bytes());
    let out = mac.finalize().into_bytes();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&out[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// The id hubs derived before the keyed one: anyone could compute it from an
/// address. Households imported then keep it; a re-import still finds them.
fn legacy_household_id(grid: &GridId, address: &Address) -> RecordId {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        address_key(grid, address).as_bytes(),
    )
}

fn address_key(grid: &GridId, address: &Address) -> String {
    format!(
        "{grid}|{}|{}|{}|{}",
        address.compound, address.building, address.unit, address.room
    )
}

/// The hub's key for household ids, made on first use.
fn id_key(tx: &rusqlite::Transaction<'_>) -> Result<Vec<u8>> {
    let stored: Option<String> = tx
        .query_row("SELECT value FROM meta WHERE key = 'id_key'", [], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(k) = stored {
        return hex::decode(&k).map_err(|_| {
            Error::Damaged(text!(
                "枢纽的编号密钥已损坏；请从备份恢复 hub.db",
                "the hub's id key is damaged; restore hub.db from a backup"
            ))
        });
    }
    // 32 bytes from the OS's random source (UUID v4s are 122 random bits each).
    let key: Vec<u8> = (0..2)
        .flat_map(|_| *uuid::Uuid::new_v4().as_bytes())
        .collect();
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('id_key', ?1)",
        [hex::encode(&key)],
    )?;
    Ok(key)
}

impl Hub {
    /// The first sheet with a header, kept: what `gridline hub import`
    /// did before workbooks were read.
    pub fn import_households(
        &self,
        bytes: &[u8],
        admin: &str,
        now: Instant,
    ) -> Result<ImportReport> {
        self.import_roster(bytes, None, false, admin, now)
    }

    /// Imports a roster from any format an office saves, from `sheet` (or
    /// the first sheet with a header); with `dry_run` every check runs and
    /// the counts come back, but the transaction is rolled back.
    pub fn import_roster(
        &self,
        bytes: &[u8],
        sheet: Option<&str>,
        dry_run: bool,
        admin: &str,
        now: Instant,
    ) -> Result<ImportReport> {
        let roster = import::read(bytes, sheet, now.date_naive())
            .map_err(|refused| Error::Import(import::summary(&refused.errors)))?;
        let rows = roster.rows;
        let street = self.street()?;
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let id_key = id_key(&tx)?;
        // Known grids and communities, by name.
        let mut grids: BTreeMap<(String, String), GridId> = BTreeMap::new();
        let mut communities: BTreeMap<String, CommunityCode> = BTreeMap::new();
        {
            let mut st = tx.prepare("SELECT id, name, community_name FROM grids")?;
            let mut q = st.query([])?;
            while let Some(r) = q.next()? {
                let (id, name, community): (String, String, String) =
                    (r.get(0)?, r.get(1)?, r.get(2)?);
                let g = GridId::parse(&id)?;
                communities.insert(community.clone(), g.community());
                grids.insert((community, name), g);
            }
        }
        let mut report = ImportReport {
            sheets: roster.sheets,
            sheet: roster.sheet,
            dry_run,
            ..ImportReport::default()
        };
        let mut docs: Vec<(AutoCommit, Record)> = Vec::new();
        for row in rows {
            let community = match communities.get(&row.community_name) {
                Some(c) => c.clone(),
                None => {
                    let c = CommunityCode::parse(&format!("{street}{:03}", communities.len() + 1))?;
                    communities.insert(row.community_name.clone(), c.clone());
                    report.communities += 1;
                    c
                }
            };
            let key = (row.community_name.clone(), row.grid_name.clone());
            let grid = match grids.get(&key) {
                Some(g) => g.clone(),
                None => {
                    let n = grids
                        .values()
                        .filter(|g| g.community() == community)
                        .count() as u16
                        + 1;
                    let g = GridId::new(&community, n);
                    tx.execute(
                        "INSERT INTO grids (id, name, community_name) VALUES (?1, ?2, ?3)",
                        params![g.as_str(), row.grid_name, row.community_name],
                    )?;
                    grids.insert(key, g.clone());
                    report.grids += 1;
                    g
                }
            };
            let address = Address {
                compound: row.compound.clone(),
                building: row.building.clone(),
                unit: row.unit.clone(),
                room: row.room.clone(),
            };
            let id = household_id(&id_key, &grid, &address);
            let exists: i64 = tx.query_row(
                "SELECT count(*) FROM documents WHERE id IN (?1, ?2)",
                [
                    id.to_string(),
                    legacy_household_id(&grid, &address).to_string(),
                ],
                |r| r.get(0),
            )?;
            if exists > 0 {
                report.skipped += 1;
                continue;
            }
            let head_id = uuid::Uuid::new_v5(&id, b"head");
            let (h, p) = row.household(id, head_id, grid, address);
            let mut d = self.new_doc();
            household::create(&mut d, &h, now)?;
            docs.push((d, Record::Household(h)));
            let mut d = self.new_doc();
            private::create(&mut d, &p, now)?;
            docs.push((d, Record::HouseholdPrivate(p)));
            report.households += 1;
        }
        put_own_tx(&tx, &mut docs, admin, now)?;
        if !dry_run {
            tx.commit()?;
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    const XLS: &[u8] = include_bytes!("../../office/tests/fixtures/roster-sample.xls");
    const TWO_SHEETS: &[u8] = include_bytes!("../../office/tests/fixtures/roster-two-sheets.xlsx");

    fn now() -> gridline_model::Instant {
        Utc.with_ymd_and_hms(2026, 11, 28, 6, 0, 0).unwrap()
    }

    #[test]
    fn a_workbook_imports_like_its_csv_and_a_dry_run_keeps_nothing() {
        let (_dir, hub) = gridline_test_support::hub();
        let preview = hub
            .import_roster(TWO_SHEETS, None, true, "admin", now())
            .unwrap();
        assert_eq!(
            (
                preview.households,
                preview.sheet.as_deref(),
                preview.dry_run
            ),
            (4, Some("住户"), true),
            "the dry run counts the roster sheet's four households"
        );
        let kept = hub
            .import_roster(TWO_SHEETS, Some("住户"), false, "admin", now())
            .unwrap();
        assert_eq!(
            kept.households, 4,
            "the dry run kept nothing, so all four are new now"
        );
        let xls = hub.import_roster(XLS, None, false, "admin", now()).unwrap();
        assert_eq!(
            (xls.households, xls.skipped),
            (20, 4),
            "the xls holds the sample's 24; the four already imported are skipped"
        );
        let err = hub
            .import_roster(TWO_SHEETS, Some("Sheet1"), false, "admin", now())
            .expect_err("no such sheet");
        assert!(
            err.to_string().contains("说明、住户"),
            "the refusal lists the sheets: {err}"
        );
    }
}

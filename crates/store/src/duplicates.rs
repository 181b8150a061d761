//! What finding likely duplicate households reads from the projection: one
//! row per household with its address parts and its head, and the private
//! parts' bytes for roles that hold them. No document is loaded for the
//! address and head checks, so a whole street is one scan.

use gridline_model::permission::Kind;

use crate::{Result, Store};

/// One household as duplicate detection compares it.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateCandidate {
    pub id: String,
    pub grid: String,
    pub compound: String,
    pub building: String,
    pub unit: String,
    pub room: String,
    pub address: String,
    pub head_name: String,
    /// The head's birth date (`YYYY-MM-DD`), when the head has one.
    pub head_birth_date: Option<String>,
}

/// One resident of a household not merged away.
#[derive(Debug, Clone, PartialEq)]
pub struct ResidentCandidate {
    pub id: String,
    pub household_id: String,
    pub name: String,
    pub birth_date: Option<String>,
}

impl Store {
    /// Every resident whose household is not merged into another, in one
    /// pass over the projection: who may be entered twice.
    pub fn resident_candidates(&self) -> Result<Vec<ResidentCandidate>> {
        let mut st = self.conn.prepare_cached(
            "SELECT r.id, r.household_id, r.name, r.birth_date FROM residents r
              WHERE r.household_id NOT IN (SELECT household_id FROM household_survivors)
              ORDER BY r.id",
        )?;
        let rows = st
            .query_map([], |r| {
                Ok(ResidentCandidate {
                    id: r.get(0)?,
                    household_id: r.get(1)?,
                    name: r.get(2)?,
                    birth_date: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Every household with its head's birth date, in one pass over the
    /// projection (a head is the resident whose relation is 户主).
    pub fn duplicate_candidates(&self) -> Result<Vec<DuplicateCandidate>> {
        let mut st = self.conn.prepare_cached(
            "SELECT h.id, h.grid, h.compound, h.building, h.unit, h.room, h.address, h.head_name,
                    (SELECT r.birth_date FROM residents r
                      WHERE r.household_id = h.id AND r.relation = '户主' LIMIT 1)
               FROM households h
              WHERE h.id NOT IN (SELECT household_id FROM household_survivors)
              ORDER BY h.id",
        )?;
        let rows = st
            .query_map([], |r| {
                Ok(DuplicateCandidate {
                    id: r.get(0)?,
                    grid: r.get(1)?,
                    compound: r.get(2)?,
                    building: r.get(3)?,
                    unit: r.get(4)?,
                    room: r.get(5)?,
                    address: r.get(6)?,
                    head_name: r.get(7)?,
                    head_birth_date: r.get(8)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The bytes of every household-private document held here, for the
    /// ID-number check of roles that may read them (others never hold one).
    pub fn private_documents(&self) -> Result<Vec<Vec<u8>>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT bytes FROM documents WHERE kind = ?1")?;
        let rows = st
            .query_map([Kind::HouseholdPrivate.key()], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }
}

//! The household-private document: ID numbers and sensitive tags, kept apart
//! so that roles that may not see them never receive them.
//!
//! ```text
//! { kind: "household-private", v: 1, id: <household id>, grid,
//!   id_numbers: { <resident id>: "5227…" }, tags: { 低保户: true, … } }
//! ```

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ReadDoc, ROOT};
use gridline_model::id_number::parse_id_number;
use gridline_model::{GridId, HouseholdPrivate, Instant};

use crate::fields::*;
use crate::{Error, Result};

pub const KIND: &str = "household-private";

/// The private document's own id is derived from the household's, so both
/// replicas that create it offline still name the same record.
pub fn doc_id(household: uuid::Uuid) -> uuid::Uuid {
    uuid::Uuid::new_v5(&household, b"household-private")
}

pub fn create(doc: &mut AutoCommit, p: &HouseholdPrivate, at: Instant) -> Result<()> {
    let mut ids = Fields::new(doc);
    for (rid, n) in &p.id_numbers {
        ids.str(&rid.to_string(), n.as_str());
    }
    let mut f = Fields::header(doc, KIND, doc_id(p.household));
    f.str("household", &p.household.to_string())
        .str("grid", p.grid.as_str())
        .value("id_numbers", ids.into_value())
        .tags("tags", &p.sensitive_tags);
    f.write_root(doc)?;
    commit(doc, at);
    Ok(())
}

pub fn update(doc: &mut AutoCommit, p: &HouseholdPrivate, at: Instant) -> Result<()> {
    expect_kind(doc, KIND)?;
    write(doc, p)?;
    commit(doc, at);
    Ok(())
}

fn write(doc: &mut AutoCommit, p: &HouseholdPrivate) -> Result<()> {
    put_str(doc, &ROOT, "grid", p.grid.as_str())?;
    let ids = map_at(doc, &ROOT, "id_numbers")?;
    let have: Vec<String> = doc.keys(&ids).collect();
    for k in have {
        if !p.id_numbers.keys().any(|r| r.to_string() == k) {
            doc.delete(&ids, k.as_str())?;
        }
    }
    for (rid, n) in &p.id_numbers {
        put_str(doc, &ids, &rid.to_string(), n.as_str())?;
    }
    put_tags(doc, &ROOT, "tags", &p.sensitive_tags)
}

pub fn read(doc: &AutoCommit) -> Result<HouseholdPrivate> {
    expect_kind(doc, KIND)?;
    let mut id_numbers = std::collections::BTreeMap::new();
    if let Some(ids) = opt_map(doc, &ROOT, "id_numbers")? {
        for k in doc.keys(&ids) {
            let rid = uuid::Uuid::parse_str(&k)
                .map_err(|_| Error::shape("id_numbers", format!("not a uuid key: {k:?}")))?;
            let n = req_str(doc, &ids, &k)?;
            id_numbers.insert(rid, parse_id_number(&n, "id_number")?);
        }
    }
    Ok(HouseholdPrivate {
        household: req_uuid(doc, &ROOT, "household")?,
        grid: GridId::parse(&req_str(doc, &ROOT, "grid")?)?,
        id_numbers,
        sensitive_tags: read_tags(doc, &ROOT, "tags")?,
    })
}

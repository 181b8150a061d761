//! The household document: address, phone, ordinary tags, residents, notes.
//!
//! ```text
//! { kind: "household", v: 1, id, grid, compound, building, unit, room, phone?,
//!   lat?, lon?, tags: { 独居老人: true, … }, notes: Text,
//!   residents: { <resident id>: { name, gender?, birth_date?, relation, phone?, tags: {…} } } }
//! ```

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ReadDoc, ROOT};
use chrono::NaiveDate;
use gridline_model::phone::parse_mobile;
use gridline_model::{Address, Gender, GridId, Household, Instant, Relation, Resident};

use crate::fields::*;
use crate::{Error, Result};

pub const KIND: &str = "household";

pub fn create(doc: &mut AutoCommit, h: &Household, at: Instant) -> Result<()> {
    let mut residents = Fields::new(doc);
    for r in &h.residents {
        let mut f = Fields::new(doc);
        f.str("name", &r.name)
            .opt("gender", r.gender.map(Gender::key))
            .opt("birth_date", r.birth_date.map(|d| d.to_string()).as_deref())
            .str("relation", r.relation.key())
            .opt("phone", r.phone.as_ref().map(|p| p.as_str()))
            .tags("tags", &r.tags);
        residents.value(&r.id.to_string(), f.into_value());
    }
    let mut f = Fields::header(doc, KIND, h.id);
    f.str("grid", h.grid.as_str())
        .str("compound", &h.address.compound)
        .str("building", &h.address.building)
        .str("unit", &h.address.unit)
        .str("room", &h.address.room)
        .opt("phone", h.phone.as_ref().map(|p| p.as_str()))
        .opt("lat", h.location.map(|l| l.0.to_string()).as_deref())
        .opt("lon", h.location.map(|l| l.1.to_string()).as_deref())
        .tags("tags", &h.tags)
        .text("notes", &h.notes)
        .value("residents", residents.into_value());
    f.write_root(doc)?;
    commit(doc, at);
    Ok(())
}

/// Writes only the fields that differ from the document, in one change.
pub fn update(doc: &mut AutoCommit, h: &Household, at: Instant) -> Result<()> {
    expect_kind(doc, KIND)?;
    write(doc, h)?;
    commit(doc, at);
    Ok(())
}

fn write(doc: &mut AutoCommit, h: &Household) -> Result<()> {
    put_str(doc, &ROOT, "grid", h.grid.as_str())?;
    put_str(doc, &ROOT, "compound", &h.address.compound)?;
    put_str(doc, &ROOT, "building", &h.address.building)?;
    put_str(doc, &ROOT, "unit", &h.address.unit)?;
    put_str(doc, &ROOT, "room", &h.address.room)?;
    put_opt_str(doc, &ROOT, "phone", h.phone.as_ref().map(|p| p.as_str()))?;
    put_opt_str(
        doc,
        &ROOT,
        "lat",
        h.location.map(|l| l.0.to_string()).as_deref(),
    )?;
    put_opt_str(
        doc,
        &ROOT,
        "lon",
        h.location.map(|l| l.1.to_string()).as_deref(),
    )?;
    put_tags(doc, &ROOT, "tags", &h.tags)?;
    put_text(doc, &ROOT, "notes", &h.notes)?;
    let rs = map_at(doc, &ROOT, "residents")?;
    let have: Vec<String> = doc.keys(&rs).collect();
    for k in have {
        if !h.residents.iter().any(|r| r.id.to_string() == k) {
            doc.delete(&rs, k.as_str())?;
        }
    }
    for r in &h.residents {
        let m = map_at(doc, &rs, &r.id.to_string())?;
        write_resident(doc, &m, r)?;
    }
    Ok(())
}

fn write_resident(doc: &mut AutoCommit, m: &ObjId, r: &Resident) -> Result<()> {
    put_str(doc, m, "name", &r.name)?;
    put_opt_str(doc, m, "gender", r.gender.map(Gender::key))?;
    put_opt_str(
        doc,
        m,
        "birth_date",
        r.birth_date.map(|d| d.to_string()).as_deref(),
    )?;
    put_str(doc, m, "relation", r.relation.key())?;
    put_opt_str(doc, m, "phone", r.phone.as_ref().map(|p| p.as_str()))?;
    put_tags(doc, m, "tags", &r.tags)
}

pub fn read(doc: &AutoCommit) -> Result<Household> {
    expect_kind(doc, KIND)?;
    let grid = GridId::parse(&req_str(doc, &ROOT, "grid")?)?;
    let phone = opt_str(doc, &ROOT, "phone")?
        .map(|p| parse_mobile(&p, "phone"))
        .transpose()?;
    let location = match (opt_str(doc, &ROOT, "lat")?, opt_str(doc, &ROOT, "lon")?) {
        (Some(a), Some(b)) => Some((
            a.parse().map_err(|_| Error::shape("lat", "not a number"))?,
            b.parse().map_err(|_| Error::shape("lon", "not a number"))?,
        )),
        _ => None,
    };
    let mut residents = Vec::new();
    if let Some(rs) = opt_map(doc, &ROOT, "residents")? {
        for key in doc.keys(&rs) {
            let m = opt_map(doc, &rs, &key)?
                .ok_or_else(|| Error::shape("residents", "expected a map"))?;
            residents.push(read_resident(doc, &m, &key)?);
        }
    }
    // Head first, then by id (v7 ids sort by when the resident was added).
    residents.sort_by_key(|r| (r.relation != Relation::Head, r.id));
    Ok(Household {
        id: req_uuid(doc, &ROOT, "id")?,
        grid,
        address: Address {
            compound: opt_str(doc, &ROOT, "compound")?.unwrap_or_default(),
            building: req_str(doc, &ROOT, "building")?,
            unit: opt_str(doc, &ROOT, "unit")?.unwrap_or_default(),
            room: req_str(doc, &ROOT, "room")?,
        },
        phone,
        tags: read_tags(doc, &ROOT, "tags")?,
        residents,
        notes: opt_str(doc, &ROOT, "notes")?.unwrap_or_default(),
        location,
    })
}

fn read_resident(doc: &AutoCommit, m: &ObjId, key: &str) -> Result<Resident> {
    let id = uuid::Uuid::parse_str(key)
        .map_err(|_| Error::shape("residents", format!("not a uuid key: {key:?}")))?;
    Ok(Resident {
        id,
        name: req_str(doc, m, "name")?,
        gender: opt_str(doc, m, "gender")?
            .map(|g| Gender::parse(&g))
            .transpose()?,
        birth_date: opt_str(doc, m, "birth_date")?
            .map(|d| {
                NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                    .map_err(|_| Error::shape("birth_date", format!("not a date: {d:?}")))
            })
            .transpose()?,
        relation: Relation::parse(&req_str(doc, m, "relation")?)?,
        phone: opt_str(doc, m, "phone")?
            .map(|p| parse_mobile(&p, "phone"))
            .transpose()?,
        tags: read_tags(doc, m, "tags")?,
    })
}

//! The household document: address, phone, ordinary tags, residents, notes.
//!
//! ```text
//! { kind: "household", v: 1, id, grid, compound, building, unit, room, phone?,
//!   lat?, lon?, tags: { 独居老人: true, … }, notes: Text,
//!   residents: { <resident id>: { name, gender?, birth_date?, relation, phone?, tags: {…} } },
//!   events?: [ { id, at, user, role, unit, step: merge | unmerge, into?, into_grid?, reason } ] }
//! ```
//!
//! `events` holds the household's merges ([`gridline_model::merge`]): who
//! merged it into which survivor, or undid that. They are read apart from
//! [`read`] ([`read_merges`]), because a household's fields and residents are
//! what every other layer edits, while the merge is an append-only authored
//! history the hub checks like an issue's steps (the generic event checks of
//! `gridline_sync::check` read this same `events` list). A new household is
//! written with an empty list, so two devices that merge it offline append to
//! one list instead of each creating its own (Automerge would keep only one
//! of two concurrently created lists at the key); for an older document
//! without one, [`read_merges`] reads every conflicting list.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ReadDoc, ROOT};
use chrono::NaiveDate;
use gridline_model::phone::parse_mobile;
use gridline_model::{
    Address, Gender, GridId, Household, Instant, MergeEvent, MergeStep, Relation, Resident,
};

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
        .value("residents", residents.into_value())
        .list("events", Vec::new());
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

/// Appends one merge or unmerge event as its own change (the list is made
/// first on a document written before households had one).
pub fn push_merge_event(doc: &mut AutoCommit, e: &MergeEvent) -> Result<()> {
    expect_kind(doc, KIND)?;
    let list = match opt_list(doc, &ROOT, "events")? {
        Some(l) => l,
        None => doc.put_object(&ROOT, "events", automerge::ObjType::List)?,
    };
    let mut f = Fields::new(doc);
    f.str("id", &e.id.to_string())
        .str("at", &fmt_time(e.at))
        .author(&e.author)
        .str("step", e.step.key())
        .str("reason", e.step.reason());
    if let MergeStep::Merge {
        into, into_grid, ..
    } = &e.step
    {
        f.str("into", &into.to_string())
            .str("into_grid", into_grid.as_str());
    }
    let value = f.into_value();
    doc.batch_create_object(&list, doc.length(&list), &value, true)?;
    commit(doc, e.at);
    Ok(())
}

/// The household's merge events, from every conflicting `events` list (see
/// the module docs), each once.
pub fn read_merges(doc: &AutoCommit) -> Result<Vec<MergeEvent>> {
    let mut out: Vec<MergeEvent> = Vec::new();
    for (value, list) in doc.get_all(&ROOT, "events")? {
        if !matches!(value, automerge::Value::Object(automerge::ObjType::List)) {
            return Err(Error::shape("events", "expected a list of maps"));
        }
        for i in 0..doc.length(&list) {
            let Some((automerge::Value::Object(automerge::ObjType::Map), m)) = doc.get(&list, i)?
            else {
                return Err(Error::shape("events", "expected a list of maps"));
            };
            let actor = match &m {
                ObjId::Id(_, actor, _) => actor.to_hex_string(),
                ObjId::Root => String::new(),
            };
            let e = read_merge(doc, &m, actor)?;
            if !out.iter().any(|o| o.id == e.id) {
                out.push(e);
            }
        }
    }
    Ok(out)
}

/// [`read_merges`] for any document: none unless it is a household whose
/// events read (the hub refuses a household whose events do not, so only a
/// damaged copy lacks them).
pub fn merges_of(doc: &AutoCommit) -> Vec<MergeEvent> {
    if expect_kind(doc, KIND).is_err() {
        return Vec::new();
    }
    read_merges(doc).unwrap_or_default()
}

fn read_merge(doc: &AutoCommit, m: &ObjId, actor: String) -> Result<MergeEvent> {
    let reason = opt_str(doc, m, "reason")?.unwrap_or_default();
    let step = match req_str(doc, m, "step")?.as_str() {
        "merge" => MergeStep::Merge {
            into: req_uuid(doc, m, "into")?,
            into_grid: GridId::parse(&req_str(doc, m, "into_grid")?)?,
            reason,
        },
        "unmerge" => MergeStep::Unmerge { reason },
        other => {
            return Err(Error::shape(
                "events",
                format!("unknown household step {other:?}"),
            ))
        }
    };
    Ok(MergeEvent {
        id: req_uuid(doc, m, "id")?,
        at: req_time(doc, m, "at")?,
        author: crate::visit::read_author(doc, m)?,
        actor,
        step,
    })
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

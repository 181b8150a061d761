//! Photo references on any record (DESIGN §9): a root list, only appended to.
//!
//! ```text
//! { …, photos: [ { hash, size, mime, thumb, thumb_size, taken_at, caption, step, by } ] }
//! ```
//!
//! The same list on every kind that takes photos (issue, visit, wish,
//! mediation case); each entry says the step it is evidence of. Sizes are
//! decimal strings, like every short field. Two devices adding photos at
//! once both keep theirs (list inserts merge). The bytes are never here.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ReadDoc, ROOT};
use gridline_model::{Instant, PhotoRef, PhotoStep};

use crate::fields::*;
use crate::{Error, Result};

pub const KEY: &str = "photos";

/// Appends `photos` to the record's list, as one change stamped `at`.
/// Nothing is written for an empty list.
pub fn add(doc: &mut AutoCommit, photos: &[PhotoRef], at: Instant) -> Result<()> {
    if photos.is_empty() {
        return Ok(());
    }
    let list = match doc.get(&ROOT, KEY)? {
        Some((automerge::Value::Object(ObjType::List), id)) => id,
        Some(_) => return Err(Error::shape(KEY, "expected a list")),
        None => doc.put_object(&ROOT, KEY, ObjType::List)?,
    };
    for p in photos {
        let value = entry(doc, p);
        doc.batch_create_object(&list, doc.length(&list), &value, true)?;
    }
    commit(doc, at);
    Ok(())
}

fn entry(doc: &AutoCommit, p: &PhotoRef) -> automerge::hydrate::Value {
    let mut f = Fields::new(doc);
    f.str("hash", &p.hash)
        .str("size", &p.size.to_string())
        .str("mime", &p.mime)
        .str("thumb", &p.thumb)
        .str("thumb_size", &p.thumb_size.to_string())
        .str("taken_at", &fmt_time(p.taken_at))
        .str("caption", &p.caption)
        .str("step", p.step.key())
        .str("by", &p.by);
    f.into_value()
}

/// Every `photos` list the document holds. Two devices adding the first
/// photos to a record at once each make a list; Automerge keeps both, one
/// of them hidden as a conflict. Both are evidence, so both are read.
fn lists(doc: &AutoCommit) -> Result<Vec<ObjId>> {
    let mut out = Vec::new();
    for (v, id) in doc.get_all(&ROOT, KEY)? {
        match v {
            automerge::Value::Object(ObjType::List) => out.push(id),
            _ => return Err(Error::shape(KEY, "expected a list")),
        }
    }
    Ok(out)
}

/// The record's photo references in list order (none for a record
/// without): the winning list first, then any concurrent one, each photo
/// once (the same picture added at once by two devices is one photo).
pub fn read(doc: &AutoCommit) -> Result<Vec<PhotoRef>> {
    let mut out: Vec<PhotoRef> = Vec::new();
    for p in read_every_entry(doc)? {
        if !out.iter().any(|q| q.hash == p.hash) {
            out.push(p);
        }
    }
    Ok(out)
}

/// Every entry of every `photos` list, repeats included: what the hub
/// compares with what it held, so that evidence is never taken back.
pub fn read_every_entry(doc: &AutoCommit) -> Result<Vec<PhotoRef>> {
    let mut out = Vec::new();
    for list in lists(doc)? {
        for i in 0..doc.length(&list) {
            match doc.get(&list, i)? {
                Some((automerge::Value::Object(ObjType::Map), m)) => out.push(read_entry(doc, &m)?),
                _ => return Err(Error::shape(KEY, "expected a list of maps")),
            }
        }
    }
    Ok(out)
}

fn read_entry(doc: &AutoCommit, m: &ObjId) -> Result<PhotoRef> {
    let number = |k: &str| -> Result<u64> {
        let s = req_str(doc, m, k)?;
        s.parse()
            .map_err(|_| Error::shape(k, format!("not a size: {s:?}")))
    };
    Ok(PhotoRef {
        hash: req_str(doc, m, "hash")?,
        size: number("size")?,
        mime: req_str(doc, m, "mime")?,
        thumb: req_str(doc, m, "thumb")?,
        thumb_size: number("thumb_size")?,
        taken_at: req_time(doc, m, "taken_at")?,
        caption: opt_str(doc, m, "caption")?.unwrap_or_default(),
        step: PhotoStep::parse(&req_str(doc, m, "step")?)?,
        by: req_str(doc, m, "by")?,
    })
}

/// Every blob hash the record references (photos and thumbnails), without
/// reading the rest of the entries: what the hub indexes to decide who may
/// fetch a blob. Empty for a record without photos, at the cost of one lookup.
pub fn blob_hashes(doc: &AutoCommit) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for list in lists(doc)? {
        for i in 0..doc.length(&list) {
            if let Some((automerge::Value::Object(ObjType::Map), m)) = doc.get(&list, i)? {
                for k in ["hash", "thumb"] {
                    if let Some(h) = opt_str(doc, &m, k)? {
                        out.push(h);
                    }
                }
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn photo(n: u64, by: &str) -> PhotoRef {
        PhotoRef {
            hash: format!("{:064x}", 0xabc0 + n),
            size: 200_000 + n,
            mime: gridline_model::photo::JPEG.into(),
            thumb: format!("{:064x}", 0xdef0 + n),
            thumb_size: 9_000,
            taken_at: chrono::Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap(),
            caption: format!("第{n}张"),
            step: PhotoStep::Report,
            by: by.into(),
        }
    }

    #[test]
    fn references_round_trip_and_concurrent_additions_both_stay() {
        let at = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        let mut a = crate::new_doc(&[1; 16]);
        add(&mut a, &[photo(1, "gw-1")], at).unwrap();
        assert_eq!(read(&a).unwrap(), vec![photo(1, "gw-1")]);
        let mut b = a.fork().with_actor(automerge::ActorId::from(vec![2u8; 16]));
        add(&mut a, &[photo(2, "gw-1")], at).unwrap();
        add(&mut b, &[photo(3, "cs-1"), photo(4, "cs-1")], at).unwrap();
        a.merge(&mut b).unwrap();
        let mut hashes: Vec<_> = read(&a)
            .unwrap()
            .into_iter()
            .map(|p| p.size - 200_000)
            .collect();
        hashes.sort();
        assert_eq!(hashes, vec![1, 2, 3, 4]);
        assert_eq!(blob_hashes(&a).unwrap().len(), 8);
        add(&mut a, &[], at).unwrap();
        assert_eq!(read(&a).unwrap().len(), 4);
    }

    #[test]
    fn first_photos_added_at_once_by_two_devices_both_stay() {
        let at = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        let mut a = crate::new_doc(&[1; 16]);
        a.put(ROOT, "kind", "issue").unwrap();
        a.commit();
        let mut b = a.fork().with_actor(automerge::ActorId::from(vec![2u8; 16]));
        // Neither has a list yet: each makes its own.
        add(&mut a, &[photo(1, "gw-1")], at).unwrap();
        add(&mut b, &[photo(2, "cs-1"), photo(1, "cs-1")], at).unwrap();
        let mut ab = a.clone();
        ab.merge(&mut b.clone()).unwrap();
        let mut ba = b.clone();
        ba.merge(&mut a.clone()).unwrap();
        for merged in [&ab, &ba] {
            let mut sizes: Vec<_> = read(merged)
                .unwrap()
                .into_iter()
                .map(|p| p.size - 200_000)
                .collect();
            sizes.sort();
            assert_eq!(
                sizes,
                vec![1, 2],
                "both devices' photos, the shared one once"
            );
            assert_eq!(blob_hashes(merged).unwrap().len(), 4);
        }
        // Adding after the merge keeps everything.
        add(&mut ab, &[photo(3, "gw-1")], at).unwrap();
        assert_eq!(read(&ab).unwrap().len(), 3);
    }

    #[test]
    fn a_record_without_photos_has_none() {
        let doc = crate::new_doc(&[1; 16]);
        assert!(read(&doc).unwrap().is_empty());
        assert!(blob_hashes(&doc).unwrap().is_empty());
    }
}

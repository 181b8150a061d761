//! Reading and writing fields of a record document.

use std::collections::BTreeSet;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ReadDoc, ScalarValue, Value};
use gridline_model::{Instant, Tag};

use crate::{Error, Result};

/// The winning string value of `key`, if any. Text objects are read as their
/// text, so documents written by other Automerge implementations still load.
pub fn opt_str(doc: &AutoCommit, obj: &ObjId, key: &str) -> Result<Option<String>> {
    match doc.get(obj, key)? {
        None => Ok(None),
        Some((Value::Scalar(s), _)) => match s.as_ref() {
            ScalarValue::Str(s) => Ok(Some(s.to_string())),
            ScalarValue::Null => Ok(None),
            other => Err(Error::shape(
                key,
                format!("expected a string, found {other:?}"),
            )),
        },
        Some((Value::Object(ObjType::Text), id)) => Ok(Some(doc.text(&id)?)),
        Some((Value::Object(t), _)) => Err(Error::shape(
            key,
            format!("expected a string, found a {t:?}"),
        )),
    }
}

pub fn req_str(doc: &AutoCommit, obj: &ObjId, key: &str) -> Result<String> {
    opt_str(doc, obj, key)?.ok_or_else(|| Error::shape(key, "missing"))
}

pub fn req_uuid(doc: &AutoCommit, obj: &ObjId, key: &str) -> Result<uuid::Uuid> {
    let s = req_str(doc, obj, key)?;
    uuid::Uuid::parse_str(&s).map_err(|_| Error::shape(key, format!("not a uuid: {s:?}")))
}

pub fn opt_uuid(doc: &AutoCommit, obj: &ObjId, key: &str) -> Result<Option<uuid::Uuid>> {
    match opt_str(doc, obj, key)? {
        None => Ok(None),
        Some(s) if s.is_empty() => Ok(None),
        Some(s) => uuid::Uuid::parse_str(&s)
            .map(Some)
            .map_err(|_| Error::shape(key, format!("not a uuid: {s:?}"))),
    }
}

pub fn req_time(doc: &AutoCommit, obj: &ObjId, key: &str) -> Result<Instant> {
    let s = req_str(doc, obj, key)?;
    parse_time(&s).ok_or_else(|| Error::shape(key, format!("not an RFC 3339 time: {s:?}")))
}

pub fn parse_time(s: &str) -> Option<Instant> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

pub fn fmt_time(t: Instant) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Writes `value` only if it differs from the current winning value, so an
/// edit of one field never touches (or conflicts with) the others.
pub fn put_str(doc: &mut AutoCommit, obj: &ObjId, key: &str, value: &str) -> Result<()> {
    let current = opt_str(doc, obj, key).ok().flatten();
    if current.as_deref() != Some(value) {
        doc.put(obj, key, value)?;
    }
    Ok(())
}

/// Writes an optional string: `None` removes the key.
pub fn put_opt_str(
    doc: &mut AutoCommit,
    obj: &ObjId,
    key: &str,
    value: Option<&str>,
) -> Result<()> {
    match value {
        Some(v) => put_str(doc, obj, key, v),
        None => {
            if doc.get(obj, key)?.is_some() {
                doc.delete(obj, key)?;
            }
            Ok(())
        }
    }
}

/// Long free text as an Automerge Text object, updated by diff so concurrent
/// edits merge character by character.
pub fn put_text(doc: &mut AutoCommit, obj: &ObjId, key: &str, value: &str) -> Result<()> {
    let id = match doc.get(obj, key)? {
        Some((Value::Object(ObjType::Text), id)) => id,
        _ => doc.put_object(obj, key, ObjType::Text)?,
    };
    if doc.text(&id)? != value {
        doc.update_text(&id, value)?;
    }
    Ok(())
}

/// A map object under `key`, made if missing.
pub fn map_at(doc: &mut AutoCommit, obj: &ObjId, key: &str) -> Result<ObjId> {
    match doc.get(obj, key)? {
        Some((Value::Object(ObjType::Map), id)) => Ok(id),
        Some(_) => Err(Error::shape(key, "expected a map")),
        None => Ok(doc.put_object(obj, key, ObjType::Map)?),
    }
}

pub fn opt_map(doc: &AutoCommit, obj: &ObjId, key: &str) -> Result<Option<ObjId>> {
    match doc.get(obj, key)? {
        Some((Value::Object(ObjType::Map), id)) => Ok(Some(id)),
        Some(_) => Err(Error::shape(key, "expected a map")),
        None => Ok(None),
    }
}

pub fn opt_list(doc: &AutoCommit, obj: &ObjId, key: &str) -> Result<Option<ObjId>> {
    match doc.get(obj, key)? {
        Some((Value::Object(ObjType::List), id)) => Ok(Some(id)),
        Some(_) => Err(Error::shape(key, "expected a list")),
        None => Ok(None),
    }
}

/// A set of tags stored as a map of tag → true.
pub fn put_tags(doc: &mut AutoCommit, obj: &ObjId, key: &str, tags: &BTreeSet<Tag>) -> Result<()> {
    let m = map_at(doc, obj, key)?;
    let have: Vec<String> = doc.keys(&m).collect();
    for k in &have {
        if !tags.iter().any(|t| t.zh() == k) {
            doc.delete(&m, k.as_str())?;
        }
    }
    for t in tags {
        if !have.iter().any(|k| k == t.zh()) {
            doc.put(&m, t.zh(), true)?;
        }
    }
    Ok(())
}

pub fn read_tags(doc: &AutoCommit, obj: &ObjId, key: &str) -> Result<BTreeSet<Tag>> {
    let Some(m) = opt_map(doc, obj, key)? else {
        return Ok(BTreeSet::new());
    };
    doc.keys(&m)
        .map(|k| Tag::parse(&k).map_err(|e| Error::shape(key, e.problem)))
        .collect()
}

/// A list of strings (department names).
pub fn put_str_list(doc: &mut AutoCommit, obj: &ObjId, key: &str, values: &[String]) -> Result<()> {
    let l = doc.put_object(obj, key, ObjType::List)?;
    for (i, v) in values.iter().enumerate() {
        doc.insert(&l, i, v.as_str())?;
    }
    Ok(())
}

pub fn read_str_list(doc: &AutoCommit, obj: &ObjId, key: &str) -> Result<Vec<String>> {
    let Some(l) = opt_list(doc, obj, key)? else {
        return Ok(Vec::new());
    };
    (0..doc.length(&l))
        .map(|i| match doc.get(&l, i)? {
            Some((Value::Scalar(s), _)) => match s.as_ref() {
                ScalarValue::Str(s) => Ok(s.to_string()),
                _ => Err(Error::shape(key, "expected strings")),
            },
            _ => Err(Error::shape(key, "expected strings")),
        })
        .collect()
}

/// Writes the root header every record carries.
pub fn put_header(doc: &mut AutoCommit, kind: &str, id: uuid::Uuid) -> Result<()> {
    doc.put(automerge::ROOT, "kind", kind)?;
    doc.put(automerge::ROOT, "v", crate::SCHEMA_VERSION)?;
    put_str(doc, &automerge::ROOT, "id", &id.to_string())
}

/// Checks the root header says `kind`.
pub fn expect_kind(doc: &AutoCommit, kind: &str) -> Result<()> {
    let k = req_str(doc, &automerge::ROOT, "kind")?;
    if k != kind {
        return Err(Error::shape(
            "kind",
            format!("expected a {kind} document, found {k}"),
        ));
    }
    Ok(())
}

/// Commits pending operations with the time of the action.
pub fn commit(doc: &mut AutoCommit, at: Instant) {
    doc.commit_with(automerge::transaction::CommitOptions::default().with_time(at.timestamp()));
}

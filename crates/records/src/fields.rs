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

// Documents keep times as the model writes them (RFC 3339, milliseconds, UTC).
pub use gridline_model::{fmt_time, parse_time};

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
        .map(|k| Tag::parse(&k).map_err(|e| Error::shape(key, e.problem.to_string())))
        .collect()
}

/// A list of strings (department names).
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

/// A map built in memory and written in one batch: far fewer operations
/// inside the transaction than putting field by field, which matters when a
/// street's worth of records is made at once. Keys are written sorted, so the
/// same record always makes the same change.
pub struct Fields {
    encoding: automerge::TextEncoding,
    map: std::collections::HashMap<String, automerge::hydrate::Value>,
}

impl Fields {
    pub fn new(doc: &AutoCommit) -> Fields {
        Fields {
            encoding: doc.text_encoding(),
            map: Default::default(),
        }
    }

    /// A root map with the header every record carries.
    pub fn header(doc: &AutoCommit, kind: &str, id: uuid::Uuid) -> Fields {
        let mut f = Fields::new(doc);
        f.str("kind", kind);
        f.map.insert(
            "v".into(),
            automerge::hydrate::Value::scalar(crate::SCHEMA_VERSION),
        );
        f.str("id", &id.to_string());
        f
    }

    pub fn str(&mut self, key: &str, value: &str) -> &mut Self {
        self.map
            .insert(key.into(), automerge::hydrate::Value::scalar(value));
        self
    }

    pub fn opt(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        if let Some(v) = value {
            self.str(key, v);
        }
        self
    }

    pub fn text(&mut self, key: &str, value: &str) -> &mut Self {
        self.map.insert(
            key.into(),
            automerge::hydrate::Value::text(self.encoding, value),
        );
        self
    }

    pub fn list(&mut self, key: &str, items: Vec<automerge::hydrate::Value>) -> &mut Self {
        self.map.insert(key.into(), items.into());
        self
    }

    pub fn strs(&mut self, key: &str, items: &[String]) -> &mut Self {
        self.list(
            key,
            items
                .iter()
                .map(|s| automerge::hydrate::Value::scalar(s.as_str()))
                .collect(),
        )
    }

    pub fn value(&mut self, key: &str, value: automerge::hydrate::Value) -> &mut Self {
        self.map.insert(key.into(), value);
        self
    }

    /// Tags as a map of tag → true.
    pub fn tags(&mut self, key: &str, tags: &BTreeSet<Tag>) -> &mut Self {
        let m: std::collections::HashMap<&str, automerge::hydrate::Value> = tags
            .iter()
            .map(|t| (t.zh(), automerge::hydrate::Value::scalar(true)))
            .collect();
        self.value(key, automerge::hydrate::Map::from(m).into())
    }

    pub fn author(&mut self, a: &gridline_model::Author) -> &mut Self {
        self.str("user", &a.user)
            .str("role", a.role.key())
            .str("unit", &a.unit)
    }

    pub fn into_value(self) -> automerge::hydrate::Value {
        automerge::hydrate::Map::from(self.map).into()
    }

    /// Writes this map as the whole root of an empty document.
    pub fn write_root(self, doc: &mut AutoCommit) -> Result<()> {
        doc.init_root_from_hydrate(&automerge::hydrate::Map::from(self.map))?;
        Ok(())
    }
}

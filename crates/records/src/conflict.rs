//! Same-field conflicts: two people changed one scalar field concurrently.
//!
//! Automerge keeps every concurrent value; `get` picks a deterministic winner
//! and `get_all` returns them all. We surface them so a user can choose, and
//! choosing writes the chosen value over all of them.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ReadDoc, ScalarValue, Value, ROOT};
use gridline_model::Instant;

use crate::fields::{commit, opt_map};
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// Dotted path to the field: `phone`, `residents.<id>.name`.
    pub path: String,
    /// Every concurrent value, the current winner first.
    pub values: Vec<String>,
}

pub fn conflicts(doc: &AutoCommit) -> Vec<Conflict> {
    let mut out = Vec::new();
    collect(doc, &ROOT, "", &mut out);
    out
}

fn collect(doc: &AutoCommit, obj: &ObjId, prefix: &str, out: &mut Vec<Conflict>) {
    for key in doc.keys(obj) {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        let Ok(all) = doc.get_all(obj, key.as_str()) else {
            continue;
        };
        if all.len() > 1 {
            let values: Vec<String> = all.iter().map(|(v, _)| show(v)).collect();
            // get() returns the winner; put it first for the UI.
            let mut ordered = values.clone();
            if let Ok(Some((w, _))) = doc.get(obj, key.as_str()) {
                let w = show(&w);
                ordered.retain(|v| v != &w);
                ordered.insert(0, w);
            }
            ordered.dedup();
            if ordered.len() > 1 {
                out.push(Conflict {
                    path: path.clone(),
                    values: ordered,
                });
            }
        }
        // Only maps nest fields that can conflict (residents, id numbers).
        if let Ok(Some((Value::Object(ObjType::Map), id))) = doc.get(obj, key.as_str()) {
            collect(doc, &id, &path, out);
        }
    }
}

fn show(v: &Value<'_>) -> String {
    match v {
        Value::Scalar(s) => match s.as_ref() {
            ScalarValue::Str(s) => s.to_string(),
            other => other.to_string(),
        },
        Value::Object(t) => format!("({t:?})"),
    }
}

/// Resolves a conflict at `path` by writing `value` over every concurrent value.
pub fn resolve(doc: &mut AutoCommit, path: &str, value: &str, at: Instant) -> Result<()> {
    let mut parts: Vec<&str> = path.split('.').collect();
    let key = parts
        .pop()
        .ok_or_else(|| Error::shape(path, "empty path"))?;
    let mut obj = ROOT;
    for p in parts {
        obj = opt_map(doc, &obj, p)?.ok_or_else(|| Error::shape(path, "no such field"))?;
    }
    let offered = doc
        .get_all(&obj, key)?
        .iter()
        .any(|(v, _)| show(v) == value);
    if !offered {
        return Err(Error::shape(
            path,
            format!("{value:?} is not one of the conflicting values"),
        ));
    }
    doc.put(&obj, key, value)?;
    commit(doc, at);
    Ok(())
}

//! A document exported by `gridline doc export` loads in the JavaScript
//! Automerge implementation (@automerge/automerge 3.5) with the same fields and
//! the same heads. Needs `npm ci` in tests/interop (`.ci/run` does it).

use std::path::PathBuf;
use std::process::Command;

use gridline_model::Role;

use super::*;

fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("interop")
}

#[test]
fn an_exported_household_loads_in_javascript_automerge_with_the_same_fields() {
    let modules = interop_dir().join("node_modules/@automerge/automerge");
    assert!(
        modules.exists(),
        "run `npm ci` in tests/interop first (.ci/run does): {} is missing",
        modules.display()
    );
    let (_d, mut device) = device("gw-1", Role::GridWorker, &format!("grids:{GRID}"));
    let id = device
        .add_household(&zhang_san(), now())
        .unwrap()
        .to_string();
    let bytes = device.export_doc(&id).unwrap();
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &bytes).unwrap();
    let out = Command::new("node")
        .arg(interop_dir().join("load.mjs"))
        .arg(file.path())
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let js: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();

    let doc = &js["doc"];
    assert_eq!(doc["kind"], "household", "the kind field reads the same");
    assert_eq!(doc["id"], id.as_str());
    assert_eq!(doc["grid"], GRID);
    assert_eq!(doc["compound"], "水花都小区", "Chinese text survives");
    assert_eq!(doc["room"], "401");
    assert_eq!(doc["phone"], "18517374590");
    assert_eq!(doc["notes"], "腿脚不便", "Text objects read as strings");
    assert_eq!(doc["tags"]["独居老人"], true);
    let residents = doc["residents"].as_object().unwrap();
    assert_eq!(residents.len(), 1);
    assert_eq!(residents.values().next().unwrap()["name"], "张三");

    let mut rust_doc = gridline_records::load(&bytes, &[1; 16]).unwrap();
    let mut ours: Vec<String> = rust_doc.get_heads().iter().map(|h| h.to_string()).collect();
    let mut theirs: Vec<String> = js["heads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().to_owned())
        .collect();
    ours.sort();
    theirs.sort();
    assert_eq!(
        ours, theirs,
        "both implementations agree on the document's heads"
    );
}

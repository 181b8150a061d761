//! An independent client (`tests/client/client.mjs`: Node, the JavaScript
//! Automerge and a CBOR package, written from docs/sync-protocol.md and
//! docs/openapi.json alone) enrols with a live hub on loopback, pulls, edits
//! a household, records a visit and pushes both. The hub must then hold both,
//! attributed to the client's user and device: the documents are enough to
//! write a client. Needs `npm ci` in tests/client (`scripts/test` does it).

use std::path::PathBuf;
use std::process::Command;

use gridline_hub::{AuditQuery, Hub};
use gridline_model::{Role, Scope, User};

use super::sync::{enrolled, hub, sync};
use super::*;

fn client_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("client")
}

#[test]
fn an_independent_client_enrols_pushes_a_household_edit_and_a_visit_and_pulls() {
    let modules = client_dir().join("node_modules");
    for package in ["@automerge/automerge", "cbor2"] {
        assert!(
            modules.join(package).exists(),
            "run `npm ci` in tests/client first (scripts/test does): {} is missing",
            modules.join(package).display()
        );
    }
    let (dir, hub) = hub();
    let user = User {
        id: "gw-client".into(),
        name: "独立客户端".into(),
        role: Role::GridWorker,
        scope: Scope::parse(&format!("grids:{GRID}")).unwrap(),
    };
    // The served hub checks the code against its own clock.
    let code = hub.enrol_code(&user, "admin", chrono::Utc::now()).unwrap();
    let served = Served::start(hub, None);
    let out = Command::new("node")
        .arg(client_dir().join("client.mjs"))
        .arg(&served.url)
        .arg(&code)
        .output()
        .expect("node runs: scripts/setup installs Node.js, and this test needs it");
    assert!(
        out.status.success(),
        "the client failed: {}{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    let said: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("the client prints one JSON line ({e}): {out:?}"));
    served.stop();

    let str_of = |k: &str| said[k].as_str().unwrap_or_else(|| panic!("{k} in {said}"));
    let (household, visit) = (str_of("household"), str_of("visit"));
    assert_eq!(
        str_of("user_id"),
        "gw-client",
        "the client acted as its enrolled user"
    );
    let cursor = |k: &str| {
        said["cursors"][k]
            .as_u64()
            .unwrap_or_else(|| panic!("cursors.{k} in {said}"))
    };
    assert!(
        cursor("pushed") > cursor("first"),
        "the push moved the client's cursor on: {said}"
    );
    let visit_id = uuid::Uuid::parse_str(visit).expect("the visit id is a UUID");
    assert_eq!(
        visit_id.get_version_num(),
        7,
        "the client minted a UUID v7, as docs/sync-protocol.md asks"
    );

    // The hub's side: both writes are audited to the client's user and device.
    let hub = Hub::open(dir.path()).unwrap();
    for record in [household, visit] {
        let rows = hub
            .audit(&AuditQuery {
                record: Some(record.into()),
                ..Default::default()
            })
            .unwrap();
        assert!(
            rows.iter().any(|r| r.action == "push"
                && r.user_id == "gw-client"
                && r.device_id.as_deref() == Some(str_of("device_id"))),
            "the hub audited the client's push of {record} to its user and device: {rows:?}"
        );
    }

    // And a Gridline device of the same grid receives both, as the client wrote them.
    let (_d, mut gw, token) = enrolled(&hub, "gw-1", Role::GridWorker, &format!("grids:{GRID}"));
    sync(&hub, &mut gw, &token, now());
    let view = gw.household(household, now()).unwrap();
    assert_eq!(
        view.household.phone.as_ref().map(|p| p.as_str()),
        Some(str_of("phone")),
        "the client's phone edit arrived"
    );
    assert!(
        view.household.notes.ends_with(str_of("note")),
        "the client's note was appended to the Text: {:?}",
        view.household.notes
    );
    assert!(
        view.conflicts.is_empty(),
        "a scalar edit from the client is no conflict"
    );
    let row = view
        .visits
        .iter()
        .find(|v| v.id.to_string() == visit)
        .unwrap_or_else(|| {
            panic!(
                "the client's visit is listed with the household: {:?}",
                view.visits
            )
        });
    assert_eq!(
        (row.visitor.as_str(), row.role.key()),
        ("gw-client", "grid-worker"),
        "the visit names the client's user and role"
    );
    let mut doc = gridline_records::load(&gw.export_doc(visit).unwrap(), &[9; 16]).unwrap();
    let v =
        gridline_records::visit::read(&doc).expect("the client's visit reads as a Gridline visit");
    assert_eq!(
        v.visitor,
        user.author(),
        "author, role and unit as the schema says"
    );
    assert_eq!(v.household.to_string(), household);
    assert!(
        gridline_records::Record::Visit(v.clone())
            .validate(chrono::Utc::now())
            .is_ok(),
        "the visit passes the device's own rules"
    );
    // The Automerge types the schema lists, as the JavaScript side wrote them.
    use automerge::{ObjType, ReadDoc, ScalarValue, Value, ROOT};
    let ty = |doc: &automerge::AutoCommit, key: &str| match doc.get(&ROOT, key).unwrap() {
        Some((Value::Scalar(s), _)) => match s.as_ref() {
            ScalarValue::Str(_) => "string",
            ScalarValue::Int(_) => "int",
            _ => "other scalar",
        },
        Some((Value::Object(ObjType::Text), _)) => "Text",
        Some((Value::Object(_), _)) => "other object",
        None => "absent",
    };
    for (key, want) in [
        ("kind", "string"),
        ("v", "int"),
        ("at", "string"),
        ("user", "string"),
        ("notes", "Text"),
    ] {
        assert_eq!(
            ty(&doc, key),
            want,
            "the client's visit holds {key} as a {want}"
        );
    }
    let hh = gridline_records::load(&gw.export_doc(household).unwrap(), &[9; 16]).unwrap();
    assert_eq!(
        ty(&hh, "phone"),
        "string",
        "the phone stays a scalar string"
    );
    assert_eq!(ty(&hh, "notes"), "Text", "the notes stay Text");
    let actors: Vec<String> = doc
        .get_changes(&[])
        .iter()
        .map(|c| c.actor_id().to_hex_string())
        .collect();
    assert_eq!(
        actors,
        [str_of("actor")],
        "the visit was written by the actor the client enrolled with"
    );
}

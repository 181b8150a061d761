//! A document exported by `gridline doc export` loads in the JavaScript
//! Automerge implementation (@automerge/automerge 3.5) with the same fields and
//! the same heads. Needs `npm ci` in tests/interop (`.ci/run` does it).

use std::path::PathBuf;
use std::process::Command;

use automerge::{AutoCommit, ObjId, ObjType, ReadDoc, ScalarValue, Value};
use chrono::Duration;
use gridline_device::mediation::{NewCase, NewParty, PrivateNote};
use gridline_model::mediation::{AgreementForm, Performance, Satisfaction};
use gridline_model::{CaseStep, Role};

use super::*;

fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("interop")
}

/// The saved document as JavaScript Automerge sees it: `load.mjs`'s
/// `{ heads, doc }`.
fn load_in_javascript(bytes: &[u8]) -> serde_json::Value {
    let modules = interop_dir().join("node_modules/@automerge/automerge");
    assert!(
        modules.exists(),
        "run `npm ci` in tests/interop first (.ci/run does): {} is missing",
        modules.display()
    );
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), bytes).unwrap();
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
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The heads Rust reads from `bytes`, and those JavaScript reported, sorted.
fn both_heads(bytes: &[u8], js: &serde_json::Value) -> (Vec<String>, Vec<String>) {
    let mut rust_doc = gridline_records::load(bytes, &[1; 16]).unwrap();
    let mut ours: Vec<String> = rust_doc.get_heads().iter().map(|h| h.to_string()).collect();
    let mut theirs: Vec<String> = js["heads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().to_owned())
        .collect();
    ours.sort();
    theirs.sort();
    (ours, theirs)
}

/// A document as Rust Automerge reads it, in the JSON `load.mjs` prints
/// (Text and scalar strings both as strings), so the two can be compared
/// whole.
fn as_json(doc: &AutoCommit, obj: &ObjId, ty: ObjType) -> serde_json::Value {
    let item = |(v, id): (Value<'_>, ObjId)| match v {
        Value::Object(t) => as_json(doc, &id, t),
        Value::Scalar(s) => match s.as_ref() {
            ScalarValue::Str(s) => serde_json::Value::from(s.to_string()),
            ScalarValue::Int(n) => serde_json::Value::from(*n),
            ScalarValue::Uint(n) => serde_json::Value::from(*n),
            ScalarValue::Boolean(b) => serde_json::Value::from(*b),
            ScalarValue::Null => serde_json::Value::Null,
            other => panic!("a Gridline document holds no {other:?}"),
        },
    };
    match ty {
        ObjType::Text => serde_json::Value::from(doc.text(obj).unwrap()),
        ObjType::List => doc.values(obj).map(item).collect(),
        ObjType::Map | ObjType::Table => doc
            .keys(obj)
            .map(|k| {
                let v = doc.get(obj, k.as_str()).unwrap().unwrap();
                (k, item(v))
            })
            .collect::<serde_json::Map<_, _>>()
            .into(),
    }
}

#[test]
fn an_exported_household_loads_in_javascript_automerge_with_the_same_fields() {
    let (_d, mut device) = device("gw-1", Role::GridWorker, &format!("grids:{GRID}"));
    let id = device
        .add_household(&zhang_san(), now())
        .unwrap()
        .to_string();
    let bytes = device.export_doc(&id).unwrap();
    let js = load_in_javascript(&bytes);

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

    let (ours, theirs) = both_heads(&bytes, &js);
    assert_eq!(
        ours, theirs,
        "both implementations agree on the document's heads"
    );
}

#[test]
fn an_exported_mediation_case_loads_in_javascript_automerge_with_its_fields_and_steps() {
    let (_d, mut staff) = device(
        "cs-1",
        Role::CommunityStaff,
        &format!("community:{}", &GRID[..12]),
    );
    let day = |d: i64| now() + Duration::days(d);
    let household = staff
        .add_household(&zhang_san(), now())
        .unwrap()
        .to_string();
    let case = staff
        .report_dispute_with_id(
            &NewCase {
                households: vec![household.clone()],
                case_type: Some("neighbour".into()),
                scale: Some("multi-party".into()),
                people: Some(3),
                warning: Some(2),
                source: Some("walk-in".into()),
                summary: "楼上卫生间漏水，两户争执赔偿".into(),
                parties: vec![NewParty {
                    name: "张三".into(),
                    id_number: Some("522701198706182382".into()),
                    phone: Some("18517374590".into()),
                    address: "水花都小区8栋1单元401".into(),
                }],
                facts: "501室渗水至401室吊顶".into(),
                ..Default::default()
            },
            None,
            day(0),
        )
        .unwrap()
        .id
        .to_string();
    let none = PrivateNote::default();
    let steps = [
        (
            1,
            CaseStep::Accept {
                mediator: "王调解".into(),
            },
            none.clone(),
        ),
        (
            3,
            CaseStep::Session { held_on: day(3) },
            PrivateNote {
                participants: "张三、李四".into(),
                notes: "双方陈述漏水经过".into(),
                ..Default::default()
            },
        ),
        (
            10,
            CaseStep::Extend {
                days: 10,
                reason: "等待漏水原因鉴定".into(),
                consent: true,
            },
            none.clone(),
        ),
        (20, CaseStep::Session { held_on: day(20) }, none.clone()),
        (
            20,
            CaseStep::Agree {
                form: AgreementForm::Written,
                perform_by: day(35),
            },
            PrivateNote {
                terms: "李四更换排水管并赔偿1200元".into(),
                ..Default::default()
            },
        ),
        (
            22,
            CaseStep::ApplyConfirmation {
                court: "都匀市人民法院".into(),
            },
            none.clone(),
        ),
        (
            24,
            CaseStep::CourtAccept {
                case_number: "（2026）黔2701民特调确字第57号".into(),
            },
            none.clone(),
        ),
        (30, CaseStep::CourtRule { confirmed: true }, none.clone()),
        (
            36,
            CaseStep::FollowUp {
                performance: Performance::Fully,
                satisfaction: Satisfaction::Satisfied,
                risk: String::new(),
            },
            none.clone(),
        ),
        (
            37,
            CaseStep::Close {
                note: "协议履行完毕".into(),
            },
            none,
        ),
    ];
    let n_steps = steps.len();
    for (d, step, note) in steps {
        staff.act_on_case(&case, step, &note, day(d)).unwrap();
    }
    let view = staff.case(&case, day(38)).unwrap();
    assert!(
        view.state.outcomes.iter().all(|o| o.refused.is_none()),
        "every step folds accepted, so the document is a real case: {:?}",
        view.state.outcomes
    );

    let bytes = staff.export_doc(&case).unwrap();
    let js = load_in_javascript(&bytes);
    let doc = &js["doc"];
    let rust_doc = gridline_records::load(&bytes, &[1; 16]).unwrap();
    assert_eq!(
        *doc,
        as_json(&rust_doc, &automerge::ROOT, ObjType::Map),
        "JavaScript reads every key, event and value Rust wrote"
    );
    // And what a reader of the protocol would look for, spelled out.
    assert_eq!(doc["kind"], "mediation");
    assert_eq!(doc["id"], case.as_str());
    assert_eq!(doc["grid"], GRID);
    assert_eq!(doc["households"], serde_json::json!([household]));
    assert_eq!(doc["type"], "neighbour");
    assert_eq!(doc["people"], "3", "numbers are decimal strings");
    assert_eq!(doc["warning"], "2");
    assert_eq!(doc["source"], "walk-in");
    assert_eq!(doc["mediation_kind"], "people");
    assert_eq!(doc["reporter"], "cs-1");
    assert_eq!(
        doc["summary"], "楼上卫生间漏水，两户争执赔偿",
        "the summary is Text and reads as a string"
    );
    assert!(
        doc.get("from_issue").is_none(),
        "an absent link is no key at all"
    );
    let events = doc["events"].as_array().unwrap();
    let keys: Vec<&str> = events.iter().map(|e| e["step"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
        [
            "register",
            "accept",
            "session",
            "extend",
            "session",
            "agree",
            "apply-confirmation",
            "court-accept",
            "court-rule",
            "follow-up",
            "close"
        ],
        "every step, in the order written"
    );
    assert_eq!(events.len(), n_steps + 1);
    for (e, rust) in events.iter().zip(&view.case.events) {
        assert_eq!(e["id"], rust.id.to_string().as_str());
        assert_eq!(e["at"], gridline_records::fmt_time(rust.at).as_str());
        assert_eq!(e["user"], "cs-1");
        assert_eq!(e["role"], "community-staff");
        assert_eq!(e["unit"], &GRID[..12]);
    }
    assert_eq!(events[1]["mediator"], "王调解");
    assert_eq!(events[3]["days"], "10");
    assert_eq!(events[3]["consent"], "yes");
    assert_eq!(events[5]["form"], "written");
    assert_eq!(
        events[5]["perform_by"],
        gridline_records::fmt_time(day(35)).as_str()
    );
    assert_eq!(events[7]["case_number"], "（2026）黔2701民特调确字第57号");
    assert_eq!(events[8]["confirmed"], "yes");
    assert_eq!(events[9]["performance"], "fully");

    let (ours, theirs) = both_heads(&bytes, &js);
    assert_eq!(
        ours, theirs,
        "both implementations agree on the case's heads"
    );
}

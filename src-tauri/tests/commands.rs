//! The app's commands on tauri's mock runtime, with the real config and
//! capabilities (`generate_context!`), against a hub served on loopback:
//! enrol, read, write, refusals, drafts, and the `{code, message}` errors.

use gridline_app_lib::{builder, dto, AppState};
use gridline_hub::Hub;
use gridline_model::{Role, Scope, User};
use gridline_test_support::Served;
use serde_json::{json, Value};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

fn code_for(hub: &Hub, id: &str, role: Role, scope: &str) -> String {
    let user = User {
        id: id.into(),
        name: "张伟".into(),
        role,
        scope: Scope::parse(scope).unwrap(),
    };
    hub.enrol_code(&user, "admin", chrono::Utc::now()).unwrap()
}

struct App {
    _app: tauri::App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
}

fn app(dir: &std::path::Path) -> App {
    let state = AppState::open(dir.to_owned(), None).unwrap();
    let app = builder(mock_builder(), state)
        .build(tauri::generate_context!())
        .expect("the real config and capabilities load");
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    App { _app: app, webview }
}

impl App {
    /// Invokes `cmd` as the UI would; `Err` carries the `{code, message}` object.
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        self.invoke(cmd, tauri::ipc::InvokeBody::Json(args))
    }

    /// Invokes `cmd` with a raw body, as `invoke(cmd, uint8array)` does.
    fn invoke(&self, cmd: &str, body: tauri::ipc::InvokeBody) -> Result<Value, Value> {
        let origin = if cfg!(any(windows, target_os = "android")) {
            "http://tauri.localhost"
        } else {
            "tauri://localhost"
        };
        get_ipc_response(
            &self.webview,
            InvokeRequest {
                cmd: cmd.into(),
                callback: tauri::ipc::CallbackFn(0),
                error: tauri::ipc::CallbackFn(1),
                url: origin.parse().unwrap(),
                body,
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|b| b.deserialize::<Value>().unwrap())
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args)
            .unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    fn err_code(&self, cmd: &str, args: Value) -> String {
        let e = self
            .call(cmd, args)
            .expect_err(&format!("{cmd} should be refused"));
        let e: dto::AppError = serde_json::from_value(e).expect("errors cross as {code, message}");
        assert!(!e.message.is_empty());
        e.code
    }

    /// Syncs the way the engine does (the engine itself is not started on
    /// the mock runtime, so the test decides when syncs happen).
    fn sync(&self, rt: &tokio::runtime::Runtime) -> dto::SyncInfo {
        let state = self.webview.state::<AppState>();
        rt.block_on(gridline_app_lib::engine::sync_once(state.inner()));
        serde_json::from_value(self.ok("sync_info", json!({}))).unwrap()
    }
}

use tauri::Manager;

#[test]
fn a_grid_worker_enrols_finds_a_household_visits_and_reports() {
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = gridline_test_support::sample_hub_in(hub_dir.path(), chrono::Utc::now());
    let code = code_for(&hub, "gw-1", Role::GridWorker, "grids:522701001001001");
    let served = Served::start(hub, None);
    let dev_dir = tempfile::tempdir().unwrap();
    let a = app(dev_dir.path());

    // Before enrolment: only enrolment is possible.
    let info: dto::DeviceInfo = serde_json::from_value(a.ok("device_info", json!({}))).unwrap();
    assert!(!info.enrolled);
    assert_eq!(info.language, "zh-CN");
    assert_eq!(
        a.err_code("households", json!({"query": {}})),
        "not_enrolled"
    );
    assert_eq!(
        a.err_code("enroll", json!({"hub": "not a url", "code": "x"})),
        "invalid"
    );
    assert_eq!(
        a.err_code("enroll", json!({"hub": served.url, "code": "WRONG-0000"})),
        "invalid",
        "a malformed code is refused on the device, before anything is sent"
    );
    assert_eq!(
        a.err_code(
            "enroll",
            json!({"hub": served.url, "code": "WRNG-CDXE-ZZZZ"})
        ),
        "hub_refused",
        "a well-formed code the hub never issued is the hub's refusal"
    );

    let info: dto::DeviceInfo =
        serde_json::from_value(a.ok("enroll", json!({"hub": served.url, "code": code}))).unwrap();
    assert!(info.enrolled);
    assert_eq!(info.role, "grid-worker");
    assert_eq!(info.grids, vec!["522701001001001"]);
    assert!(!info.dashboard, "grid workers have no dashboard");
    assert_eq!(
        info.may,
        vec![
            "log_visit",
            "report_issue",
            "post_wish",
            "report_case",
            "read_cases",
            "propose_topic",
            "read_topics"
        ]
    );
    assert_eq!(a.err_code("dashboard", json!({})), "refused");

    let s = a.sync(&served.rt);
    assert_eq!(s.phase, "up_to_date", "{s:?}");
    let rows: Vec<dto::HouseholdRow> =
        serde_json::from_value(a.ok("households", json!({"query": {}}))).unwrap();
    assert!(!rows.is_empty(), "the grid's households arrived");
    assert!(rows.iter().all(|r| r.grid == "522701001001001"));

    // Pinyin initials of the first head of household find it.
    let first = &rows[0];
    let initials: String = gridline_store::pinyin_keys::name_keys(&first.head_name)
        .into_iter()
        .min_by_key(|k| k.len())
        .unwrap();
    let found: Vec<dto::HouseholdRow> =
        serde_json::from_value(a.ok("households", json!({"query": {"query": initials}}))).unwrap();
    assert!(
        found.iter().any(|r| r.id == first.id),
        "{initials} finds {}",
        first.head_name
    );

    // The household page: ID numbers masked, revealable for a grid worker.
    let h: dto::HouseholdDetail =
        serde_json::from_value(a.ok("household", json!({"id": first.id}))).unwrap();
    assert!(h.can_edit);
    let head = h.residents.iter().find(|r| r.id_number_masked.is_some());
    if let Some(r) = head {
        let masked = r.id_number_masked.clone().unwrap();
        assert!(masked.contains("**********"), "{masked}");
        let full: String = serde_json::from_value(a.ok(
            "reveal_id_number",
            json!({"household": h.id, "resident": r.id}),
        ))
        .unwrap();
        assert_eq!(full.len(), 18);
        assert_eq!(&full[..4], &masked[..4]);
    }

    // A visit and an issue, durable and counted as unsent before the sync.
    let visit: dto::Created = serde_json::from_value(a.ok(
        "log_visit",
        json!({"visit": {"household_id": h.id, "kind": null, "notes": "身体尚好"}}),
    ))
    .unwrap();
    assert!(!visit.already_saved, "a visit without an id is new");
    assert_eq!(
        a.err_code(
            "report_issue",
            json!({"issue": {"category": "不存在", "description": "x", "location": "", "urgency": null, "household_id": h.id, "grid": null}})
        ),
        "invalid"
    );
    let issue_id = serde_json::from_value::<dto::Created>(a.ok(
        "report_issue",
        json!({"issue": {"category": "电梯", "description": "3 单元电梯停运", "location": "3 单元", "urgency": 3, "household_id": h.id, "grid": null}}),
    ))
    .unwrap()
    .id;
    let today: dto::Today = serde_json::from_value(a.ok("today", json!({}))).unwrap();
    assert_eq!(today.unsent, 2, "{today:?}");
    let detail: dto::IssueDetail =
        serde_json::from_value(a.ok("issue", json!({"id": issue_id}))).unwrap();
    assert_eq!(detail.state.as_deref(), Some("reported"));
    assert!(
        !detail.offered.contains(&"accept".to_string()),
        "a grid worker may not accept: {:?}",
        detail.offered
    );
    assert_eq!(
        a.err_code(
            "act_on_issue",
            json!({"id": issue_id, "action": {"step": "accept", "departments": []}})
        ),
        "refused"
    );

    let s = a.sync(&served.rt);
    assert_eq!((s.phase.as_str(), s.unsent), ("up_to_date", 0), "{s:?}");
    let visits: Vec<dto::Visit> =
        serde_json::from_value(a.ok("visits", json!({"household": null}))).unwrap();
    let mine = visits
        .iter()
        .find(|v| v.id == visit.id)
        .expect("the visit is listed");
    assert_eq!(
        mine.notes, "身体尚好",
        "the visit's notes are shown with it"
    );
    let h: dto::HouseholdDetail =
        serde_json::from_value(a.ok("household", json!({"id": h.id}))).unwrap();
    assert!(
        h.visits
            .iter()
            .any(|v| v.id == visit.id && v.notes == "身体尚好"),
        "the household page lists the visit with its notes: {:?}",
        h.visits
    );
}

#[test]
fn saving_one_draft_twice_is_one_record() {
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = gridline_test_support::sample_hub_in(hub_dir.path(), chrono::Utc::now());
    let code = code_for(&hub, "gw-1", Role::GridWorker, "grids:522701001001001");
    let served = Served::start(hub, None);
    let dev_dir = tempfile::tempdir().unwrap();
    let a = app(dev_dir.path());
    a.ok("enroll", json!({"hub": served.url, "code": code}));
    a.sync(&served.rt);
    let rows: Vec<dto::HouseholdRow> =
        serde_json::from_value(a.ok("households", json!({"query": {"limit": 1}}))).unwrap();
    let household = rows[0].id.clone();

    // Each draft minted its id when it started; the UI sends it with every save.
    let twice = |cmd: &str, arg: &str, mut body: Value| {
        let id = uuid::Uuid::now_v7().to_string();
        body["id"] = json!(id);
        let save = || -> dto::Created {
            serde_json::from_value(a.ok(cmd, json!({ arg: body.clone() }))).unwrap()
        };
        let first = save();
        let again = save();
        assert_eq!(first.id, id, "{cmd} keeps the draft's id");
        assert!(
            !first.already_saved,
            "{cmd}: the first save writes the record"
        );
        assert_eq!(again.id, id, "{cmd}: the second save names the same record");
        assert!(
            again.already_saved,
            "{cmd}: the second save says it was saved already"
        );
        id
    };
    let visit = twice(
        "log_visit",
        "visit",
        json!({"household_id": household, "kind": "routine", "notes": "门口聊了几句"}),
    );
    let issue = twice(
        "report_issue",
        "issue",
        json!({"category": "电梯", "description": "电梯停运", "location": "", "urgency": 2, "household_id": household, "grid": null}),
    );
    let wish = twice(
        "post_wish",
        "wish",
        json!({"title": "一台助听器", "category": "医疗健康", "value_yuan": 300, "description": "", "household_id": household, "grid": null}),
    );

    let visits: Vec<dto::Visit> =
        serde_json::from_value(a.ok("visits", json!({"household": household}))).unwrap();
    assert_eq!(
        visits.iter().filter(|v| v.id == visit).count(),
        1,
        "one visit, not two"
    );
    let issues: Vec<dto::IssueRow> =
        serde_json::from_value(a.ok("issues", json!({"query": {"overdue": false}}))).unwrap();
    assert_eq!(
        issues.iter().filter(|i| i.id == issue).count(),
        1,
        "one issue"
    );
    let wishes: Vec<dto::WishRow> =
        serde_json::from_value(a.ok("wishes", json!({"state": null}))).unwrap();
    assert_eq!(
        wishes.iter().filter(|w| w.id == wish).count(),
        1,
        "one wish"
    );
    let today: dto::Today = serde_json::from_value(a.ok("today", json!({}))).unwrap();
    assert_eq!(today.unsent, 3, "three records wait to be sent: {today:?}");
    assert_eq!(
        a.err_code(
            "report_issue",
            json!({"issue": {"id": "0b6f5f0e-5c5e-4b0a-9a51-3a1c6a7d2e10", "category": "电梯", "description": "x", "location": "", "urgency": 2, "household_id": household, "grid": null}})
        ),
        "invalid",
        "an id that is not a UUID v7 is refused, as the hub would"
    );
}

#[test]
fn drafts_survive_a_restart_and_the_language_switches() {
    let dir = tempfile::tempdir().unwrap();
    {
        let a = app(dir.path());
        // Before enrolment there is no device yet: drafts are not kept.
        assert_eq!(a.ok("draft_get", json!({"key": "enrol"})), Value::Null);
    }
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = gridline_test_support::sample_hub_in(hub_dir.path(), chrono::Utc::now());
    let code = code_for(&hub, "cs-1", Role::CommunityStaff, "community:522701001001");
    let served = Served::start(hub, None);
    {
        let a = app(dir.path());
        a.ok("enroll", json!({"hub": served.url, "code": code}));
        a.ok(
            "draft_put",
            json!({"key": "issue-new", "value": "{\"description\":\"楼道灯\"}"}),
        );
        a.ok("set_language", json!({"lang": "en"}));
        assert_eq!(a.err_code("set_language", json!({"lang": "fr"})), "invalid");
        assert_eq!(
            a.err_code("draft_put", json!({"key": "../x", "value": "1"})),
            "invalid"
        );
    }
    // A new app on the same data: the draft and the language are still there.
    let a = app(dir.path());
    assert_eq!(
        a.ok("draft_get", json!({"key": "issue-new"})),
        json!("{\"description\":\"楼道灯\"}")
    );
    let info: dto::DeviceInfo = serde_json::from_value(a.ok("device_info", json!({}))).unwrap();
    assert_eq!(info.language, "en");
    assert!(info.dashboard, "community staff see the dashboard");
    assert_eq!(
        info.may,
        vec![
            "report_issue",
            "post_wish",
            "report_case",
            "read_cases",
            "write_case_private",
            "propose_topic",
            "read_topics",
            "accept_issues",
            "merge_households"
        ],
        "community staff log no visits, keep a case's private part, accept issues and merge households"
    );
    a.sync(&served.rt);
    let d: dto::Dashboard = serde_json::from_value(a.ok("dashboard", json!({}))).unwrap();
    assert!(d.households > 0);
    assert_eq!(d.issues_per_day.len(), 14);
    a.ok("draft_clear", json!({"key": "issue-new"}));
    assert_eq!(a.ok("draft_get", json!({"key": "issue-new"})), Value::Null);
}

#[test]
fn a_joint_leader_never_sees_id_numbers_and_cannot_reveal_them() {
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = gridline_test_support::sample_hub_in(hub_dir.path(), chrono::Utc::now());
    let some = hub.household_ids("522701001001001", 1).unwrap();
    let linked = some[0].clone();
    let code = code_for(
        &hub,
        "jl-1",
        Role::JointLeader,
        &format!("households:{linked}"),
    );
    let served = Served::start(hub, None);
    let dir = tempfile::tempdir().unwrap();
    let a = app(dir.path());
    a.ok("enroll", json!({"hub": served.url, "code": code}));
    a.sync(&served.rt);
    let h: dto::HouseholdDetail =
        serde_json::from_value(a.ok("household", json!({"id": linked}))).unwrap();
    assert!(!h.can_reveal);
    assert!(h.sensitive_tags.is_none());
    assert!(h.residents.iter().all(|r| r.id_number_masked.is_none()));
    let r = &h.residents[0];
    assert_eq!(
        a.err_code(
            "reveal_id_number",
            json!({"household": linked, "resident": r.id})
        ),
        "refused"
    );
}

#[test]
fn sync_against_a_stopped_hub_reports_offline_and_counts_unsent() {
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = gridline_test_support::sample_hub_in(hub_dir.path(), chrono::Utc::now());
    let code = code_for(&hub, "gw-2", Role::GridWorker, "grids:522701001001001");
    let served = Served::start(hub, None);
    let dir = tempfile::tempdir().unwrap();
    let a = app(dir.path());
    a.ok("enroll", json!({"hub": served.url, "code": code}));
    a.sync(&served.rt);
    let rows: Vec<dto::HouseholdRow> =
        serde_json::from_value(a.ok("households", json!({"query": {"limit": 1}}))).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    drop(served);
    std::thread::sleep(std::time::Duration::from_millis(200));
    a.ok(
        "log_visit",
        json!({"visit": {"household_id": rows[0].id, "kind": "follow-up", "notes": ""}}),
    );
    let s = a.sync(&rt);
    assert_eq!(s.phase, "offline", "{s:?}");
    assert_eq!(s.unsent, 1);
    assert_eq!(s.last_error_code.as_deref(), Some("offline"));
    assert!(
        s.last_error.unwrap().en.contains("offline"),
        "the last error says it was offline, in English apart"
    );
}

#[test]
fn two_people_change_one_phone_the_app_shows_both_and_keeps_the_chosen_one() {
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = gridline_test_support::sample_hub_in(hub_dir.path(), chrono::Utc::now());
    let code = code_for(&hub, "gw-1", Role::GridWorker, "grids:522701001001001");
    let office_code = code_for(&hub, "cs-1", Role::CommunityStaff, "community:522701001001");
    let served = Served::start(hub, None);
    let dir = tempfile::tempdir().unwrap();
    let a = app(dir.path());
    a.ok("enroll", json!({"hub": served.url, "code": code}));
    a.sync(&served.rt);

    // The community office, another device, syncs the same household.
    let office_dir = tempfile::tempdir().unwrap();
    let mut office = gridline_device::Device::init(
        office_dir.path(),
        User {
            id: "local".into(),
            name: "王芳".into(),
            role: Role::CommunityStaff,
            scope: Scope::parse("community:522701001001").unwrap(),
        },
    )
    .unwrap();
    served
        .rt
        .block_on(gridline_device::sync::enroll(
            &mut office,
            &served.url,
            &office_code,
            None,
        ))
        .unwrap();
    served
        .rt
        .block_on(gridline_device::sync::sync(&mut office, |_| {}))
        .unwrap();

    let rows: Vec<dto::HouseholdRow> =
        serde_json::from_value(a.ok("households", json!({"query": {"limit": 1}}))).unwrap();
    let id = rows[0].id.clone();
    // Both change the phone before either syncs.
    a.ok(
        "edit_household",
        json!({"id": id, "edit": {"phone": "13800138000", "notes": null, "add_tags": [], "remove_tags": []}}),
    );
    office
        .edit_household(
            &id,
            &gridline_device::HouseholdEdit {
                phone: Some("13900139000".into()),
                ..Default::default()
            },
            chrono::Utc::now(),
        )
        .unwrap();
    a.sync(&served.rt);
    served
        .rt
        .block_on(gridline_device::sync::sync(&mut office, |_| {}))
        .unwrap();
    a.sync(&served.rt);

    let h: dto::HouseholdDetail =
        serde_json::from_value(a.ok("household", json!({"id": id}))).unwrap();
    let c = h
        .conflicts
        .iter()
        .find(|c| c.path == "phone")
        .unwrap_or_else(|| panic!("the phone conflict is visible: {:?}", h.conflicts));
    let mut values = c.values.clone();
    values.sort();
    assert_eq!(values, vec!["13800138000", "13900139000"]);
    assert_eq!(h.sync_state, "conflict");
    assert_eq!(
        a.err_code(
            "resolve_conflict",
            json!({"id": id, "path": "phone", "value": "110"})
        ),
        "conflict",
        "only an offered value can be chosen"
    );
    let h: dto::HouseholdDetail = serde_json::from_value(a.ok(
        "resolve_conflict",
        json!({"id": id, "path": "phone", "value": "13900139000"}),
    ))
    .unwrap();
    assert!(h.conflicts.is_empty(), "{:?}", h.conflicts);
    assert_eq!(h.phone.as_deref(), Some("13900139000"));
    let s = a.sync(&served.rt);
    assert_eq!(s.unsent, 0);
}

#[test]
fn a_grid_worker_reports_a_dispute_once_and_turns_an_issue_into_one_case() {
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = gridline_test_support::sample_hub_in(hub_dir.path(), chrono::Utc::now());
    let code = code_for(&hub, "gw-1", Role::GridWorker, "grids:522701001001001");
    let served = Served::start(hub, None);
    let dir = tempfile::tempdir().unwrap();
    let a = app(dir.path());
    a.ok("enroll", json!({"hub": served.url, "code": code}));
    a.sync(&served.rt);
    let rows: Vec<dto::HouseholdRow> =
        serde_json::from_value(a.ok("households", json!({"query": {"limit": 2}}))).unwrap();
    let (h1, h2) = (rows[0].id.clone(), rows[1].id.clone());

    let id = uuid::Uuid::now_v7().to_string();
    let report = json!({"case": {
        "id": id, "households": [h1, h2], "case_type": "neighbour", "warning": 2, "people": 4,
        "summary": "楼上漏水，两户多次争吵", "parties": [], "facts": ""
    }});
    let first: dto::Created = serde_json::from_value(a.ok("report_case", report.clone())).unwrap();
    let again: dto::Created = serde_json::from_value(a.ok("report_case", report)).unwrap();
    assert_eq!(
        (first.id.as_str(), first.already_saved),
        (id.as_str(), false)
    );
    assert_eq!(
        (again.id.as_str(), again.already_saved),
        (id.as_str(), true),
        "the same draft saved twice is one case"
    );
    let listed: Vec<dto::CaseRow> =
        serde_json::from_value(a.ok("cases", json!({"query": {"household": h2}}))).unwrap();
    assert_eq!(
        listed.iter().filter(|c| c.id == id).count(),
        1,
        "one case, found by either household"
    );
    let c: dto::CaseDetail = serde_json::from_value(a.ok("case", json!({"id": id}))).unwrap();
    assert_eq!(c.state.as_deref(), Some("registered"));
    assert_eq!((c.warning, c.people), (2, 4));
    assert!(
        c.offered.is_empty(),
        "a grid worker takes no step on a registered case: {:?}",
        c.offered
    );
    assert!(
        !c.may_edit_private,
        "a grid worker only reads the private part"
    );
    assert!(
        c.households.iter().all(|h| h.label.is_some()),
        "households in the worker's grid are named: {:?}",
        c.households
    );
    assert_eq!(c.events.len(), 1);
    assert_eq!(c.events[0].step, "register");

    // 转为调解: an issue becomes a case once, however often it is asked.
    let issue: dto::Created = serde_json::from_value(a.ok(
        "report_issue",
        json!({"issue": {"category": "邻里纠纷", "description": "楼上装修噪音，邻居争执", "location": "", "urgency": 2, "household_id": h1, "grid": null}}),
    ))
    .unwrap();
    let body = json!({"issue": issue.id, "case": {"warning": 1, "parties": [], "facts": "", "summary": "", "households": []}});
    let turned: dto::Created =
        serde_json::from_value(a.ok("case_from_issue", body.clone())).unwrap();
    let twice: dto::Created = serde_json::from_value(a.ok("case_from_issue", body)).unwrap();
    assert_eq!(twice.id, turned.id, "the issue already has its case");
    assert!(twice.already_saved);
    let c: dto::CaseDetail =
        serde_json::from_value(a.ok("case", json!({"id": turned.id}))).unwrap();
    assert_eq!(c.from_issue.as_deref(), Some(issue.id.as_str()));
    assert_eq!(
        c.summary, "楼上装修噪音，邻居争执",
        "the issue's words, not retyped"
    );
    assert_eq!((c.case_type.as_str(), c.warning), ("neighbour", 1));
    let from: Vec<dto::CaseRow> =
        serde_json::from_value(a.ok("cases", json!({"query": {"from_issue": issue.id}}))).unwrap();
    assert_eq!(from.len(), 1, "the issue page finds its case");

    assert_eq!(
        a.err_code("mediation_figures", json!({})),
        "refused",
        "the figures are the dashboard's"
    );
    assert_eq!(
        a.err_code(
            "act_on_case",
            json!({"id": id, "action": {"step": "accept", "mediator": "王调解"}})
        ),
        "refused",
        "a grid worker does not accept cases"
    );
}

#[test]
fn community_staff_take_a_case_to_an_agreement_and_see_id_numbers_masked() {
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = gridline_test_support::sample_hub_in(hub_dir.path(), chrono::Utc::now());
    let code = code_for(&hub, "cs-1", Role::CommunityStaff, "community:522701001001");
    let served = Served::start(hub, None);
    let dir = tempfile::tempdir().unwrap();
    let a = app(dir.path());
    a.ok("enroll", json!({"hub": served.url, "code": code}));
    a.sync(&served.rt);
    let rows: Vec<dto::HouseholdRow> =
        serde_json::from_value(a.ok("households", json!({"query": {"limit": 1}}))).unwrap();
    let created: dto::Created = serde_json::from_value(a.ok(
        "report_case",
        json!({"case": {
            "households": [rows[0].id], "case_type": "property", "summary": "物业费纠纷",
            "parties": [{"name": "张三", "id_number": "522701198706182382", "phone": "13885410023", "address": "3栋 401"}],
            "facts": "欠费两年，物业停水"
        }}),
    ))
    .unwrap();
    let id = created.id;
    let act = |action: Value| -> dto::CaseDetail {
        serde_json::from_value(a.ok("act_on_case", json!({"id": id, "action": action}))).unwrap()
    };
    let c: dto::CaseDetail = serde_json::from_value(a.ok("case", json!({"id": id}))).unwrap();
    assert!(c.may_edit_private);
    assert!(
        c.offered.contains(&"accept".to_owned()) && c.offered.contains(&"decline".to_owned()),
        "{:?}",
        c.offered
    );
    let p = c.private.expect("staff read the private part");
    assert_eq!(p.facts, "欠费两年，物业停水");
    let masked = p.parties[0].id_number_masked.clone().unwrap();
    assert!(
        masked.contains('*') && !masked.contains("19870618"),
        "an ID number crosses masked only: {masked}"
    );
    assert_eq!(p.parties[0].phone.as_deref(), Some("13885410023"));

    assert_eq!(
        a.err_code(
            "act_on_case",
            json!({"id": id, "action": {"step": "accept"}})
        ),
        "invalid",
        "accepting names the mediator"
    );
    let c = act(json!({"step": "accept", "mediator": "王调解"}));
    assert_eq!(c.state.as_deref(), Some("accepted"));
    assert!(
        c.deadline.is_some(),
        "accepting starts the month to conclude"
    );
    let held = chrono::Utc::now().to_rfc3339();
    let c = act(
        json!({"step": "session", "held_on": held, "participants": "张三、物业李经理", "notes": "双方同意分期缴费"}),
    );
    assert_eq!(c.state.as_deref(), Some("mediating"));
    let due = (chrono::Utc::now() + chrono::Duration::days(20))
        .format("%Y-%m-%d")
        .to_string();
    let c = act(
        json!({"step": "agree", "form": "written", "perform_by": due, "terms": "分三期缴清，物业恢复供水"}),
    );
    assert_eq!(c.state.as_deref(), Some("agreed"));
    assert!(
        c.apply_by.is_some(),
        "30 days to apply for judicial confirmation"
    );
    assert!(c.perform_by.is_some());
    let p = c.private.unwrap();
    assert_eq!(p.sessions.len(), 1);
    assert_eq!(p.sessions[0].notes, "双方同意分期缴费");
    assert_eq!(p.agreement, "分三期缴清，物业恢复供水");
    let steps: Vec<&str> = c.events.iter().map(|e| e.step.as_str()).collect();
    assert_eq!(steps, ["register", "accept", "session", "agree"]);
    assert!(
        c.events[3].detail.starts_with("written · "),
        "{:?}",
        c.events[3]
    );

    // A party added later keeps the first one's full ID number on the device.
    let c: dto::CaseDetail = serde_json::from_value(a.ok(
        "set_case_parties",
        json!({"id": id, "parties": {"add": [{"name": "李经理", "id_number": null, "phone": null, "address": "物业公司"}], "facts": null}}),
    ))
    .unwrap();
    let p = c.private.unwrap();
    assert_eq!(p.parties.len(), 2);
    assert_eq!(
        p.parties[0].id_number_masked.as_deref(),
        Some(masked.as_str())
    );
    assert_eq!(
        p.facts, "欠费两年，物业停水",
        "absent facts stay as they were"
    );

    let f: dto::MediationFigures =
        serde_json::from_value(a.ok("mediation_figures", json!({}))).unwrap();
    assert!(f.cases >= 1);
    assert!(
        f.success.n >= 1 && f.success.of >= f.success.n,
        "an agreement counts towards the success rate: {f:?}"
    );
    assert!(f.by_type.iter().any(|c| c.key == "property"), "{f:?}");
}

#[test]
fn today_lists_a_registered_case_for_community_staff_and_none_for_a_joint_leader() {
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = gridline_test_support::sample_hub_in(hub_dir.path(), chrono::Utc::now());
    let linked = hub.household_ids("522701001001001", 1).unwrap()[0].clone();
    let leader = code_for(
        &hub,
        "jl-1",
        Role::JointLeader,
        &format!("households:{linked}"),
    );
    let staff = code_for(&hub, "cs-1", Role::CommunityStaff, "community:522701001001");
    let served = Served::start(hub, None);

    // The leader reports a dispute in its household: the case is its own,
    // but nothing in it is the leader's to do.
    let id = {
        let dir = tempfile::tempdir().unwrap();
        let a = app(dir.path());
        a.ok("enroll", json!({"hub": served.url, "code": leader}));
        a.sync(&served.rt);
        let created: dto::Created = serde_json::from_value(a.ok(
            "report_case",
            json!({"case": {
                "households": [linked], "case_type": "neighbour", "summary": "楼道堆放杂物，两户争吵",
                "parties": [], "facts": ""
            }}),
        ))
        .unwrap();
        let today: dto::Today = serde_json::from_value(a.ok("today", json!({}))).unwrap();
        assert!(
            today.cases_needing_me.is_empty(),
            "a joint leader takes no step on a case, so Today lists none: {:?}",
            today.cases_needing_me
        );
        assert_eq!(a.sync(&served.rt).unsent, 0, "the case reaches the hub");
        created.id
    };

    let dir = tempfile::tempdir().unwrap();
    let a = app(dir.path());
    a.ok("enroll", json!({"hub": served.url, "code": staff}));
    a.sync(&served.rt);
    let today: dto::Today = serde_json::from_value(a.ok("today", json!({}))).unwrap();
    let need = today
        .cases_needing_me
        .iter()
        .find(|n| n.case.id == id)
        .unwrap_or_else(|| {
            panic!(
                "the community accepts the leader's case, so its Today lists it: {:?}",
                today.cases_needing_me
            )
        });
    assert_eq!(need.case.state.as_deref(), Some("registered"));
    assert_eq!(need.case.summary, "楼道堆放杂物，两户争吵");
    assert_eq!(
        (need.why.zh.as_str(), need.why.en.as_str()),
        ("待受理", "waiting to be accepted"),
        "the reason comes in both languages"
    );

    // Once accepted and within its deadline, the case no longer waits on Today.
    a.ok(
        "act_on_case",
        json!({"id": id, "action": {"step": "accept", "mediator": "王调解"}}),
    );
    let today: dto::Today = serde_json::from_value(a.ok("today", json!({}))).unwrap();
    assert!(
        today.cases_needing_me.iter().all(|n| n.case.id != id),
        "an accepted case in time needs nobody today: {:?}",
        today.cases_needing_me
    );
}

#[test]
fn community_staff_take_a_topic_from_proposal_to_closed_and_the_quorum_is_kept() {
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = gridline_test_support::sample_hub_in(hub_dir.path(), chrono::Utc::now());
    let code = code_for(&hub, "cs-1", Role::CommunityStaff, "community:522701001001");
    let served = Served::start(hub, None);
    let dir = tempfile::tempdir().unwrap();
    let a = app(dir.path());
    a.ok("enroll", json!({"hub": served.url, "code": code}));
    a.sync(&served.rt);
    let id = uuid::Uuid::now_v7().to_string();
    let new = json!({"topic": {
        "id": id, "grid": "522701001001001", "title": "小区加装电动车充电桩",
        "description": "电动车楼道充电，存在火灾隐患", "proposer": "owners-committee",
        "proposer_name": "业委会 李主任"
    }});
    let first: dto::Created = serde_json::from_value(a.ok("propose_topic", new.clone())).unwrap();
    let again: dto::Created = serde_json::from_value(a.ok("propose_topic", new)).unwrap();
    assert_eq!(
        (first.already_saved, again.already_saved, again.id.as_str()),
        (false, true, id.as_str()),
        "the same draft saved twice is one topic"
    );
    let act = |action: Value| -> dto::TopicDetail {
        serde_json::from_value(a.ok("act_on_topic", json!({"id": id, "action": action}))).unwrap()
    };
    let t: dto::TopicDetail = serde_json::from_value(a.ok("topic", json!({"id": id}))).unwrap();
    assert_eq!(
        t.state.as_deref(),
        Some("proposed"),
        "a new topic is proposed"
    );
    assert_eq!(
        t.offered,
        ["accept", "decline"],
        "a proposed topic is accepted or declined"
    );
    act(json!({"step": "accept"}));
    let held = chrono::Utc::now() - chrono::Duration::hours(1);
    let notice = held - chrono::Duration::days(3);
    let meeting = |present: u32| {
        json!({"step": "meeting", "held_on": held.to_rfc3339(), "place": "社区议事厅",
        "notice_posted": notice.to_rfc3339(), "meeting_type": "tripartite",
        "attendance": [
            {"member": "party-organisation", "expected": 3, "present": present},
            {"member": "owners-committee", "expected": 3, "present": 3},
            {"member": "property-company", "expected": 3, "present": 3}
        ]})
    };
    assert_ne!(
        a.err_code("act_on_topic", json!({"id": id, "action": meeting(0)})),
        "",
        "a tripartite meeting without the party organisation is refused"
    );
    let t: dto::TopicDetail = serde_json::from_value(a.ok("topic", json!({"id": id}))).unwrap();
    assert_eq!(
        t.state.as_deref(),
        Some("accepted"),
        "a refused meeting writes nothing"
    );
    let t = act(meeting(1));
    let m = t.meeting.expect("the meeting is shown");
    assert_eq!(
        (m.expected, m.present, m.quorum, m.meeting_type.as_str()),
        (9, 7, 6, "tripartite"),
        "totals and the two-thirds quorum"
    );
    assert!(
        t.events.last().unwrap().detail.starts_with("tripartite · "),
        "{:?}",
        t.events.last()
    );
    let t = act(
        json!({"step": "resolve", "text": "在3号楼旁建充电棚", "votes_for": 6,
        "against": 1, "abstain": 0}),
    );
    assert_eq!(t.state.as_deref(), Some("resolved"));
    assert!(
        t.resolution.as_ref().is_some_and(|r| r.adopted),
        "6 of 7 adopt it"
    );
    let due = (chrono::Utc::now() + chrono::Duration::days(20))
        .format("%Y-%m-%d")
        .to_string();
    let t = act(json!({"step": "task", "owner": "物业公司", "due": due, "what": "采购安装充电桩"}));
    assert_eq!(t.state.as_deref(), Some("implementing"));
    assert_eq!(t.tasks.len(), 1);
    assert!(!t.tasks[0].overdue, "due in twenty days");
    assert!(
        !t.offered.contains(&"feedback".to_owned()),
        "feedback waits for the task: {:?}",
        t.offered
    );
    let rows: Vec<dto::TopicRow> =
        serde_json::from_value(a.ok("topics", json!({"query": {"state": "implementing"}})))
            .unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| (r.id.as_str(), r.open_tasks))
            .collect::<Vec<_>>(),
        [(id.as_str(), 1)],
        "the list by state, with its open task"
    );
    act(json!({"step": "task-done", "task": t.tasks[0].id, "note": "已安装 10 个充电桩"}));
    act(json!({"step": "feedback", "note": "在公告栏和居民群公示"}));
    let t = act(json!({"step": "close"}));
    assert_eq!(t.state.as_deref(), Some("closed"));
    let steps: Vec<(&str, bool)> = t
        .events
        .iter()
        .map(|e| (e.step.as_str(), e.refused.is_some()))
        .collect();
    assert_eq!(
        steps.iter().filter(|(_, refused)| !refused).count(),
        8,
        "propose to close, every step applied: {steps:?}"
    );
    let f: dto::DeliberationFigures =
        serde_json::from_value(a.ok("deliberation_figures", json!({}))).unwrap();
    assert!(
        f.raised >= 1 && f.resolved >= 1 && f.implemented_on_time >= 1,
        "the topic is counted: {f:?}"
    );
}

/// Where there is no key store the store is keyed by a PIN (DESIGN §7): the
/// app starts locked, a wrong PIN changes nothing, the right one opens it,
/// and locking drops the device until the PIN is typed again.
#[test]
fn a_pin_keyed_device_starts_locked_unlocks_with_its_pin_and_locks_again() {
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = gridline_test_support::sample_hub_in(hub_dir.path(), chrono::Utc::now());
    let code = code_for(&hub, "gw-1", Role::GridWorker, "grids:522701001001001");
    let served = Served::start(hub, None);
    let dev_dir = tempfile::tempdir().unwrap();
    let lock_state = |a: &App| -> dto::LockState {
        serde_json::from_value(a.ok("lock_state", json!({}))).unwrap()
    };

    {
        let a = app(dev_dir.path());
        let before = lock_state(&a);
        assert_eq!(
            (before.state.as_str(), before.key_source.as_deref()),
            ("open", None),
            "no store yet: nothing to unlock"
        );
        assert_eq!(
            a.err_code(
                "enroll",
                json!({"hub": served.url, "code": code, "pin": "123"})
            ),
            "invalid",
            "a PIN under six characters is refused"
        );
        assert_eq!(
            lock_state(&a).key_source,
            None,
            "a refused PIN makes no store"
        );
        // The set-PIN step's PIN (the test key would otherwise key the store).
        let info: dto::DeviceInfo = serde_json::from_value(a.ok(
            "enroll",
            json!({"hub": served.url, "code": code, "pin": "246810"}),
        ))
        .unwrap();
        assert!(info.enrolled);
        let open = lock_state(&a);
        assert_eq!(open.state, "open");
        assert_eq!(open.key_source.as_deref(), Some("pin"));
        assert!(open.may_lock, "a PIN-keyed store can lock");
        assert_eq!(
            open.idle_minutes, 0,
            "a grid worker's device does not lock when idle by default"
        );
        a.sync(&served.rt);
        a.ok(
            "draft_put",
            json!({"key": "issue-new", "value": "{\"d\":\"楼道灯\"}"}),
        );
    }

    // Restarted: the store waits for its PIN; nothing else answers.
    let a = app(dev_dir.path());
    let locked = lock_state(&a);
    assert_eq!(locked.state, "locked", "{locked:?}");
    assert_eq!(locked.key_source.as_deref(), Some("pin"));
    assert_eq!(
        a.err_code("households", json!({"query": {}})),
        "locked",
        "a locked app reads nothing"
    );
    assert_eq!(
        a.err_code("draft_get", json!({"key": "issue-new"})),
        "locked"
    );
    let idle = a.sync(&served.rt);
    assert!(
        !idle.enrolled && idle.phase == "idle",
        "the engine sees no device while locked: {idle:?}"
    );
    assert_eq!(a.err_code("unlock", json!({"pin": "246811"})), "wrong_pin");
    assert_eq!(
        lock_state(&a).state,
        "locked",
        "a wrong PIN leaves it locked, for another try"
    );
    let info: dto::DeviceInfo =
        serde_json::from_value(a.ok("unlock", json!({"pin": "246810"}))).unwrap();
    assert!(info.enrolled && info.user_id == "gw-1", "{info:?}");
    assert_eq!(
        a.ok("draft_get", json!({"key": "issue-new"})),
        json!("{\"d\":\"楼道灯\"}"),
        "a draft written before the lock is there after it"
    );
    let rows: Vec<dto::HouseholdRow> =
        serde_json::from_value(a.ok("households", json!({"query": {"limit": 1}}))).unwrap();
    assert!(!rows.is_empty(), "unlocked, the grid is there again");

    // The idle setting is kept on the device, and only its choices.
    let set: dto::LockState =
        serde_json::from_value(a.ok("set_idle_lock", json!({"minutes": 5}))).unwrap();
    assert_eq!(set.idle_minutes, 5);
    assert_eq!(
        a.err_code("set_idle_lock", json!({"minutes": 7})),
        "invalid"
    );

    // Locking drops the device: commands and the engine see none.
    let after: dto::LockState = serde_json::from_value(a.ok("lock", json!({}))).unwrap();
    assert_eq!(after.state, "locked");
    assert_eq!(
        after.idle_minutes, 0,
        "nothing of the store is read while locked"
    );
    assert_eq!(a.err_code("households", json!({"query": {}})), "locked");
    assert_eq!(a.err_code("today", json!({})), "locked");
    let idle = a.sync(&served.rt);
    assert!(!idle.enrolled, "no device for the engine: {idle:?}");
    assert_eq!(
        a.err_code(
            "enroll",
            json!({"hub": served.url, "code": "ABCD-EFGH-JKLM"})
        ),
        "locked",
        "a locked store is never replaced by a new enrolment"
    );
    a.ok("unlock", json!({"pin": "246810"}));
    assert_eq!(
        lock_state(&a).idle_minutes,
        5,
        "the idle setting outlives the lock"
    );
    drop(a);
    drop(served);
}

/// A store keyed by the key store (here the tests' key) has no PIN to
/// unlock with: it refuses to lock, and says so.
#[test]
fn a_device_without_a_pin_cannot_lock() {
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = gridline_test_support::sample_hub_in(hub_dir.path(), chrono::Utc::now());
    let code = code_for(&hub, "cs-1", Role::CommunityStaff, "community:522701001001");
    let served = Served::start(hub, None);
    let dev_dir = tempfile::tempdir().unwrap();
    let a = app(dev_dir.path());
    a.ok("enroll", json!({"hub": served.url, "code": code}));
    let s: dto::LockState = serde_json::from_value(a.ok("lock_state", json!({}))).unwrap();
    assert_eq!(s.key_source.as_deref(), Some("test"));
    assert!(!s.may_lock, "{s:?}");
    assert_eq!(a.err_code("lock", json!({})), "cannot_lock");
    assert_eq!(
        a.err_code("set_idle_lock", json!({"minutes": 15})),
        "conflict",
        "no idle lock where there is nothing to unlock with"
    );
    a.ok("households", json!({"query": {"limit": 1}}));
    drop(served);
}

/// A device that cannot be opened for another reason than its PIN (here a
/// damaged key file) no longer stops the app from starting: every command
/// says why, in words the UI shows, and no new device is made over it.
#[test]
fn a_device_that_cannot_be_opened_says_why_to_every_command() {
    let dev_dir = tempfile::tempdir().unwrap();
    gridline_device::Device::init_for_enrolment(dev_dir.path()).unwrap();
    std::fs::write(dev_dir.path().join("key.json"), b"{ not json").unwrap();
    let a = app(dev_dir.path());
    let code = a.err_code("lock_state", json!({}));
    assert_ne!(code, "locked", "a damaged key file is not a lock");
    for cmd in ["device_info", "households", "draft_get"] {
        let args = match cmd {
            "households" => json!({"query": {}}),
            "draft_get" => json!({"key": "issue-new"}),
            _ => json!({}),
        };
        assert_eq!(a.err_code(cmd, args), code, "{cmd} answers the same reason");
    }
    assert_eq!(
        a.err_code(
            "enroll",
            json!({"hub": "http://127.0.0.1:9", "code": "ABCD-EFGH-JKLM"})
        ),
        code,
        "no device is made over one that cannot be opened"
    );
}

/// A photo goes from the form to the record, up to the hub by the queue
/// (with the device free while it travels), and to a second app, which
/// shows the thumbnail and downloads the full photo on demand.
#[test]
fn a_photo_taken_in_a_form_reaches_the_hub_and_another_app() {
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = gridline_test_support::sample_hub_in(hub_dir.path(), chrono::Utc::now());
    let code = code_for(&hub, "gw-1", Role::GridWorker, "grids:522701001001001");
    let office_code = code_for(&hub, "cs-1", Role::CommunityStaff, "community:522701001001");
    let served = Served::start(hub, None);
    let dir = tempfile::tempdir().unwrap();
    let a = app(dir.path());
    a.ok("enroll", json!({"hub": served.url, "code": code}));
    a.sync(&served.rt);

    let jpeg = include_bytes!("../../crates/photo/tests/fixtures/orientation-1.jpg");
    let taken: dto::TakenPhoto = serde_json::from_value(
        a.invoke("take_photo", tauri::ipc::InvokeBody::Raw(jpeg.to_vec()))
            .expect("a raw body is a photo"),
    )
    .unwrap();
    assert_eq!(taken.hash.len(), 64, "photos are named by their SHA-256");
    let refused: dto::AppError = serde_json::from_value(
        a.invoke(
            "take_photo",
            tauri::ipc::InvokeBody::Raw(b"not a photo".to_vec()),
        )
        .expect_err("bytes that are no image are refused"),
    )
    .unwrap();
    assert_eq!(refused.code, "invalid", "{refused:?}");

    let id = serde_json::from_value::<dto::Created>(a.ok(
        "report_issue",
        json!({"issue": {"category": "电梯", "description": "电梯停运", "location": "3 单元",
            "urgency": 2, "household_id": null, "grid": "522701001001001",
            "photos": [{"hash": taken.hash, "caption": "电梯门"}]}}),
    ))
    .unwrap()
    .id;
    let photos: Vec<dto::PhotoItem> =
        serde_json::from_value(a.ok("photos_of", json!({"record": id}))).unwrap();
    assert_eq!(photos.len(), 1, "the report holds its photo");
    assert_eq!(
        (
            photos[0].state.as_str(),
            photos[0].state_text.zh.as_str(),
            photos[0].caption.as_str()
        ),
        ("waiting", "等待上传", "电梯门"),
        "before a sync the photo waits, in words"
    );
    let q: dto::PhotoQueue = serde_json::from_value(a.ok("photo_queue", json!({}))).unwrap();
    assert_eq!(q.waiting, 1, "the Me tab counts it: {q:?}");
    let thumb = a.ok("photo_thumb", json!({"hash": taken.thumb}));
    assert!(
        thumb
            .as_str()
            .unwrap()
            .starts_with("data:image/jpeg;base64,/9j/"),
        "a thumbnail is a JPEG an <img> shows as it is"
    );

    a.sync(&served.rt);
    let state = a.webview.state::<AppState>();
    assert!(
        served
            .rt
            .block_on(gridline_app_lib::engine::photos_once(state.inner())),
        "the queue moves the photo after the record's sync"
    );
    let photos: Vec<dto::PhotoItem> =
        serde_json::from_value(a.ok("photos_of", json!({"record": id}))).unwrap();
    assert_eq!(photos[0].state, "uploaded", "{photos:?}");
    let q: dto::PhotoQueue = serde_json::from_value(a.ok("photo_queue", json!({}))).unwrap();
    assert_eq!((q.waiting, q.uploaded), (0, 1), "{q:?}");

    // The community office's app sees the photo, downloads it on a tap.
    let office_dir = tempfile::tempdir().unwrap();
    let b = app(office_dir.path());
    b.ok("enroll", json!({"hub": served.url, "code": office_code}));
    b.sync(&served.rt);
    let theirs: Vec<dto::PhotoItem> =
        serde_json::from_value(b.ok("photos_of", json!({"record": id}))).unwrap();
    assert_eq!(theirs.len(), 1, "the reference came with the record");
    assert_eq!(theirs[0].state, "remote", "{theirs:?}");
    assert!(!theirs[0].full_here, "others' photos download on demand");
    let full = b.ok("photo_full", json!({"hash": taken.hash}));
    assert!(
        full.as_str()
            .unwrap()
            .starts_with("data:image/jpeg;base64,"),
        "the full photo comes on a tap"
    );
    let theirs: Vec<dto::PhotoItem> =
        serde_json::from_value(b.ok("photos_of", json!({"record": id}))).unwrap();
    assert_eq!(theirs[0].state, "downloaded", "{theirs:?}");

    // With the hub gone, a photo not here says so in the viewer's words.
    drop(served);
    let e: dto::AppError = serde_json::from_value(
        b.call(
            "photo_full",
            json!({"hash": taken.thumb.replace(&taken.thumb[..1], "0")}),
        )
        .expect_err("an unknown photo offline is not shown"),
    )
    .unwrap();
    assert!(!e.message.is_empty(), "{e:?}");
}

#[test]
fn community_staff_merge_two_households_from_the_app_and_undo_it() {
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = gridline_test_support::sample_hub_in(hub_dir.path(), chrono::Utc::now());
    let code = code_for(&hub, "cs-1", Role::CommunityStaff, "community:522701001001");
    let served = Served::start(hub, None);
    let dir = tempfile::tempdir().unwrap();
    let a = app(dir.path());
    a.ok("enroll", json!({"hub": served.url, "code": code}));
    a.sync(&served.rt);
    let rows: Vec<dto::HouseholdRow> =
        serde_json::from_value(a.ok("households", json!({"query": {"limit": 2}}))).unwrap();
    let (kept, merged) = (rows[0].id.clone(), rows[1].id.clone());
    let before = rows.len();
    assert_eq!(
        a.err_code(
            "merge_households",
            json!({"merged": merged, "survivor": kept, "reason": "  "})
        ),
        "invalid",
        "a merge says why"
    );
    let survivor: dto::HouseholdDetail = serde_json::from_value(a.ok(
        "merge_households",
        json!({"merged": merged, "survivor": kept, "reason": "同一户登记了两次"}),
    ))
    .unwrap();
    assert_eq!(survivor.id, kept, "the answer is the survivor's page");
    assert_eq!(survivor.merged_here.len(), 1);
    assert_eq!(survivor.merged_here[0].id, merged);
    let gone: dto::HouseholdDetail =
        serde_json::from_value(a.ok("household", json!({"id": merged}))).unwrap();
    let note = gone
        .merged_into
        .expect("the merged household says where it went");
    assert_eq!(note.survivor, kept);
    assert_eq!(note.reason, "同一户登记了两次");
    assert_eq!(note.by_user, "cs-1");
    assert_eq!(
        a.err_code(
            "merge_households",
            json!({"merged": merged, "survivor": kept, "reason": "再合并一次"})
        ),
        "refused",
        "a household already merged is not merged twice"
    );
    let all: Vec<dto::HouseholdRow> =
        serde_json::from_value(a.ok("households", json!({"query": {"limit": 5000}}))).unwrap();
    assert!(
        all.iter().all(|r| r.id != merged),
        "the merged household leaves the list ({before} asked)"
    );
    let back: dto::HouseholdDetail = serde_json::from_value(a.ok(
        "unmerge_household",
        json!({"id": merged, "reason": "其实是两户"}),
    ))
    .unwrap();
    assert!(back.merged_into.is_none(), "undone, it stands on its own");
}

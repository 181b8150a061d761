//! End-to-end tests of the `gridline` binary: each runs the real executable
//! against a fresh data directory, as a grid worker or community staff would.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;

const GRID: &str = "522701001001001";
const OTHER_GRID: &str = "522701001001002";
/// A valid ID number: birth 1987-06-18, check digit 2.
const ID_NUMBER: &str = "522701198706182382";
const ID_MASKED: &str = "5227**********2382";

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gridline"))
        .arg("--data")
        .arg(dir)
        .args(args)
        .env_remove("GRIDLINE_DATA")
        .output()
        .expect("the gridline binary must start")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs a command that must succeed and returns its stdout.
fn ok(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    assert!(
        out.status.success(),
        "`gridline {}` must succeed, got {:?}\nstdout: {}\nstderr: {}",
        args.join(" "),
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// Runs a command with `--json` that must succeed and parses its stdout.
fn json(dir: &Path, args: &[&str]) -> Value {
    let mut with = vec!["--json"];
    with.extend_from_slice(args);
    let s = ok(dir, &with);
    serde_json::from_str(&s)
        .unwrap_or_else(|e| panic!("`gridline {}` must print JSON ({e}): {s}", args.join(" ")))
}

/// Runs a command that the user got wrong: exit 2, an `错误 (error)` line
/// naming the problem on stderr, and nothing on stdout. Returns stderr.
fn user_error(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    let err = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "`gridline {}` is a user error and must exit 2; stdout: {} stderr: {err}",
        args.join(" "),
        text(&out.stdout)
    );
    assert!(
        err.contains("错误 (error)"),
        "a user error must be reported as `错误 (error): …`, got: {err}"
    );
    assert!(
        out.stdout.is_empty(),
        "a failed command must print nothing on stdout, got: {}",
        text(&out.stdout)
    );
    err
}

fn saved_id(v: &Value) -> String {
    assert_eq!(
        v["status"], "saved",
        "a write must report that it saved: {v}"
    );
    v["id"]
        .as_str()
        .unwrap_or_else(|| panic!("a write must report the record id: {v}"))
        .to_owned()
}

fn init_grid_worker() -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    ok(
        dir.path(),
        &[
            "device",
            "init",
            "--user-id",
            "gw-001",
            "--name",
            "张伟",
            "--role",
            "grid-worker",
            "--scope",
            &format!("grids:{GRID}"),
        ],
    );
    dir
}

fn init_community_staff() -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    ok(
        dir.path(),
        &[
            "device",
            "init",
            "--user-id",
            "cs-001",
            "--name",
            "王芳",
            "--role",
            "community-staff",
            "--scope",
            "community:522701001001",
        ],
    );
    dir
}

fn add_zhang_san(dir: &Path) -> String {
    let v = json(
        dir,
        &[
            "household",
            "add",
            "--grid",
            GRID,
            "--compound",
            "水花都小区",
            "--building",
            "8栋",
            "--unit",
            "1单元",
            "--room",
            "401",
            "--head",
            "张三",
            "--id-number",
            ID_NUMBER,
            "--birth-date",
            "1987-06-18",
            "--phone",
            "13812345678",
            "--tag",
            "独居老人",
        ],
    );
    saved_id(&v)
}

fn household_count(dir: &Path) -> usize {
    json(dir, &["household", "list"])
        .as_array()
        .expect("household list --json prints an array")
        .len()
}

#[test]
fn help_is_bilingual_at_every_level() {
    let dir = TempDir::new().expect("temp dir");
    for args in [
        &["--help"][..],
        &["household", "--help"],
        &["household", "add", "--help"],
        &["issue", "act", "--help"],
        &["wish", "--help"],
    ] {
        let out = ok(dir.path(), args);
        assert!(
            out.contains("Usage") || out.contains("用法"),
            "`{}` must print usage: {out}",
            args.join(" ")
        );
        assert!(
            out.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "help must be Chinese first: {out}"
        );
    }
}

#[test]
fn commands_before_device_init_say_to_run_it() {
    let dir = TempDir::new().expect("temp dir");
    let err = user_error(dir.path(), &["household", "list"]);
    assert!(
        err.contains("gridline device init"),
        "a command on an empty data dir must tell the user to run `gridline device init`: {err}"
    );
    assert!(
        !dir.path().join("device.db").exists(),
        "a refused command must not create a store"
    );
}

#[test]
fn device_init_defaults_to_a_trial_grid_worker_and_show_reports_it() {
    let dir = TempDir::new().expect("temp dir");
    let out = ok(dir.path(), &["device", "init"]);
    assert!(
        out.contains("本机试用模式"),
        "init must say the device is in trial mode until enrolled: {out}"
    );
    assert!(
        out.contains("已保存 (saved)"),
        "init is a write and must say it saved: {out}"
    );
    let v = json(dir.path(), &["device", "show"]);
    assert_eq!(
        v["role"], "grid-worker",
        "a newcomer without --role is a grid worker: {v}"
    );
    assert_eq!(
        v["scope"],
        format!("grids:{GRID}"),
        "a newcomer without --scope covers the default grid: {v}"
    );
    assert_eq!(
        v["user"]["id"], "gw-001",
        "the default user id is gw-001: {v}"
    );
    assert_eq!(v["mode"], "local", "a fresh device is not enrolled: {v}");
    assert_eq!(
        v["sync"]["local"], 0,
        "a fresh device holds no documents: {v}"
    );

    let err = user_error(dir.path(), &["device", "init"]);
    assert!(
        err.contains("已有设备"),
        "a second init in the same directory must be refused, saying a device exists: {err}"
    );
    let err = user_error(
        TempDir::new().unwrap().path(),
        &[
            "device",
            "init",
            "--role",
            "community-staff",
            "--scope",
            "grids:522701001001001",
        ],
    );
    assert!(
        err.contains("scope"),
        "a scope that does not fit the role must be refused naming the scope: {err}"
    );
}

#[test]
fn household_add_list_search_edit_show_and_visit() {
    let dir = init_grid_worker();
    let d = dir.path();
    let id = add_zhang_san(d);

    let human = ok(d, &["household", "list"]);
    assert!(
        human.contains(&id),
        "the list must print the full id so it can be pasted: {human}"
    );
    assert!(
        human.contains("仅本机"),
        "the list must show the sync state word from the glossary: {human}"
    );

    let rows = json(d, &["household", "search", "zs"]);
    let rows = rows.as_array().expect("search --json prints an array");
    assert_eq!(rows.len(), 1, "pinyin initials zs must find 张三: {rows:?}");
    assert_eq!(
        rows[0]["id"],
        id.as_str(),
        "search must find the household just added: {rows:?}"
    );
    assert_eq!(
        rows[0]["head_name"], "张三",
        "the row names the head of household: {rows:?}"
    );
    assert!(
        json(d, &["household", "search", "zhangsan"])
            .as_array()
            .is_some_and(|r| r.len() == 1),
        "full pinyin must find 张三 too"
    );
    assert!(
        json(d, &["household", "search", "lisi"])
            .as_array()
            .is_some_and(|r| r.is_empty()),
        "a name nobody has finds nothing"
    );

    let edited = json(
        d,
        &[
            "household",
            "edit",
            &id,
            "--room",
            "402",
            "--add-tag",
            "党员",
        ],
    );
    assert_eq!(
        saved_id(&edited),
        id,
        "an edit reports the household it saved"
    );
    ok(
        d,
        &[
            "household",
            "add-resident",
            &id,
            "--name",
            "李四",
            "--relation",
            "配偶",
        ],
    );

    let v = json(d, &["household", "show", &id]);
    assert_eq!(
        v["address"]["room"], "402",
        "the edit must change the room: {v}"
    );
    let tags: Vec<&str> = v["tags"]
        .as_array()
        .expect("tags array")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        tags.contains(&"党员") && tags.contains(&"独居老人"),
        "the added tag joins the existing one: {tags:?}"
    );
    assert_eq!(
        v["residents"].as_array().map(Vec::len),
        Some(2),
        "the resident added must be listed: {v}"
    );
    assert_eq!(
        v["residents"][0]["id_number"], ID_MASKED,
        "ID numbers are masked by default: {v}"
    );
    assert_eq!(
        v["residents"][0]["gender"], "女",
        "an even 17th digit means female, taken from the ID: {v}"
    );

    let shown = ok(d, &["household", "show", &id]);
    assert!(
        shown.contains(ID_MASKED),
        "show must print the masked ID number: {shown}"
    );
    assert!(
        !shown.contains(ID_NUMBER),
        "show must not print the full ID number without --reveal: {shown}"
    );
    let revealed = ok(d, &["household", "show", &id, "--reveal"]);
    assert!(
        revealed.contains(ID_NUMBER),
        "--reveal must show the full ID number to a grid worker: {revealed}"
    );

    let visit = saved_id(&json(
        d,
        &[
            "visit",
            "log",
            "--household",
            &id,
            "--kind",
            "home-service-day",
            "--notes",
            "看望老人",
            "--at",
            "2025-11-28 14:05",
        ],
    ));
    let visits = json(d, &["visit", "list", "--household", &id]);
    assert_eq!(
        visits.as_array().map(Vec::len),
        Some(1),
        "the visit logged must be listed: {visits}"
    );
    assert_eq!(
        visits[0]["id"],
        visit.as_str(),
        "the listed visit is the one logged: {visits}"
    );
    assert_eq!(
        visits[0]["kind"], "home-service-day",
        "the visit kind is kept: {visits}"
    );
    assert!(
        visits[0]["at"]
            .as_str()
            .is_some_and(|t| t.starts_with("2025-11-28T06:05")),
        "--at is Beijing time, stored as UTC: {visits}"
    );
    let rows = json(d, &["household", "list"]);
    assert!(
        rows[0]["last_visit"]
            .as_str()
            .is_some_and(|t| t.starts_with("2025-11-28")),
        "the list shows the last visit: {rows}"
    );
    let stale = json(d, &["household", "list", "--not-visited-days", "30"]);
    assert_eq!(
        stale.as_array().map(Vec::len),
        Some(1),
        "a visit a year ago does not count as recent: {stale}"
    );
    let by_tag = json(d, &["household", "list", "--tag", "党员"]);
    assert_eq!(
        by_tag.as_array().map(Vec::len),
        Some(1),
        "the tag filter finds the tagged household: {by_tag}"
    );
}

#[test]
fn bad_input_exits_2_names_the_problem_and_writes_nothing() {
    let dir = init_grid_worker();
    let d = dir.path();
    let id = add_zhang_san(d);
    assert_eq!(
        household_count(d),
        1,
        "one household before the bad commands"
    );

    let err = user_error(
        d,
        &[
            "household",
            "add",
            "--grid",
            GRID,
            "--building",
            "1栋",
            "--room",
            "101",
            "--head",
            "王五",
            "--id-number",
            "522701198706182381",
        ],
    );
    assert!(
        err.contains("id_number") && err.contains("校验位"),
        "a wrong check digit must be named: {err}"
    );

    let err = user_error(
        d,
        &[
            "household",
            "add",
            "--grid",
            "12345",
            "--building",
            "1栋",
            "--room",
            "101",
            "--head",
            "王五",
        ],
    );
    assert!(
        err.contains("grid") && err.contains("15"),
        "a malformed grid must be named with its format: {err}"
    );

    let err = user_error(
        d,
        &[
            "household",
            "add",
            "--grid",
            OTHER_GRID,
            "--building",
            "1栋",
            "--room",
            "101",
            "--head",
            "王五",
        ],
    );
    assert!(
        err.contains("范围"),
        "a grid worker adding in another grid must be refused as outside their scope: {err}"
    );
    assert_eq!(
        household_count(d),
        1,
        "refused or invalid household adds must write nothing"
    );

    let err = user_error(
        d,
        &["visit", "log", "--household", &id, "--at", "28/11/2026"],
    );
    assert!(
        err.contains("at") && err.contains("YYYY-MM-DD"),
        "a malformed --at must say the expected format: {err}"
    );
    let err = user_error(
        d,
        &[
            "visit",
            "log",
            "--household",
            &id,
            "--at",
            "2099-01-01 09:00",
        ],
    );
    assert!(
        err.contains("未来"),
        "a visit in the future must be refused: {err}"
    );
    assert_eq!(
        json(d, &["visit", "list"]).as_array().map(Vec::len),
        Some(0),
        "refused visits must write nothing"
    );

    let unknown = "0193a1b2-0000-7000-8000-000000000000";
    let err = user_error(d, &["household", "show", unknown]);
    assert!(
        err.contains("找不到") && err.contains(unknown),
        "an unknown id must be named as not found: {err}"
    );
    let err = user_error(d, &["household", "edit", unknown, "--room", "1"]);
    assert!(
        err.contains(unknown),
        "editing an unknown household must name the id: {err}"
    );
    let err = user_error(d, &["household", "show", "not-an-id"]);
    assert!(
        err.contains("not-an-id"),
        "a malformed id must be quoted back: {err}"
    );
    let err = user_error(
        d,
        &[
            "issue",
            "report",
            "--household",
            unknown,
            "--category",
            "物业",
            "--description",
            "漏水",
        ],
    );
    assert!(
        err.contains(unknown),
        "reporting against an unknown household must name it: {err}"
    );
    let err = user_error(
        d,
        &[
            "issue",
            "report",
            "--grid",
            GRID,
            "--category",
            "天气",
            "--description",
            "下雨",
        ],
    );
    assert!(
        err.contains("category"),
        "an unknown category must be named: {err}"
    );
    assert_eq!(
        json(d, &["issue", "list"]).as_array().map(Vec::len),
        Some(0),
        "refused reports must write nothing"
    );

    let err = user_error(d, &["household", "edit", &id]);
    assert!(
        err.contains("--room"),
        "an edit with nothing to change must list the flags: {err}"
    );
    let out = run(d, &["household", "show", &id, "--tag", "x"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "clap usage errors exit 2 like every other user error"
    );
    assert!(
        text(&out.stderr).contains("--tag"),
        "a clap usage error names the unexpected flag: {}",
        text(&out.stderr)
    );

    assert_eq!(
        household_count(d),
        1,
        "after all the bad commands there is still exactly one household"
    );
    let v = json(d, &["household", "show", &id]);
    assert_eq!(
        v["address"]["room"], "401",
        "no bad command may have changed the household: {v}"
    );
}

#[test]
fn issue_goes_through_the_community_loop_and_refused_steps_change_nothing() {
    let dir = init_community_staff();
    let d = dir.path();
    let h = add_zhang_san(d);
    let id = saved_id(&json(
        d,
        &[
            "issue",
            "report",
            "--household",
            &h,
            "--category",
            "电梯",
            "--description",
            "8栋电梯停运",
            "--location",
            "8栋1单元",
            "--urgency",
            "3",
        ],
    ));

    let v = json(d, &["issue", "show", &id]);
    assert_eq!(v["state"], "reported", "a new issue is reported: {v}");
    assert_eq!(
        v["grid"], GRID,
        "an issue about a household is in that household's grid: {v}"
    );
    let offered: Vec<&str> = v["offered"]
        .as_array()
        .expect("offered")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        offered.contains(&"accept") && !offered.contains(&"dispatch"),
        "community staff are offered accept, not dispatch: {offered:?}"
    );

    let err = user_error(d, &["issue", "act", &id, "reject"]);
    assert!(
        err.contains("--reason"),
        "reject without --reason must name the missing flag: {err}"
    );

    let acted = json(d, &["issue", "act", &id, "accept"]);
    assert_eq!(
        acted["state"], "accepted",
        "accept moves the issue to accepted: {acted}"
    );

    let before = json(d, &["issue", "show", &id]);
    let err = user_error(
        d,
        &[
            "issue",
            "act",
            &id,
            "dispatch",
            "--departments",
            "城管,住建",
            "--grade",
            "urgent",
        ],
    );
    assert!(
        err.contains("派遣") && err.contains("dispatch"),
        "community staff dispatching must be refused, saying why: {err}"
    );
    let err = user_error(
        d,
        &["issue", "act", &id, "dispatch", "--departments", "城管"],
    );
    assert!(
        err.contains("--grade"),
        "dispatch without --grade must name the missing flag: {err}"
    );
    let after = json(d, &["issue", "show", &id]);
    assert_eq!(
        before, after,
        "a refused step must leave the issue exactly as it was"
    );

    let human = ok(d, &["issue", "show", &id]);
    assert!(
        human.contains("已受理") && human.contains("accepted"),
        "show gives the state in Chinese and English: {human}"
    );
    assert!(
        human.contains("cs-001") && human.contains("社区工作人员"),
        "the timeline names the author and role: {human}"
    );

    ok(
        d,
        &["issue", "act", &id, "resolve", "--note", "已联系物业修复"],
    );
    ok(d, &["issue", "act", &id, "close", "--note", "现场核查"]);
    let err = user_error(d, &["issue", "act", &id, "evaluate", "--satisfied", "yes"]);
    assert!(
        err.contains("--resident"),
        "evaluate without --resident must name the missing flag: {err}"
    );
    let done = json(
        d,
        &[
            "issue",
            "act",
            &id,
            "evaluate",
            "--satisfied",
            "yes",
            "--resident",
            "张三",
        ],
    );
    assert_eq!(
        done["state"], "evaluated",
        "a satisfied evaluation ends the loop: {done}"
    );

    let v = json(d, &["issue", "show", &id]);
    let steps: Vec<&str> = v["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["step"].as_str())
        .collect();
    assert_eq!(
        steps,
        ["report", "accept", "resolve", "close", "evaluate"],
        "the timeline holds each step once, in order"
    );
    assert!(
        v["events"]
            .as_array()
            .expect("events")
            .iter()
            .all(|e| e["refused"].is_null()),
        "no stored step was refused: {v}"
    );
    let listed = json(d, &["issue", "list", "--state", "evaluated"]);
    assert_eq!(
        listed.as_array().map(Vec::len),
        Some(1),
        "the state filter finds the evaluated issue: {listed}"
    );
    assert_eq!(
        json(d, &["issue", "list", "--state", "accepted"])
            .as_array()
            .map(Vec::len),
        Some(0),
        "nothing is left accepted"
    );
    let shown = json(d, &["household", "show", &h]);
    assert_eq!(
        shown["issues"].as_array().map(Vec::len),
        Some(1),
        "the household shows its issue: {shown}"
    );
}

#[test]
fn wish_is_claimed_fulfilled_confirmed_and_another_withdrawn() {
    let dir = init_grid_worker();
    let d = dir.path();
    let h = add_zhang_san(d);
    let w = saved_id(&json(
        d,
        &[
            "wish",
            "post",
            "--title",
            "一台助听器",
            "--category",
            "助老助残",
            "--value",
            "300",
            "--household",
            &h,
        ],
    ));

    let claimed = json(d, &["wish", "claim", &w]);
    assert_eq!(
        claimed["state"], "claimed",
        "in trial mode the device's own hub grants the claim: {claimed}"
    );
    assert_eq!(
        claimed["claimant"], "gw-001",
        "the claimant is this user: {claimed}"
    );
    let err = user_error(d, &["wish", "confirm", &w, "--resident", "张三"]);
    assert!(
        err.contains("确认"),
        "confirming before fulfilment must be refused: {err}"
    );
    assert_eq!(
        json(d, &["wish", "fulfil", &w, "--note", "已送到家"])["state"],
        "fulfilled",
        "the claimant fulfils"
    );
    assert_eq!(
        json(d, &["wish", "confirm", &w, "--resident", "张三"])["state"],
        "confirmed",
        "the resident's confirmation ends it"
    );
    let v = json(d, &["wish", "show", &w]);
    assert_eq!(
        v["state"], "confirmed",
        "show agrees with the last step: {v}"
    );
    assert!(
        v["events"]
            .as_array()
            .expect("events")
            .iter()
            .all(|e| e["refused"].is_null()),
        "no step of a clean lifecycle is refused: {v}"
    );

    let w2 = saved_id(&json(
        d,
        &[
            "wish",
            "post",
            "--title",
            "儿童书包",
            "--category",
            "学习用品",
            "--value",
            "80",
            "--grid",
            GRID,
        ],
    ));
    assert_eq!(
        json(d, &["wish", "withdraw", &w2, "--reason", "已由家人解决"])["state"],
        "withdrawn",
        "the poster withdraws"
    );
    let err = user_error(d, &["wish", "claim", &w2]);
    assert!(
        err.contains("撤回"),
        "a withdrawn wish cannot be claimed: {err}"
    );

    let withdrawn = json(d, &["wish", "list", "--state", "withdrawn"]);
    assert_eq!(
        withdrawn.as_array().map(Vec::len),
        Some(1),
        "one wish is withdrawn: {withdrawn}"
    );
    assert_eq!(
        json(d, &["wish", "list"]).as_array().map(Vec::len),
        Some(2),
        "the wall lists both wishes"
    );
    let human = ok(d, &["wish", "list"]);
    assert!(
        human.contains("已确认") && human.contains("已撤回"),
        "the wall shows states in Chinese: {human}"
    );
}

#[test]
fn doc_export_writes_automerge_bytes_only() {
    let dir = init_grid_worker();
    let d = dir.path();
    let id = add_zhang_san(d);
    let out = run(d, &["doc", "export", &id]);
    assert!(
        out.status.success(),
        "exporting a real record must succeed: {}",
        text(&out.stderr)
    );
    assert!(out.stdout.len() > 4, "the export must not be empty");
    assert_eq!(
        &out.stdout[..4],
        &[0x85, 0x6f, 0x4a, 0x83],
        "an export is a standard Automerge document, starting with its magic bytes"
    );

    let err = user_error(
        d,
        &["doc", "export", "0193a1b2-0000-7000-8000-000000000000"],
    );
    assert!(
        err.contains("找不到"),
        "exporting an unknown id must say it was not found: {err}"
    );
}

#[test]
fn hub_console_imports_enrols_and_refuses_bad_input_with_line_and_column() {
    let tmp = TempDir::new().unwrap();
    let hub = tmp.path().join("hub");
    ok(&hub, &["hub", "init"]);
    user_error(&hub, &["hub", "init"]);
    // A bad row: the whole file is refused, naming line and column, and nothing is imported.
    let bad = tmp.path().join("bad.csv");
    std::fs::write(
        &bad,
        "社区,网格,小区,楼栋,单元,房号,户主姓名,身份证号,联系电话,标签\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,522701198706182383,18517374590,\n",
    )
    .unwrap();
    let err = user_error(&hub, &["hub", "import", bad.to_str().unwrap()]);
    assert!(
        err.contains("第 2 行") && err.contains("身份证号"),
        "the error names line 2 and the ID column: {err}"
    );
    let health = json(&hub, &["hub", "devices"]);
    assert_eq!(health.as_array().map(Vec::len), Some(0), "no device yet");
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../hub/tests/fixtures/import/households-sample-gbk.csv"
    );
    let report = json(&hub, &["hub", "import", sample]);
    assert_eq!(report["households"], 24, "the GBK sample imports in full");
    let again = json(&hub, &["hub", "import", sample]);
    assert_eq!(
        again["households"], 0,
        "importing the same file again duplicates nobody"
    );
    let code = json(
        &hub,
        &[
            "hub",
            "enroll",
            "--user",
            "gw-1",
            "--role",
            "grid-worker",
            "--scope",
            &format!("grids:{GRID}"),
        ],
    );
    assert!(
        code["code"].as_str().is_some_and(|c| c.len() == 14),
        "a one-time code like ABCD-EFGH-JKLM: {code}"
    );
    user_error(
        &hub,
        &[
            "hub",
            "enroll",
            "--user",
            "x",
            "--role",
            "grid-worker",
            "--scope",
            "community:522701001001",
        ],
    );
    user_error(
        &hub,
        &[
            "hub",
            "enroll",
            "--user",
            "x",
            "--role",
            "grid-worker",
            "--scope",
            "grids:530101001001001",
        ],
    );
    user_error(&hub, &["hub", "revoke", "no-such-device"]);
}

#[test]
fn a_trial_device_cannot_sync_until_enrolled() {
    let tmp = TempDir::new().unwrap();
    ok(tmp.path(), &["device", "init"]);
    let err = user_error(tmp.path(), &["device", "sync"]);
    assert!(err.contains("device enroll"), "says how to enrol: {err}");
    // Not the user's fault: exit 1, and a plain word on what happened.
    let out = run(
        tmp.path(),
        &[
            "device",
            "enroll",
            "--hub",
            "http://127.0.0.1:9",
            "--code",
            "AAAA-BBBB-CCCC",
        ],
    );
    let err = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "an unreachable hub is a failure, not bad input: {err}"
    );
    assert!(
        err.contains("离线 (offline)") && err.contains("cannot reach the hub"),
        "an unreachable hub is reported plainly: {err}"
    );
}

#[test]
fn a_malformed_code_is_refused_on_the_device_before_anything_is_sent() {
    let tmp = TempDir::new().unwrap();
    ok(tmp.path(), &["device", "init"]);
    // Nothing listens on the hub address: only a local refusal can answer.
    let err = user_error(
        tmp.path(),
        &[
            "device",
            "enroll",
            "--hub",
            "http://127.0.0.1:9",
            "--code",
            "WRONG-CODE-0000",
        ],
    );
    assert!(
        err.contains("注册码形如 ABCD-EFGH-JKLM")
            && err.contains("a code looks like ABCD-EFGH-JKLM"),
        "says what a code looks like, in both languages: {err}"
    );
    assert!(
        !err.contains("offline"),
        "the code was checked before any connection: {err}"
    );
}

#[test]
fn hub_enrol_unlock_clears_recorded_bad_codes_says_what_and_is_audited() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("hub");
    ok(&dir, &["hub", "init"]);
    {
        let hub = gridline_hub::Hub::open(&dir).unwrap();
        let now = chrono::Utc::now();
        for (from, n) in [("10.0.0.9", 5), ("10.0.0.10", 2)] {
            for i in 0..n {
                let code = format!("WRNG-CDXE-ZZZ{}", (b'A' + i) as char);
                let r = hub.enroll(&code, "dev-x", "aa01", from.parse().unwrap(), now);
                assert!(
                    matches!(r, Err(gridline_hub::Error::BadCode)),
                    "a bad code from {from} is recorded: {r:?}"
                );
            }
        }
    }
    let one = ok(
        &dir,
        &[
            "hub",
            "enrol-unlock",
            "--source",
            "10.0.0.9",
            "--admin",
            "李主任",
        ],
    );
    assert!(
        one.contains("已清除来自 10.0.0.9 的 5 次注册码错误记录")
            && one.contains("cleared 5 recorded bad enrolment codes from 10.0.0.9"),
        "says what it cleared, in Chinese and English: {one}"
    );
    let rest = json(&dir, &["hub", "enrol-unlock"]);
    assert_eq!(
        (
            rest["cleared"].as_u64(),
            rest["sources"][0]["source"].as_str()
        ),
        (Some(2), Some("10.0.0.10")),
        "the other address's failures were left for the second, hub-wide unlock: {rest}"
    );
    let none = ok(&dir, &["hub", "enrol-unlock"]);
    assert!(
        none.contains("没有注册码错误记录") && none.contains("no recorded bad enrolment codes"),
        "nothing left to clear, said plainly: {none}"
    );
    let audit = json(&dir, &["hub", "audit"]);
    let unlocks: Vec<(&str, &str)> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "enrol-unlock")
        .map(|r| (r["admin"].as_str().unwrap(), r["record"].as_str().unwrap()))
        .collect();
    assert_eq!(
        unlocks,
        vec![("李主任", "10.0.0.9"), ("admin", "*"), ("admin", "*")],
        "every unlock is audited with its admin and what it cleared"
    );
    let shown = ok(&dir, &["hub", "audit"]);
    assert!(
        shown.contains("解除注册锁定 (enrol-unlock)"),
        "the audit table names the action in both languages: {shown}"
    );
    let bad = run(&dir, &["hub", "enrol-unlock", "--source", "not-an-address"]);
    assert_eq!(bad.status.code(), Some(2), "a source must be an IP address");
}

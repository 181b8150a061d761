//! End-to-end tests of the `gridline` binary: each runs the real executable
//! against a fresh data directory, as a grid worker or community staff would.

mod encryption;
mod merge;
mod people;
mod time_limits;

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
        // Messages in both languages, whatever the machine's locale.
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
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

/// Every help screen, from `gridline --help` down to each leaf subcommand,
/// is bilingual the way this CLI writes help: each line of text Gridline wrote
/// (the screen's about line, and the description of every command, argument
/// and option on it) is Chinese first, at least two Han characters before the
/// parentheses, then the English in them, at least four Latin letters and no
/// Han. Not
/// checked: clap's own lines (`help`, `-h`, `-V`), its `[env: ]` and
/// `[default: ]` notes, and lists of possible values (`accept: 受理`), where
/// the value itself is the English.
#[test]
fn help_is_bilingual_at_every_level() {
    fn han(s: &str) -> usize {
        s.chars()
            .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
            .count()
    }
    /// Why `text` is not "中文 (English)", if it is not.
    fn not_bilingual(text: &str) -> Option<String> {
        if text.is_empty() {
            return Some("no help text".into());
        }
        let Some((before, rest)) = text.split_once('(') else {
            return Some("no English in parentheses".into());
        };
        let english = rest.split_once(')').map_or(rest, |(e, _)| e);
        let chinese = han(before);
        let letters = english.chars().filter(char::is_ascii_alphabetic).count();
        if chinese < 2 {
            Some(format!("{chinese} Han characters before the English"))
        } else if letters < 4 || han(english) > 0 {
            Some(format!("English half `{english}` is not English text"))
        } else {
            None
        }
    }
    /// The screen's about line, its entries (name, description) and its
    /// subcommands, read from clap's layout: sections are unindented lines
    /// ending in `:`, an entry starts two spaces in (six for an option with
    /// no short flag), its description follows the name after two spaces or
    /// (long help) on the more indented lines below it.
    fn read_help(out: &str) -> (String, Vec<(String, String)>, Vec<String>) {
        let about = out.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let (mut entries, mut commands) = (Vec::<(String, String)>::new(), Vec::new());
        let mut section = "";
        for line in out.lines() {
            if !line.starts_with(' ') && line.ends_with(':') {
                section = line;
            } else if (2..=6).contains(&(line.len() - line.trim_start().len()))
                && !section.is_empty()
            {
                let entry = line.trim_start();
                let (name, text) = entry.split_once("  ").unwrap_or((entry, ""));
                if section == "Commands:" {
                    commands.push(name.to_owned());
                }
                entries.push((name.to_owned(), text.trim().to_owned()));
            } else if let Some((_, text)) = entries.last_mut() {
                let more = line.trim();
                if !more.is_empty()
                    && !more.starts_with('-')
                    && !more.starts_with('[')
                    && !more.ends_with(':')
                {
                    text.push(' ');
                    text.push_str(more);
                }
            }
        }
        for (_, text) in &mut entries {
            // clap's own notes: ` [env: …]`, ` [default: …]`, or all there is.
            if let Some(cut) = text
                .find('[')
                .filter(|&i| i == 0 || text[..i].ends_with(' '))
            {
                text.truncate(cut);
                text.truncate(text.trim_end().len());
            }
        }
        entries
            .retain(|(name, _)| !matches!(name.as_str(), "help" | "-h, --help" | "-V, --version"));
        commands.retain(|c| c != "help");
        (about.to_owned(), entries, commands)
    }

    // The check itself refuses what the old test let through: one Chinese
    // character, no English, an English half that is not English, English first.
    for weak in [
        "户 (household)",
        "户主姓名",
        "户主姓名 (户主)",
        "户主姓名 (id)",
        "(head's name) 户主姓名",
    ] {
        assert!(
            not_bilingual(weak).is_some(),
            "`{weak}` is not bilingual help text"
        );
    }
    assert_eq!(
        not_bilingual("户主姓名 (head of household's name)"),
        None,
        "the CLI's own form passes"
    );

    let dir = TempDir::new().expect("temp dir");
    let mut screens = vec![Vec::<String>::new()];
    let (mut visited, mut checked, mut problems) = (0, 0, Vec::new());
    while let Some(path) = screens.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let out = ok(dir.path(), &args);
        let shown = format!("gridline {}", args.join(" "));
        assert!(
            out.contains("Usage") || out.contains("用法"),
            "`{shown}` must print usage: {out}"
        );
        visited += 1;
        let (about, entries, commands) = read_help(&out);
        assert!(
            !entries.is_empty(),
            "`{shown}` lists at least --data, so the layout was read: {out}"
        );
        for (name, text) in std::iter::once((String::from("(about)"), about)).chain(entries) {
            checked += 1;
            if let Some(why) = not_bilingual(&text) {
                problems.push(format!("`{shown}` {name}: {why}: {text}"));
            }
        }
        for c in commands {
            let mut sub = path.clone();
            sub.push(c);
            screens.push(sub);
        }
    }
    assert!(
        problems.is_empty(),
        "help text must be Chinese first with its English beside it; {} of {checked} lines are not:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(
        visited > 30,
        "every subcommand's help was read, not only the top level: {visited} screens"
    );
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
    let with_reason = json(
        d,
        &[
            "household",
            "show",
            &id,
            "--reveal",
            "--reason",
            " 核对低保材料 ",
        ],
    );
    assert_eq!(
        with_reason["residents"][0]["id_number"], ID_NUMBER,
        "--reveal --reason shows the number in full: {with_reason}"
    );
    assert!(
        with_reason["reveal_entry"]
            .as_str()
            .is_some_and(|e| e.len() == 36),
        "and names the reveal entry it recorded first: {with_reason}"
    );
    let err = user_error(d, &["household", "show", &id, "--reason", "x"]);
    assert!(
        err.contains("--reveal"),
        "--reason without --reveal is refused naming --reveal: {err}"
    );
    let long = "理".repeat(201);
    let err = user_error(
        d,
        &["household", "show", &id, "--reveal", "--reason", &long],
    );
    assert!(
        err.contains("--reason") && err.contains("200") && err.contains("太长"),
        "a reason over 200 characters is refused in both languages, naming the flag: {err}"
    );
    assert!(
        !text(
            &run(
                d,
                &["household", "show", &id, "--reveal", "--reason", &long]
            )
            .stdout
        )
        .contains(ID_NUMBER),
        "and no number is shown"
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
    let err = user_error(d, &["visit", "log", "--household", &id, "--notes", "  "]);
    assert!(
        err.contains("走访记录是空的") && err.contains("--kind"),
        "a visit with no kind and no notes must be refused, naming the option to fix: {err}"
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
        human.contains("王芳 (社区工作人员)"),
        "the timeline names the author, by name, and role: {human}"
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
fn a_poster_cannot_claim_their_own_wish_and_another_is_withdrawn() {
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

    // One user on a trial device: the poster, who may not claim their own
    // wish (the fold refuses it), so the device writes nothing. The rest of
    // the lifecycle is the rules' tests' (crates/model/tests/rules/wish_fold.rs).
    let err = user_error(d, &["wish", "claim", &w]);
    assert!(
        err.contains("不能认领自己发布的心愿") && err.contains("a wish you posted"),
        "the poster's own claim is refused, saying why: {err}"
    );
    let v = json(d, &["wish", "show", &w]);
    assert_eq!(
        v["state"], "posted",
        "the refused claim changed nothing: {v}"
    );
    assert_eq!(
        v["events"].as_array().map(Vec::len),
        Some(1),
        "nothing but the post was written: {v}"
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
        human.contains("待认领") && human.contains("已撤回"),
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
        err.contains("离线：无法连接街道枢纽") && err.contains("offline: cannot reach the hub"),
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

/// A UUID v7 a script could have made before its first try.
const SCRIPT_ID: &str = "0193a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b";

#[test]
fn visit_notes_show_in_visit_list_and_household_show() {
    let dir = init_grid_worker();
    let h = add_zhang_san(dir.path());
    ok(
        dir.path(),
        &[
            "visit",
            "log",
            "--household",
            &h,
            "--notes",
            "身体尚好，需要助听器",
        ],
    );
    let list = ok(dir.path(), &["visit", "list", "--household", &h]);
    assert!(
        list.contains("走访记录 (notes)") && list.contains("身体尚好，需要助听器"),
        "visit list shows the notes: {list}"
    );
    let listed = json(dir.path(), &["visit", "list", "--household", &h]);
    assert_eq!(
        listed[0]["notes"], "身体尚好，需要助听器",
        "visit list --json carries the notes: {listed}"
    );
    let show = ok(dir.path(), &["household", "show", &h]);
    assert!(
        show.contains("身体尚好，需要助听器"),
        "household show shows each recent visit's notes: {show}"
    );
    let shown = json(dir.path(), &["household", "show", &h]);
    assert_eq!(
        shown["visits"][0]["notes"], "身体尚好，需要助听器",
        "household show --json carries them too: {shown}"
    );
}

#[test]
fn a_retried_save_with_the_same_id_is_the_same_record_and_says_so() {
    let dir = init_grid_worker();
    let d = dir.path();
    let add = |id: &str| {
        json(
            d,
            &[
                "household",
                "add",
                "--grid",
                GRID,
                "--building",
                "8栋",
                "--room",
                "401",
                "--head",
                "张三",
                "--id",
                id,
            ],
        )
    };
    let first = add(SCRIPT_ID);
    assert_eq!(
        (saved_id(&first).as_str(), &first["already_saved"]),
        (SCRIPT_ID, &Value::Bool(false)),
        "the first save uses the given id: {first}"
    );
    let again = add(SCRIPT_ID);
    assert_eq!(
        again["already_saved"], true,
        "a second save with the same id is the same record: {again}"
    );
    assert_eq!(household_count(d), 1, "and not a second household");
    let text = ok(
        d,
        &[
            "household",
            "add",
            "--grid",
            GRID,
            "--building",
            "8栋",
            "--room",
            "401",
            "--head",
            "张三",
            "--id",
            SCRIPT_ID,
        ],
    );
    assert!(
        text.contains("已保存过") && text.contains("not a second one"),
        "the retry says so, in both languages: {text}"
    );

    // Each kind that creates a record takes --id the same way.
    let ids = [
        "0193a1b2-7c3d-7e4f-8a5b-000000000001",
        "0193a1b2-7c3d-7e4f-8a5b-000000000002",
        "0193a1b2-7c3d-7e4f-8a5b-000000000003",
    ];
    let creates: [Vec<&str>; 3] = [
        vec![
            "visit",
            "log",
            "--household",
            SCRIPT_ID,
            "--notes",
            "走访",
            "--id",
            ids[0],
        ],
        vec![
            "issue",
            "report",
            "--household",
            SCRIPT_ID,
            "--category",
            "电梯",
            "--description",
            "电梯停运",
            "--id",
            ids[1],
        ],
        vec![
            "wish",
            "post",
            "--household",
            SCRIPT_ID,
            "--title",
            "一台助听器",
            "--category",
            "医疗健康",
            "--value",
            "600",
            "--id",
            ids[2],
        ],
    ];
    for args in &creates {
        let first = json(d, args);
        let second = json(d, args);
        assert_eq!(
            (&first["already_saved"], &second["already_saved"]),
            (&Value::Bool(false), &Value::Bool(true)),
            "`{}` twice is one record",
            args.join(" ")
        );
    }
    let visits = json(d, &["visit", "list", "--household", SCRIPT_ID]);
    let issues = json(d, &["issue", "list"]);
    let wishes = json(d, &["wish", "list"]);
    assert_eq!(
        [&visits, &issues, &wishes].map(|v| v.as_array().map(Vec::len)),
        [Some(1), Some(1), Some(1)],
        "one visit, one issue, one wish after two saves of each"
    );

    let v4 = user_error(
        d,
        &[
            "visit",
            "log",
            "--household",
            SCRIPT_ID,
            "--id",
            "0b6f5f0e-5c5e-4b0a-9a51-3a1c6a7d2e10",
        ],
    );
    assert!(
        v4.contains("UUID v4") && v4.contains("须为 UUID v7") && v4.contains("must be a UUID v7"),
        "a UUID that is not v7 is refused, saying why in both languages: {v4}"
    );
    let junk = user_error(
        d,
        &["visit", "log", "--household", SCRIPT_ID, "--id", "12345"],
    );
    assert!(
        junk.contains("不是有效的 UUID") && junk.contains("not a valid UUID"),
        "a malformed id is refused: {junk}"
    );
    let reused = user_error(
        d,
        &["visit", "log", "--household", SCRIPT_ID, "--id", ids[1]],
    );
    assert!(
        reused.contains("already used by another record, a issue")
            || reused.contains("another record"),
        "an id another kind of record holds is refused: {reused}"
    );
    assert_eq!(
        json(d, &["visit", "list", "--household", SCRIPT_ID])
            .as_array()
            .map(Vec::len),
        Some(1),
        "the refused saves wrote nothing"
    );
}

#[test]
fn resolve_without_a_conflict_exits_2_and_says_there_is_nothing_to_resolve() {
    let dir = init_grid_worker();
    let h = add_zhang_san(dir.path());
    let err = user_error(
        dir.path(),
        &[
            "household",
            "resolve",
            &h,
            "--field",
            "phone",
            "--value",
            "13812345678",
        ],
    );
    assert!(
        err.contains("没有冲突，无需选定") && err.contains("nothing to resolve"),
        "a field without a conflict is not saved: {err}"
    );
    let err = err.trim_start_matches("错误 (error): ");
    assert!(
        err.starts_with("记录"),
        "the message starts in Chinese: {err}"
    );
}

#[test]
fn a_wish_worth_nothing_is_refused_and_admins_are_not_enrolled_as_devices() {
    let dir = init_grid_worker();
    let h = add_zhang_san(dir.path());
    let err = user_error(
        dir.path(),
        &[
            "wish",
            "post",
            "--household",
            &h,
            "--title",
            "一台助听器",
            "--category",
            "医疗健康",
            "--value",
            "0",
        ],
    );
    assert!(
        err.contains("至少 1 元") && err.contains("value under 1 yuan"),
        "a wish worth 0 yuan is refused in both languages: {err}"
    );
    assert_eq!(
        json(dir.path(), &["wish", "list"]).as_array().map(Vec::len),
        Some(0),
        "nothing was posted"
    );

    let tmp = TempDir::new().unwrap();
    let hub = tmp.path().join("hub");
    ok(&hub, &["hub", "init"]);
    let err = user_error(
        &hub,
        &[
            "hub",
            "enroll",
            "--user",
            "a",
            "--role",
            "admin",
            "--scope",
            "street:522701001",
        ],
    );
    assert!(
        err.contains("不作为设备注册")
            && err.contains("admins and the hub are not enrolled as devices")
            && !err.contains("scope does not fit"),
        "says admins are not enrolled, not that the scope is wrong: {err}"
    );
}

#[test]
fn a_limited_household_list_says_how_many_in_all_and_demo_records_are_on_this_device_only() {
    let dir = TempDir::new().unwrap();
    ok(dir.path(), &["device", "init"]);
    let seeded = ok(
        dir.path(),
        &["demo", "seed", "--scale", "grid", "--seed", "1"],
    );
    assert!(
        seeded
            .lines()
            .any(|l| l.contains("调解案件 (mediation cases)") && l.trim_end().ends_with(" 25")),
        "the summary counts the grid's 25 mediation cases: {seeded}"
    );
    let out = ok(dir.path(), &["household", "list", "--limit", "5"]);
    assert!(
        out.contains("显示 5 户，共 300 户 (showing 5 of 300 households)"),
        "a limited list says how many there are in all: {out}"
    );
    assert!(
        !out.contains("共 5 户"),
        "and never reads as if 5 were the total: {out}"
    );
    assert!(
        out.contains("仅本机"),
        "demo households are on this device only: {out}"
    );
    let show = ok(dir.path(), &["device", "show"]);
    let line = show
        .lines()
        .find(|l| l.contains("仅本机 (on this device only)"))
        .unwrap_or_else(|| panic!("device show has a 仅本机 line: {show}"));
    assert!(
        line.contains("7459") && line.contains("其中演示数据 7459"),
        "device show counts the demo records as 仅本机, like the lists: {line}"
    );
    let all = ok(dir.path(), &["household", "list"]);
    assert!(
        all.contains("共 300 户 (300 households)"),
        "an unlimited list keeps its plain total: {}",
        all.lines().last().unwrap_or_default()
    );
}

#[test]
fn a_hub_directory_is_not_a_device_and_the_hub_commands_read_it_audited() {
    let tmp = TempDir::new().unwrap();
    let hub = tmp.path().join("hub");
    ok(&hub, &["hub", "init"]);
    ok(&hub, &["demo", "seed", "--scale", "grid", "--seed", "1"]);
    for args in [
        &["issue", "show", SCRIPT_ID][..],
        &["household", "list"],
        &["device", "init"],
    ] {
        let err = user_error(&hub, args);
        assert!(
            err.contains("街道枢纽的数据目录")
                && err.contains("street hub's data directory")
                && err.contains("hub households|issues|wishes|show")
                && !err.contains("device init"),
            "`{}` on a hub says so and points to the hub commands: {err}",
            args.join(" ")
        );
    }
    assert!(
        !hub.join("device.db").exists(),
        "no stray device is made beside hub.db"
    );

    let households = json(&hub, &["hub", "households", "--grid", GRID, "--limit", "2"]);
    assert_eq!(
        (
            households["total"].as_u64(),
            households["records"].as_array().map(Vec::len)
        ),
        (Some(300), Some(2)),
        "hub households lists the grid's households with the total: {households}"
    );
    let text = ok(&hub, &["hub", "issues", "--limit", "3"]);
    assert!(
        text.contains("显示 3 条，共 1500 条") && text.contains("showing 3 of 1500"),
        "hub issues says how many in all: {text}"
    );
    let wishes = json(&hub, &["hub", "wishes"]);
    assert_eq!(
        wishes["total"], 300,
        "hub wishes counts the street's wishes"
    );

    let id = households["records"][0]["id"].as_str().unwrap().to_owned();
    let shown = ok(&hub, &["hub", "show", &id]);
    assert!(
        shown.contains("**********"),
        "ID numbers stay masked: {shown}"
    );
    let err = user_error(&hub, &["hub", "show", &id, "--reveal"]);
    assert!(
        err.contains("--admin"),
        "a reveal needs the admin named: {err}"
    );
    let revealed = json(&hub, &["hub", "show", &id, "--reveal", "--admin", "王主任"]);
    assert_eq!(
        revealed["revealed"], true,
        "the reveal was made: {revealed}"
    );
    let full = revealed["id_numbers"]
        .as_object()
        .and_then(|m| m.values().next())
        .and_then(Value::as_str)
        .unwrap_or_default();
    assert!(
        full.len() == 18 && !full.contains('*'),
        "the ID number is shown in full: {revealed}"
    );
    user_error(&hub, &["hub", "show", SCRIPT_ID]);

    let reveals = json(&hub, &["hub", "audit", "--reveals"]);
    assert_eq!(
        reveals.as_array().map(Vec::len),
        Some(0),
        "no device has revealed anything: {reveals}"
    );
    let err = user_error(
        &hub,
        &["hub", "audit", "--reveals", "--since", "2026-13-01"],
    );
    assert!(
        err.contains("2026-13-01") && err.contains("无法识别"),
        "a bad --since is refused in both languages: {err}"
    );
    let audit = json(&hub, &["hub", "audit", "--limit", "20"]);
    let rows: Vec<(String, String)> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["action"]
                .as_str()
                .is_some_and(|a| a.starts_with("admin-"))
        })
        .map(|r| {
            (
                r["action"].as_str().unwrap().to_owned(),
                r["admin"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let want = [
        ("admin-read", "admin"),
        ("admin-read", "admin"),
        ("admin-read", "admin"),
        ("admin-read", "admin"),
        ("admin-read", "王主任"),
        ("admin-reveal", "王主任"),
    ]
    .map(|(a, b)| (a.to_owned(), b.to_owned()));
    assert_eq!(
        rows, want,
        "every read and the reveal are audited with the admin"
    );
}

#[test]
fn a_damaged_store_exits_3_and_says_to_restore_it() {
    let tmp = TempDir::new().unwrap();
    let device = tmp.path().join("phone");
    std::fs::create_dir_all(&device).unwrap();
    std::fs::write(device.join("device.db"), vec![0x5a; 8192]).unwrap();
    let hub = tmp.path().join("hub");
    std::fs::create_dir_all(&hub).unwrap();
    std::fs::write(hub.join("hub.db"), vec![0x5a; 8192]).unwrap();
    for (dir, args) in [
        (&device, &["household", "list"][..]),
        (&hub, &["hub", "households"]),
    ] {
        let out = run(dir, args);
        let err = text(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(3),
            "`{}` on a damaged store exits 3: {err}",
            args.join(" ")
        );
        assert!(
            err.contains("已损坏") && err.contains("damaged") && err.contains("backup"),
            "says the store is damaged and to restore it: {err}"
        );
    }
}

#[test]
fn hub_serve_logs_without_colour_when_stderr_is_not_a_terminal() {
    use std::io::BufRead as _;
    let tmp = TempDir::new().unwrap();
    let hub = tmp.path().join("hub");
    ok(&hub, &["hub", "init"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_gridline"))
        .arg("--data")
        .arg(&hub)
        .args(["hub", "serve", "--listen", "127.0.0.1:0"])
        .env_remove("GRIDLINE_DATA")
        .env_remove("NO_COLOR")
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the hub starts");
    let stderr = child.stderr.take().expect("stderr is piped");
    let mut seen = String::new();
    for line in std::io::BufReader::new(stderr).lines() {
        let line = line.expect("stderr is text");
        seen.push_str(&line);
        seen.push('\n');
        if line.contains("hub serving") && line.contains("INFO") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        seen.contains("INFO") && seen.contains("hub serving"),
        "the log line reaches stderr: {seen}"
    );
    assert!(
        !seen.contains('\u{1b}'),
        "no ANSI colour codes when stderr is a pipe or a file: {seen:?}"
    );
}

#[test]
fn a_value_clap_cannot_parse_is_said_in_both_languages_or_in_the_one_asked_for() {
    let tmp = TempDir::new().unwrap();
    let both = run(
        tmp.path(),
        &["wish", "post", "--title", "x", "--value", "abc"],
    );
    let err = text(&both.stderr);
    assert_eq!(both.status.code(), Some(2), "bad input exits 2: {err}");
    assert!(
        err.contains("--value") && err.contains("须为整数") && err.contains("invalid digit"),
        "both halves name the flag and why: {err}"
    );
    let en = run(
        tmp.path(),
        &[
            "--lang", "en", "wish", "post", "--title", "x", "--value", "abc",
        ],
    );
    let err = text(&en.stderr);
    assert!(
        err.contains("invalid value \"abc\" for --value") && !err.contains("须为整数"),
        "--lang en prints English only: {err}"
    );
}

/// With no `--lang`, the locale decides as POSIX says (`LC_ALL`, then
/// `LC_MESSAGES`, then `LANG`); a `--lang` that names no language is refused
/// in the locale's language, since the flag itself could not say.
#[test]
fn the_locale_chooses_the_language_when_no_flag_does() {
    let tmp = TempDir::new().unwrap();
    let with_env = |vars: &[(&str, &str)], args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_gridline"));
        c.arg("--data")
            .arg(tmp.path())
            .args(args)
            .env_remove("GRIDLINE_DATA")
            .env_remove("LANG")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES");
        for (k, v) in vars {
            c.env(k, v);
        }
        let out = c.output().expect("the gridline binary must start");
        assert_eq!(out.status.code(), Some(2), "bad input exits 2");
        text(&out.stderr)
    };
    let bad_value = ["wish", "post", "--title", "x", "--value", "abc"];
    let err = with_env(
        &[("LC_ALL", "en_US.UTF-8"), ("LANG", "zh_CN.UTF-8")],
        &bad_value,
    );
    assert!(
        err.contains("invalid value") && !has_han(&err),
        "LC_ALL=en overrides LANG=zh: {err}"
    );
    let err = with_env(
        &[("LC_MESSAGES", "zh_CN.UTF-8"), ("LANG", "en_US.UTF-8")],
        &bad_value,
    );
    assert!(
        has_han(&err) && !err.contains("invalid value"),
        "LC_MESSAGES=zh overrides LANG=en: {err}"
    );
    let err = with_env(
        &[("LANG", "zh_CN.UTF-8")],
        &["--lang", "fr", "device", "show"],
    );
    assert!(
        err.contains("fr") && has_han(&err) && !err.contains("is not a language"),
        "a bad --lang is refused in the locale's language: {err}"
    );
    let err = with_env(&[], &["--lang", "fr", "device", "show"]);
    assert!(
        err.contains("不是可用的语言") && err.contains("is not a language"),
        "with no locale to go by, the refusal is said in both: {err}"
    );
}

/// Whether `s` holds a Chinese character.
fn has_han(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xFF01..=0xFF60))
}

/// The words of two or more Latin letters in `s`.
fn latin_words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn hub_lines_are_printed_in_the_language_asked_for() {
    let tmp = TempDir::new().unwrap();
    let hub = tmp.path().join("hub");
    let init = ok(&hub, &["--lang", "en", "hub", "init"]);
    let seeded = ok(
        &hub,
        &[
            "--lang", "en", "demo", "seed", "--scale", "grid", "--seed", "1",
        ],
    );
    let list = ["hub", "households", "--grid", GRID, "--limit", "5"];
    let listed = json(&hub, &list);
    // Data values are what they are in any language: the default street
    // name, and each listed household's id, head and address.
    let mut data = vec!["广惠路街道".to_owned()];
    for r in listed["records"].as_array().expect("a listing has records") {
        for key in ["id", "head_name", "address"] {
            data.push(r[key].as_str().unwrap_or_default().to_owned());
        }
    }
    let strip = |s: &str| {
        data.iter()
            .filter(|d| !d.is_empty())
            .fold(s.to_owned(), |s, d| s.replace(d.as_str(), " "))
    };
    let in_lang = |lang: &str, args: &[&str]| {
        let mut with = vec!["--lang", lang];
        with.extend_from_slice(args);
        ok(&hub, &with)
    };
    let en = in_lang("en", &list);
    assert!(
        en.contains("showing 5 of 300"),
        "the English listing still says how many in all: {en}"
    );
    let unlock_en = in_lang("en", &["hub", "enrol-unlock"]);
    for line in [&init, &seeded, &en, &unlock_en]
        .into_iter()
        .flat_map(|s| s.lines())
    {
        assert!(
            !has_han(&strip(line)),
            "--lang en prints no Chinese but data values: {line}"
        );
    }

    let zh = in_lang("zh", &list);
    assert!(
        zh.contains("显示 5 条，共 300 条"),
        "the Chinese listing still says how many in all: {zh}"
    );
    let unlock_zh = in_lang("zh", &["hub", "enrol-unlock"]);
    let other = tmp.path().join("other-hub");
    let init_zh = ok(&other, &["--lang", "zh", "hub", "init"]);
    // Commands to type, paths, the admin's name and the hub's hex actor id
    // are not words of a message.
    let paths = [other.display().to_string(), hub.display().to_string()];
    let commands = [
        "gridline hub audit",
        "gridline --data",
        "hub serve",
        "--grid",
        "--limit",
        "admin",
    ];
    for line in [&zh, &unlock_zh, &init_zh]
        .into_iter()
        .flat_map(|s| s.lines())
    {
        let mut rest = paths.iter().fold(strip(line), |s, p| s.replace(p, " "));
        rest = commands.iter().fold(rest, |s, c| s.replace(c, " "));
        let rest: String = rest
            .split_whitespace()
            .filter(|w| !(w.len() >= 16 && w.chars().all(|c| c.is_ascii_hexdigit())))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(
            latin_words(&rest),
            Vec::<String>::new(),
            "--lang zh prints no English words from the messages: {line}"
        );
    }
}

/// Owned arguments as the `&str`s `run` takes.
fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// The steps of a topic on the command line, in order, read from `show --json`.
fn topic_steps(d: &Path, id: &str) -> Vec<String> {
    json(d, &["deliberation", "show", id])["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["step"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn a_deliberation_topic_runs_from_proposal_to_closed_and_a_short_quorum_or_tally_writes_nothing() {
    let dir = init_community_staff();
    let d = dir.path();
    let id = saved_id(&json(
        d,
        &[
            "deliberation",
            "propose",
            "--grid",
            GRID,
            "--title",
            "小区加装电动车充电桩",
            "--description",
            "电动车在楼道充电有火灾隐患，居民提议集中加装充电桩",
            "--proposer-name",
            "邵秀英",
        ],
    ));
    let v = json(d, &["deliberation", "show", &id]);
    assert_eq!(v["state"], "proposed", "a new topic is proposed: {v}");
    assert_eq!(
        v["offered"],
        serde_json::json!(["accept", "decline"]),
        "community staff are offered accept or decline: {v}"
    );
    ok(d, &["deliberation", "accept", &id]);

    // Nine expected, five present: one short of the two-thirds quorum (6).
    let meeting = |representatives: &str| -> Vec<String> {
        [
            "deliberation",
            "meeting",
            &id,
            "--held-on",
            "2026-11-20 19:00",
            "--place",
            "社区党群服务中心",
            "--notice-posted",
            "2026-11-16 09:00",
            "--attend",
            "party-organisation:1/1",
            "--attend",
            "居委会:2/2",
            "--attend",
            representatives,
        ]
        .map(str::to_owned)
        .to_vec()
    };
    let before = json(d, &["deliberation", "show", &id]);
    let err = user_error(d, &args(&meeting("resident-representatives:2/6")));
    assert!(
        err.contains("三分之二") && err.contains("two-thirds quorum") && err.contains("6 needed"),
        "a quorum short by one is refused in both languages, saying how many were needed: {err}"
    );
    assert_eq!(
        json(d, &["deliberation", "show", &id]),
        before,
        "the refused meeting wrote nothing"
    );
    let met = json(d, &args(&meeting("resident-representatives:4/6")));
    assert_eq!(met["state"], "met", "seven of nine is a quorum: {met}");

    // Seven present; eight votes cannot be cast.
    let vote = |votes_for: &str| {
        vec![
            "deliberation",
            "resolve",
            &id,
            "--text",
            "加装 12 个充电桩，费用由公共收益列支",
            "--for",
            votes_for,
            "--against",
            "1",
            "--abstain",
            "1",
            "--posted-on",
            "2026-11-21",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>()
    };
    let before = json(d, &["deliberation", "show", &id]);
    let err = user_error(d, &args(&vote("6")));
    assert!(
        err.contains("多于出席人数") && err.contains("larger than the attendance of 7"),
        "a tally larger than the attendance is refused in both languages: {err}"
    );
    assert_eq!(
        json(d, &["deliberation", "show", &id]),
        before,
        "the refused vote wrote nothing"
    );
    let resolved = json(d, &args(&vote("5")));
    assert_eq!(
        (resolved["state"].as_str(), resolved["adopted"].as_bool()),
        (Some("resolved"), Some(true)),
        "five of seven adopt it: {resolved}"
    );

    let task = json(
        d,
        &[
            "deliberation",
            "task",
            &id,
            "--owner",
            "物业公司",
            "--due",
            "2099-12-31",
            "--what",
            "安装充电桩",
        ],
    );
    assert_eq!(task["state"], "implementing", "a task is set: {task}");
    let task_id = task["task"]
        .as_str()
        .expect("the task's id is printed")
        .to_owned();
    let err = user_error(d, &["deliberation", "feedback", &id, "--note", "已公示"]);
    assert!(
        err.contains("1 open") && err.contains("任务未完成"),
        "feedback waits until every task is done: {err}"
    );
    ok(
        d,
        &[
            "deliberation",
            "task-done",
            &id,
            "--task",
            &task_id,
            "--note",
            "已安装并通电",
        ],
    );
    ok(
        d,
        &[
            "deliberation",
            "feedback",
            &id,
            "--note",
            "已在公告栏公示落实情况",
        ],
    );
    let closed = json(d, &["deliberation", "close", &id]);
    assert_eq!(closed["state"], "closed", "the topic closes: {closed}");

    let v = json(d, &["deliberation", "show", &id]);
    assert_eq!(
        topic_steps(d, &id),
        [
            "propose",
            "accept",
            "meeting",
            "resolve",
            "task",
            "task-done",
            "feedback",
            "close"
        ],
        "the timeline holds each step once, in order; the refused ones are not there"
    );
    assert!(
        v["events"]
            .as_array()
            .expect("events")
            .iter()
            .all(|e| e["refused"].is_null()),
        "no stored step was refused: {v}"
    );
    assert_eq!(
        (
            v["meeting"]["present"].as_u64(),
            v["meeting"]["expected"].as_u64()
        ),
        (Some(7), Some(9)),
        "the meeting's attendance is kept: {v}"
    );
    assert_eq!(
        v["tasks"][0]["note"], "已安装并通电",
        "the task keeps what was done: {v}"
    );
    let human = ok(d, &["deliberation", "show", &id]);
    assert!(
        human.contains("已办结")
            && human.contains("closed")
            && human.contains("王芳 (社区工作人员)"),
        "show gives the state in both languages and names who acted: {human}"
    );
    assert_eq!(
        json(d, &["deliberation", "list", "--state", "closed"])
            .as_array()
            .map(Vec::len),
        Some(1),
        "the state filter finds the closed topic"
    );
    let f = json(d, &["deliberation", "figures"]);
    assert_eq!(
        (
            f["raised"].as_u64(),
            f["accepted"].as_u64(),
            f["resolved"].as_u64()
        ),
        (Some(1), Some(1), Some(1)),
        "the figures count the topic: {f}"
    );

    // Bad input on the command line: exit 2, both languages, nothing written.
    let before = json(d, &["deliberation", "list"]);
    let err = user_error(
        d,
        &[
            "deliberation",
            "meeting",
            &id,
            "--held-on",
            "2026-11-20",
            "--place",
            "x",
            "--notice-posted",
            "2026-11-16",
            "--attend",
            "party-organisation 3 of 3",
        ],
    );
    assert!(
        err.contains("参会方:实到/应到") && err.contains("MEMBER:PRESENT/EXPECTED"),
        "a malformed --attend says the form in both languages: {err}"
    );
    let err = user_error(
        d,
        &[
            "deliberation",
            "propose",
            "--grid",
            GRID,
            "--title",
            " ",
            "--description",
            "x",
            "--proposer-name",
            "邵秀英",
        ],
    );
    assert!(
        err.contains("--title") && err.contains("议题标题") && err.contains("a title is"),
        "a blank title names the flag, in both languages: {err}"
    );
    assert_eq!(
        json(d, &["deliberation", "list"]),
        before,
        "no bad input wrote anything"
    );
}

#[test]
fn a_mediation_step_with_a_bad_id_or_out_of_order_is_refused_in_both_languages_and_writes_nothing()
{
    let dir = init_community_staff();
    let d = dir.path();
    let id = saved_id(&json(
        d,
        &[
            "mediation",
            "report",
            "--grid",
            GRID,
            "--summary",
            "楼上漏水渗到楼下，双方协商未果",
            "--type",
            "neighbour",
            "--warning",
            "3",
            "--source",
            "walk-in",
        ],
    ));
    let before = json(d, &["mediation", "show", &id]);
    assert_eq!(before["state"], "registered", "{before}");

    // The id is an argument: the message names the step, not a flag that
    // does not exist.
    let err = user_error(
        d,
        &["mediation", "accept", "nonsense", "--mediator", "王调解员"],
    );
    assert!(
        err.contains("accept：") || err.contains("accept:"),
        "names the step: {err}"
    );
    assert!(!err.contains("--case"), "no such flag: {err}");
    assert!(
        err.contains("不是有效编号") && err.contains("not a valid id"),
        "both languages: {err}"
    );

    // Closing a case never accepted, mediated or followed up is refused.
    let err = user_error(d, &["mediation", "close", &id, "--note", "已处理"]);
    assert!(
        err.contains("操作被拒绝") && err.contains("step refused"),
        "a refused step, in both languages: {err}"
    );
    assert!(
        err.contains(&format!("gridline mediation show {id}")),
        "says how to see the steps on offer: {err}"
    );
    let after = json(d, &["mediation", "show", &id]);
    assert_eq!(after, before, "a refused step writes nothing");
}

#[test]
fn hub_limits_are_shown_set_audited_and_bad_values_change_nothing() {
    let tmp = TempDir::new().unwrap();
    let hub = tmp.path().join("hub");
    ok(&hub, &["hub", "init"]);
    let shown = json(&hub, &["hub", "limits"]);
    assert_eq!(
        (
            shown["urgent_hours"].as_u64(),
            shown["conclude_months"].as_u64(),
            shown["default"].as_bool()
        ),
        (Some(24), Some(1), Some(true)),
        "a new hub has the design's defaults: {shown}"
    );
    let set = json(
        &hub,
        &[
            "hub",
            "limits",
            "set",
            "--urgent-hours",
            "12",
            "--minor-days",
            "5",
            "--conclude-months",
            "2",
            "--admin",
            "李管理员",
        ],
    );
    assert_eq!(set["status"], "saved", "{set}");
    assert_eq!(
        (
            set["urgent_hours"].as_u64(),
            set["normal_days"].as_u64(),
            set["minor_days"].as_u64(),
            set["conclude_months"].as_u64()
        ),
        (Some(12), Some(3), Some(5), Some(2)),
        "the given limits change, the normal days stay: {set}"
    );
    assert_eq!(
        set["before"]["urgent_hours"], 24,
        "it says what it replaced: {set}"
    );
    for (args, field, zh, en) in [
        (
            vec!["--conclude-months", "7"],
            "conclude-months",
            "请填 1 到 6 个月",
            "use 1 to 6 months",
        ),
        (
            vec!["--urgent-hours", "0"],
            "urgent-hours",
            "请填 1 到 72 小时",
            "use 1 to 72 hours",
        ),
        (
            vec!["--normal-days", "6"],
            "normal-days",
            "长于轻微",
            "longer than minor",
        ),
    ] {
        let mut all = vec!["hub", "limits", "set"];
        all.extend(args);
        let err = user_error(&hub, &all);
        assert!(
            err.contains(field) && err.contains(zh) && err.contains(en),
            "the refusal names the field and says what is wrong in both languages: {err}"
        );
    }
    let human = ok(&hub, &["hub", "limits"]);
    assert!(
        human.contains("派单后 12 小时")
            && human.contains("12 hours from dispatch")
            && human.contains("2 months from acceptance"),
        "the bad values changed nothing: {human}"
    );
    let audit = json(&hub, &["hub", "audit"]);
    let rows: Vec<&Value> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "limits")
        .collect();
    assert_eq!(
        rows.len(),
        1,
        "one audited change, none for the refusals: {audit}"
    );
    assert_eq!(rows[0]["admin"], "李管理员", "naming the admin: {audit}");
    assert!(
        ok(&hub, &["hub", "audit"]).contains("设置街道时限"),
        "the audit trail says what the action was"
    );
}

//! The device is the one door: the CLI and the app reach the store, the
//! records and the sync protocol only through `gridline-device` (and the
//! model's types), so no rule is written twice outside it.

use std::path::Path;

/// The crates a front end may not depend on directly, besides the ones every
/// front end may not: (front end's manifest, crates it may not name).
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "crates/cli/Cargo.toml",
        &["gridline-store", "gridline-records", "gridline-sync"],
    ),
    (
        "src-tauri/Cargo.toml",
        &[
            "gridline-store",
            "gridline-records",
            "gridline-sync",
            "gridline-hub",
        ],
    ),
];

/// The names a manifest depends on for building (not its dev- or build-dependencies):
/// `[dependencies]`, `[target.….dependencies]`, and `[dependencies.name]` tables.
fn normal_dependencies(manifest: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut in_deps = false;
    for line in manifest.lines().map(str::trim) {
        if let Some(header) = line.strip_prefix('[') {
            let header = header.trim_end_matches(']').trim();
            let is_deps = |t: &str| t == "dependencies" || t.ends_with(".dependencies");
            in_deps = is_deps(header);
            // `[dependencies.gridline-store]` names one dependency in its header.
            if let Some((table, name)) = header.rsplit_once('.') {
                if is_deps(table) {
                    names.push(name.to_owned());
                }
            }
            continue;
        }
        if !in_deps || line.is_empty() || line.starts_with('#') {
            continue;
        }
        let name = line.split(['=', '.']).next().unwrap_or("").trim();
        names.push(name.trim_matches('"').to_owned());
        // A renamed dependency still names its package.
        if let Some(rest) = line.split("package").nth(1) {
            if let Some(p) = rest.split('"').nth(1) {
                names.push(p.to_owned());
            }
        }
    }
    names
}

fn violations() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut found = Vec::new();
    for (manifest, forbidden) in FORBIDDEN {
        let text = std::fs::read_to_string(root.join(manifest))
            .unwrap_or_else(|e| panic!("{manifest} is readable: {e}"));
        for dep in normal_dependencies(&text) {
            if forbidden.contains(&dep.as_str()) {
                found.push(format!("{manifest} depends on {dep}"));
            }
        }
    }
    found
}

#[test]
fn the_cli_and_the_app_depend_on_the_device_not_on_what_is_behind_it() {
    let found = violations();
    assert!(
        found.is_empty(),
        "the CLI and the app go through gridline-device (and gridline-model) only; \
         add what they need to the device instead: {found:?}"
    );
}

/// Crates the CLI depends on for its own commands, which bring the store
/// along: (crate as Rust names it, the CLI files that may name it). Every
/// other CLI file works through the device only, so it cannot reach the
/// store through the hub's or the bench's re-exports.
const CLI_ONLY_IN: &[(&str, &[&str])] = &[
    ("gridline_hub", &["hub.rs", "hub/", "demo.rs", "main.rs"]),
    ("gridline_bench", &["bench.rs", "main.rs"]),
];

/// Every `.rs` file under `dir`, as (path relative to `dir`, text).
fn sources(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{d:?}: {e}")) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "rs") {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    out
}

/// Where CLI files outside the hub and bench commands name those crates.
fn reaches_around(files: &[(String, String)]) -> Vec<String> {
    let mut found = Vec::new();
    for (rel, text) in files {
        for (krate, allowed) in CLI_ONLY_IN {
            let may = allowed
                .iter()
                .any(|a| rel == a || (a.ends_with('/') && rel.starts_with(a)));
            if !may && text.contains(krate) {
                found.push(format!("crates/cli/src/{rel} names {krate}"));
            }
        }
    }
    found
}

#[test]
fn the_cli_reaches_the_hub_and_the_bench_only_from_their_own_commands() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let files = sources(&root.join("crates/cli/src"));
    assert!(
        files.iter().any(|(r, _)| r == "household.rs") && files.iter().any(|(r, _)| r == "hub.rs"),
        "the CLI's sources are found: {:?}",
        files.iter().map(|(r, _)| r).collect::<Vec<_>>()
    );
    let found = reaches_around(&files);
    assert!(
        found.is_empty(),
        "the household, issue, wish, visit, device and sync commands go through \
         gridline-device; the hub's and bench's re-exports of the store are for \
         their own commands: {found:?}"
    );
    // The check sees a reach through a re-export.
    let planted = vec![(
        "issue.rs".to_owned(),
        "use gridline_hub::Record;".to_owned(),
    )];
    assert_eq!(reaches_around(&planted).len(), 1);
    let allowed = vec![(
        "hub/admin.rs".to_owned(),
        "use gridline_hub::Record;".to_owned(),
    )];
    assert!(reaches_around(&allowed).is_empty());
}

#[test]
fn the_manifest_reader_sees_every_way_of_naming_a_dependency() {
    let manifest = r#"
[package]
name = "x"

[dependencies]
gridline-device.workspace = true
gridline-store = { workspace = true }
renamed = { package = "gridline-sync", path = "../sync" }

[target.'cfg(unix)'.dependencies]
gridline-records = "1"

[dependencies.gridline-hub]
workspace = true

[dev-dependencies]
gridline-test-support = { workspace = true }
"#;
    let names = normal_dependencies(manifest);
    for want in [
        "gridline-device",
        "gridline-store",
        "gridline-sync",
        "gridline-records",
        "gridline-hub",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "{want} is seen as a dependency: {names:?}"
        );
    }
    assert!(
        !names.iter().any(|n| n == "gridline-test-support"),
        "a dev-dependency is free: {names:?}"
    );
}

/// Whether a string literal glues Chinese and English into one message:
/// Chinese first (nothing in English before it but `{}` placeholders), then
/// `(English…)`. English prose that names a Chinese term, as the generated
/// protocol document does ("A dispute (矛盾纠纷) and …"), is not a message.
fn glued(literal: &str) -> bool {
    let han = |c: char| matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF);
    let Some(first_han) = literal.find(han) else {
        return false;
    };
    let mut before = String::new();
    let mut in_placeholder = false;
    for c in literal[..first_han].chars() {
        match c {
            '{' => in_placeholder = true,
            '}' => in_placeholder = false,
            c if !in_placeholder => before.push(c),
            _ => {}
        }
    }
    if before.chars().any(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    literal[first_han..].match_indices('(').any(|(i, _)| {
        let rest = &literal[first_han + i + 1..];
        rest.starts_with(|c: char| c.is_ascii_alphabetic()) && rest.contains(')')
    })
}

/// Glued literals in the product code under `dir`: every line outside
/// comments and before the file's `#[cfg(test)]` module (tests compare
/// printed output, which shows both halves).
fn glued_literals(dir: &Path, shown: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (rel, text) in sources(dir) {
        // A `tests.rs` beside a module is that module's tests, all of it.
        if rel == "tests.rs" || rel.ends_with("/tests.rs") {
            continue;
        }
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("#[cfg(test)]") {
                break;
            }
            if code.starts_with("//") {
                continue;
            }
            // The odd pieces between quotes are the literals.
            if line.split('"').skip(1).step_by(2).any(glued) {
                found.push(format!("{shown}/{rel}:{}: {}", n + 1, code));
            }
        }
    }
    found
}

#[test]
fn no_message_glues_chinese_and_english_into_one_string() {
    assert!(glued("没有找到户 (no households)"));
    assert!(!glued("没有找到户"), "Chinese alone");
    assert!(!glued("{} ({})"), "the layout of both halves has no words");
    assert!(!glued("第 5 行 (5)"), "a number in brackets is not English");
    assert!(
        glued("{} 不能查看 (role {} may not see)"),
        "a placeholder first is still Chinese first"
    );
    assert!(
        !glued("A dispute (矛盾纠纷) and its mediation (DESIGN §8)"),
        "English prose naming a Chinese term"
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut found = Vec::new();
    for krate in std::fs::read_dir(root.join("crates")).unwrap() {
        let krate = krate.unwrap().path();
        let name = krate.file_name().unwrap().to_string_lossy().into_owned();
        if krate.join("src").is_dir() {
            found.extend(glued_literals(
                &krate.join("src"),
                &format!("crates/{name}/src"),
            ));
        }
    }
    found.extend(glued_literals(&root.join("src-tauri/src"), "src-tauri/src"));
    assert!(
        found.is_empty(),
        "say messages as Text (text!(\"中文\", \"English\")), not glued: {found:#?}"
    );
}

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

//! People by name in the CLI: after a sync, timelines and lists say
//! 张伟 (网格员) (张伟 (grid worker) under `--lang en`) where the records
//! hold a user id, for a device that never met that user; the JSON keeps
//! the id and adds the name. (The fallback to the id for someone unknown is
//! the device's `people` test.)

use std::io::BufRead as _;
use std::process::{Child, Command, Stdio};

use tempfile::TempDir;

use super::{json, ok, GRID};

/// `gridline hub serve` on 127.0.0.1:0, and its address from the line it
/// prints once it listens. Killed when dropped.
struct Serving {
    child: Child,
    url: String,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(hub: &std::path::Path) -> Serving {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gridline"))
        .arg("--data")
        .arg(hub)
        .args(["hub", "serve", "--listen", "127.0.0.1:0"])
        .env_remove("GRIDLINE_DATA")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the hub starts");
    let stderr = child.stderr.take().expect("stderr is piped");
    let mut lines = std::io::BufReader::new(stderr).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("the hub says where it listens before it exits")
            .expect("stderr is text");
        if let Some(at) = line.find("http://") {
            let rest = &line[at..];
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    // Keep reading, so the hub never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Serving { child, url }
}

fn code(hub: &std::path::Path, user: &str, name: &str, role: &str, scope: &str) -> String {
    let v = json(
        hub,
        &[
            "hub", "enroll", "--user", user, "--name", name, "--role", role, "--scope", scope,
        ],
    );
    v["code"].as_str().expect("a code").to_owned()
}

#[test]
fn after_a_sync_timelines_and_lists_name_people_in_the_language_asked_for() {
    let tmp = TempDir::new().unwrap();
    let hub = tmp.path().join("hub");
    ok(&hub, &["hub", "init"]);
    let gw_code = code(
        &hub,
        "gw-1",
        "张伟",
        "grid-worker",
        &format!("grids:{GRID}"),
    );
    let cs_code = code(
        &hub,
        "cs-1",
        "王芳",
        "community-staff",
        "community:522701001001",
    );
    let serving = serve(&hub);
    let (gw, cs) = (tmp.path().join("gw"), tmp.path().join("cs"));
    for (dir, code) in [(&gw, &gw_code), (&cs, &cs_code)] {
        ok(dir, &["device", "init"]);
        ok(
            dir,
            &["device", "enroll", "--hub", &serving.url, "--code", code],
        );
    }
    let made = json(
        &gw,
        &[
            "issue",
            "report",
            "--grid",
            GRID,
            "--category",
            "物业",
            "--description",
            "楼道灯坏了",
        ],
    );
    let id = made["id"].as_str().expect("the new issue's id").to_owned();
    ok(&gw, &["device", "sync"]);
    ok(&cs, &["device", "sync"]);

    let shown = ok(&cs, &["--lang", "zh", "issue", "show", &id]);
    assert!(
        shown.contains("张伟 (网格员)"),
        "the reporter and the timeline name the grid worker: {shown}"
    );
    assert!(
        !shown.contains("gw-1"),
        "a known person is not shown by id: {shown}"
    );
    let listed = ok(&cs, &["--lang", "en", "issue", "list"]);
    assert!(
        listed.contains("张伟 (grid worker)"),
        "in English the name stays as written and the role is translated: {listed}"
    );
    let v = json(&cs, &["issue", "show", &id]);
    assert_eq!(
        v["events"][0]["author"]["name"], "张伟",
        "the JSON keeps the id and adds the name: {v}"
    );
    assert_eq!(v["events"][0]["author"]["user"], "gw-1");

    let mine = ok(&gw, &["--lang", "zh", "issue", "show", &id]);
    assert!(
        mine.contains("张伟 (网格员)"),
        "a device names its own user: {mine}"
    );
    drop(serving);
}

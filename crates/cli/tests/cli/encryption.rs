//! Encryption at rest from the command line (DESIGN §7): a device on a
//! machine without a key store is keyed by a PIN, and a hub made with
//! `--encrypt` opens only with its key.

use super::*;

/// `gridline` as on a machine without a key store or test key: `pin`
/// through GRIDLINE_PIN when given.
fn bare(dir: &Path, pin: Option<&str>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gridline"));
    c.arg("--data")
        .arg(dir)
        .args(args)
        .env_remove("GRIDLINE_DATA")
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("GRIDLINE_PIN")
        .env("GRIDLINE_TEST_KEY", "")
        // No session bus: the key store is known to be absent, not merely slow.
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent");
    if let Some(p) = pin {
        c.env("GRIDLINE_PIN", p);
    }
    c.output().expect("the gridline binary must start")
}

fn exit_2(out: &Output) -> String {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "a user error exits 2: {err}");
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout: {}",
        text(&out.stdout)
    );
    err
}

#[test]
fn without_a_key_store_a_device_is_keyed_by_a_pin_that_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let init = ["device", "init", "--role", "grid-worker"];
    // No PIN, no key store: say how to set one, and make nothing.
    let err = exit_2(&bare(&data, None, &init));
    assert!(
        err.contains("GRIDLINE_PIN") && err.contains("at least 6"),
        "{err}"
    );
    assert!(
        !data.join("device.db").exists(),
        "nothing is made without a key"
    );
    let err = exit_2(&bare(&data, Some("1234"), &init));
    assert!(err.contains("6 to 64 characters"), "{err}");
    assert!(!data.join("device.db").exists());

    let out = bare(&data, Some("864209"), &init);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("a PIN (this machine has no key store)"));
    let key_file = std::fs::read_to_string(data.join("key.json")).unwrap();
    assert!(
        key_file.contains("\"pin\"") && !key_file.contains("864209"),
        "{key_file}"
    );

    // A new process (a restart) opens it with the same PIN ...
    let out = bare(&data, Some("864209"), &["--json", "device", "show"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["encryption"], "pin");
    // ... and not with another, nor without one; neither changes anything.
    let before = std::fs::read(data.join("device.db")).unwrap();
    let err = exit_2(&bare(&data, Some("864208"), &["device", "show"]));
    assert!(
        err.contains("wrong PIN") && err.contains("nothing was changed"),
        "{err}"
    );
    assert!(
        !err.contains("sqlcipher") && !err.contains("hmac"),
        "no SQLCipher noise: {err}"
    );
    let err = exit_2(&bare(&data, None, &["device", "show"]));
    assert!(err.contains("enter it"), "{err}");
    assert_eq!(std::fs::read(data.join("device.db")).unwrap(), before);
    let out = bare(&data, Some("864209"), &["device", "show"]);
    assert!(
        out.status.success(),
        "the right PIN still opens it: {}",
        text(&out.stderr)
    );
}

#[test]
fn an_encrypted_hub_opens_only_with_its_key_from_a_private_file_or_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let hub = dir.path().join("hub");
    let key = dir.path().join("hub.key");
    let hub_s = hub.to_str().unwrap();
    let with = |env: &[(&str, &str)], args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_gridline"));
        c.arg("--data")
            .arg(hub_s)
            .args(args)
            .env_remove("GRIDLINE_HUB_KEY_FILE")
            .env_remove("GRIDLINE_HUB_KEY");
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    let err = exit_2(&with(&[], &["hub", "init", "--encrypt"]));
    assert!(err.contains("--key-file"), "{err}");
    assert!(!hub.join("hub.db").exists());

    let out = with(
        &[],
        &[
            "hub",
            "init",
            "--encrypt",
            "--key-file",
            key.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("GRIDLINE_HUB_KEY_FILE="),
        "says how to open it"
    );
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the new key file is its owner's only");
    }
    let head = std::fs::read(hub.join("hub.db")).unwrap();
    assert!(
        !head.starts_with(b"SQLite format 3"),
        "hub.db has no plaintext header"
    );

    let err = exit_2(&with(&[], &["hub", "devices"]));
    assert!(
        err.contains("is encrypted") && err.contains("GRIDLINE_HUB_KEY_FILE"),
        "{err}"
    );
    let key_s = key.to_str().unwrap();
    let out = with(&[("GRIDLINE_HUB_KEY_FILE", key_s)], &["hub", "devices"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let hex = std::fs::read_to_string(&key).unwrap();
    let out = with(&[("GRIDLINE_HUB_KEY", hex.trim())], &["hub", "devices"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let wrong = "ab".repeat(32);
    let err = exit_2(&with(&[("GRIDLINE_HUB_KEY", &wrong)], &["hub", "devices"]));
    assert!(
        err.contains("not this hub's key") && err.contains("nothing was changed"),
        "{err}"
    );
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let err = exit_2(&with(
        &[("GRIDLINE_HUB_KEY_FILE", key_s)],
        &["hub", "devices"],
    ));
    assert!(err.contains("chmod 600"), "{err}");
}

/// No log line of the hub or of the device's commands names a resident's ID
/// number, even at `RUST_LOG=trace`, through an import, a first sync and a
/// reveal (whose output does show the number, so the search can fail).
#[test]
fn no_log_line_names_an_id_number() {
    use std::io::Read as _;
    let tmp = TempDir::new().unwrap();
    let hub = tmp.path().join("hub");
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../hub/tests/fixtures/import/households-sample-utf8bom.csv"
    );
    let ids: Vec<String> = std::fs::read_to_string(sample)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(7).unwrap().to_owned())
        .filter(|n| n.len() == 18)
        .collect();
    assert_eq!(ids.len(), 24);
    let traced = |dir: &Path, args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_gridline"))
            .arg("--data")
            .arg(dir)
            .args(args)
            .env_remove("GRIDLINE_DATA")
            .env("RUST_LOG", "trace")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "gridline {args:?}: {}",
            text(&out.stderr)
        );
        out
    };
    let mut logs = String::new();
    logs += &text(&traced(&hub, &["hub", "init"]).stderr);
    logs += &text(&traced(&hub, &["hub", "import", sample]).stderr);
    let log_path = tmp.path().join("hub.log");
    let mut server = Command::new(env!("CARGO_BIN_EXE_gridline"))
        .arg("--data")
        .arg(&hub)
        .args(["hub", "serve", "--listen", "127.0.0.1:0"])
        .env_remove("GRIDLINE_DATA")
        .env("RUST_LOG", "trace")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let mut url = None;
    for _ in 0..200 {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        if let Some(at) = log.find("http://127.0.0.1:") {
            let rest = &log[at..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || ":/.".contains(c)))
                .unwrap_or(rest.len());
            url = Some(rest[..end].to_owned());
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let url = url.expect("the hub says where it serves");
    let code: Value = serde_json::from_slice(
        &traced(
            &hub,
            &[
                "--json",
                "hub",
                "enroll",
                "--user",
                "cs-log",
                "--name",
                "王芳",
                "--role",
                "community-staff",
                "--scope",
                "community:522701001001",
            ],
        )
        .stdout,
    )
    .unwrap();
    let dev2 = tmp.path().join("office");
    logs += &text(&traced(&dev2, &["device", "init"]).stderr);
    logs += &text(
        &traced(
            &dev2,
            &[
                "device",
                "enroll",
                "--hub",
                &url,
                "--code",
                code["code"].as_str().unwrap(),
            ],
        )
        .stderr,
    );
    logs += &text(&traced(&dev2, &["device", "sync"]).stderr);
    let list: Value =
        serde_json::from_slice(&traced(&dev2, &["--json", "household", "list"]).stdout).unwrap();
    let id = list["households"][0]["id"]
        .as_str()
        .or_else(|| list[0]["id"].as_str())
        .expect("a household")
        .to_owned();
    let shown = traced(
        &dev2,
        &["household", "show", &id, "--reveal", "--reason", "核对身份"],
    );
    logs += &text(&shown.stderr);
    assert!(
        ids.iter().any(|n| text(&shown.stdout).contains(n.as_str())),
        "the reveal shows the number"
    );
    logs += &text(&traced(&dev2, &["device", "sync"]).stderr);
    let _ = server.kill();
    let _ = server.wait();
    let mut hub_log = String::new();
    std::fs::File::open(&log_path)
        .unwrap()
        .read_to_string(&mut hub_log)
        .unwrap();
    assert!(
        hub_log.contains("device enrolled") && hub_log.contains("accepted"),
        "the hub logged its requests: {hub_log}"
    );
    logs += &hub_log;
    let named: Vec<&String> = ids.iter().filter(|n| logs.contains(n.as_str())).collect();
    assert!(named.is_empty(), "logs name ID numbers {named:?}");
}

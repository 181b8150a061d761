//! Enrolment hardening without HTTP: codes are single use and expire, bad
//! codes are rate-limited hub-wide, revocation is immediate, tokens are
//! stored hashed, and enrolment and revocation are audited.

use chrono::{DateTime, Duration, Utc};
use gridline_hub::{AuditQuery, Error, Hub, BAD_CODE_LIMIT, BAD_CODE_WINDOW_MINUTES};
use gridline_model::{Role, Scope, User};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T06:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn hub() -> (tempfile::TempDir, Hub) {
    let dir = tempfile::tempdir().unwrap();
    let hub = Hub::init(dir.path(), "522701001", "测试街道").unwrap();
    (dir, hub)
}

fn worker(id: &str) -> User {
    User {
        id: id.into(),
        name: id.into(),
        role: Role::GridWorker,
        scope: Scope::parse("grids:522701001001001").unwrap(),
    }
}

#[test]
fn a_code_is_single_use_and_expires() {
    let (_d, hub) = hub();
    let code = hub.enrol_code(&worker("gw-1"), "admin", now()).unwrap();
    hub.enroll(&code, "dev-a", "aa01", now()).unwrap();
    assert!(
        matches!(
            hub.enroll(&code, "dev-b", "bb02", now()),
            Err(Error::BadCode)
        ),
        "a used code is refused"
    );
    let late = hub.enrol_code(&worker("gw-2"), "admin", now()).unwrap();
    let just_in_time = now() + Duration::hours(gridline_hub::CODE_TTL_HOURS);
    let expired = just_in_time + Duration::seconds(1);
    assert!(
        matches!(
            hub.enroll(&late, "dev-c", "cc03", expired),
            Err(Error::BadCode)
        ),
        "an expired code is refused"
    );
    let ok = hub.enrol_code(&worker("gw-3"), "admin", now()).unwrap();
    hub.enroll(&ok.to_lowercase(), "dev-d", "dd04", just_in_time)
        .expect("a code works until its last second, typed in any case");
}

#[test]
fn repeated_bad_codes_lock_every_enrolment_for_a_while() {
    let (_d, hub) = hub();
    let good = hub.enrol_code(&worker("gw-1"), "admin", now()).unwrap();
    let t = |s: i64| now() + Duration::seconds(s);
    for i in 0..BAD_CODE_LIMIT {
        assert!(
            matches!(
                hub.enroll("WRONG-CODE-0000", "dev-x", "ee05", t(i)),
                Err(Error::BadCode)
            ),
            "bad code {i} is simply wrong"
        );
    }
    // Past the limit even the right code waits: guessing learns nothing.
    match hub.enroll(&good, "dev-a", "aa01", t(BAD_CODE_LIMIT)) {
        Err(Error::TooManyAttempts { retry_after_secs }) => {
            assert!(
                retry_after_secs > 0 && retry_after_secs <= BAD_CODE_WINDOW_MINUTES * 60,
                "{retry_after_secs}"
            );
            let e = Error::TooManyAttempts { retry_after_secs };
            assert!(
                e.to_string().contains("注册码错误次数过多"),
                "Chinese first: {e}"
            );
            assert!(
                e.to_string().contains("too many wrong enrolment codes"),
                "{e}"
            );
            assert!(e.is_user_error());
        }
        other => panic!("expected the limit, got {other:?}"),
    }
    // Refused attempts while locked do not extend the lock.
    for i in 0..20 {
        assert!(matches!(
            hub.enroll("WRONG-CODE-0000", "dev-x", "ee05", t(100 + i)),
            Err(Error::TooManyAttempts { .. })
        ));
    }
    // Once the oldest failure leaves the window, the right code works, and it
    // was not used up by the refused attempt.
    let after = t(BAD_CODE_WINDOW_MINUTES * 60 + 1);
    let e = hub.enroll(&good, "dev-a", "aa01", after).unwrap();
    assert_eq!(e.user.id, "gw-1");
}

#[test]
fn a_few_bad_codes_spread_out_never_lock() {
    let (_d, hub) = hub();
    for i in 0..(BAD_CODE_LIMIT * 3) {
        // Four a window at most: one every three minutes.
        let at = now() + Duration::minutes(i * 3);
        assert!(
            matches!(
                hub.enroll("WRONG-CODE-0000", "dev-x", "ee05", at),
                Err(Error::BadCode)
            ),
            "attempt {i}"
        );
    }
}

#[test]
fn a_revoked_device_is_refused_at_once_and_its_token_is_stored_hashed() {
    let (dir, hub) = hub();
    let code = hub.enrol_code(&worker("gw-1"), "admin", now()).unwrap();
    let e = hub.enroll(&code, "dev-a", "aa01", now()).unwrap();
    let req = gridline_sync::SyncRequest {
        v: gridline_sync::PROTOCOL_VERSION,
        cursor: 0,
        page: 10,
        want_total: false,
        new_actor: None,
        push: vec![],
        sync: vec![],
        am_sync: false,
    };
    hub.sync(&e.token, &req, now())
        .expect("an enrolled device syncs");
    hub.revoke_as("dev-a", "李主任", now() + Duration::seconds(1))
        .unwrap();
    assert!(matches!(
        hub.sync(&e.token, &req, now() + Duration::seconds(2)),
        Err(Error::Revoked)
    ));
    assert!(matches!(
        hub.revoke_as("dev-a", "李主任", now()),
        Err(Error::NoSuchDevice(_))
    ));
    // Neither the token nor the code is anywhere in the hub's files.
    drop(hub);
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        for secret in [&e.token, &code] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "a secret is stored in plain text"
            );
        }
    }
    let hub = Hub::open(dir.path()).unwrap();
    let rows = hub
        .audit(&AuditQuery {
            device: Some("dev-a".into()),
            ..Default::default()
        })
        .unwrap();
    let seen: Vec<(&str, &str, Option<&str>)> = rows
        .iter()
        .map(|r| (r.action.as_str(), r.user_id.as_str(), r.admin.as_deref()))
        .collect();
    assert_eq!(
        seen,
        vec![
            ("enrol", "gw-1", Some("admin")),
            ("revoke", "gw-1", Some("李主任"))
        ]
    );
}

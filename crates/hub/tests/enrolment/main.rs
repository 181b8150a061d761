//! Enrolment hardening: codes are single use and expire; bad codes are
//! throttled per source address, per code and, against a flood, hub-wide, so
//! no stranger can lock the street out; malformed codes are refused without
//! counting; revocation is immediate; tokens are stored hashed; enrolment,
//! revocation and unlocking are audited.
//!
//! This file drives the hub in process with the time passed in; `http`
//! serves it on loopback and sends from chosen source addresses; `docs`
//! checks the numbers the documents state against the constants; `directory`
//! is the people directory enrolment makes and every device is sent.

mod directory;
mod docs;
mod http;

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use gridline_hub::{
    AuditQuery, EnrolLock, Error, Hub, BAD_CODES_HUB_CEILING, BAD_CODES_PER_CODE,
    BAD_CODES_PER_SOURCE, BAD_CODE_WINDOW_MINUTES,
};
use gridline_model::{Role, Scope, User};
use gridline_test_support::hub;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T06:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn worker(id: &str) -> User {
    User {
        id: id.into(),
        name: id.into(),
        role: Role::GridWorker,
        scope: Scope::parse("grids:522701001001001").unwrap(),
    }
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// A well-formed code the hub never issued, a different one for each `n`:
/// `WRNG` and `n` in base 32 over the code alphabet.
pub fn wrong_code(n: usize) -> String {
    let alphabet = gridline_sync::enrol_code::ALPHABET.as_bytes();
    let digits: String = (0..8)
        .rev()
        .map(|i| alphabet[(n >> (5 * i)) % 32] as char)
        .collect();
    format!("WRNG-{}-{}", &digits[..4], &digits[4..])
}

/// A device id and an actor (hex) for the `n`th device of a test.
pub fn device(n: usize) -> (String, String) {
    (format!("dev-{n}"), format!("{:04x}", n + 1))
}

#[test]
fn a_code_is_single_use_expires_and_may_be_typed_loosely() {
    let (_d, hub) = hub();
    let here = ip("127.0.0.1");
    let code = hub.enrol_code(&worker("gw-1"), "admin", now()).unwrap();
    hub.enroll(&code, "dev-a", "aa01", here, now()).unwrap();
    assert!(
        matches!(
            hub.enroll(&code, "dev-b", "bb02", here, now()),
            Err(Error::BadCode)
        ),
        "a used code is refused"
    );
    let late = hub.enrol_code(&worker("gw-2"), "admin", now()).unwrap();
    let just_in_time = now() + Duration::hours(gridline_hub::CODE_TTL_HOURS);
    let expired = just_in_time + Duration::seconds(1);
    assert!(
        matches!(
            hub.enroll(&late, "dev-c", "cc03", here, expired),
            Err(Error::BadCode)
        ),
        "an expired code is refused"
    );
    let ok = hub.enrol_code(&worker("gw-3"), "admin", now()).unwrap();
    let typed = format!(" {} ", ok.to_lowercase().replace('-', " "));
    hub.enroll(&typed, "dev-d", "dd04", here, just_in_time)
        .expect(
            "a code works until its last second, typed in any case, with spaces for dashes: \
         the hub hashes the canonical form it issued",
        );
    let squashed = hub.enrol_code(&worker("gw-4"), "admin", now()).unwrap();
    hub.enroll(&squashed.replace('-', ""), "dev-e", "ee05", here, now())
        .expect("a code works without its dashes");
}

#[test]
fn bad_codes_from_one_address_lock_that_address_only() {
    let (_d, hub) = hub();
    let (stranger, neighbour) = (ip("203.0.113.9"), ip("198.51.100.4"));
    let good = hub.enrol_code(&worker("gw-1"), "admin", now()).unwrap();
    let other = hub.enrol_code(&worker("gw-2"), "admin", now()).unwrap();
    let t = |s: i64| now() + Duration::seconds(s);
    for i in 0..BAD_CODES_PER_SOURCE {
        assert!(
            matches!(
                hub.enroll(&wrong_code(i as usize), "dev-x", "ee05", stranger, t(i)),
                Err(Error::BadCode)
            ),
            "bad code {i} is simply wrong"
        );
    }
    // Past the limit even the right code waits from that address: a guess
    // learns nothing. The wait is until the oldest of the five (at t(0))
    // leaves the window: 600 s after it, 595 s from t(5).
    let window = BAD_CODE_WINDOW_MINUTES * 60;
    match hub.enroll(&good, "dev-a", "aa01", stranger, t(BAD_CODES_PER_SOURCE)) {
        Err(
            e @ Error::TooManyAttempts {
                lock,
                retry_after_secs,
            },
        ) => {
            assert_eq!(lock, EnrolLock::Source, "this address's own lock");
            assert_eq!(
                retry_after_secs,
                window - BAD_CODES_PER_SOURCE,
                "until fewer than the limit remain in the window"
            );
            let text = e.to_string();
            assert!(
                text.contains("注册码错误次数过多") && text.contains("too many from this address"),
                "Chinese first, says which lock: {text}"
            );
            assert!(e.is_user_error(), "the caller can wait it out");
        }
        other => panic!("expected this address's lock, got {other:?}"),
    }
    hub.enroll(&other, "dev-b", "bb02", neighbour, t(BAD_CODES_PER_SOURCE))
        .expect("another address is not locked by a stranger's guesses");
    // Refused attempts while locked are not counted: they do not lengthen it.
    for i in 0..20 {
        assert!(
            matches!(
                hub.enroll(
                    &wrong_code(100 + i),
                    "dev-x",
                    "ee05",
                    stranger,
                    t(100 + i as i64)
                ),
                Err(Error::TooManyAttempts {
                    lock: EnrolLock::Source,
                    ..
                })
            ),
            "still locked at {}",
            100 + i
        );
    }
    assert!(
        matches!(
            hub.enroll(&good, "dev-a", "aa01", stranger, t(window - 1)),
            Err(Error::TooManyAttempts {
                retry_after_secs: 1,
                ..
            })
        ),
        "a second before the oldest failure leaves the window, one second to go"
    );
    // The moment it leaves, the right code works: the refused attempts did
    // not use it up.
    let e = hub
        .enroll(&good, "dev-a", "aa01", stranger, t(window))
        .unwrap();
    assert_eq!(e.user.id, "gw-1");
}

#[test]
fn the_same_wrong_code_is_refused_after_five_failures_from_any_addresses() {
    let (_d, hub) = hub();
    let good = hub.enrol_code(&worker("gw-1"), "admin", now()).unwrap();
    let guess = wrong_code(7);
    for i in 0..BAD_CODES_PER_CODE {
        let from = ip(&format!("203.0.113.{}", i + 1));
        assert!(
            matches!(
                hub.enroll(&guess, "dev-x", "ee05", from, now()),
                Err(Error::BadCode)
            ),
            "failure {i} of the same code, from a fresh address, is simply wrong"
        );
    }
    let fresh = ip("203.0.113.100");
    assert!(
        matches!(
            hub.enroll(&guess.to_lowercase(), "dev-x", "ee05", fresh, now()),
            Err(Error::TooManyAttempts {
                lock: EnrolLock::Code,
                ..
            })
        ),
        "that code is refused outright, from an address never seen, however it is typed"
    );
    hub.enroll(&good, "dev-a", "aa01", fresh, now())
        .expect("the address is not locked: another code is looked at");
}

#[test]
fn a_flood_trips_the_hub_wide_ceiling_and_enrol_unlock_lifts_it() {
    let (_d, hub) = hub();
    let good = hub.enrol_code(&worker("gw-1"), "admin", now()).unwrap();
    // Distinct codes from many addresses, each address and code under its own
    // limit: only the ceiling stops this.
    let addresses = BAD_CODES_HUB_CEILING / BAD_CODES_PER_SOURCE;
    let mut n = 0;
    for a in 0..addresses {
        let from = ip(&format!("10.0.{}.{}", a / 200, a % 200 + 1));
        for _ in 0..BAD_CODES_PER_SOURCE {
            assert!(
                matches!(
                    hub.enroll(&wrong_code(n), "dev-x", "ee05", from, now()),
                    Err(Error::BadCode)
                ),
                "bad code {n} is under every limit until the ceiling"
            );
            n += 1;
        }
    }
    let clean = ip("198.51.100.4");
    assert!(
        matches!(
            hub.enroll(&good, "dev-a", "aa01", clean, now()),
            Err(Error::TooManyAttempts {
                lock: EnrolLock::Hub,
                ..
            })
        ),
        "at the ceiling every enrolment waits, even a right code from a clean address"
    );
    let later = now() + Duration::seconds(30);
    let u = hub.enrol_unlock(None, "李主任", later).unwrap();
    assert_eq!(
        (u.failures(), u.sources.len(), u.source.as_deref()),
        (BAD_CODES_HUB_CEILING as u64, addresses as usize, None),
        "every recorded failure from every address is cleared"
    );
    hub.enroll(&good, "dev-a", "aa01", clean, later)
        .expect("once lifted, the right code enrols at once");
    let rows = hub.audit(&AuditQuery::default()).unwrap();
    let unlock = rows
        .iter()
        .find(|r| r.action == "enrol-unlock")
        .expect("lifting the lock is audited");
    assert_eq!(
        (
            unlock.user_id.as_str(),
            unlock.admin.as_deref(),
            unlock.record.as_str(),
            unlock.kind.as_str()
        ),
        ("李主任", Some("李主任"), "*", "enrolment"),
        "the audit row names the admin and that every source was cleared"
    );
    assert!(
        unlock
            .detail
            .contains(&format!("cleared {BAD_CODES_HUB_CEILING}")),
        "and how many: {}",
        unlock.detail
    );
}

#[test]
fn enrol_unlock_for_one_address_clears_that_address_only() {
    let (_d, hub) = hub();
    let good = hub.enrol_code(&worker("gw-1"), "admin", now()).unwrap();
    let other = hub.enrol_code(&worker("gw-2"), "admin", now()).unwrap();
    let (a, b) = (ip("203.0.113.9"), ip("::ffff:198.51.100.4"));
    for i in 0..BAD_CODES_PER_SOURCE as usize {
        let _ = hub.enroll(&wrong_code(i), "dev-x", "ee05", a, now());
        let _ = hub.enroll(&wrong_code(50 + i), "dev-x", "ee05", b, now());
    }
    let u = hub
        .enrol_unlock(Some(ip("198.51.100.4")), "admin", now())
        .unwrap();
    assert_eq!(
        u.sources,
        vec![("198.51.100.4".to_owned(), BAD_CODES_PER_SOURCE as u64)],
        "an IPv4-mapped address is counted, and cleared, as its IPv4 address"
    );
    hub.enroll(&other, "dev-b", "bb02", b, now())
        .expect("the cleared address enrols again");
    assert!(
        matches!(
            hub.enroll(&good, "dev-a", "aa01", a, now()),
            Err(Error::TooManyAttempts {
                lock: EnrolLock::Source,
                ..
            })
        ),
        "the other address stays locked"
    );
    let nothing = hub
        .enrol_unlock(Some(ip("192.0.2.1")), "admin", now())
        .unwrap();
    assert_eq!(
        nothing.failures(),
        0,
        "an address with no failures clears nothing"
    );
}

#[test]
fn ipv6_addresses_of_one_subscriber_share_one_count() {
    let (_d, hub) = hub();
    let good = hub.enrol_code(&worker("gw-1"), "admin", now()).unwrap();
    for i in 0..BAD_CODES_PER_SOURCE as usize {
        // A /64 holds 2^64 addresses: one each would never lock.
        let from = ip(&format!("2001:db8:1:2::{:x}", i + 1));
        let _ = hub.enroll(&wrong_code(i), "dev-x", "ee05", from, now());
    }
    assert!(
        matches!(
            hub.enroll(&good, "dev-a", "aa01", ip("2001:db8:1:2:ffff::1"), now()),
            Err(Error::TooManyAttempts {
                lock: EnrolLock::Source,
                ..
            })
        ),
        "the whole /64 is locked"
    );
    hub.enroll(&good, "dev-a", "aa01", ip("2001:db8:1:3::1"), now())
        .expect("the next /64 is another subscriber");
}

#[test]
fn malformed_codes_are_refused_without_counting() {
    let (_d, hub) = hub();
    let here = ip("203.0.113.9");
    let good = hub.enrol_code(&worker("gw-1"), "admin", now()).unwrap();
    let malformed = [
        "",
        "WRONG-CODE-0000",
        "ABCD-EFGH-JKL",
        "ABCD-EFGH-JKLM-N",
        "ABCD_EFGH_JKLM",
    ];
    for i in 0..(BAD_CODES_PER_SOURCE as usize * 4) {
        let code = malformed[i % malformed.len()];
        match hub.enroll(code, "dev-x", "ee05", here, now()) {
            Err(Error::Invalid(e)) => {
                assert_eq!(e.field, "code", "{code:?}: the field at fault");
                assert!(
                    e.to_string().contains("ABCD-EFGH-JKLM"),
                    "{code:?}: says what a code looks like: {e}"
                );
            }
            other => panic!("{code:?} cannot be a code: {other:?}"),
        }
    }
    hub.enroll(&good, "dev-a", "aa01", here, now())
        .expect("malformed codes are not guesses: they never counted towards a lock");
}

#[test]
fn a_few_bad_codes_spread_out_never_lock() {
    let (_d, hub) = hub();
    let here = ip("203.0.113.9");
    for i in 0..(BAD_CODES_PER_SOURCE * 3) {
        // Four a window at most: one every three minutes.
        let at = now() + Duration::minutes(i * 3);
        assert!(
            matches!(
                hub.enroll(&wrong_code(0), "dev-x", "ee05", here, at),
                Err(Error::BadCode)
            ),
            "attempt {i}: neither the address nor the code reaches its limit"
        );
    }
}

/// A hub as the code before 0008 left it: migrations 0001–0007, a code it
/// issued (stored as the SHA-256 hex of its canonical form) and
/// `failures` bad codes recorded with a time only.
fn hub_from_before_sources(code: &str, failures: i64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let c = rusqlite::Connection::open(dir.path().join(gridline_hub::STORE_FILE)).unwrap();
    for sql in [
        include_str!("../../src/migrations/0001_hub.sql"),
        include_str!("../../src/migrations/0002_moves.sql"),
        include_str!("../../src/migrations/0003_wish_standing.sql"),
        include_str!("../../src/migrations/0004_seen_cursor.sql"),
        include_str!("../../src/migrations/0005_moves_by_doc.sql"),
        include_str!("../../src/migrations/0006_documents_scan.sql"),
        include_str!("../../src/migrations/0007_audit_and_enrol_limits.sql"),
    ] {
        c.execute_batch(sql).unwrap();
    }
    c.execute_batch(
        "PRAGMA user_version = 7;
         INSERT INTO meta (key, value) VALUES
           ('actor', '0123456789abcdef0123456789abcdef'), ('street', '522701001'),
           ('name', '测试街道'), ('counter', '0');",
    )
    .unwrap();
    use sha2::Digest;
    let hash = hex::encode(sha2::Sha256::digest(code.as_bytes()));
    let expires = gridline_records::fmt_time(now() + Duration::hours(1));
    c.execute(
        "INSERT INTO enrol_codes (code_hash, user_id, user_name, role, scope, created_by, expires_at)
         VALUES (?1, 'gw-1', 'gw-1', 'grid-worker', 'grids:522701001001001', 'admin', ?2)",
        [&hash, &expires],
    )
    .unwrap();
    let at = gridline_records::fmt_time(now());
    for _ in 0..failures {
        c.execute("INSERT INTO enrol_failures (at) VALUES (?1)", [&at])
            .unwrap();
    }
    dir
}

#[test]
fn a_hub_from_before_sources_keeps_its_codes_and_its_failures_count_hub_wide() {
    let dir = hub_from_before_sources("LJAX-2ANN-K845", BAD_CODES_HUB_CEILING);
    let hub = Hub::open(dir.path()).expect("the new migrations run on an existing hub");
    assert!(
        matches!(
            hub.enroll("ljax 2ann k845", "dev-a", "aa01", ip("198.51.100.4"), now()),
            Err(Error::TooManyAttempts {
                lock: EnrolLock::Hub,
                ..
            })
        ),
        "old failures have no source or code, but still count hub-wide"
    );
    let u = hub.enrol_unlock(None, "admin", now()).unwrap();
    assert_eq!(
        u.sources,
        vec![(String::new(), BAD_CODES_HUB_CEILING as u64)],
        "they are cleared, listed without a source"
    );
    let e = hub
        .enroll("ljax 2ann k845", "dev-a", "aa01", ip("198.51.100.4"), now())
        .expect("a code issued before normalising was shared still enrols, typed loosely");
    assert_eq!(e.user.id, "gw-1");
}

#[test]
fn a_revoked_device_is_refused_at_once_and_its_token_is_stored_hashed() {
    let (dir, hub) = hub();
    let code = hub.enrol_code(&worker("gw-1"), "admin", now()).unwrap();
    let e = hub
        .enroll(&code, "dev-a", "aa01", ip("127.0.0.1"), now())
        .unwrap();
    let req = gridline_sync::SyncRequest {
        v: gridline_sync::PROTOCOL_VERSION,
        cursor: 0,
        page: 10,
        want_total: false,
        new_actor: None,
        push: vec![],
        sync: vec![],
        am_sync: false,
        reveals: Vec::new(),
        directory: None,
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

/// An admin's command is another process on the same hub.db: its writes and
/// the serving hub's must wait for each other, never fail with "database is
/// locked" (both used to start as readers and fail at once on the upgrade).
#[test]
fn an_admin_command_beside_the_serving_hub_waits_instead_of_failing() {
    let dir = tempfile::tempdir().unwrap();
    let serving = gridline_test_support::hub_in(dir.path());
    let admin = Hub::open(dir.path()).unwrap();
    let (mut served, mut unlocked) = (0, 0);
    std::thread::scope(|s| {
        let unlocks = s.spawn(|| {
            let mut done = 0;
            for i in 0..150 {
                if let Err(e) = admin.enrol_unlock(None, "admin", now() + Duration::seconds(i)) {
                    panic!("enrol-unlock beside a serving hub failed: {e}");
                }
                done += 1;
            }
            done
        });
        for i in 0..150 {
            let source = IpAddr::from([127, 0, 0, (i % 200 + 2) as u8]);
            match serving.enroll("ABCD-EFGH-JKLM", &format!("d{i}"), "00", source, now()) {
                Err(Error::BadCode | Error::TooManyAttempts { .. }) => served += 1,
                other => panic!("a wrong code is refused as such, not {other:?}"),
            }
        }
        unlocked = unlocks.join().unwrap();
    });
    assert_eq!(
        (served, unlocked),
        (150, 150),
        "every call on both sides answered"
    );
}

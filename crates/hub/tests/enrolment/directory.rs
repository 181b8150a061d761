//! The street's people directory: made from enrolments, sent on a device's
//! first sync and after anyone enrols or leaves, not when the device's copy
//! is current (so "nothing changed" stays small); a revoked person keeps
//! their name; nothing but id, name, role and unit travels.

use chrono::Duration;
use gridline_hub::Hub;
use gridline_model::{Role, Scope, User};
use gridline_sync::{encode, SyncRequest, SyncResponse, PROTOCOL_VERSION};

use super::{ip, now};

fn person(id: &str, name: &str, role: Role, scope: &str) -> User {
    User {
        id: id.into(),
        name: name.into(),
        role,
        scope: Scope::parse(scope).unwrap(),
    }
}

/// Enrols `user` on a device of its own; the token.
fn enrol(hub: &Hub, user: &User, n: usize) -> String {
    let code = hub.enrol_code(user, "admin", now()).unwrap();
    hub.enroll(
        &code,
        &format!("dev-{n}"),
        &format!("{:04x}", n + 1),
        ip("127.0.0.1"),
        now(),
    )
    .unwrap()
    .token
}

/// A nothing-changed request naming the directory version held.
fn ask(held: Option<&str>) -> SyncRequest {
    SyncRequest {
        v: PROTOCOL_VERSION,
        cursor: u64::MAX >> 1,
        page: 10,
        want_total: false,
        new_actor: None,
        push: vec![],
        sync: vec![],
        am_sync: false,
        reveals: Vec::new(),
        directory: held.map(str::to_owned),
    }
}

fn sync(hub: &Hub, token: &str, held: Option<&str>) -> SyncResponse {
    hub.sync(token, &ask(held), now() + Duration::seconds(1))
        .unwrap()
}

/// Runs of exactly 11 digits starting with 1: what a mainland mobile
/// number looks like, and no grid (15) or community (12) code is.
fn mobile_like(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|run| run.len() == 11 && run.starts_with('1'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_directory_is_sent_when_stale_names_everyone_once_and_carries_no_phone() {
    let (_dir, hub) = gridline_test_support::sample_hub(now());
    let zhang = person(
        "gw-522701001001001",
        "张伟",
        Role::GridWorker,
        "grids:522701001001001",
    );
    let wang = person(
        "cs-522701001001",
        "王芳",
        Role::CommunityStaff,
        "community:522701001001",
    );
    let token = enrol(&hub, &zhang, 1);
    // A second device of the same person: still one entry.
    enrol(&hub, &zhang, 2);
    let staff = enrol(&hub, &wang, 3);

    let first = sync(&hub, &token, Some(""));
    let dir = first
        .directory
        .clone()
        .expect("a device holding no directory is sent it on its first sync");
    let names: Vec<(&str, &str, &str, &str)> = dir
        .people
        .iter()
        .map(|p| {
            (
                p.id.as_str(),
                p.name.as_str(),
                p.role.as_str(),
                p.unit.as_str(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("cs-522701001001", "王芳", "community-staff", "522701001001"),
            (
                "gw-522701001001001",
                "张伟",
                "grid-worker",
                "522701001001001"
            ),
        ],
        "each user once, by id, with their name, role and unit"
    );
    assert!(
        dir.places
            .get("522701001001001")
            .is_some_and(|n| n.contains("网格")),
        "the street's place names travel with it, for devices enrolled before enrolment sent them: {:?}",
        dir.places
    );
    assert_eq!(dir.version.len(), 16, "the version is 16 hex digits");
    assert_eq!(
        sync(&hub, &staff, Some("")).directory.as_ref(),
        Some(&dir),
        "community staff are sent the same directory as the grid worker"
    );

    // Privacy: what travels is the directory and nothing of the households.
    let bytes = encode(&dir);
    assert!(
        mobile_like(&bytes).is_empty(),
        "no phone number is in the directory: {:?}",
        mobile_like(&bytes)
    );
    let sample = String::from_utf8_lossy(gridline_test_support::SAMPLE).into_owned();
    let phones: Vec<&str> = sample
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(8))
        .filter(|p| !p.is_empty())
        .collect();
    assert!(
        phones.len() > 10,
        "the sample street's households have phones"
    );
    for phone in phones {
        assert!(
            !bytes.windows(phone.len()).any(|w| w == phone.as_bytes()),
            "a household's phone {phone} is not in what every device is sent"
        );
    }

    // Current: nothing, and the reply stays as small as before.
    let idle = sync(&hub, &token, Some(&dir.version));
    assert!(idle.directory.is_none(), "a current copy is sent nothing");
    let idle_bytes = encode(&idle).len();
    let older = sync(&hub, &token, None);
    assert!(
        older.directory.is_none(),
        "an older device, which names no version, is sent none"
    );
    assert_eq!(
        idle_bytes,
        encode(&older).len(),
        "a current directory costs the reply nothing"
    );
    assert!(
        idle_bytes < 200,
        "nothing changed is small: {idle_bytes} bytes"
    );

    // A new enrolment changes the version: sent again.
    let li = person(
        "ss-522701001",
        "李强",
        Role::StreetStaff,
        "street:522701001",
    );
    enrol(&hub, &li, 4);
    let after = sync(&hub, &token, Some(&dir.version))
        .directory
        .expect("after someone enrols, the directory is sent again");
    assert_ne!(after.version, dir.version, "under a new version");
    assert!(
        after.people.iter().any(|p| p.name == "李强"),
        "naming the newcomer"
    );
}

#[test]
fn a_revoked_person_keeps_their_name_marked_and_one_live_device_keeps_them_unmarked() {
    let (_dir, hub) = gridline_test_support::hub();
    let zhang = person("gw-1", "张伟", Role::GridWorker, "grids:522701001001001");
    let liu = person("dl-1", "刘洋", Role::DepartmentLiaison, "department:城管");
    let watcher = enrol(&hub, &liu, 1);
    enrol(&hub, &zhang, 2);
    enrol(&hub, &zhang, 3);
    let before = hub.people_directory().unwrap();
    hub.revoke_as("dev-2", "李主任", now()).unwrap();
    let one_left = hub.people_directory().unwrap();
    let p = |d: &gridline_sync::Directory, id: &str| {
        d.people.iter().find(|p| p.id == id).cloned().unwrap()
    };
    assert!(
        !p(&one_left, "gw-1").revoked,
        "a person with a device still enrolled is not marked"
    );
    assert_eq!(
        p(&one_left, "dl-1").unit,
        "城管",
        "a department liaison's unit is the department"
    );
    hub.revoke_as("dev-3", "李主任", now()).unwrap();
    let gone = sync(&hub, &watcher, Some(&one_left.version))
        .directory
        .expect("when the last device of someone is revoked, the directory changes");
    let zhang_now = p(&gone, "gw-1");
    assert!(
        zhang_now.revoked && zhang_now.name == "张伟",
        "a revoked person keeps their name, marked: {zhang_now:?}"
    );
    assert_ne!(before.version, gone.version, "and the version moved");
}

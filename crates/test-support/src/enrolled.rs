use gridline_device::sync::Enrolled;
use gridline_device::Device;
use gridline_hub::Hub;
use gridline_model::{Instant, User};

/// A new device for `user`, enrolled with `hub` in process at `now` (the
/// code issued and used at the same `now`) and told to sync with `hub_url`;
/// returns its data directory, the device and its token.
pub fn enrolled(
    hub: &Hub,
    user: User,
    hub_url: &str,
    now: Instant,
) -> (tempfile::TempDir, Device, String) {
    let code = hub.enrol_code(&user, "admin", now).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut d = Device::init(dir.path(), user).unwrap();
    let e = hub
        .enroll(
            &code,
            &d.identity().device_id,
            &d.identity().actor_hex(),
            std::net::Ipv4Addr::LOCALHOST.into(),
            now,
        )
        .unwrap();
    d.accept_enrolment(&Enrolled {
        hub_url: hub_url.into(),
        token: e.token.clone(),
        user: e.user,
        hub_actor: e.hub_actor,
        place_names: e.place_names,
    })
    .unwrap();
    (dir, d, e.token)
}

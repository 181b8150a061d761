//! Dev-only set-up the test crates share: a hub in a temporary directory
//! (empty, or with the sample spreadsheet imported), a hub served on
//! 127.0.0.1:0 for the length of a test, and, with the `device` feature, a
//! device enrolled with a hub in process. Used only as a dev-dependency.
//!
//! ```no_run
//! use gridline_model::Role;
//! use gridline_test_support::{sample_hub, user, Served};
//! // A served hub reads the clock, so its codes are issued with the clock's now.
//! let now = chrono::Utc::now();
//! let (_dir, hub) = sample_hub(now);
//! let code = hub.enrol_code(&user("gw-1", Role::GridWorker, "grids:522701001001001"), "admin", now).unwrap();
//! let served = Served::start(hub, None);
//! let body = format!(r#"{{"code":"{code}","device_id":"d1","actor":"00"}}"#);
//! let (status, text) = served.post("/v1/enroll", body.into_bytes(), "application/json", None);
//! println!("{status} {text}");
//! ```
//!
//! Time is passed in: a hub used in process can run on a fixed test clock,
//! but codes for a served hub must be issued with `chrono::Utc::now()`
//! (they expire after 72 hours, and the served hub reads the clock).

#[cfg(feature = "device")]
mod enrolled;
mod served;

use std::path::Path;

use gridline_hub::Hub;
use gridline_model::{Instant, Role, Scope, User};

#[cfg(feature = "device")]
pub use enrolled::enrolled;
pub use served::{listen, runtime, serve, serve_with, Served};

/// The street every test hub serves (测试街道).
pub const STREET: &str = "522701001";

/// The sample spreadsheet a community office sends: 24 households in 12
/// grids (4 communities × 3 grids), UTF-8 with a BOM.
pub const SAMPLE: &[u8] =
    include_bytes!("../../hub/tests/fixtures/import/households-sample-utf8bom.csv");

/// A new, empty hub for [`STREET`] in `dir`.
pub fn hub_in(dir: &Path) -> Hub {
    Hub::init(dir, STREET, "测试街道").unwrap()
}

/// A new, empty hub in a fresh temporary directory.
pub fn hub() -> (tempfile::TempDir, Hub) {
    let dir = tempfile::tempdir().unwrap();
    let hub = hub_in(dir.path());
    (dir, hub)
}

/// A new hub in `dir` with [`SAMPLE`] imported by `admin` at `now`.
pub fn sample_hub_in(dir: &Path, now: Instant) -> Hub {
    let hub = hub_in(dir);
    let report = hub.import_households(SAMPLE, "admin", now).unwrap();
    assert_eq!(report.households, 24, "the sample has 24 households");
    hub
}

/// A new hub with [`SAMPLE`] imported, in a fresh temporary directory.
pub fn sample_hub(now: Instant) -> (tempfile::TempDir, Hub) {
    let dir = tempfile::tempdir().unwrap();
    let hub = sample_hub_in(dir.path(), now);
    (dir, hub)
}

/// A user named by their id, with `role` over `scope` (`grids:…`, `street:…`).
pub fn user(id: &str, role: Role, scope: &str) -> User {
    User {
        id: id.into(),
        name: id.into(),
        role,
        scope: Scope::parse(scope).unwrap(),
    }
}

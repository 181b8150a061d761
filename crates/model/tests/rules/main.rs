//! The rules of DESIGN §3 and the workflow folds, tested as a user meets them.

mod issue_fold;
mod permissions;
mod time_limits;
mod wish_fold;

use chrono::{TimeZone, Utc};
use gridline_model::{Author, CommunityCode, GridId, Instant, RecordId, Role, Scope, User};

pub fn community() -> CommunityCode {
    CommunityCode::parse("522701001001").unwrap()
}
pub fn grid(n: u16) -> GridId {
    GridId::new(&community(), n)
}
pub fn other_community_grid() -> GridId {
    GridId::new(&CommunityCode::parse("522701001002").unwrap(), 1)
}
pub fn t(hours: i64) -> Instant {
    Utc.with_ymd_and_hms(2026, 11, 1, 8, 0, 0).unwrap() + chrono::Duration::hours(hours)
}
pub fn id(n: u128) -> RecordId {
    RecordId::from_u128(n)
}
pub fn user(id: &str, role: Role, scope: Scope) -> User {
    User {
        id: id.into(),
        name: id.into(),
        role,
        scope,
    }
}
pub fn worker() -> User {
    user("gw1", Role::GridWorker, Scope::Grids(vec![grid(1)]))
}
pub fn leader() -> User {
    user("jl1", Role::JointLeader, Scope::Households(vec![id(100)]))
}
pub fn community_staff() -> User {
    user("cs1", Role::CommunityStaff, Scope::Community(community()))
}
pub fn other_community_staff() -> User {
    user(
        "cs2",
        Role::CommunityStaff,
        Scope::Community(CommunityCode::parse("522701001002").unwrap()),
    )
}
pub fn street_staff() -> User {
    user("ss1", Role::StreetStaff, Scope::Street("522701001".into()))
}
pub fn department(name: &str) -> User {
    user(
        &format!("dep-{name}"),
        Role::DepartmentLiaison,
        Scope::Department(name.into()),
    )
}
pub fn author(u: &User) -> Author {
    u.author()
}

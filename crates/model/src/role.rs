//! Who acts: roles, scopes, users, and the author stamped on every event.

use std::fmt;

use crate::{CommunityCode, GridId, Invalid, RecordId};

/// The roles of DESIGN §1. `Hub` is the street hub's own actor (claim grants,
/// imports); no device is ever bound to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    GridWorker,
    JointLeader,
    CommunityStaff,
    StreetStaff,
    DepartmentLiaison,
    Admin,
    Hub,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::GridWorker,
        Role::JointLeader,
        Role::CommunityStaff,
        Role::StreetStaff,
        Role::DepartmentLiaison,
        Role::Admin,
        Role::Hub,
    ];

    /// Stable machine name, used in documents and on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Role::GridWorker => "grid-worker",
            Role::JointLeader => "joint-leader",
            Role::CommunityStaff => "community-staff",
            Role::StreetStaff => "street-staff",
            Role::DepartmentLiaison => "department",
            Role::Admin => "admin",
            Role::Hub => "hub",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Role::GridWorker => "网格员",
            Role::JointLeader => "党员联户长",
            Role::CommunityStaff => "社区工作人员",
            Role::StreetStaff => "街道工作人员",
            Role::DepartmentLiaison => "职能部门",
            Role::Admin => "管理员",
            Role::Hub => "街道枢纽",
        }
    }

    pub fn parse(s: &str) -> Result<Role, Invalid> {
        Role::ALL.into_iter().find(|r| r.key() == s.trim() || r.zh() == s.trim()).ok_or_else(|| {
            Invalid::new(
                "role",
                format!("未知角色 \"{s}\" (unknown role)"),
                "可用角色 (roles): grid-worker, joint-leader, community-staff, street-staff, department",
            )
        })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// What part of the street a user covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// A grid worker's grids.
    Grids(Vec<GridId>),
    /// A joint-household leader's linked households (they may span grids).
    Households(Vec<RecordId>),
    Community(CommunityCode),
    /// A street by its 9-digit code.
    Street(String),
    /// A department by name; it covers the issues dispatched to it.
    Department(String),
    /// Hub admins and the hub itself: everything in the street.
    Everything,
}

impl Scope {
    /// The unit an event author acts for, where the rules need it: the
    /// community code of community staff, the street code of street staff, the
    /// department of a liaison.
    pub fn unit(&self) -> String {
        match self {
            Scope::Community(c) => c.as_str().to_owned(),
            Scope::Street(s) => s.clone(),
            Scope::Department(d) => d.clone(),
            Scope::Grids(_) | Scope::Households(_) | Scope::Everything => String::new(),
        }
    }

    /// Whether the scope's shape fits the role (a grid worker has grids, …).
    pub fn fits(&self, role: Role) -> bool {
        matches!(
            (role, self),
            (Role::GridWorker, Scope::Grids(_))
                | (Role::JointLeader, Scope::Households(_))
                | (Role::CommunityStaff, Scope::Community(_))
                | (Role::StreetStaff, Scope::Street(_))
                | (Role::DepartmentLiaison, Scope::Department(_))
                | (Role::Admin | Role::Hub, Scope::Everything)
        )
    }
}

/// A user as a device knows them: id, display name, role and scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub scope: Scope,
}

impl User {
    /// The author stamp this user puts on workflow events.
    pub fn author(&self) -> Author {
        Author {
            user: self.id.clone(),
            role: self.role,
            unit: self.scope.unit(),
        }
    }
}

/// Who made a workflow step: user id, the role they acted in, and the unit
/// (community, street or department) the rules check it against.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Author {
    pub user: String,
    pub role: Role,
    pub unit: String,
}

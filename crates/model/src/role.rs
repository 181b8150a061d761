//! Who acts: roles, scopes, users, and the author stamped on every event.

use crate::{text, Text};
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

    /// The role as the English UI says it (`../shared/glossary.md`).
    pub fn en(self) -> &'static str {
        match self {
            Role::GridWorker => "grid worker",
            Role::JointLeader => "joint-household leader",
            Role::CommunityStaff => "community staff",
            Role::StreetStaff => "street staff",
            Role::DepartmentLiaison => "department",
            Role::Admin => "hub admin",
            Role::Hub => "street hub",
        }
    }

    pub fn parse(s: &str) -> Result<Role, Invalid> {
        Role::ALL.into_iter().find(|r| r.key() == s.trim() || r.zh() == s.trim()).ok_or_else(|| {
            Invalid::new(
                "role",
                text!("未知角色 \"{s}\"", "unknown role \"{s}\""),
                text!("可用角色：grid-worker, joint-leader, community-staff, street-staff, department", "roles: grid-worker, joint-leader, community-staff, street-staff, department"),
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

impl Scope {
    /// A compact text form used on the command line and in the device store:
    /// `grids:G1,G2`, `households:ID,ID`, `community:CODE`, `street:CODE`,
    /// `department:NAME`, `everything`.
    pub fn encode(&self) -> String {
        let join = |v: Vec<String>| v.join(",");
        match self {
            Scope::Grids(g) => format!("grids:{}", join(g.iter().map(|g| g.to_string()).collect())),
            Scope::Households(h) => format!(
                "households:{}",
                join(h.iter().map(|h| h.to_string()).collect())
            ),
            Scope::Community(c) => format!("community:{c}"),
            Scope::Street(s) => format!("street:{s}"),
            Scope::Department(d) => format!("department:{d}"),
            Scope::Everything => "everything".into(),
        }
    }

    pub fn parse(s: &str) -> Result<Scope, Invalid> {
        let bad = |problem: Text| {
            Invalid::new(
                "scope",
                problem,
                text!("用法：grids:522701001001001[,…] | households:UUID[,…] | community:522701001001 | street:522701001 | department:城管", "use: grids:522701001001001[,…] | households:UUID[,…] | community:522701001001 | street:522701001 | department:城管"),
            )
        };
        let (kind, rest) = s.trim().split_once(':').unwrap_or((s.trim(), ""));
        let items = || rest.split(',').map(str::trim).filter(|x| !x.is_empty());
        match kind {
            "grids" | "grid" => {
                let g = items().map(GridId::parse).collect::<Result<Vec<_>, _>>()?;
                if g.is_empty() {
                    return Err(bad(text!("没有网格", "no grid given")));
                }
                Ok(Scope::Grids(g))
            }
            "households" => {
                let h = items()
                    .map(|x| {
                        RecordId::parse_str(x).map_err(|_| {
                            bad(text!("\"{x}\" 不是户编号", "not a household id \"{x}\""))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Scope::Households(h))
            }
            "community" => Ok(Scope::Community(CommunityCode::parse(rest)?)),
            "street" => {
                if rest.len() != 9 || !rest.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad(text!(
                        "街道代码应为 9 位数字，收到 \"{rest}\"",
                        "a street code is 9 digits, got \"{rest}\""
                    )));
                }
                Ok(Scope::Street(rest.to_owned()))
            }
            "department" if !rest.trim().is_empty() => {
                Ok(Scope::Department(rest.trim().to_owned()))
            }
            "everything" => Ok(Scope::Everything),
            _ => Err(bad(text!("无法识别范围 \"{s}\"", "unknown scope \"{s}\""))),
        }
    }

    /// The street (9-digit code) this scope lies in, where it says.
    pub fn street(&self) -> Option<String> {
        match self {
            Scope::Grids(g) => g.first().map(|g| g.street().to_owned()),
            Scope::Community(c) => Some(c.street().to_owned()),
            Scope::Street(s) => Some(s.clone()),
            Scope::Households(_) | Scope::Department(_) | Scope::Everything => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip_through_their_text_form() {
        for s in [
            "grids:522701001001001,522701001001002",
            "community:522701001001",
            "street:522701001",
            "department:城管",
            "everything",
        ] {
            assert_eq!(Scope::parse(s).unwrap().encode(), s, "{s} must round-trip");
        }
        assert_eq!(
            Scope::parse("grids:").unwrap_err().field,
            "scope",
            "an empty grid list is refused"
        );
        assert!(
            Scope::parse("street:5227").is_err(),
            "short street codes are refused"
        );
    }

    #[test]
    fn scope_shape_must_fit_the_role() {
        assert!(Scope::parse("community:522701001001")
            .unwrap()
            .fits(Role::CommunityStaff));
        assert!(
            !Scope::parse("community:522701001001")
                .unwrap()
                .fits(Role::GridWorker),
            "a grid worker has grids"
        );
    }
}

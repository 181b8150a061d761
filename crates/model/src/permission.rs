//! The table of DESIGN §3 as pure functions: may this user, with this role and
//! scope, do this to this record?
//!
//! Workflow steps are checked twice: here for role and scope before anything
//! is written, and in the fold ([`crate::issue`], [`crate::wish`]) for state,
//! so a step that slips past one device is still refused on every replica.

use crate::{text, Text};
use std::fmt;

use crate::{GridId, RecordId, Role, Scope, User, WishStep};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Household,
    HouseholdPrivate,
    Visit,
    Issue,
    Wish,
    /// A mediation case's public part (矛盾纠纷调解).
    Mediation,
    /// A mediation case's private part: parties, facts, sessions, terms.
    MediationPrivate,
    /// A residents' deliberation topic (居民议事): not sensitive, no private part.
    Deliberation,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Household,
        Kind::HouseholdPrivate,
        Kind::Visit,
        Kind::Issue,
        Kind::Wish,
        Kind::Mediation,
        Kind::MediationPrivate,
        Kind::Deliberation,
    ];
    pub fn key(self) -> &'static str {
        match self {
            Kind::Household => "household",
            Kind::HouseholdPrivate => "household-private",
            Kind::Visit => "visit",
            Kind::Issue => "issue",
            Kind::Wish => "wish",
            Kind::Mediation => "mediation",
            Kind::MediationPrivate => "mediation-private",
            Kind::Deliberation => "deliberation",
        }
    }
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Read,
    /// Create a record (report an issue, post a wish, log a visit, add a household).
    Create,
    /// Change the record's own fields.
    Edit,
    /// Add a workflow event (issue steps, wish steps).
    Step,
}

/// Where a record sits, as far as the rules care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub grid: GridId,
    pub household: Option<RecordId>,
    /// Departments an issue has been dispatched to (from its events).
    pub dispatched_to: Vec<String>,
    /// The user who reported the issue or posted the wish.
    pub reporter: Option<String>,
}

impl Target {
    pub fn grid(grid: GridId) -> Self {
        Target {
            grid,
            household: None,
            dispatched_to: Vec::new(),
            reporter: None,
        }
    }
    pub fn household(grid: GridId, household: RecordId) -> Self {
        Target {
            grid,
            household: Some(household),
            dispatched_to: Vec::new(),
            reporter: None,
        }
    }
}

/// Why the rules refuse an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub reason: crate::Text,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.reason.fmt(f)
    }
}

impl std::error::Error for Refusal {}

/// Whether the target lies in the user's scope (grids, linked households,
/// community, street). Departments and admins have no household scope.
pub fn in_scope(user: &User, target: &Target) -> bool {
    match &user.scope {
        Scope::Grids(grids) => grids.contains(&target.grid),
        Scope::Households(hs) => target.household.is_some_and(|h| hs.contains(&h)),
        Scope::Community(c) => target.grid.community() == *c,
        Scope::Street(s) => target.grid.street() == s,
        Scope::Department(_) | Scope::Everything => false,
    }
}

pub fn check(user: &User, kind: Kind, action: Action, target: &Target) -> Result<(), Refusal> {
    use Action::*;
    use Kind::*;
    use Role::*;
    let role = user.role;
    let scoped = in_scope(user, target);
    let allowed = match (kind, action, role) {
        (_, _, Admin | Hub) => false,
        (Household, Read, GridWorker | JointLeader | CommunityStaff | StreetStaff) => scoped,
        (Household, Create | Edit, GridWorker | CommunityStaff) => scoped,
        (HouseholdPrivate, Read, GridWorker | CommunityStaff | StreetStaff) => scoped,
        (HouseholdPrivate, Create | Edit, GridWorker | CommunityStaff) => scoped,
        (Visit, Create, GridWorker | JointLeader) => scoped,
        (Visit, Read, GridWorker | JointLeader | CommunityStaff | StreetStaff) => scoped,
        (Issue, Create, GridWorker | CommunityStaff | StreetStaff) => scoped,
        // A leader reports about one of their linked households.
        (Issue, Create, JointLeader) => scoped,
        (Issue, Read | Step, GridWorker | CommunityStaff | StreetStaff) => scoped,
        (Issue, Read | Step, JointLeader) => {
            scoped || target.reporter.as_deref() == Some(user.id.as_str())
        }
        (Issue, Read | Step, DepartmentLiaison) => {
            target.dispatched_to.contains(&user.scope.unit())
        }
        (Wish, Read, GridWorker | JointLeader | CommunityStaff | StreetStaff) => true,
        (Wish, Create, GridWorker | JointLeader | CommunityStaff) => scoped,
        (Wish, Step, GridWorker | JointLeader | CommunityStaff | StreetStaff) => true,
        // DESIGN §8: anyone who reports a dispute registers it (a leader
        // about one of their linked households); a grid worker reads its
        // grids' cases and makes the follow-up visit; a leader reads only
        // the cases they reported; staff take every step in their unit.
        (Mediation, Create, GridWorker | JointLeader | CommunityStaff | StreetStaff) => scoped,
        (Mediation, Read | Step, GridWorker) => scoped,
        (Mediation, Read, JointLeader) => target.reporter.as_deref() == Some(user.id.as_str()),
        (Mediation, Read | Edit | Step, CommunityStaff | StreetStaff) => scoped,
        (MediationPrivate, Read, GridWorker | CommunityStaff | StreetStaff) => scoped,
        (MediationPrivate, Create | Edit, CommunityStaff | StreetStaff) => scoped,
        // DESIGN §8: grid workers and leaders propose and read (community),
        // community staff take every step (proposing too: the party branch's,
        // the owners' committee's or the property company's topic is entered
        // at the office), street staff read; nobody edits a topic's own
        // fields once proposed (only events are added).
        //
        // A grid worker proposes in its own grids (a topic is placed by its
        // proposer's grid) and reads every topic of the communities its grids
        // lie in.
        (Deliberation, Create, GridWorker) => scoped,
        (Deliberation, Read, GridWorker) => match &user.scope {
            Scope::Grids(grids) => grids
                .iter()
                .any(|g| g.community() == target.grid.community()),
            _ => false,
        },
        // A leader's scope is a list of households, so its community is not
        // in the binding, and the hub (which decides from the binding and the
        // record alone) cannot tell which topics are of the leader's
        // community. The most faithful rule it can check: a leader proposes
        // for a resident of one of its linked households (the topic names
        // that household), and reads the topics that name one of its linked
        // households and the ones it proposed itself. Topics of its
        // community that name no linked household are not sent to it: fewer
        // than DESIGN §8's "read (community)", never more.
        (Deliberation, Create, JointLeader) => scoped,
        (Deliberation, Read, JointLeader) => {
            scoped || target.reporter.as_deref() == Some(user.id.as_str())
        }
        (Deliberation, Create | Read | Step, CommunityStaff) => scoped,
        (Deliberation, Read, StreetStaff) => scoped,
        _ => false,
    };
    if allowed {
        return Ok(());
    }
    let (verb, verb_en) = match action {
        Read => ("查看", "reading"),
        Create => ("新建", "creating"),
        Edit => ("修改", "editing"),
        Step => ("处理", "acting on"),
    };
    let why = if matches!(role, Admin | Hub) {
        text!("管理员不编辑记录", "admins do not read or edit records")
    } else if role_may(kind, action, role) {
        text!("不在你的范围内", "outside your scope")
    } else {
        Text::new(
            format!("{}不能{}此类记录", role.zh(), verb),
            format!("role {role} may not {action:?} a {}", kind.key()).to_lowercase(),
        )
    };
    let (kind_zh, kind_en) = (kind_zh(kind), kind.key());
    Err(Refusal {
        reason: why.after(&text!(
            "{verb}{kind_zh}被拒绝",
            "{verb_en} a {kind_en} refused"
        )),
    })
}

/// Scope-independent part of the table: could this role ever do this?
pub fn role_may(kind: Kind, action: Action, role: Role) -> bool {
    use Action::*;
    use Kind::*;
    use Role::*;
    matches!(
        (kind, action, role),
        (
            Household,
            Read,
            GridWorker | JointLeader | CommunityStaff | StreetStaff
        ) | (Household, Create | Edit, GridWorker | CommunityStaff)
            | (
                HouseholdPrivate,
                Read,
                GridWorker | CommunityStaff | StreetStaff
            )
            | (HouseholdPrivate, Create | Edit, GridWorker | CommunityStaff)
            | (Visit, Create, GridWorker | JointLeader)
            | (
                Visit,
                Read,
                GridWorker | JointLeader | CommunityStaff | StreetStaff
            )
            | (
                Issue,
                Create,
                GridWorker | JointLeader | CommunityStaff | StreetStaff
            )
            | (
                Issue,
                Read | Step,
                GridWorker | JointLeader | CommunityStaff | StreetStaff | DepartmentLiaison
            )
            | (
                Wish,
                Read | Step,
                GridWorker | JointLeader | CommunityStaff | StreetStaff
            )
            | (Wish, Create, GridWorker | JointLeader | CommunityStaff)
            | (
                Mediation,
                Create | Read,
                GridWorker | JointLeader | CommunityStaff | StreetStaff
            )
            | (Mediation, Step, GridWorker | CommunityStaff | StreetStaff)
            | (Mediation, Edit, CommunityStaff | StreetStaff)
            | (
                MediationPrivate,
                Read,
                GridWorker | CommunityStaff | StreetStaff
            )
            | (
                MediationPrivate,
                Create | Edit,
                CommunityStaff | StreetStaff
            )
            | (
                Deliberation,
                Create,
                GridWorker | JointLeader | CommunityStaff
            )
            | (
                Deliberation,
                Read,
                GridWorker | JointLeader | CommunityStaff | StreetStaff
            )
            | (Deliberation, Step, CommunityStaff)
    )
}

/// The dashboard (数据看板) is for community and street staff (and admins).
pub fn may_see_dashboard(role: Role) -> bool {
    matches!(role, Role::CommunityStaff | Role::StreetStaff | Role::Admin)
}

/// The dashboard refused, for a role that may not see it.
pub fn check_dashboard(user: &User) -> Result<(), Refusal> {
    if may_see_dashboard(user.role) {
        return Ok(());
    }
    Err(Refusal {
        reason: text!(
            "数据看板仅供社区和街道使用",
            "the dashboard is for community and street staff"
        ),
    })
}

/// What a user may start, as the app's menus offer it: log a visit, report
/// an issue, post a wish (each `role_may(kind, Create, role)`).
pub fn may_create(role: Role) -> Vec<Kind> {
    [Kind::Visit, Kind::Issue, Kind::Wish]
        .into_iter()
        .filter(|k| role_may(*k, Action::Create, role))
        .collect()
}

/// Wish steps with a scope rule beyond the fold's: confirming for a resident
/// needs the wish's household in scope (own grids, linked households, community).
pub fn check_wish_step(user: &User, step: &WishStep, target: &Target) -> Result<(), Refusal> {
    check(user, Kind::Wish, Action::Step, target)?;
    if matches!(step, WishStep::Confirm { .. }) && !in_scope(user, target) {
        return Err(Refusal {
            reason: text!(
                "确认心愿被拒绝：不在你的范围内",
                "confirming is for the wish's own grid or community"
            ),
        });
    }
    if matches!(step, WishStep::WithdrawWish { .. })
        && user.role == Role::CommunityStaff
        && !in_scope(user, target)
    {
        return Err(Refusal {
            reason: text!("撤回心愿被拒绝：不在你的社区", "outside your community"),
        });
    }
    Ok(())
}

fn kind_zh(kind: Kind) -> &'static str {
    match kind {
        Kind::Household => "户信息",
        Kind::HouseholdPrivate => "户保密信息",
        Kind::Visit => "走访记录",
        Kind::Issue => "事件",
        Kind::Wish => "心愿",
        Kind::Mediation => "调解案件",
        Kind::MediationPrivate => "调解案件保密信息",
        Kind::Deliberation => "居民议事议题",
    }
}

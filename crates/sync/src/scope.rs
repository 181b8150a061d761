//! What the hub sends a device: its *sync scope*.
//!
//! The sync scope is the read permission of `permission::check`, narrowed for
//! wishes. Every role that reads wishes may read and step any wish of the
//! street (DESIGN §3: the wish wall is street-wide), but a street holds years
//! of settled wishes (≈24,000 in a demo street, three quarters of them
//! fulfilled, confirmed or withdrawn) that nobody outside their own grid acts
//! on. So the hub sends a wish only if it is
//!
//! - **open**: posted (claim requests pending or not) or claimed, i.e. not yet
//!   fulfilled, confirmed or withdrawn: anyone may still claim it; or
//! - **in the user's own scope** (their grids, community, linked households,
//!   or street): they confirm and follow up their own residents' wishes; or
//! - **posted or claimed by the user**: their own work.
//!
//! A wish that becomes terminal leaves the sync scope of every other device,
//! which the hub announces as a removal (like a household that moved grid).
//! This narrows only what is sent, never what is allowed: the hub still
//! accepts a step on any wish from any role that may step wishes, so a device
//! that claimed a wish offline while it was being fulfilled elsewhere gets its
//! change accepted (and shown refused by the fold), then the wish removed.

use gridline_model::permission::{check, in_scope, Action, Kind, Target};
use gridline_model::wish::{WishStage, WishState};
use gridline_model::User;
use gridline_records::Record;

/// What the sync scope needs to know about a document beyond its place.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Standing {
    /// A wish not yet fulfilled, confirmed or withdrawn; `true` for every
    /// other kind (it does not apply to them).
    pub open: bool,
    /// The user whose claim on a wish the hub granted, if any.
    pub claimant: Option<String>,
}

impl Standing {
    /// A document of another kind than wish: its place alone decides.
    pub fn place_only() -> Standing {
        Standing {
            open: true,
            claimant: None,
        }
    }

    /// Reads a record's standing; a wish's is the fold of its events with the
    /// hub's actor (only the hub's grants count).
    pub fn of(record: &Record, hub_actor: &str) -> Standing {
        match record {
            Record::Wish(w) => Standing::of_wish(&WishState::fold(&w.events, Some(hub_actor))),
            _ => Standing::place_only(),
        }
    }

    pub fn of_wish(state: &WishState) -> Standing {
        Standing {
            open: is_open(state.stage),
            claimant: state.claimant.clone(),
        }
    }
}

/// Open wishes may still be claimed or are being fulfilled; the rest are settled.
pub fn is_open(stage: Option<WishStage>) -> bool {
    !matches!(
        stage,
        Some(WishStage::Fulfilled | WishStage::Confirmed | WishStage::Withdrawn)
    )
}

/// Whether the hub sends this document to `user` (see the module docs).
/// `target.reporter` is a wish's poster.
pub fn sends(user: &User, kind: Kind, target: &Target, standing: &Standing) -> bool {
    if check(user, kind, Action::Read, target).is_err() {
        return false;
    }
    kind != Kind::Wish
        || standing.open
        || in_scope(user, target)
        || target.reporter.as_deref() == Some(user.id.as_str())
        || standing.claimant.as_deref() == Some(user.id.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridline_model::{GridId, Role, Scope};

    fn user(id: &str, role: Role, scope: &str) -> User {
        User {
            id: id.into(),
            name: id.into(),
            role,
            scope: Scope::parse(scope).unwrap(),
        }
    }

    fn wish(grid: &str, poster: &str) -> Target {
        Target {
            reporter: Some(poster.into()),
            ..Target::grid(GridId::parse(grid).unwrap())
        }
    }

    #[test]
    fn settled_wishes_reach_their_grid_their_poster_and_their_claimant_only() {
        let gw = user("gw-1", Role::GridWorker, "grids:522701001001001");
        let other = wish("522701001002001", "gw-9");
        let settled = Standing {
            open: false,
            claimant: Some("jl-3".into()),
        };
        let open = Standing {
            open: true,
            claimant: None,
        };
        assert!(
            sends(&gw, Kind::Wish, &other, &open),
            "open wishes are street-wide"
        );
        assert!(
            !sends(&gw, Kind::Wish, &other, &settled),
            "settled ones elsewhere are not sent"
        );
        let own = wish("522701001001001", "gw-9");
        assert!(
            sends(&gw, Kind::Wish, &own, &settled),
            "the own grid's settled wishes are"
        );
        assert!(
            sends(&gw, Kind::Wish, &wish("522701001002001", "gw-1"), &settled),
            "so are the user's own posts"
        );
        let jl = user(
            "jl-3",
            Role::JointLeader,
            "households:01890000-0000-7000-8000-000000000000",
        );
        assert!(
            sends(&jl, Kind::Wish, &other, &settled),
            "and the wishes they claimed"
        );
        let ss = user("ss-1", Role::StreetStaff, "street:522701001");
        assert!(
            sends(&ss, Kind::Wish, &other, &settled),
            "street staff have the whole street"
        );
        let cs = user("cs-1", Role::CommunityStaff, "community:522701001002");
        assert!(
            sends(&cs, Kind::Wish, &other, &settled),
            "community staff their community"
        );
        let dl = user("dl-1", Role::DepartmentLiaison, "department:民政");
        assert!(
            !sends(&dl, Kind::Wish, &other, &open),
            "no role that may not read wishes gets one"
        );
    }

    #[test]
    fn other_kinds_follow_read_permission_alone() {
        let gw = user("gw-1", Role::GridWorker, "grids:522701001001001");
        let t = Target::grid(GridId::parse("522701001001001").unwrap());
        let closed = Standing {
            open: false,
            claimant: None,
        };
        assert!(sends(&gw, Kind::Issue, &t, &closed));
        let elsewhere = Target::grid(GridId::parse("522701001002001").unwrap());
        assert!(!sends(
            &gw,
            Kind::Household,
            &elsewhere,
            &Standing::place_only()
        ));
    }

    #[test]
    fn a_grid_worker_is_sent_every_topic_of_its_community_and_no_other() {
        let gw = user("gw-1", Role::GridWorker, "grids:522701001001001");
        let at = |grid: &str| Target {
            reporter: Some("cs-1".into()),
            ..Target::grid(GridId::parse(grid).unwrap())
        };
        let place = Standing::place_only();
        assert!(
            sends(&gw, Kind::Deliberation, &at("522701001001001"), &place),
            "its own grid's topic"
        );
        assert!(
            sends(&gw, Kind::Deliberation, &at("522701001001007"), &place),
            "another grid of its community: topics are read community-wide (DESIGN §8)"
        );
        assert!(
            !sends(&gw, Kind::Deliberation, &at("522701001002001"), &place),
            "not another community's"
        );
        assert!(
            !sends(&gw, Kind::Issue, &at("522701001001007"), &place),
            "while issues stay with its own grids"
        );
    }
}

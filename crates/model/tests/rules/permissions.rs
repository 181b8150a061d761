//! The permission table of DESIGN §3, cell by cell.

use gridline_model::permission::{check, check_wish_step, role_may, Action, Kind, Target};
use gridline_model::WishStep;

use super::*;

fn own_household() -> Target {
    Target::household(grid(1), id(100))
}
fn other_grid_household() -> Target {
    Target::household(grid(2), id(200))
}
fn other_community_household() -> Target {
    Target::household(other_community_grid(), id(300))
}

/// (user, kind, action, target, expected) for every cell that matters.
#[test]
fn the_table_cell_by_cell() {
    use Action::*;
    use Kind::*;
    let w = worker();
    let l = leader();
    let c = community_staff();
    let s = street_staff();
    let d = department("城管");
    let admin = user("admin", Role::Admin, Scope::Everything);
    let cases: Vec<(&User, Kind, Action, Target, bool)> = vec![
        // household
        (&w, Household, Read, own_household(), true),
        (&w, Household, Edit, own_household(), true),
        (&w, Household, Read, other_grid_household(), false),
        (&w, Household, Edit, other_grid_household(), false),
        (&l, Household, Read, own_household(), true),
        (&l, Household, Edit, own_household(), false),
        (&l, Household, Read, other_grid_household(), false),
        (&c, Household, Edit, other_grid_household(), true),
        (&c, Household, Edit, other_community_household(), false),
        (&s, Household, Read, other_community_household(), true),
        (&s, Household, Edit, own_household(), false),
        (&d, Household, Read, own_household(), false),
        (&admin, Household, Read, own_household(), false),
        // household-private
        (&w, HouseholdPrivate, Read, own_household(), true),
        (&w, HouseholdPrivate, Edit, own_household(), true),
        (&l, HouseholdPrivate, Read, own_household(), false),
        (&c, HouseholdPrivate, Edit, own_household(), true),
        (&s, HouseholdPrivate, Read, own_household(), true),
        (&s, HouseholdPrivate, Edit, own_household(), false),
        (&d, HouseholdPrivate, Read, own_household(), false),
        // visit
        (&w, Visit, Create, own_household(), true),
        (&w, Visit, Create, other_grid_household(), false),
        (&l, Visit, Create, own_household(), true),
        (&l, Visit, Create, other_grid_household(), false),
        (&c, Visit, Create, own_household(), false),
        (&c, Visit, Read, own_household(), true),
        (&s, Visit, Read, own_household(), true),
        (&d, Visit, Read, own_household(), false),
        // issue
        (&w, Issue, Create, Target::grid(grid(1)), true),
        (&w, Issue, Create, Target::grid(grid(2)), false),
        (&l, Issue, Create, own_household(), true),
        (&l, Issue, Create, Target::grid(grid(1)), false),
        (&c, Issue, Create, Target::grid(grid(2)), true),
        (
            &s,
            Issue,
            Create,
            Target::grid(other_community_grid()),
            true,
        ),
        (&d, Issue, Create, Target::grid(grid(1)), false),
        (&c, Issue, Step, Target::grid(other_community_grid()), false),
        (
            &d,
            Issue,
            Read,
            Target {
                dispatched_to: vec!["城管".into()],
                ..Target::grid(grid(1))
            },
            true,
        ),
        (
            &d,
            Issue,
            Read,
            Target {
                dispatched_to: vec!["住建".into()],
                ..Target::grid(grid(1))
            },
            false,
        ),
        (
            &l,
            Issue,
            Read,
            Target {
                reporter: Some("jl1".into()),
                ..Target::grid(grid(2))
            },
            true,
        ),
        // wish
        (&w, Wish, Read, Target::grid(other_community_grid()), true),
        (&l, Wish, Step, Target::grid(other_community_grid()), true),
        (&s, Wish, Step, Target::grid(grid(1)), true),
        (&d, Wish, Read, Target::grid(grid(1)), false),
        (&w, Wish, Create, Target::grid(grid(1)), true),
        (&w, Wish, Create, Target::grid(grid(2)), false),
        (&l, Wish, Create, own_household(), true),
        (&c, Wish, Create, Target::grid(grid(3)), true),
        (&s, Wish, Create, Target::grid(grid(1)), false),
        (&admin, Wish, Create, Target::grid(grid(1)), false),
    ];
    for (u, kind, action, target, expected) in cases {
        let got = check(u, kind, action, &target);
        assert_eq!(
            got.is_ok(),
            expected,
            "{} {:?} {:?} on grid {} household {:?}: expected {}, got {:?}",
            u.role,
            action,
            kind,
            target.grid,
            target.household,
            if expected { "allowed" } else { "refused" },
            got
        );
        if let Err(r) = got {
            assert!(
                !r.reason.zh.is_empty() && !r.reason.en.is_empty(),
                "a refusal always says why, in both languages"
            );
        }
    }
}

/// DESIGN §8's deliberation row: grid workers and leaders propose and read
/// (community), community staff read and take every step, street staff read
/// (street), departments nothing. Where DESIGN leaves a cell open the
/// comment says what the rules chose.
#[test]
fn deliberation_topics_cell_by_cell() {
    use Action::*;
    use Kind::Deliberation;
    let w = worker();
    let l = leader();
    let c = community_staff();
    let s = street_staff();
    let d = department("城管");
    let admin = user("admin", Role::Admin, Scope::Everything);
    let mine = |t: Target, by: &str| Target {
        reporter: Some(by.into()),
        ..t
    };
    let cases: Vec<(&str, &User, Action, Target, bool)> = vec![
        // grid worker: propose, read (community)
        (
            "worker proposes in its grid",
            &w,
            Create,
            Target::grid(grid(1)),
            true,
        ),
        (
            "worker reads its grid's topic",
            &w,
            Read,
            Target::grid(grid(1)),
            true,
        ),
        (
            "worker reads a topic of another grid of its community",
            &w,
            Read,
            Target::grid(grid(2)),
            true,
        ),
        (
            "worker does not read another community's topic",
            &w,
            Read,
            Target::grid(other_community_grid()),
            false,
        ),
        (
            "worker proposes in no other community",
            &w,
            Create,
            Target::grid(other_community_grid()),
            false,
        ),
        // Chosen: a topic is placed by its proposer's grid, so a worker
        // proposes in its own grids, as it reports issues there.
        (
            "worker proposes in its own grids only",
            &w,
            Create,
            Target::grid(grid(2)),
            false,
        ),
        (
            "worker takes no step",
            &w,
            Step,
            Target::grid(grid(1)),
            false,
        ),
        (
            "worker edits no topic",
            &w,
            Edit,
            Target::grid(grid(1)),
            false,
        ),
        // joint-household leader: propose, read (community); its community
        // is not in its binding, so a topic is its by a linked household.
        (
            "leader proposes for a linked household",
            &l,
            Create,
            own_household(),
            true,
        ),
        (
            "leader proposes for no other household",
            &l,
            Create,
            other_community_household(),
            false,
        ),
        (
            "leader reads a topic of a linked household",
            &l,
            Read,
            own_household(),
            true,
        ),
        (
            "leader reads the topics it proposed",
            &l,
            Read,
            mine(Target::grid(other_community_grid()), "jl1"),
            true,
        ),
        (
            "leader does not read another community's topic",
            &l,
            Read,
            other_community_household(),
            false,
        ),
        ("leader takes no step", &l, Step, own_household(), false),
        // community staff: read, every step (own community)
        ("staff propose", &c, Create, Target::grid(grid(2)), true),
        ("staff read", &c, Read, Target::grid(grid(3)), true),
        ("staff take steps", &c, Step, Target::grid(grid(1)), true),
        (
            "staff take no step in another community",
            &c,
            Step,
            Target::grid(other_community_grid()),
            false,
        ),
        (
            "staff do not read another community's topic",
            &c,
            Read,
            Target::grid(other_community_grid()),
            false,
        ),
        (
            "staff edit no topic's own fields",
            &c,
            Edit,
            Target::grid(grid(1)),
            false,
        ),
        // street staff: read (street), no steps
        (
            "street reads the street",
            &s,
            Read,
            Target::grid(other_community_grid()),
            true,
        ),
        (
            "street proposes nothing",
            &s,
            Create,
            Target::grid(grid(1)),
            false,
        ),
        (
            "street takes no step",
            &s,
            Step,
            Target::grid(grid(1)),
            false,
        ),
        // department: none
        (
            "department reads none",
            &d,
            Read,
            Target::grid(grid(1)),
            false,
        ),
        (
            "department proposes none",
            &d,
            Create,
            Target::grid(grid(1)),
            false,
        ),
        (
            "admin reads none",
            &admin,
            Read,
            Target::grid(grid(1)),
            false,
        ),
    ];
    for (what, u, action, target, expected) in cases {
        let got = check(u, Deliberation, action, &target);
        assert_eq!(got.is_ok(), expected, "{what}: {got:?}");
        if let Err(r) = got {
            assert!(
                r.reason.zh.contains("居民议事") && r.reason.en.contains("deliberation"),
                "{what}: the refusal names the kind in both languages: {r}"
            );
        }
    }
}

#[test]
fn refusals_say_whether_it_is_the_role_or_the_scope() {
    let r = check(
        &leader(),
        Kind::HouseholdPrivate,
        Action::Read,
        &own_household(),
    )
    .unwrap_err();
    assert!(
        r.reason.contains("joint-leader"),
        "role refusal names the role: {r}"
    );
    let r = check(
        &worker(),
        Kind::Household,
        Action::Read,
        &other_grid_household(),
    )
    .unwrap_err();
    assert!(
        r.reason.contains("outside your scope"),
        "scope refusal says scope: {r}"
    );
}

#[test]
fn confirming_a_wish_needs_it_in_scope_but_claiming_does_not() {
    let far = Target::grid(other_community_grid());
    assert!(
        check_wish_step(&worker(), &WishStep::RequestClaim, &far).is_ok(),
        "claims are street-wide"
    );
    assert!(
        check_wish_step(
            &worker(),
            &WishStep::Confirm {
                resident: "x".into()
            },
            &far
        )
        .is_err(),
        "confirm is own grids"
    );
    assert!(check_wish_step(
        &community_staff(),
        &WishStep::Confirm {
            resident: "x".into()
        },
        &Target::grid(grid(2))
    )
    .is_ok());
}

/// Every action; the match fails to compile when `Action` grows a variant, so
/// the agreement test below cannot silently skip it.
fn every_action() -> [Action; 4] {
    match Action::Read {
        Action::Read | Action::Create | Action::Edit | Action::Step => {}
    }
    [Action::Read, Action::Create, Action::Edit, Action::Step]
}

/// A user of each role with a scope of that role's shape, and targets that lie
/// in that scope, in every variant the rules look at (with and without a
/// household, reported by the user or not, dispatched to the user's unit).
fn in_scope_targets(role: Role) -> (User, Vec<Target>) {
    let variants = |grid: GridId, household: Option<RecordId>, user: &User| {
        let mut out = Vec::new();
        for household in [household, None] {
            for reporter in [None, Some(user.id.clone())] {
                for dispatched_to in [Vec::new(), vec![user.scope.unit()]] {
                    out.push(Target {
                        grid: grid.clone(),
                        household,
                        dispatched_to,
                        reporter: reporter.clone(),
                    });
                }
            }
        }
        out
    };
    match role {
        Role::GridWorker => {
            let u = worker();
            let t = variants(grid(1), Some(id(100)), &u);
            (u, t)
        }
        // A leader's scope is the linked household itself, in whatever grid.
        Role::JointLeader => {
            let u = leader();
            let mut t = variants(grid(1), Some(id(100)), &u);
            t.retain(|t| t.household.is_some());
            (u, t)
        }
        Role::CommunityStaff => {
            let u = community_staff();
            let t = variants(grid(2), Some(id(200)), &u);
            (u, t)
        }
        Role::StreetStaff => {
            let u = street_staff();
            let t = variants(other_community_grid(), Some(id(300)), &u);
            (u, t)
        }
        // A department's scope is the issues dispatched to it, anywhere.
        Role::DepartmentLiaison => {
            let u = department("城管");
            let mut t = variants(grid(1), Some(id(100)), &u);
            t.retain(|t| t.dispatched_to.contains(&u.scope.unit()));
            (u, t)
        }
        // Admins and the hub have the whole street as scope.
        Role::Admin | Role::Hub => {
            let u = user(role.key(), role, Scope::Everything);
            let t = variants(grid(1), Some(id(100)), &u);
            (u, t)
        }
    }
}

/// `role_may` is a hand copy of the role part of `check` (it picks the words
/// of a refusal: "outside your scope" or "your role may not"): for every role ×
/// kind × action it must be true exactly when `check` allows the action on
/// some target in the role's scope, and never false where `check` allows it
/// anywhere, in scope or not.
#[test]
fn role_may_agrees_with_check_for_every_role_kind_and_action() {
    let anywhere = [
        own_household(),
        other_grid_household(),
        other_community_household(),
        Target::grid(grid(1)),
        Target::grid(other_community_grid()),
    ];
    let mut disagreements = Vec::new();
    let mut cells = 0;
    for role in Role::ALL {
        let (u, in_scope) = in_scope_targets(role);
        assert!(
            !in_scope.is_empty(),
            "every role has targets in scope to try ({role})"
        );
        for kind in Kind::ALL {
            for action in every_action() {
                cells += 1;
                let may = role_may(kind, action, role);
                let allowed_in_scope = in_scope.iter().any(|t| check(&u, kind, action, t).is_ok());
                if may != allowed_in_scope {
                    disagreements.push(format!(
                        "{role} {action:?} {}: role_may says {may}, check in scope says {allowed_in_scope}",
                        kind.key()
                    ));
                }
                let allowed_anywhere = anywhere.iter().any(|t| {
                    let with_user = Target {
                        reporter: Some(u.id.clone()),
                        dispatched_to: vec![u.scope.unit()],
                        ..t.clone()
                    };
                    check(&u, kind, action, t).is_ok()
                        || check(&u, kind, action, &with_user).is_ok()
                });
                if allowed_anywhere && !may {
                    disagreements.push(format!(
                        "{role} {action:?} {}: check allows it on some target, role_may says never",
                        kind.key()
                    ));
                }
            }
        }
    }
    assert_eq!(
        cells,
        Role::ALL.len() * Kind::ALL.len() * every_action().len(),
        "every cell of role × kind × action is compared"
    );
    assert!(
        disagreements.is_empty(),
        "role_may and check must give the same answer, or a refusal names the wrong cause:\n{}",
        disagreements.join("\n")
    );
}

#[test]
fn the_dashboard_is_for_community_street_and_admin_only() {
    use gridline_model::permission::{check_dashboard, may_see_dashboard};
    for role in [
        Role::GridWorker,
        Role::JointLeader,
        Role::DepartmentLiaison,
        Role::Hub,
    ] {
        assert!(
            !may_see_dashboard(role),
            "{role:?} does not see the dashboard"
        );
    }
    for role in [Role::CommunityStaff, Role::StreetStaff, Role::Admin] {
        assert!(may_see_dashboard(role), "{role:?} sees the dashboard");
    }
    assert!(
        check_dashboard(&worker()).is_err(),
        "a grid worker asking for the dashboard is refused"
    );
    assert!(
        check_dashboard(&community_staff()).is_ok(),
        "community staff are given the dashboard"
    );
}

#[test]
fn what_a_role_may_start_is_the_create_column_of_the_table() {
    use gridline_model::permission::may_create;
    assert_eq!(
        may_create(Role::GridWorker),
        vec![Kind::Visit, Kind::Issue, Kind::Wish],
        "grid workers log visits, report issues and post wishes"
    );
    assert_eq!(
        may_create(Role::StreetStaff),
        vec![Kind::Issue],
        "street staff only report issues"
    );
    assert_eq!(
        may_create(Role::DepartmentLiaison),
        Vec::<Kind>::new(),
        "departments start nothing"
    );
}

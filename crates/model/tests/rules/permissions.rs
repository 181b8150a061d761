//! The permission table of DESIGN §3, cell by cell.

use gridline_model::permission::{check, check_wish_step, Action, Kind, Target};
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
            assert!(!r.reason.is_empty(), "a refusal always says why");
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

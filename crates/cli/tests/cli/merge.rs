//! `gridline household merge` and `unmerge`: community staff merge a likely
//! duplicate into the household they keep; every bad input is exit 2.

use super::*;

#[test]
fn household_merge_hides_the_duplicate_names_the_survivor_and_refuses_bad_input() {
    let dir = init_community_staff();
    let d = dir.path();
    let a = add_zhang_san(d);
    let b = add_zhang_san(d);
    let pairs = json(d, &["household", "duplicates"]);
    assert_eq!(
        pairs.as_array().map(Vec::len),
        Some(1),
        "one likely pair: {pairs}"
    );
    let people = json(d, &["household", "duplicates", "--residents"]);
    assert_eq!(
        people.as_array().map(Vec::len),
        Some(0),
        "the two 张三 head a likely household pair, which is merged whole: {people}"
    );

    let unknown = "0190f0f0-0000-7000-8000-000000000000";
    for (args, why) in [
        (
            vec![
                "household",
                "merge",
                unknown,
                "--into",
                &a,
                "--reason",
                "重复",
            ],
            "unknown id",
        ),
        (
            vec!["household", "merge", &a, "--into", &a, "--reason", "重复"],
            "same id",
        ),
        (
            vec!["household", "merge", &b, "--into", &a, "--reason", " "],
            "no reason",
        ),
        (
            vec![
                "household",
                "merge",
                "not-an-id",
                "--into",
                &a,
                "--reason",
                "重复",
            ],
            "not an id",
        ),
    ] {
        let err = user_error(d, &args);
        assert!(!err.trim().is_empty(), "{why} is said: {err}");
    }
    let v = json(
        d,
        &[
            "household",
            "merge",
            &b,
            "--into",
            &a,
            "--reason",
            "同一户录入两次",
        ],
    );
    assert_eq!(saved_id(&v), b);
    assert_eq!(v["merged_into"], a.as_str());
    assert_eq!(household_count(d), 1, "the merged household is not listed");
    let again = user_error(
        d,
        &["household", "merge", &b, "--into", &a, "--reason", "重复"],
    );
    assert!(
        again.contains("已合并到") && again.contains("already merged"),
        "{again}"
    );

    let shown = ok(d, &["household", "show", &b]);
    assert!(
        shown.contains("已合并到 水花都小区8栋1单元401") && shown.contains("merged into"),
        "the merged household names its survivor: {shown}"
    );
    let survivor = json(d, &["household", "show", &a]);
    assert_eq!(survivor["merged_here"][0]["id"], b.as_str(), "{survivor}");

    // A grid worker holding both may not merge.
    let worker = init_grid_worker();
    let w = worker.path();
    let c = add_zhang_san(w);
    let e = add_zhang_san(w);
    let err = user_error(
        w,
        &["household", "merge", &e, "--into", &c, "--reason", "重复"],
    );
    assert!(
        err.contains("社区工作人员"),
        "the refusal says who merges: {err}"
    );

    ok(d, &["household", "unmerge", &b, "--reason", "合并错了"]);
    assert_eq!(household_count(d), 2, "an unmerge lists it again");
    user_error(d, &["household", "unmerge", &b, "--reason", "再撤销"]);
}

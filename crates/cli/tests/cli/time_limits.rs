//! Time limits on the command line: the admin's table rows and calendar
//! import on the hub, and the new issue steps' flags refused before
//! anything is written.

use super::*;

#[test]
fn the_admin_sets_table_rows_and_imports_a_year_and_bad_input_exits_2() {
    let tmp = TempDir::new().unwrap();
    let hub = tmp.path().join("hub");
    ok(&hub, &["hub", "init"]);
    let set = json(
        &hub,
        &[
            "hub",
            "limits",
            "set",
            "--row",
            "市容环境:normal:4:working-hours:50:80",
            "--row",
            "*:minor:5:working-days",
        ],
    );
    assert_eq!(
        set["table"].as_array().map(|t| t.len()),
        Some(2),
        "both rows are held: {set}"
    );
    assert_eq!(set["table"][1]["yellow_percent"], 50, "default thresholds");
    for bad in [
        "市容环境:normal:4",
        "无此类:normal:4:working-hours",
        "*:normal:0:working-days",
        "*:normal:4:fortnights",
        "*:normal:4:working-hours:90:80",
    ] {
        let err = user_error(&hub, &["hub", "limits", "set", "--row", bad]);
        assert!(
            has_han(&err) && !latin_words(&err).is_empty(),
            "{bad}: both languages: {err}"
        );
    }
    let file = tmp.path().join("2027.txt");
    std::fs::write(
        &file,
        "hours 08:30-12:00 14:00-17:30\nyear 2027 国办发明电〔2026〕示例\noff 2027-10-01 2027-10-07 国庆节\nwork 2027-10-09 国庆节\n",
    )
    .unwrap();
    let imported = json(
        &hub,
        &["hub", "limits", "set", "--calendar", file.to_str().unwrap()],
    );
    let years = imported["calendar"].as_array().unwrap();
    let y2027 = years.iter().find(|y| y["year"] == 2027).unwrap();
    assert_eq!(
        y2027["provisional"], false,
        "the imported notice replaces the provisional year"
    );
    assert!(
        years
            .iter()
            .any(|y| y["year"] == 2026 && y["days_off"].as_u64() > Some(20)),
        "2026 stays as shipped: {years:?}"
    );
    assert_eq!(
        imported["table"].as_array().map(|t| t.len()),
        Some(2),
        "rows kept"
    );
    let shown = ok(&hub, &["hub", "limits", "calendar"]);
    assert!(
        shown.contains("work 2027-10-09"),
        "the calendar prints in its file format: {shown}"
    );
    std::fs::write(
        &file,
        "hours 08:30-12:00\nyear 2027\nwork 2027-10-08 周五\n",
    )
    .unwrap();
    let err = user_error(
        &hub,
        &["hub", "limits", "set", "--calendar", file.to_str().unwrap()],
    );
    assert!(
        err.contains("第 3 行") && err.contains("line 3"),
        "names the line: {err}"
    );
}

#[test]
fn extension_flags_are_checked_before_anything_is_written() {
    let dir = init_grid_worker();
    let d = dir.path();
    for args in [
        &[
            "issue",
            "act",
            "x",
            "request-extension",
            "--amount",
            "0",
            "--reason",
            "r",
        ][..],
        &["issue", "act", "x", "request-extension", "--reason", "r"][..],
        &[
            "issue",
            "act",
            "x",
            "decide-extension",
            "--approve",
            "maybe",
        ][..],
        &["issue", "act", "x", "defer"][..],
        &[
            "issue",
            "act",
            "x",
            "send-back",
            "--amount",
            "2",
            "--reason",
            "r",
        ][..],
    ] {
        let err = user_error(d, args);
        assert!(
            has_han(&err) && !latin_words(&err).is_empty(),
            "{args:?}: both languages: {err}"
        );
    }
}

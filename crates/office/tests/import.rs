//! The roster import against real files saved by LibreOffice 7.4 (see
//! `fixtures/README.md` for how each was made): every format gives the same
//! rows as the CSV it came from, and the traps offices fall into are caught.

use chrono::NaiveDate;
use gridline_office::import::{parse, read, Encoding, Format, ImportRow};

const SAMPLE_CSV: &[u8] = include_bytes!("fixtures/households-sample-utf8bom.csv");
const SAMPLE_GBK: &[u8] = include_bytes!("fixtures/households-sample-gbk.csv");
const SAMPLE_XLSX: &[u8] = include_bytes!("fixtures/roster-sample.xlsx");
const SAMPLE_XLS: &[u8] = include_bytes!("fixtures/roster-sample.xls");
const SAMPLE_ODS: &[u8] = include_bytes!("fixtures/roster-sample.ods");
const TITLE: &[u8] = include_bytes!("fixtures/roster-title.xlsx");
const FLOAT_ID: &[u8] = include_bytes!("fixtures/roster-float-id.xlsx");
const TWO_SHEETS: &[u8] = include_bytes!("fixtures/roster-two-sheets.xlsx");

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 1).expect("valid test date")
}

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Rows without their line numbers, which differ between a CSV and a sheet
/// with a title above its header.
fn content(rows: &[ImportRow]) -> Vec<ImportRow> {
    rows.iter()
        .map(|r| ImportRow {
            line: 0,
            ..r.clone()
        })
        .collect()
}

#[test]
fn every_format_reads_the_sample_as_its_csv_does() {
    let csv = read(SAMPLE_CSV, None, today()).expect("the UTF-8 sample imports");
    assert_eq!(
        csv.format,
        Format::Csv(Encoding::Utf8Bom),
        "the CSV is told by its BOM"
    );
    assert_eq!(csv.rows.len(), 24, "the sample holds 24 households");
    let gbk = read(SAMPLE_GBK, None, today()).expect("the GBK sample imports");
    assert_eq!(gbk.format, Format::Csv(Encoding::Gbk), "GBK is detected");
    assert_eq!(
        gbk.rows.len(),
        24,
        "the GBK sample (other households) holds 24 too"
    );
    for (bytes, format) in [
        (SAMPLE_XLSX, Format::Xlsx),
        (SAMPLE_XLS, Format::Xls),
        (SAMPLE_ODS, Format::Ods),
    ] {
        let book = read(bytes, None, today())
            .unwrap_or_else(|r| panic!("the {format:?} sample imports: {:#?}", r.errors));
        assert_eq!(book.format, format, "told by the file's first bytes");
        assert_eq!(
            book.sheet.as_deref(),
            Some("households-sample-utf8bom"),
            "{format:?}: the one sheet, named by LibreOffice after the CSV"
        );
        assert_eq!(
            book.rows, csv.rows,
            "{format:?}: the same rows at the same lines as the CSV"
        );
    }
}

#[test]
fn the_format_is_told_by_content_not_name() {
    // The bytes carry no name at all; an .xls saved under any name is read
    // as xls, and the CSV path never sees a workbook.
    let book = parse(SAMPLE_XLS, today()).expect("xls bytes import");
    assert_eq!(book.len(), 24, "all 24 rows from the xls");
    let refused = read(b"PK\x03\x04 not really a zip", None, today())
        .expect_err("a broken zip is refused, not a panic");
    assert_eq!(
        refused.format,
        Some(Format::Xlsx),
        "a zip is taken for xlsx"
    );
    assert!(
        refused.errors[0].message.contains("另存为 .xlsx"),
        "tells the clerk to save it again: {}",
        refused.errors[0]
    );
}

#[test]
fn a_merged_title_blank_rows_and_trailing_empty_rows_are_skipped() {
    let book = read(TITLE, None, today()).unwrap_or_else(|r| panic!("imports: {:#?}", r.errors));
    assert_eq!(
        book.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
        vec![4, 5, 6, 7],
        "title in row 1 (merged A1:K1), blank row 2, header row 3; rows keep the sheet's numbers; \
         the bordered and space-only rows below are not households"
    );
    let r = &book.rows[0];
    assert_eq!(
        r.room, "401",
        "a room stored as the number 401 reads as 401"
    );
    assert_eq!(
        r.phone.as_ref().map(|p| p.as_str()),
        Some("18517374590"),
        "a phone stored as a number is fine: it is an exact integer"
    );
    assert_eq!(
        book.rows.iter().map(|r| r.birth_date).collect::<Vec<_>>(),
        vec![
            date(1987, 6, 18),
            date(1959, 2, 22),
            date(1967, 2, 3),
            date(1965, 7, 18)
        ],
        "birth dates stored as Excel serials (31946 …) with a date format read as dates"
    );
    let csv = parse(SAMPLE_CSV, today()).expect("the sample imports");
    assert_eq!(
        book.rows
            .iter()
            .map(|r| (r.head_name.as_str(), r.id_number.clone()))
            .collect::<Vec<_>>(),
        csv[..4]
            .iter()
            .map(|r| (r.head_name.as_str(), r.id_number.clone()))
            .collect::<Vec<_>>(),
        "the four households are the sample's first four, ID numbers intact"
    );
}

#[test]
fn id_numbers_stored_as_numbers_are_refused_with_advice() {
    let refused = read(FLOAT_ID, None, today()).expect_err("numbers are no ID numbers");
    let places: Vec<(usize, &str)> = refused
        .errors
        .iter()
        .map(|e| (e.line, e.column.as_str()))
        .collect();
    assert_eq!(
        places,
        vec![(4, "身份证号"), (6, "身份证号"), (7, "身份证号")],
        "every ID number stored as a number, at the sheet's row numbers (row 5's ends in X, so it stayed text): {:#?}",
        refused.errors
    );
    let m = &refused.errors[0].message;
    assert!(
        m.zh.contains("设为“文本”格式后重新填写") && m.en.contains("format the column as Text"),
        "the clerk is told to format the column as text and enter them again: {m}"
    );
    assert!(
        m.contains("5.22701E17"),
        "the number is shown as the sheet shows it, roughly: {m}"
    );
    assert_eq!(
        refused.sheet.as_deref(),
        Some("住户"),
        "says which sheet was read"
    );
}

#[test]
fn with_several_sheets_the_first_with_a_header_is_read() {
    let book = read(TWO_SHEETS, None, today()).unwrap_or_else(|r| panic!("{:#?}", r.errors));
    assert_eq!(
        book.sheets,
        vec!["说明".to_owned(), "住户".to_owned()],
        "every sheet is named, in order, for the caller to offer"
    );
    assert_eq!(
        book.sheet.as_deref(),
        Some("住户"),
        "the notes sheet has no header, so the roster sheet is read"
    );
    assert_eq!(book.rows.len(), 4, "its four households");

    let chosen = read(TWO_SHEETS, Some("住户"), today()).expect("the named sheet imports");
    assert_eq!(
        chosen.rows, book.rows,
        "naming the sheet reads the same rows"
    );

    let notes = read(TWO_SHEETS, Some("说明"), today()).expect_err("the notes are no roster");
    assert_eq!(
        notes.errors[0].line, 1,
        "the notes sheet's first row is taken for a header and found wanting: {:#?}",
        notes.errors
    );
    assert!(
        notes.errors.iter().any(|e| e.column == "户主姓名"),
        "the missing columns are named: {:#?}",
        notes.errors
    );

    let missing = read(TWO_SHEETS, Some("Sheet1"), today()).expect_err("no such sheet");
    assert_eq!(missing.errors.len(), 1, "one error: {:#?}", missing.errors);
    let m = &missing.errors[0].message;
    assert!(
        m.contains("Sheet1") && m.contains("说明、住户"),
        "the error names the sheet asked for and lists the ones there are: {m}"
    );
    assert_eq!(
        missing.sheets,
        vec!["说明".to_owned(), "住户".to_owned()],
        "the names come back for the caller to show"
    );
}

#[test]
fn the_csv_rows_and_the_sheet_rows_share_one_row_model() {
    let sheet = read(TITLE, None, today()).expect("imports").rows;
    let csv = parse(SAMPLE_CSV, today()).expect("imports");
    let mut from_csv = content(&csv[..4]);
    for (r, b) in from_csv.iter_mut().zip(&sheet) {
        r.birth_date = b.birth_date;
        r.tags.clone_from(&b.tags);
    }
    assert_eq!(
        content(&sheet),
        from_csv,
        "apart from the columns the hand-made sheet adds (tags, birth dates), the rows are the CSV's"
    );
}

/// How long reading a street's 24,000-row roster as xlsx takes (the device's
/// part, building and saving the households, is measured in
/// `crates/device/tests/device/import.rs`). A benchmark, not a timed test:
/// `cargo test -p gridline-office --test import -- --ignored --nocapture`.
#[test]
#[ignore = "a benchmark: run by hand, see its doc comment"]
fn a_24000_row_xlsx_is_read_in_well_under_the_budget() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("住户").expect("a valid name");
    let header = [
        "社区",
        "网格",
        "小区",
        "楼栋",
        "单元",
        "房号",
        "户主姓名",
        "身份证号",
        "联系电话",
        "标签",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("write");
    }
    for n in 0..24_000u32 {
        let r = n + 1;
        let grid = n / 3000 + 1;
        let cells = [
            "平桥社区".to_owned(),
            format!("平桥第{grid}网格"),
            "水花都小区".to_owned(),
            format!("{}栋", n / 100 % 30 + 1),
            format!("{}单元", n / 25 % 4 + 1),
            format!("{}0{}", n % 25 / 4 + 1, n % 25 % 4 + 1),
            format!("住户{n}"),
            String::new(),
            String::new(),
            "党员".to_owned(),
        ];
        for (c, v) in cells.iter().enumerate() {
            sheet.write_string(r, c as u16, v).expect("write");
        }
        sheet
            .write_number(r, 8, 13_000_000_000.0 + f64::from(n))
            .expect("write");
    }
    let bytes = book.save_to_buffer().expect("the workbook saves");
    let t = std::time::Instant::now();
    let roster = read(&bytes, None, today()).unwrap_or_else(|r| panic!("{:#?}", &r.errors[..3]));
    let took = t.elapsed();
    assert_eq!(roster.rows.len(), 24_000, "every row read");
    println!(
        "24,000-row xlsx ({} KiB) read and validated in {:.2} s",
        bytes.len() / 1024,
        took.as_secs_f64()
    );
}

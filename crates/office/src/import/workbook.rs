//! Workbooks (`.xlsx`, `.xls`, `.ods`) through calamine, as records.
//!
//! The format is told by the first bytes: a clerk renames files, and WPS
//! saves `.xls` content under `.xlsx` names often enough. Each row becomes a
//! record at its spreadsheet row number, its cells from column A, so the
//! line and column in an error are where the clerk looks.

use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};

use calamine::{Data, Ods, Reader, Sheets, Xls, Xlsx};
use chrono::NaiveDate;
use gridline_model::text;

use super::{named_columns, Cell, CellKind, Format, ImportError, Record, HEADER_MIN};

/// The workbook format of the bytes, or `None` for text.
pub(super) fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(b"PK\x03\x04") {
        // An OpenDocument file stores its `mimetype` first, uncompressed.
        let head = &bytes[..bytes.len().min(120)];
        let ods = head
            .windows(b"opendocument.spreadsheet".len())
            .any(|w| w == b"opendocument.spreadsheet");
        Some(if ods { Format::Ods } else { Format::Xlsx })
    } else if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        Some(Format::Xls)
    } else {
        None
    }
}

/// The sheet to import, read as records.
pub(super) struct Book {
    pub(super) sheets: Vec<String>,
    pub(super) sheet: String,
    pub(super) records: Vec<Record>,
}

/// Opens the workbook and reads the sheet asked for, or else the first with
/// a header. Errors carry the sheet names when the workbook opened.
pub(super) fn read(
    bytes: &[u8],
    format: Format,
    sheet: Option<&str>,
) -> Result<Book, (Vec<String>, ImportError)> {
    // A damaged workbook must be a refusal the clerk can act on, not a
    // crash of the app: calamine is not promised never to panic on input
    // it was not written for.
    catch_unwind(AssertUnwindSafe(|| read_inner(bytes, format, sheet))).unwrap_or_else(|_| {
        Err((
            Vec::new(),
            damaged(format, "the reader stopped on it".into()),
        ))
    })
}

fn damaged(format: Format, why: String) -> ImportError {
    let f = format.label();
    ImportError::file(
        1,
        text!(
            "文件看起来是 {f} 表格，但无法读取（{why}）；请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入",
            "the file looks like an {f} workbook but cannot be read ({why}); open it in Excel or WPS, save it as .xlsx and import that"
        ),
    )
}

fn read_inner(
    bytes: &[u8],
    format: Format,
    sheet: Option<&str>,
) -> Result<Book, (Vec<String>, ImportError)> {
    let cursor = Cursor::new(bytes);
    let opened: Result<Sheets<Cursor<&[u8]>>, String> = match format {
        Format::Xlsx => Xlsx::new(cursor)
            .map(Sheets::Xlsx)
            .map_err(|e| e.to_string()),
        Format::Xls => Xls::new(cursor).map(Sheets::Xls).map_err(|e| e.to_string()),
        Format::Ods => Ods::new(cursor).map(Sheets::Ods).map_err(|e| e.to_string()),
        Format::Csv(_) => unreachable!("CSV is not a workbook"),
    };
    let mut book = opened.map_err(|why| (Vec::new(), damaged(format, why)))?;
    let sheets = book.sheet_names();
    let mut load = |name: &str| -> Result<Vec<Record>, String> {
        let range = book.worksheet_range(name).map_err(|e| e.to_string())?;
        Ok(records(&range))
    };
    match sheet {
        Some(name) => {
            if !sheets.iter().any(|s| s == name) {
                let list = sheets.join("、");
                let e = ImportError::file(
                    1,
                    text!(
                        "工作簿中没有名为“{name}”的工作表；现有的工作表：{list}",
                        "the workbook has no sheet named \"{name}\"; its sheets are {list}"
                    ),
                );
                return Err((sheets, e));
            }
            match load(name) {
                Ok(records) => Ok(Book {
                    sheet: name.to_owned(),
                    sheets,
                    records,
                }),
                Err(why) => {
                    let e = damaged(format, why);
                    Err((sheets, e))
                }
            }
        }
        None => {
            let mut first: Option<(String, Vec<Record>)> = None;
            for name in &sheets {
                // A chart sheet or a damaged one is passed over, not fatal.
                let Ok(records) = load(name) else { continue };
                if records.iter().any(|r| named_columns(r) >= HEADER_MIN) {
                    return Ok(Book {
                        sheet: name.clone(),
                        sheets,
                        records,
                    });
                }
                if first.is_none() {
                    first = Some((name.clone(), records));
                }
            }
            match first {
                Some((sheet, records)) => Ok(Book {
                    sheet,
                    sheets,
                    records,
                }),
                None => {
                    let e = damaged(format, "it holds no sheet that can be read".into());
                    Err((sheets, e))
                }
            }
        }
    }
}

/// The range's rows at their sheet row numbers, each from column A.
fn records(range: &calamine::Range<Data>) -> Vec<Record> {
    let Some((row0, col0)) = range.start() else {
        return Vec::new();
    };
    range
        .rows()
        .enumerate()
        .map(|(i, row)| {
            let mut cells: Vec<Cell> = (0..col0).map(|_| Cell::text(String::new())).collect();
            cells.extend(row.iter().map(cell));
            Record {
                line: row0 as usize + i + 1,
                cells,
            }
        })
        .collect()
}

/// A cell's text and what it was stored as.
fn cell(data: &Data) -> Cell {
    let (text, kind) = match data {
        Data::Empty => (String::new(), CellKind::Text),
        Data::String(s) => (s.clone(), CellKind::Text),
        Data::Bool(b) => (if *b { "TRUE" } else { "FALSE" }.to_owned(), CellKind::Text),
        Data::Int(i) => (i.to_string(), CellKind::Number(*i as f64)),
        Data::Float(f) => (number_text(*f), CellKind::Number(*f)),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            match NaiveDate::from_ymd_opt(y.into(), m.into(), day.into()) {
                Some(date) => (date.to_string(), CellKind::Date(date)),
                None => (number_text(d.as_f64()), CellKind::Number(d.as_f64())),
            }
        }
        Data::DateTime(d) => (number_text(d.as_f64()), CellKind::Number(d.as_f64())),
        Data::DateTimeIso(s) => match s.get(..10).and_then(|p| p.parse::<NaiveDate>().ok()) {
            Some(date) => (date.to_string(), CellKind::Date(date)),
            None => (s.clone(), CellKind::Text),
        },
        Data::DurationIso(s) => (s.clone(), CellKind::Text),
        Data::Error(e) => (e.to_string(), CellKind::Error),
    };
    Cell { text, kind }
}

/// A number as a clerk would have typed it: the integer when it is exactly
/// one (401, 13800138000), otherwise its decimal form.
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

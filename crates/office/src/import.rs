//! Reading the household roster a community office keeps.
//!
//! Offices keep their households in Excel or WPS: as `.xlsx`, as the older
//! `.xls`, as `.ods` from LibreOffice, or saved as CSV (UTF-8 with a
//! byte-order mark, "CSV UTF-8", or GBK, plain "CSV" on a Chinese system).
//! [`read`] tells them apart by their first bytes, never by the file's name
//! (a zip is `.xlsx` or `.ods` by what it holds, an OLE compound file is
//! `.xls`, anything else is CSV text), and turns every one into the same
//! records, so one set of row rules validates them all.
//!
//! The columns are 社区, 网格, 小区, 楼栋, 单元, 房号, 户主姓名, 身份证号,
//! 联系电话, 标签 in any order, under the names offices give them
//! ([`SYNONYMS`]), with an optional 出生日期. The header is the first row that
//! names at least [`HEADER_MIN`] of them, so a merged title row above it
//! ("平桥社区住户台账") and blank rows are skipped.
//!
//! Real files are messy, so every cell is trimmed of stray spaces (ASCII and
//! full-width), full-width digits and letters in the place and address cells
//! become ASCII, a lower-case `x` check digit is accepted, and empty rows are
//! skipped. A cell a spreadsheet stored as a number is read as the integer it
//! is (a room 401, a phone 13800138000), except an ID number: eighteen digits
//! do not fit in a spreadsheet's number, so one stored as a number has lost
//! its last digits and is refused with the advice to format the column as
//! text. Dates may be dates or Excel serials. Everything else that is wrong is
//! reported by line (the row number the clerk sees in the spreadsheet) and
//! column, with the model's own validation messages, and *all* problems are
//! reported at once: a file is imported whole or not at all.
//!
//! Pure: bytes in, rows or errors out. No IO, no clock (`today` is passed in).

mod csv;
mod workbook;

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;
use gridline_model::id_number::{check_birth_agrees, check_not_future, parse_id_number};
use gridline_model::phone::parse_mobile;
use gridline_model::{text, IdNumber, Invalid, Phone, Tag, Text};

pub use csv::decode;

/// One validated household row of the spreadsheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// 1-based row number as the spreadsheet shows it (for CSV the line in
    /// the file); for a CSV row whose quoted cell spans several lines, the
    /// line the row starts on.
    pub line: usize,
    /// 社区
    pub community_name: String,
    /// 网格 (a name, or a grid code)
    pub grid_name: String,
    /// 小区 (may be empty)
    pub compound: String,
    /// 楼栋
    pub building: String,
    /// 单元 (may be empty)
    pub unit: String,
    /// 房号
    pub room: String,
    /// 户主姓名
    pub head_name: String,
    /// 身份证号 (may be empty)
    pub id_number: Option<IdNumber>,
    /// 联系电话 (may be empty)
    pub phone: Option<Phone>,
    /// 标签, in the order written, without repeats.
    pub tags: Vec<Tag>,
    /// 出生日期, when the sheet has the column; agrees with the ID number.
    pub birth_date: Option<NaiveDate>,
}

impl ImportRow {
    /// The household and its private part this row makes: the head as its
    /// only resident (`head`), gender and birth date from the ID number (or
    /// the sheet's 出生日期), sensitive tags in the private part. The hub and
    /// the device both build new households here, so a row means one thing.
    pub fn household(
        &self,
        id: gridline_model::RecordId,
        head: gridline_model::RecordId,
        grid: gridline_model::GridId,
        address: gridline_model::Address,
    ) -> (gridline_model::Household, gridline_model::HouseholdPrivate) {
        use gridline_model::{Gender, Household, HouseholdPrivate, Relation, Resident};
        let (ordinary, sensitive): (std::collections::BTreeSet<_>, std::collections::BTreeSet<_>) =
            self.tags.iter().copied().partition(|t| !t.is_sensitive());
        let h = Household {
            id,
            grid: grid.clone(),
            address,
            phone: self.phone.clone(),
            tags: ordinary,
            residents: vec![Resident {
                id: head,
                name: self.head_name.clone(),
                gender: self.id_number.as_ref().map(|n| {
                    if n.is_female() {
                        Gender::Female
                    } else {
                        Gender::Male
                    }
                }),
                birth_date: self
                    .id_number
                    .as_ref()
                    .map(|n| n.birth_date())
                    .or(self.birth_date),
                relation: Relation::Head,
                phone: self.phone.clone(),
                tags: Default::default(),
            }],
            notes: String::new(),
            location: None,
        };
        let p = HouseholdPrivate {
            household: id,
            grid,
            id_numbers: self.id_number.iter().cloned().map(|n| (head, n)).collect(),
            sensitive_tags: sensitive,
        };
        (h, p)
    }
}

/// A problem in the file, at a line and column, saying what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// 1-based row number in the sheet, or line in a CSV file.
    pub line: usize,
    /// The header of the column as the file names it, e.g. `身份证号`; empty
    /// when the problem is the file as a whole (its encoding, or no header).
    pub column: String,
    /// What is wrong and what to do about it.
    pub message: Text,
}

impl ImportError {
    /// Where and what, in both languages: `第 5 行，身份证号：…`.
    pub fn text(&self) -> Text {
        let line = self.line;
        let col = &self.column;
        let at = if col.is_empty() {
            text!("第 {line} 行", "line {line}")
        } else {
            text!("第 {line} 行，{col}", "line {line}, column {col}")
        };
        self.message.after(&at)
    }

    fn file(line: usize, message: Text) -> ImportError {
        ImportError {
            line,
            column: String::new(),
            message,
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.text().fmt(f)
    }
}

impl std::error::Error for ImportError {}

/// Every problem, one a line, under a count that says nothing was imported:
/// what the hub and the device show for a refused file.
pub fn summary(errors: &[ImportError]) -> Text {
    let n = errors.len();
    let zh = errors
        .iter()
        .map(|e| e.text().zh)
        .collect::<Vec<_>>()
        .join("\n");
    let en = errors
        .iter()
        .map(|e| e.text().en)
        .collect::<Vec<_>>()
        .join("\n");
    text!(
        "{n} 处错误，未导入任何记录：\n{zh}",
        "{n} problems; nothing was imported:\n{en}"
    )
}

/// The text encoding a CSV file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark, as Excel's "CSV UTF-8" saves it.
    Utf8Bom,
    /// GBK, as Excel saves plain "CSV" on a Chinese system.
    Gbk,
}

/// What kind of file the bytes are, told by their content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv(Encoding),
    /// Office Open XML (Excel 2007 and later, WPS).
    Xlsx,
    /// The binary Excel 97–2003 workbook.
    Xls,
    /// OpenDocument (LibreOffice).
    Ods,
}

impl Format {
    /// The name a clerk knows it by.
    pub fn label(self) -> &'static str {
        match self {
            Format::Csv(_) => "CSV",
            Format::Xlsx => "xlsx",
            Format::Xls => "xls",
            Format::Ods => "ods",
        }
    }
}

/// A roster read whole: every row valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roster {
    pub format: Format,
    /// The workbook's sheets in order (empty for CSV), for the caller to
    /// offer when the one read is not the one meant.
    pub sheets: Vec<String>,
    /// The sheet read (`None` for CSV).
    pub sheet: Option<String>,
    pub rows: Vec<ImportRow>,
}

/// A roster refused: every problem, and what sheets there were to choose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// `None` when the file could not be read as any format.
    pub format: Option<Format>,
    pub sheets: Vec<String>,
    pub sheet: Option<String>,
    /// Sorted by line; never empty.
    pub errors: Vec<ImportError>,
}

/// One cell as the file holds it: its text (trimmed later) and what the
/// spreadsheet stored, which decides what the text may be trusted for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cell {
    pub(crate) text: String,
    pub(crate) kind: CellKind,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum CellKind {
    Text,
    /// A number; `text` is the integer when it is one exactly.
    Number(f64),
    /// A date (or date and time); `text` is `YYYY-MM-DD`.
    Date(NaiveDate),
    /// A formula's error such as `#N/A`; `text` is what the sheet shows.
    Error,
}

impl Cell {
    pub(crate) fn text(text: String) -> Cell {
        Cell {
            text,
            kind: CellKind::Text,
        }
    }
}

/// One row: its cells from column A (or the CSV's first), and its line.
#[derive(Debug)]
pub(crate) struct Record {
    pub(crate) line: usize,
    pub(crate) cells: Vec<Cell>,
}

impl Record {
    fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| clean(&c.text).is_empty())
    }
}

/// The ten columns every roster has, then the optional ones, in the order
/// [`ImportRow`] lists them.
const COLUMNS: [&str; 11] = [
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
    "出生日期",
];
/// Columns the header must have; the rest may be absent.
const NEEDED: usize = 10;
const COMMUNITY: usize = 0;
const GRID: usize = 1;
const COMPOUND: usize = 2;
const BUILDING: usize = 3;
const UNIT: usize = 4;
const ROOM: usize = 5;
const HEAD_NAME: usize = 6;
const ID_NUMBER: usize = 7;
const PHONE: usize = 8;
const TAGS: usize = 9;
const BIRTH: usize = 10;

/// The header names offices use for each column, the canonical one first.
/// Chosen from the rosters street and community offices circulate: the
/// short forms (户主, 手机, 身份证) and the long ones (身份证号码,
/// 公民身份号码). Two names of one column in one header are refused as a
/// repeated column, since which one holds the truth is the clerk's call.
pub const SYNONYMS: [&[&str]; 11] = [
    &["社区", "社区名称", "所属社区"],
    &["网格", "网格名称", "所属网格", "网格编号"],
    &["小区", "小区名称", "院落", "小区（院落）"],
    &["楼栋", "楼号", "楼栋号", "栋号"],
    &["单元", "单元号"],
    &["房号", "门牌号", "房间号", "室号"],
    &["户主姓名", "户主", "户主名称"],
    &[
        "身份证号",
        "身份证",
        "身份证号码",
        "公民身份号码",
        "户主身份证号",
    ],
    &["联系电话", "电话", "手机", "手机号", "手机号码", "联系方式"],
    &["标签", "人员标签", "户标签"],
    &["出生日期", "出生年月日", "户主出生日期"],
];

/// A row names at least this many columns to be taken for the header: a
/// title row or a note above the table names none.
pub const HEADER_MIN: usize = 3;

/// Cells that must not be empty, with their English names.
const REQUIRED: [(usize, &str); 5] = [
    (COMMUNITY, "community"),
    (GRID, "grid"),
    (BUILDING, "building"),
    (ROOM, "room number"),
    (HEAD_NAME, "head of household's name"),
];

/// Separators between tags in the 标签 cell (a line break is what Alt+Enter
/// leaves inside an Excel cell).
const TAG_SEPARATORS: [char; 6] = ['、', ',', '，', ';', '；', '\n'];

/// Spaces to trim from cells: any Unicode white space (which covers the
/// full-width space 　 and the no-break space) and a stray byte-order mark.
pub(crate) fn is_blank_char(c: char) -> bool {
    c.is_whitespace() || c == '\u{FEFF}'
}

fn clean(cell: &str) -> &str {
    cell.trim_matches(is_blank_char)
}

/// Full-width digits, letters and hyphen to ASCII (`８栋` → `8栋`, `１２０３Ａ` → `1203A`).
fn ascii_alnum(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' | '－' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            _ => c,
        })
        .collect()
}

/// A header cell as compared with the names: no spaces inside, and no
/// required-field star (`户主姓名*`) or trailing colon.
fn header_key(cell: &str) -> String {
    cell.chars()
        .filter(|c| !is_blank_char(*c))
        .collect::<String>()
        .trim_end_matches(['*', '＊', ':', '：'])
        .to_owned()
}

/// Which column a header cell names, if any.
fn column_of(header: &str) -> Option<usize> {
    let key = header_key(header);
    SYNONYMS
        .iter()
        .position(|names| names.contains(&key.as_str()))
}

/// How many columns a row names: the test for a header row.
fn named_columns(record: &Record) -> usize {
    let mut seen = [false; COLUMNS.len()];
    for c in &record.cells {
        if let Some(k) = column_of(&c.text) {
            seen[k] = true;
        }
    }
    seen.iter().filter(|s| **s).count()
}

/// The header name of a cell position: the header's text, or `第N列`
/// (column N) where the header has none.
fn column_name(header: &[String], index: usize) -> String {
    match header.get(index) {
        Some(name) if !name.is_empty() => name.clone(),
        _ => format!("第{}列", index + 1),
    }
}

/// Reads the roster in `bytes`, whatever the office saved it as. `sheet`
/// picks a workbook's sheet by name; without it the first sheet with a
/// header is read. `today` bounds the birth dates.
pub fn read(bytes: &[u8], sheet: Option<&str>, today: NaiveDate) -> Result<Roster, Refused> {
    let refuse = |format, sheets, sheet, errors| Refused {
        format,
        sheets,
        sheet,
        errors,
    };
    let (format, sheets, chosen, records, unclosed) = match workbook::sniff(bytes) {
        Some(format) => {
            let book = workbook::read(bytes, format, sheet)
                .map_err(|(sheets, e)| refuse(Some(format), sheets, None, vec![e]))?;
            (format, book.sheets, Some(book.sheet), book.records, None)
        }
        None => {
            let (text, encoding) =
                csv::decode(bytes).map_err(|e| refuse(None, Vec::new(), None, vec![e]))?;
            let format = Format::Csv(encoding);
            if let Some(name) = sheet {
                return Err(refuse(
                    Some(format),
                    Vec::new(),
                    None,
                    vec![ImportError::file(
                        1,
                        text!(
                            "这是 CSV 文件，只有一张表，没有名为“{name}”的工作表；请不要指定工作表",
                            "this is a CSV file, which has one table and no sheet named \"{name}\"; import it without choosing a sheet"
                        ),
                    )],
                ));
            }
            let (records, unclosed) = csv::split_records(&text);
            (format, Vec::new(), None, records, unclosed)
        }
    };
    match rows(records, unclosed, today) {
        Ok(rows) => Ok(Roster {
            format,
            sheets,
            sheet: chosen,
            rows,
        }),
        Err(errors) => Err(refuse(Some(format), sheets, chosen, errors)),
    }
}

/// [`read`] without a sheet: the rows or every problem, sorted by line.
pub fn parse(bytes: &[u8], today: NaiveDate) -> Result<Vec<ImportRow>, Vec<ImportError>> {
    read(bytes, None, today)
        .map(|r| r.rows)
        .map_err(|r| r.errors)
}

/// The one path every format's records take to rows.
fn rows(
    records: Vec<Record>,
    unclosed: Option<csv::Unclosed>,
    today: NaiveDate,
) -> Result<Vec<ImportRow>, Vec<ImportError>> {
    let records: Vec<Record> = records.into_iter().filter(|r| !r.is_blank()).collect();
    let at = records
        .iter()
        .position(|r| named_columns(r) >= HEADER_MIN)
        .unwrap_or(0);
    let mut records = records.into_iter().skip(at);

    let Some(header_record) = records.next() else {
        let names = COLUMNS[..NEEDED].join(",");
        return Err(vec![ImportError::file(
            unclosed.map_or(1, |u| u.line),
            text!(
                "文件中没有表头行，表头应为：{names}",
                "the file has no header row; it must name the columns {names}"
            ),
        )]);
    };
    let header: Vec<String> = header_record
        .cells
        .iter()
        .map(|c| clean(&c.text).to_owned())
        .collect();
    let positions = find_columns(&header, header_record.line)?;
    let names: [String; 11] =
        std::array::from_fn(|k| positions[k].map_or(COLUMNS[k].to_owned(), |i| header[i].clone()));

    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let mut seen = Seen::default();
    for record in records {
        let before = errors.len();
        let row = parse_row(
            &record,
            &header,
            &positions,
            &names,
            today,
            &mut seen,
            &mut errors,
        );
        if errors.len() == before {
            rows.push(row);
        }
    }

    if let Some(u) = unclosed {
        errors.push(ImportError {
            line: u.line,
            column: column_name(&header, u.cell),
            message: Text::new(
                "从这里开始的引号没有闭合，之后的内容都被当成了这一个单元格，请补上右引号",
                "a double quote opened here is never closed, so the rest of the file reads as this one cell; add the closing quote",
            ),
        });
    }

    if errors.is_empty() {
        Ok(rows)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}

/// Where each column sits in the header (`None` for an absent optional
/// one); or one error per missing or repeated column.
fn find_columns(
    header: &[String],
    line: usize,
) -> Result<[Option<usize>; COLUMNS.len()], Vec<ImportError>> {
    let mut positions = [None; COLUMNS.len()];
    let mut errors = Vec::new();
    for (k, name) in COLUMNS.iter().enumerate() {
        let found: Vec<usize> = header
            .iter()
            .enumerate()
            .filter(|(_, h)| column_of(h) == Some(k))
            .map(|(i, _)| i)
            .collect();
        match found.as_slice() {
            [i] => positions[k] = Some(*i),
            [] if k >= NEEDED => {}
            [] => {
                let near = header.iter().find(|h| {
                    !h.is_empty()
                        && column_of(h).is_none()
                        && (h.contains(name) || name.contains(h.as_str()))
                });
                let (hint_zh, hint_en) = match near {
                    Some(h) => (
                        format!("；表头里的“{h}”是不是应改为“{name}”？"),
                        format!("; should the header \"{h}\" read \"{name}\"?"),
                    ),
                    None => (String::new(), String::new()),
                };
                let also = SYNONYMS[k][1..].join("、");
                errors.push(ImportError {
                    line,
                    column: (*name).to_owned(),
                    message: Text::new(
                        format!("表头缺少“{name}”列（也可写作：{also}），请添加这一列{hint_zh}"),
                        format!(
                            "the header row has no column \"{name}\" (also accepted: {also}); add it{hint_en}"
                        ),
                    ),
                });
            }
            [first, again, ..] => {
                let (a, b) = (&header[*first], &header[*again]);
                let n = again + 1;
                errors.push(ImportError {
                    line,
                    column: (*name).to_owned(),
                    message: Text::new(
                        format!("表头中“{name}”列出现了不止一次（“{a}”和第 {n} 列的“{b}”），请删去多余的一列"),
                        format!(
                            "the header names the column \"{name}\" more than once (\"{a}\", and \"{b}\" in column {n}); remove the extra one"
                        ),
                    ),
                });
            }
        }
    }
    if errors.is_empty() {
        Ok(positions)
    } else {
        Err(errors)
    }
}

/// ID numbers and addresses already read, by the line that had them first.
#[derive(Default)]
struct Seen {
    ids: HashMap<IdNumber, usize>,
    addresses: HashMap<[String; 6], usize>,
}

/// Validates one data row, pushing its problems onto `errors`; the returned
/// row is only meaningful when none were pushed.
fn parse_row(
    record: &Record,
    header: &[String],
    positions: &[Option<usize>; COLUMNS.len()],
    names: &[String; COLUMNS.len()],
    today: NaiveDate,
    seen: &mut Seen,
    errors: &mut Vec<ImportError>,
) -> ImportRow {
    let line = record.line;
    let at = |k: usize| positions[k].and_then(|i| record.cells.get(i));
    let cell = |k: usize| -> &str { at(k).map_or("", |c| clean(&c.text)) };
    let kind = |k: usize| at(k).map_or(CellKind::Text, |c| c.kind);
    if let Some((index, extra)) =
        record.cells.iter().enumerate().find(|(i, c)| {
            header.get(*i).is_none_or(|h| h.is_empty()) && !clean(&c.text).is_empty()
        })
    {
        let extra = clean(&extra.text);
        let n = index + 1;
        errors.push(ImportError {
            line,
            column: column_name(header, index),
            message: Text::new(
                format!("这一行在没有表头的第{n}列里有内容“{extra}”，可能某个单元格里的逗号没有加引号；请核对这一行的各列是否与表头对齐"),
                format!("this row has a value (\"{extra}\") in column {n}, which has no header; perhaps a cell holds a comma without quotes; check that the row's cells line up with the header"),
            ),
        });
    }

    let mut error = |k: usize, message: Text| {
        errors.push(ImportError {
            line,
            column: names[k].clone(),
            message,
        });
    };

    for k in 0..COLUMNS.len() {
        let shown = cell(k);
        match kind(k) {
            CellKind::Error => error(
                k,
                text!(
                    "单元格显示的是公式错误 {shown}，请改正公式或直接填写内容",
                    "the cell shows the formula error {shown}; fix the formula or type the value in"
                ),
            ),
            CellKind::Date(_) if k != BIRTH => error(
                k,
                text!(
                    "单元格被表格软件当成了日期（{shown}），原来的内容已经改变；请把这一列设为“文本”格式后重新填写",
                    "the spreadsheet took this cell for a date ({shown}) and changed what was typed; format the column as Text and type it in again"
                ),
            ),
            _ => {}
        }
    }

    for (k, en) in REQUIRED {
        if cell(k).is_empty() {
            let zh = &names[k];
            error(
                k,
                Text::new(
                    format!("“{zh}”不能为空，请填写"),
                    format!("the {en} is required; fill in the {zh} cell"),
                ),
            );
        }
    }

    let address: [String; 6] =
        [COMMUNITY, GRID, COMPOUND, BUILDING, UNIT, ROOM].map(|k| ascii_alnum(cell(k)));

    let id_number = match (
        kind(ID_NUMBER),
        cell(ID_NUMBER).trim_start_matches(['\'', '＇']),
    ) {
        (_, "") => None,
        (CellKind::Number(n), _) => {
            let shown = format!("{n:.5E}");
            error(
                ID_NUMBER,
                text!(
                    "身份证号被存成了数字（{shown}），表格只保留数字的前 15 位，后几位已经丢失；请把这一列设为“文本”格式后重新填写身份证号",
                    "the ID number is stored as a number ({shown}), which keeps only 15 digits, so its last digits are lost; format the column as Text and enter the ID numbers again"
                ),
            );
            None
        }
        (_, raw) if looks_like_excel_number(raw) => {
            error(
                ID_NUMBER,
                text!(
                    "身份证号“{raw}”被 Excel 当成了数字，后几位已经丢失；请把这一列设为“文本”格式后重新填写身份证号",
                    "Excel turned the ID number into a number ({raw}) and lost its last digits; format the column as Text and enter the ID numbers again"
                ),
            );
            None
        }
        // A masked number (522701********0011), as Gridline's own roster
        // exports it: no number given, so the row is matched by address
        // and a number held already stays as it is.
        (_, raw)
            if raw.chars().count() == 18
                && raw.contains('*')
                && raw
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '*' | 'X' | 'x')) =>
        {
            None
        }
        (_, raw) => match parse_id_number(raw, &names[ID_NUMBER])
            .and_then(|id| check_not_future(&id, today, &names[ID_NUMBER]).map(|()| id))
        {
            Ok(id) => Some(id),
            Err(invalid) => {
                error(ID_NUMBER, Invalid::message(&invalid));
                None
            }
        },
    };

    let phone = match cell(PHONE).trim_start_matches(['\'', '＇']) {
        "" => None,
        raw => match parse_mobile(raw, &names[PHONE]) {
            Ok(p) => Some(p),
            Err(invalid) => {
                error(PHONE, Invalid::message(&invalid));
                None
            }
        },
    };

    let birth_date = match birth_date(kind(BIRTH), cell(BIRTH)) {
        Ok(None) => None,
        Ok(Some(date)) if date > today => {
            error(
                BIRTH,
                text!(
                    "出生日期 {date} 晚于今天，请核对",
                    "the birth date {date} is after today; check it"
                ),
            );
            None
        }
        Ok(Some(date)) => {
            if let Some(id) = &id_number {
                if let Err(invalid) = check_birth_agrees(id, date, &names[BIRTH]) {
                    error(BIRTH, Invalid::message(&invalid));
                }
            }
            Some(date)
        }
        Err(message) => {
            error(BIRTH, message);
            None
        }
    };

    let mut tags = Vec::new();
    for word in cell(TAGS)
        .split(TAG_SEPARATORS)
        .map(clean)
        .filter(|w| !w.is_empty())
    {
        match Tag::parse(word) {
            Ok(tag) if tags.contains(&tag) => {}
            Ok(tag) => tags.push(tag),
            Err(invalid) => {
                let known: Vec<&str> = Tag::ALL.iter().map(|t| t.zh()).collect();
                let known = known.join("、");
                let (pz, pe) = (&invalid.problem.zh, &invalid.problem.en);
                error(
                    TAGS,
                    Text::new(
                        format!("{pz}，可用标签：{known}；多个标签用“、”分隔"),
                        format!("{pe} \"{word}\"; the known tags are {known}; separate several tags with 、"),
                    ),
                );
            }
        }
    }

    if let Some(id) = &id_number {
        if let Some(&first) = seen.ids.get(id) {
            error(
                ID_NUMBER,
                Text::new(
                    format!("身份证号 {} 与第 {first} 行重复，同一户主只能登记一次；请删去重复的一行或核对号码", id.masked()),
                    format!("ID number {} already appears on line {first}; a household is listed once, so remove the repeated row or correct the number", id.masked()),
                ),
            );
        } else {
            seen.ids.insert(id.clone(), line);
        }
    }

    let address_complete = [COMMUNITY, GRID, BUILDING, ROOM]
        .iter()
        .all(|&k| !cell(k).is_empty());
    if address_complete {
        if let Some(&first) = seen.addresses.get(&address) {
            let shown = address.concat();
            error(
                ROOM,
                Text::new(
                    format!("地址“{shown}”与第 {first} 行重复，同一地址只能登记一户；请删去重复的一行或核对楼栋、单元、房号"),
                    format!("the address {shown} already appears on line {first}; one household per address, so remove the repeated row or correct the building, unit or room"),
                ),
            );
        } else {
            seen.addresses.insert(address.clone(), line);
        }
    }

    let [community_name, grid_name, compound, building, unit, room] = address;
    ImportRow {
        line,
        community_name,
        grid_name,
        compound,
        building,
        unit,
        room,
        head_name: cell(HEAD_NAME).to_owned(),
        id_number,
        phone,
        tags,
        birth_date,
    }
}

/// A 出生日期 cell: a date cell, an Excel serial (a date column left as
/// numbers), `19870618` stored as a number, or text in the forms clerks
/// type (`1987-06-18`, `1987/6/18`, `1987.6.18`, `1987年6月18日`, `19870618`).
fn birth_date(kind: CellKind, cell: &str) -> Result<Option<NaiveDate>, Text> {
    let not_a_date = || {
        text!(
            "“{cell}”不是日期，请写成 1987-06-18 这样的格式",
            "\"{cell}\" is not a date; write it like 1987-06-18"
        )
    };
    match kind {
        _ if cell.is_empty() => Ok(None),
        CellKind::Date(d) => Ok(Some(d)),
        CellKind::Number(n) if (10_000_000.0..100_000_000.0).contains(&n) => {
            NaiveDate::parse_from_str(&format!("{n:.0}"), "%Y%m%d")
                .map(Some)
                .map_err(|_| not_a_date())
        }
        CellKind::Number(n) => serial_date(n).map(Some).ok_or_else(not_a_date),
        CellKind::Text | CellKind::Error => {
            let text = ascii_alnum(cell);
            ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d"]
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(&text, f).ok())
                .map(Some)
                .ok_or_else(not_a_date)
        }
    }
}

/// An Excel serial day (1900 date system: day 1 is 1900-01-01, and the
/// phantom 1900-02-29 makes every later day count from 1899-12-30).
pub(crate) fn serial_date(serial: f64) -> Option<NaiveDate> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    let epoch = if days < 60 {
        NaiveDate::from_ymd_opt(1899, 12, 31)?
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 30)?
    };
    epoch.checked_add_signed(chrono::Duration::days(days))
}

/// `5.22701E+17`, `5.22701e17`: what Excel writes for a long number it has
/// taken for a quantity.
fn looks_like_excel_number(s: &str) -> bool {
    let Some((mantissa, exponent)) = s.split_once(['E', 'e']) else {
        return false;
    };
    let exponent = exponent.trim_start_matches('+');
    !mantissa.is_empty()
        && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.')
        && !exponent.is_empty()
        && exponent.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests;

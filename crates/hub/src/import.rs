//! Importing the household spreadsheet a community office keeps.
//!
//! Offices keep their households in Excel and save them as CSV: UTF-8 with a
//! byte-order mark ("CSV UTF-8") or GBK (plain "CSV" on a Chinese system),
//! with CRLF line ends. The columns are 社区, 网格, 小区, 楼栋, 单元, 房号,
//! 户主姓名, 身份证号, 联系电话, 标签, in any order.
//!
//! Real files are messy, so [`parse`] trims stray spaces (ASCII and
//! full-width) from every cell, turns full-width digits and letters in the
//! place and address cells into ASCII, accepts a lower-case `x` check digit,
//! and skips empty rows. Everything else that is wrong is reported by line
//! and column, with the model's own validation messages, and *all* problems
//! are reported at once: a file is imported whole or not at all.
//!
//! Pure: bytes in, rows or errors out. No IO, no clock (`today` is passed in).

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;
use gridline_model::id_number::{check_not_future, parse_id_number};
use gridline_model::phone::parse_mobile;
use gridline_model::{text, IdNumber, Invalid, Phone, Tag, Text};

/// One validated household row of the spreadsheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// 1-based line number in the file (the header is line 1); for a row whose
    /// quoted cell spans several lines, the line the row starts on.
    pub line: usize,
    /// 社区
    pub community_name: String,
    /// 网格
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
}

/// A problem in the file, at a line and column, saying what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// 1-based line number in the file (the header is line 1).
    pub line: usize,
    /// The Chinese header name of the column, e.g. `身份证号`; empty when the
    /// problem is the file as a whole (its encoding, or no header at all).
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
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.text().fmt(f)
    }
}

impl std::error::Error for ImportError {}

/// The text encoding a file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark, as Excel's "CSV UTF-8" saves it.
    Utf8Bom,
    /// GBK, as Excel saves plain "CSV" on a Chinese system.
    Gbk,
}

/// The ten columns, in the order [`ImportRow`] lists them.
const COLUMNS: [&str; 10] = [
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

const SAVE_AS_HINT: (&str, &str) = (
    "请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后重新导入",
    "save the sheet from Excel as \"CSV UTF-8 (Comma delimited)\" and import it again",
);

/// Decodes the file: a UTF-8 byte-order mark means UTF-8; otherwise valid
/// UTF-8 is UTF-8; otherwise GBK. Errors (at the first line that cannot be
/// read) when the bytes are neither.
pub fn decode(bytes: &[u8]) -> Result<(String, Encoding), ImportError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return match std::str::from_utf8(rest) {
            Ok(text) => Ok((text.to_owned(), Encoding::Utf8Bom)),
            Err(e) => {
                let line = 1 + count_line_ends(&rest[..e.valid_up_to()]);
                Err(ImportError {
                    line,
                    column: String::new(),
                    message: Text::new(
                        format!("文件标明为 UTF-8 编码，但第 {line} 行含有无效字节；{}", SAVE_AS_HINT.0),
                        format!(
                            "the file is marked as UTF-8 but line {line} holds bytes that are not UTF-8; {}",
                            SAVE_AS_HINT.1
                        ),
                    ),
                })
            }
        };
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(ImportError {
            line: 1,
            column: String::new(),
            message: Text::new(
                format!(
                    "文件是 UTF-16（Unicode 文本）编码，不是 CSV；{}",
                    SAVE_AS_HINT.0
                ),
                format!(
                    "the file is UTF-16 (Unicode text), not CSV; {}",
                    SAVE_AS_HINT.1
                ),
            ),
        });
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_owned(), Encoding::Utf8));
    }
    let (text, had_errors) = encoding_rs::GBK.decode_without_bom_handling(bytes);
    if !had_errors {
        return Ok((text.into_owned(), Encoding::Gbk));
    }
    // The replacement character marks the first byte GBK could not read.
    let before = text.split('\u{FFFD}').next().unwrap_or_default();
    let line = 1 + count_line_ends(before.as_bytes());
    Err(ImportError {
        line,
        column: String::new(),
        message: Text::new(
            format!("文件既不是 UTF-8 也不是 GBK 编码，第 {line} 行有无法识别的字节；{}", SAVE_AS_HINT.0),
            format!(
                "the file is neither UTF-8 nor GBK: line {line} holds bytes that cannot be read; {}",
                SAVE_AS_HINT.1
            ),
        ),
    })
}

/// Line ends in the bytes: `\r\n`, `\n` or a lone `\r` each count once.
fn count_line_ends(bytes: &[u8]) -> usize {
    let mut n = 0;
    let mut it = bytes.iter().peekable();
    while let Some(&b) = it.next() {
        match b {
            b'\n' => n += 1,
            b'\r' => {
                if it.peek() == Some(&&b'\n') {
                    it.next();
                }
                n += 1;
            }
            _ => {}
        }
    }
    n
}

/// One CSV record: its cells, raw (untrimmed), and the line it starts on.
#[derive(Debug)]
struct Record {
    line: usize,
    cells: Vec<String>,
}

/// A quoted cell still open at the end of the file.
#[derive(Debug)]
struct Unclosed {
    line: usize,
    cell: usize,
}

/// Splits CSV text into records: comma-separated, cells optionally in double
/// quotes (inside which commas, line ends and doubled quotes `""` are text),
/// rows ended by CRLF, LF or a lone CR. Leniently, a quote opens a quoted cell
/// even after leading spaces, and a quote inside an unquoted cell is text.
fn split_records(text: &str) -> (Vec<Record>, Option<Unclosed>) {
    let mut records = Vec::new();
    let mut cells: Vec<String> = Vec::new();
    let mut cell = String::new();
    let mut line = 1;
    let mut record_line = 1;
    let mut in_quotes = false;
    let mut quoted = false; // this cell has had a quoted part
    let mut quote_line = 1;
    let mut chars = text.chars().peekable();

    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                '"' => in_quotes = false,
                '\r' | '\n' => {
                    if c == '\r' && chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    cell.push('\n');
                    line += 1;
                }
                _ => cell.push(c),
            }
            continue;
        }
        match c {
            ',' => {
                cells.push(std::mem::take(&mut cell));
                quoted = false;
            }
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                cells.push(std::mem::take(&mut cell));
                quoted = false;
                records.push(Record {
                    line: record_line,
                    cells: std::mem::take(&mut cells),
                });
                line += 1;
                record_line = line;
            }
            '"' if !quoted && cell.chars().all(is_blank_char) => {
                cell.clear();
                in_quotes = true;
                quoted = true;
                quote_line = line;
            }
            _ => cell.push(c),
        }
    }

    if in_quotes {
        let unclosed = Unclosed {
            line: quote_line,
            cell: cells.len(),
        };
        return (records, Some(unclosed));
    }
    if !cell.is_empty() || !cells.is_empty() || quoted {
        cells.push(cell);
        records.push(Record {
            line: record_line,
            cells,
        });
    }
    (records, None)
}

/// Spaces to trim from cells: any Unicode white space (which covers the
/// full-width space 　 and the no-break space) and a stray byte-order mark.
fn is_blank_char(c: char) -> bool {
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

/// The header name of a cell position: one of the ten, another header text,
/// or `第N列` (column N) past the header's end.
fn column_name(header: &[String], index: usize) -> String {
    match header.get(index) {
        Some(name) if !name.is_empty() => name.clone(),
        _ => format!("第{}列", index + 1),
    }
}

/// Parses the spreadsheet into validated rows, or every problem found in it,
/// sorted by line. `today` bounds the birth dates inside ID numbers.
pub fn parse(bytes: &[u8], today: NaiveDate) -> Result<Vec<ImportRow>, Vec<ImportError>> {
    let (text, _) = decode(bytes).map_err(|e| vec![e])?;
    let (records, unclosed) = split_records(&text);
    let mut records = records
        .into_iter()
        .filter(|r| r.cells.iter().any(|c| !clean(c).is_empty()));

    let Some(header_record) = records.next() else {
        return Err(vec![ImportError {
            line: unclosed.map_or(1, |u| u.line),
            column: String::new(),
            message: Text::new(
                format!("文件中没有表头行，表头应为：{}", COLUMNS.join(",")),
                format!(
                    "the file has no header row; it must name the columns {}",
                    COLUMNS.join(",")
                ),
            ),
        }]);
    };
    let header: Vec<String> = header_record
        .cells
        .iter()
        .map(|c| clean(c).to_owned())
        .collect();
    let positions = find_columns(&header, header_record.line)?;

    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let mut ids_seen: HashMap<IdNumber, usize> = HashMap::new();
    let mut addresses_seen: HashMap<[String; 6], usize> = HashMap::new();

    for record in records {
        let before = errors.len();
        let row = parse_row(
            &record,
            &header,
            &positions,
            today,
            &mut ids_seen,
            &mut addresses_seen,
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

/// Where each of the ten columns sits in the header; or one error per missing
/// or repeated column.
fn find_columns(header: &[String], line: usize) -> Result<[usize; 10], Vec<ImportError>> {
    let mut positions = [0usize; 10];
    let mut errors = Vec::new();
    for (k, name) in COLUMNS.iter().enumerate() {
        let found: Vec<usize> = header
            .iter()
            .enumerate()
            .filter(|(_, h)| h.as_str() == *name)
            .map(|(i, _)| i)
            .collect();
        match found.as_slice() {
            [i] => positions[k] = *i,
            [] => {
                let near = header
                    .iter()
                    .find(|h| !h.is_empty() && !COLUMNS.contains(&h.as_str()) && (h.contains(name) || name.contains(h.as_str())));
                let (hint_zh, hint_en) = match near {
                    Some(h) => (
                        format!("；表头里的“{h}”是不是应改为“{name}”？"),
                        format!("; should the header \"{h}\" read \"{name}\"?"),
                    ),
                    None => (String::new(), String::new()),
                };
                errors.push(ImportError {
                    line,
                    column: (*name).to_owned(),
                    message: Text::new(
                        format!("表头缺少“{name}”列，请添加这一列，列名须一字不差{hint_zh}"),
                        format!(
                            "the header row has no column \"{name}\"; add it, spelled exactly as shown{hint_en}"
                        ),
                    ),
                });
            }
            [_, again, ..] => errors.push(ImportError {
                line,
                column: (*name).to_owned(),
                message: Text::new(
                    format!("表头中“{name}”列出现了不止一次（第 {} 列再次出现），请删去多余的一列", again + 1),
                    format!(
                        "the header names the column \"{name}\" more than once (again in column {}); remove the extra one",
                        again + 1
                    ),
                ),
            }),
        }
    }
    if errors.is_empty() {
        Ok(positions)
    } else {
        Err(errors)
    }
}

/// Validates one data row, pushing its problems onto `errors`; the returned
/// row is only meaningful when none were pushed.
fn parse_row(
    record: &Record,
    header: &[String],
    positions: &[usize; 10],
    today: NaiveDate,
    ids_seen: &mut HashMap<IdNumber, usize>,
    addresses_seen: &mut HashMap<[String; 6], usize>,
    errors: &mut Vec<ImportError>,
) -> ImportRow {
    let line = record.line;
    let cell = |k: usize| -> &str { record.cells.get(positions[k]).map_or("", |c| clean(c)) };
    let mut error = |column: &str, message: Text| {
        errors.push(ImportError {
            line,
            column: column.to_owned(),
            message,
        });
    };

    if let Some((index, extra)) = record
        .cells
        .iter()
        .enumerate()
        .find(|(i, c)| header.get(*i).is_none_or(|h| h.is_empty()) && !clean(c).is_empty())
    {
        let extra = clean(extra);
        let n = index + 1;
        error(
            &column_name(header, index),
            Text::new(
                format!("这一行在没有表头的第{n}列里有内容“{extra}”，可能某个单元格里的逗号没有加引号；请核对这一行的各列是否与表头对齐"),
                format!("this row has a value (\"{extra}\") in column {n}, which has no header; perhaps a cell holds a comma without quotes; check that the row's cells line up with the header"),
            ),
        );
    }

    for (k, en) in REQUIRED {
        if cell(k).is_empty() {
            let zh = COLUMNS[k];
            error(
                zh,
                Text::new(
                    format!("“{zh}”不能为空，请填写"),
                    format!("the {en} is required; fill in the {zh} cell"),
                ),
            );
        }
    }

    let address: [String; 6] =
        [COMMUNITY, GRID, COMPOUND, BUILDING, UNIT, ROOM].map(|k| ascii_alnum(cell(k)));

    let id_number = match cell(ID_NUMBER).trim_start_matches(['\'', '＇']) {
        "" => None,
        raw if looks_like_excel_number(raw) => {
            error(
                COLUMNS[ID_NUMBER],
                Text::new(
                    format!("身份证号“{raw}”被 Excel 当成了数字，后几位已经丢失；请把这一列设为“文本”格式后重新填写身份证号"),
                    format!("Excel turned the ID number into a number ({raw}) and lost its last digits; format the column as Text and enter the ID numbers again"),
                ),
            );
            None
        }
        raw => match parse_id_number(raw, COLUMNS[ID_NUMBER])
            .and_then(|id| check_not_future(&id, today, COLUMNS[ID_NUMBER]).map(|()| id))
        {
            Ok(id) => Some(id),
            Err(invalid) => {
                error(COLUMNS[ID_NUMBER], Invalid::message(&invalid));
                None
            }
        },
    };

    let phone = match cell(PHONE).trim_start_matches(['\'', '＇']) {
        "" => None,
        raw => match parse_mobile(raw, COLUMNS[PHONE]) {
            Ok(p) => Some(p),
            Err(invalid) => {
                error(COLUMNS[PHONE], Invalid::message(&invalid));
                None
            }
        },
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
                    COLUMNS[TAGS],
                    Text::new(
                        format!("{pz}，可用标签：{known}；多个标签用“、”分隔"),
                        format!("{pe} \"{word}\"; the known tags are {known}; separate several tags with 、"),
                    ),
                );
            }
        }
    }

    if let Some(id) = &id_number {
        if let Some(&first) = ids_seen.get(id) {
            error(
                COLUMNS[ID_NUMBER],
                Text::new(
                    format!("身份证号 {} 与第 {first} 行重复，同一户主只能登记一次；请删去重复的一行或核对号码", id.masked()),
                    format!("ID number {} already appears on line {first}; a household is listed once, so remove the repeated row or correct the number", id.masked()),
                ),
            );
        } else {
            ids_seen.insert(id.clone(), line);
        }
    }

    let address_complete = [COMMUNITY, GRID, BUILDING, ROOM]
        .iter()
        .all(|&k| !cell(k).is_empty());
    if address_complete {
        if let Some(&first) = addresses_seen.get(&address) {
            let shown = address.concat();
            error(
                COLUMNS[ROOM],
                Text::new(
                    format!("地址“{shown}”与第 {first} 行重复，同一地址只能登记一户；请删去重复的一行或核对楼栋、单元、房号"),
                    format!("the address {shown} already appears on line {first}; one household per address, so remove the repeated row or correct the building, unit or room"),
                ),
            );
        } else {
            addresses_seen.insert(address.clone(), line);
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
    }
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
mod tests {
    use super::*;

    const SAMPLE_UTF8BOM: &[u8] =
        include_bytes!("../tests/fixtures/import/households-sample-utf8bom.csv");
    const SAMPLE_GBK: &[u8] = include_bytes!("../tests/fixtures/import/households-sample-gbk.csv");
    const MESSY: &[u8] = include_bytes!("../tests/fixtures/import/households-messy.csv");
    const WITH_ERRORS: &[u8] = include_bytes!("../tests/fixtures/import/households-errors.csv");

    const HEADER: &str = "社区,网格,小区,楼栋,单元,房号,户主姓名,身份证号,联系电话,标签";

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 1).expect("valid test date")
    }

    fn ok(text: &str) -> Vec<ImportRow> {
        match parse(text.as_bytes(), today()) {
            Ok(rows) => rows,
            Err(errors) => panic!("expected the file to import, got errors: {errors:#?}"),
        }
    }

    fn errs(text: &str) -> Vec<ImportError> {
        match parse(text.as_bytes(), today()) {
            Ok(rows) => panic!("expected errors, got rows: {rows:#?}"),
            Err(errors) => errors,
        }
    }

    fn places(errors: &[ImportError]) -> Vec<(usize, &str)> {
        errors.iter().map(|e| (e.line, e.column.as_str())).collect()
    }

    /// Data rows in a sample: non-empty lines after the header.
    fn count_data_lines(text: &str) -> usize {
        text.lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .count()
    }

    #[test]
    fn utf8_bom_sample_imports_every_row() {
        let (text, encoding) = decode(SAMPLE_UTF8BOM).expect("sample decodes");
        assert_eq!(
            encoding,
            Encoding::Utf8Bom,
            "the sample starts with a UTF-8 BOM"
        );
        assert_eq!(
            count_data_lines(&text),
            24,
            "the sample holds 24 households"
        );
        let rows = parse(SAMPLE_UTF8BOM, today()).expect("the UTF-8 sample must import cleanly");
        assert_eq!(rows.len(), 24, "every sample household becomes a row");
        assert_eq!(
            rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            (2..=25).collect::<Vec<_>>(),
            "rows keep their file line numbers, header being line 1"
        );
        let first = &rows[0];
        assert_eq!(
            (
                first.community_name.as_str(),
                first.grid_name.as_str(),
                first.compound.as_str(),
                first.building.as_str(),
                first.unit.as_str(),
                first.room.as_str(),
                first.head_name.as_str()
            ),
            (
                "平桥社区",
                "平桥第1网格",
                "水花都小区",
                "8栋",
                "1单元",
                "401",
                "邵秀英"
            ),
            "the first row's cells are read in header order, without BOM or CR"
        );
        assert_eq!(
            first.id_number.as_ref().map(IdNumber::as_str),
            Some("522701198706182382"),
            "ID number read"
        );
        assert_eq!(
            first.phone.as_ref().map(Phone::as_str),
            Some("18517374590"),
            "phone read"
        );
        assert!(first.tags.is_empty(), "an empty 标签 cell gives no tags");
        let tagged: Vec<(usize, Vec<Tag>)> = rows
            .iter()
            .filter(|r| !r.tags.is_empty())
            .map(|r| (r.line, r.tags.clone()))
            .collect();
        assert_eq!(
            tagged,
            vec![
                (7, vec![Tag::Migrant]),
                (8, vec![Tag::ElderlyAlone]),
                (10, vec![Tag::ExtremeHardship]),
                (19, vec![Tag::Disabled]),
                (24, vec![Tag::ExtremeHardship]),
            ],
            "the sample's tags are read at their lines"
        );
    }

    #[test]
    fn gbk_sample_imports_every_row() {
        let (text, encoding) = decode(SAMPLE_GBK).expect("sample decodes");
        assert_eq!(
            encoding,
            Encoding::Gbk,
            "the sample is not UTF-8, so it is read as GBK"
        );
        assert!(
            text.starts_with(HEADER),
            "GBK header decodes to the ten column names: {text}"
        );
        assert_eq!(
            count_data_lines(&text),
            24,
            "the sample holds 24 households"
        );
        let rows = parse(SAMPLE_GBK, today()).expect("the GBK sample must import cleanly");
        assert_eq!(rows.len(), 24, "every sample household becomes a row");
        assert_eq!(rows[0].head_name, "王秀英", "GBK names decode");
        let tianna = rows
            .iter()
            .find(|r| r.head_name == "田娜")
            .expect("田娜 is in the sample");
        assert_eq!(tianna.line, 12, "田娜 is on line 12");
        assert_eq!(
            tianna.tags,
            vec![Tag::ElderlyAlone, Tag::LowIncome],
            "two tags joined with 、"
        );
        assert_eq!(
            rows.iter()
                .find(|r| r.head_name == "戴杰")
                .and_then(|r| r.id_number.clone())
                .map(|i| i.to_string()),
            Some("52270119860327708X".to_owned()),
            "an X check digit is kept"
        );
    }

    #[test]
    fn both_encodings_give_identical_rows() {
        // The two samples hold different households, so each is re-encoded in
        // the other encoding and the rows compared.
        let (utf8_text, _) = decode(SAMPLE_UTF8BOM).expect("decodes");
        let (as_gbk, _, unmappable) = encoding_rs::GBK.encode(&utf8_text);
        assert!(!unmappable, "every character of the sample exists in GBK");
        assert_eq!(
            parse(SAMPLE_UTF8BOM, today()),
            parse(&as_gbk, today()),
            "the UTF-8 sample saved as GBK must give the same rows"
        );

        let (gbk_text, _) = decode(SAMPLE_GBK).expect("decodes");
        let mut as_utf8_bom = b"\xEF\xBB\xBF".to_vec();
        as_utf8_bom.extend_from_slice(gbk_text.as_bytes());
        assert_eq!(
            parse(SAMPLE_GBK, today()),
            parse(&as_utf8_bom, today()),
            "the GBK sample saved as UTF-8 with BOM must give the same rows"
        );
        assert_eq!(
            parse(SAMPLE_GBK, today()),
            parse(gbk_text.as_bytes(), today()),
            "UTF-8 without BOM gives the same rows too"
        );
    }

    #[test]
    fn decode_tells_the_encodings_apart() {
        assert_eq!(
            decode("社区".as_bytes()).map(|(_, e)| e),
            Ok(Encoding::Utf8),
            "valid UTF-8 without BOM"
        );
        assert_eq!(
            decode(b"\xEF\xBB\xBFabc"),
            Ok(("abc".to_owned(), Encoding::Utf8Bom)),
            "BOM is removed"
        );
        let (gbk, _, _) = encoding_rs::GBK.encode("社区,网格");
        assert_eq!(
            decode(&gbk),
            Ok(("社区,网格".to_owned(), Encoding::Gbk)),
            "GBK is decoded"
        );
        assert_eq!(
            decode(b""),
            Ok((String::new(), Encoding::Utf8)),
            "empty input is empty UTF-8"
        );
    }

    #[test]
    fn undecodable_bytes_are_reported_at_their_line() {
        // 0xFF is neither UTF-8 nor a GBK lead byte.
        let e = decode(b"a,b\r\nc,d\r\ne\xFF,f\r\n").expect_err("0xFF cannot be decoded");
        assert_eq!(e.line, 3, "the bad byte is on line 3: {e}");
        assert!(
            e.to_string()
                .starts_with("第 3 行：文件既不是 UTF-8 也不是 GBK 编码")
                && e.to_string()
                    .contains("(line 3: the file is neither UTF-8 nor GBK"),
            "file-level errors display without a column, Chinese then English: {e}"
        );
        assert!(
            e.message.contains("GBK"),
            "message names the encodings tried: {e}"
        );
        let e = decode(b"\xEF\xBB\xBFa\n\xC3(").expect_err("BOM then invalid UTF-8");
        assert_eq!(e.line, 2, "the invalid byte after a BOM is on line 2: {e}");
        let e = decode(b"\xFF\xFEa\x00").expect_err("UTF-16 is refused");
        assert!(e.message.contains("UTF-16"), "message says UTF-16: {e}");
        let errors = parse(b"\xFF\xFF", today()).expect_err("parse reports decoding errors");
        assert_eq!(errors.len(), 1, "one decoding error: {errors:?}");
    }

    #[test]
    fn stray_spaces_are_trimmed_everywhere() {
        let text =
            " 社区 ,网格 ,\u{3000}小区,楼栋,单元,房号,户主姓名,身份证号,联系电话,标签\r\n\
             \u{3000}平桥社区\u{3000}, 平桥第1网格 ,  水花都小区,8栋 ,\t1单元, 401 ,  邵秀英\u{3000},  522701198706182382 , 18517374590 , 独居老人 \r\n";
        let rows = ok(text);
        let r = &rows[0];
        assert_eq!(
            [
                &r.community_name,
                &r.grid_name,
                &r.compound,
                &r.building,
                &r.unit,
                &r.room,
                &r.head_name
            ],
            [
                "平桥社区",
                "平桥第1网格",
                "水花都小区",
                "8栋",
                "1单元",
                "401",
                "邵秀英"
            ],
            "ASCII, tab and full-width spaces are trimmed from every cell"
        );
        assert!(
            r.id_number.is_some() && r.phone.is_some(),
            "padded ID and phone parse: {r:?}"
        );
        assert_eq!(r.tags, vec![Tag::ElderlyAlone], "a padded tag parses");
    }

    #[test]
    fn full_width_digits_and_lower_case_x_are_normalised() {
        let text = format!(
            "{HEADER}\n平桥社区,平桥第１网格,水花都小区,８栋,１单元,４０１Ａ,邵秀英,５２２７０１１９５９０２２２１９８ｘ,１８５１７３７４５９０,\n\
             西城社区,西城第1网格,五贤小区,11栋,4单元,1404,叶娟,11010519491231002x,185-1737-4591,\n"
        );
        let rows = ok(&text);
        assert_eq!(
            rows[0].room, "401A",
            "full-width digits and letters in 房号 become ASCII"
        );
        assert_eq!(
            rows[0].building, "8栋",
            "full-width digits in 楼栋 become ASCII"
        );
        assert_eq!(
            rows[0].unit, "1单元",
            "full-width digits in 单元 become ASCII"
        );
        assert_eq!(
            rows[0].grid_name, "平桥第1网格",
            "full-width digits in 网格 become ASCII"
        );
        assert_eq!(
            rows[0].id_number.as_ref().map(IdNumber::as_str),
            Some("52270119590222198X"),
            "full-width ID with full-width ｘ is normalised"
        );
        assert_eq!(
            rows[0].phone.as_ref().map(Phone::as_str),
            Some("18517374590"),
            "full-width phone digits are normalised"
        );
        assert_eq!(
            rows[1].id_number.as_ref().map(IdNumber::as_str),
            Some("11010519491231002X"),
            "lower-case x check digit is accepted and upper-cased"
        );
        assert_eq!(
            rows[1].phone.as_ref().map(Phone::as_str),
            Some("18517374591"),
            "hyphens removed"
        );
    }

    #[test]
    fn empty_rows_are_skipped_and_line_numbers_kept() {
        let text = format!(
            "{HEADER}\r\n,,,,,,,,,\r\n\r\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,,,\r\n , ,\u{3000},,\r\n\
             西城社区,西城第1网格,五贤小区,11栋,4单元,1404,叶娟,,,\r\n,,,,,,,,,\r\n,,,,,,,,,\r\n\r\n\r\n"
        );
        let rows = ok(&text);
        assert_eq!(
            rows.iter()
                .map(|r| (r.line, r.head_name.as_str()))
                .collect::<Vec<_>>(),
            vec![(4, "邵秀英"), (6, "叶娟")],
            "empty rows (blank, only commas, only spaces, trailing) are skipped without error"
        );
        assert!(
            rows[0].id_number.is_none() && rows[0].phone.is_none(),
            "empty ID and phone are None"
        );
        assert_eq!(
            ok(HEADER),
            Vec::new(),
            "a header alone is an empty import, not an error"
        );
        assert_eq!(
            ok(&format!("\r\n,,\r\n{HEADER}\r\n")),
            Vec::new(),
            "blank rows before the header are skipped"
        );
    }

    #[test]
    fn line_ends_lf_crlf_and_lone_cr_all_work() {
        let body = [
            "平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,,,",
            "西城社区,西城第1网格,五贤小区,11栋,4单元,1404,叶娟,,,",
        ];
        for end in ["\n", "\r\n", "\r"] {
            let text = format!("{HEADER}{end}{}{end}{}", body[0], body[1]);
            let rows = ok(&text);
            assert_eq!(
                rows.iter().map(|r| r.line).collect::<Vec<_>>(),
                vec![2, 3],
                "line end {end:?}: two rows on lines 2 and 3, the last without a line end"
            );
            assert_eq!(
                rows[1].tags,
                Vec::new(),
                "line end {end:?}: no stray CR in the last cell"
            );
        }
    }

    #[test]
    fn quoted_fields_hold_commas_quotes_and_line_breaks() {
        let text = format!(
            "{HEADER},备注\r\n\"平桥社区\",平桥第1网格,\"水花都小区, 二期\",8栋,1单元,401,\"邵\"\"秀\"\"英\",,,\"独居老人,党员\",\"两行\r\n备注\"\r\n\
             西城社区,西城第1网格,五贤小区,11栋,4单元,1404,叶娟,,,\"\",\r\n"
        );
        let rows = ok(&text);
        assert_eq!(
            rows[0].compound, "水花都小区, 二期",
            "a comma inside quotes stays in the cell"
        );
        assert_eq!(
            rows[0].head_name, "邵\"秀\"英",
            "doubled quotes are one quote"
        );
        assert_eq!(
            rows[0].tags,
            vec![Tag::ElderlyAlone, Tag::PartyMember],
            "quoted tags split on the comma"
        );
        assert_eq!(
            rows[1].line, 4,
            "a line break inside quotes still counts as a file line"
        );
    }

    #[test]
    fn tags_split_on_every_separator_and_repeat_once() {
        let text = format!("{HEADER}\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,,,独居老人、党员，重点关注;出租屋；低保、、独居老人\n");
        assert_eq!(
            ok(&text)[0].tags,
            vec![
                Tag::ElderlyAlone,
                Tag::PartyMember,
                Tag::NeedsAttention,
                Tag::RentedHome,
                Tag::LowIncome
            ],
            "、 ， ; ； separate tags; empties and repeats are dropped; 低保 is 低保户"
        );
    }

    #[test]
    fn header_columns_may_come_in_any_order_with_extra_ones() {
        let text = "\u{FEFF}序号,标签,联系电话,身份证号,户主姓名,房号,单元,楼栋,小区,网格,社区,备注\n\
                    1,党员,18517374590,522701198706182382,邵秀英,401,1单元,8栋,水花都小区,平桥第1网格,平桥社区,腿脚不便\n";
        let rows = ok(text);
        assert_eq!(
            rows[0].community_name, "平桥社区",
            "columns are found by name, not position"
        );
        assert_eq!(rows[0].room, "401", "room found by name");
        assert_eq!(rows[0].tags, vec![Tag::PartyMember], "tags found by name");
    }

    #[test]
    fn missing_columns_are_each_reported_at_line_1() {
        let errors = errs("社区,网格,小区,楼栋,单元,房号,户主姓名,身份证号码,标签\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,,\n");
        assert_eq!(
            places(&errors),
            vec![(1, "身份证号"), (1, "联系电话")],
            "one error per missing column, at line 1: {errors:#?}"
        );
        assert!(
            errors[0].message.contains("身份证号码"),
            "a near-miss header name is pointed out: {}",
            errors[0]
        );
        let errors = errs("社区,社区,网格,小区,楼栋,单元,房号,户主姓名,身份证号,联系电话,标签\n");
        assert_eq!(
            places(&errors),
            vec![(1, "社区")],
            "a repeated column is an error: {errors:#?}"
        );
        let errors = errs(",,\r\n\r\n");
        assert_eq!(
            places(&errors),
            vec![(1, "")],
            "a file without a header is one error: {errors:#?}"
        );
    }

    #[test]
    fn required_cells_are_named_when_empty() {
        let text = format!("{HEADER}\n ,\u{3000},,,,,,,,党员\n");
        let errors = errs(&text);
        assert_eq!(
            places(&errors),
            vec![
                (2, "社区"),
                (2, "网格"),
                (2, "楼栋"),
                (2, "房号"),
                (2, "户主姓名")
            ],
            "each empty required cell is named; 小区 and 单元 may be empty: {errors:#?}"
        );
        assert!(
            errors[2].message.contains("building"),
            "English names the column too: {}",
            errors[2]
        );
    }

    #[test]
    fn bad_check_digit_reports_the_models_message() {
        let text = format!(
            "{HEADER}\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,522701198706182383,,\n"
        );
        let errors = errs(&text);
        assert_eq!(
            places(&errors),
            vec![(2, "身份证号")],
            "one ID error on line 2: {errors:#?}"
        );
        let m = &errors[0].message;
        assert!(
            m.zh.starts_with("校验位错误"),
            "the Chinese half is the model's: {m}"
        );
        assert!(
            m.contains("expected 2, got 3"),
            "the model's English detail is kept: {m}"
        );
        assert!(
            m.contains("请核对身份证号最后一位"),
            "the model's fix is included: {m}"
        );
        assert!(
            !m.en.contains("校验位错误") && m.en.contains("check digit"),
            "the English half holds no Chinese: {m}"
        );
    }

    #[test]
    fn future_birth_dates_and_short_ids_are_errors() {
        let future = gridline_model::id_number::make_id_number(
            "522701",
            NaiveDate::from_ymd_opt(2030, 1, 1).expect("valid date"),
            1,
            true,
        );
        let text = format!(
            "{HEADER}\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,{future},,\n\
             平桥社区,平桥第1网格,水花都小区,8栋,1单元,402,王秀英,52270119870618238,,\n"
        );
        let errors = errs(&text);
        assert_eq!(
            places(&errors),
            vec![(2, "身份证号"), (3, "身份证号")],
            "both IDs refused: {errors:#?}"
        );
        assert!(
            errors[0].message.contains("晚于今天"),
            "future birth date named: {}",
            errors[0]
        );
        assert!(
            errors[1].message.contains("17 were given"),
            "length named: {}",
            errors[1]
        );
    }

    #[test]
    fn excel_scientific_id_numbers_get_their_own_advice() {
        let text = format!(
            "{HEADER}\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,5.22701E+17,,\n"
        );
        let errors = errs(&text);
        assert_eq!(
            places(&errors),
            vec![(2, "身份证号")],
            "the mangled ID is refused: {errors:#?}"
        );
        assert!(
            errors[0].message.contains("文本"),
            "advice to format the column as text: {}",
            errors[0]
        );
    }

    #[test]
    fn bad_phones_are_errors_with_the_models_message() {
        let text = format!(
            "{HEADER}\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,,0854-8221234,\n"
        );
        let errors = errs(&text);
        assert_eq!(
            places(&errors),
            vec![(2, "联系电话")],
            "a landline is refused: {errors:#?}"
        );
        assert!(
            errors[0].message.contains("此处只接受手机号码"),
            "the model's mobile-only message: {}",
            errors[0]
        );
    }

    #[test]
    fn unknown_tags_are_errors_listing_the_known_ones() {
        let text = format!(
            "{HEADER}\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,,,党员、富豪、贫困户\n"
        );
        let errors = errs(&text);
        assert_eq!(
            places(&errors),
            vec![(2, "标签"), (2, "标签")],
            "each unknown tag is an error: {errors:#?}"
        );
        assert!(
            errors[0].message.contains("富豪"),
            "the unknown word is quoted: {}",
            errors[0]
        );
        assert!(
            errors[1].message.contains("贫困户"),
            "the second unknown word is quoted: {}",
            errors[1]
        );
        assert!(
            errors[0].message.contains("独居老人"),
            "the vocabulary is listed: {}",
            errors[0]
        );
    }

    #[test]
    fn duplicate_id_numbers_name_the_earlier_line() {
        let text = format!(
            "{HEADER}\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,522701198706182382,,\n\
             平桥社区,平桥第1网格,水花都小区,8栋,1单元,402,邵秀英,522701198706182382,,\n"
        );
        let errors = errs(&text);
        assert_eq!(
            places(&errors),
            vec![(3, "身份证号")],
            "the later line carries the error: {errors:#?}"
        );
        assert!(
            errors[0].message.contains("第 2 行"),
            "names the earlier line: {}",
            errors[0]
        );
        assert!(
            errors[0].message.contains("line 2"),
            "in English too: {}",
            errors[0]
        );
        assert!(
            !errors[0].message.contains("522701198706182382"),
            "the full ID number is not repeated in the message: {}",
            errors[0]
        );
    }

    #[test]
    fn duplicate_addresses_name_the_earlier_line() {
        let text = format!(
            "{HEADER}\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,,,\n\
             平桥社区,平桥第1网格,水花都小区,8栋,2单元,401,王秀英,,,\n\
             平桥社区,平桥第1网格,水花都小区,８栋, 1单元 ,４０１,李小红,,,\n"
        );
        let errors = errs(&text);
        assert_eq!(
            places(&errors),
            vec![(4, "房号")],
            "a different unit is another address; the same after normalising is a duplicate: {errors:#?}"
        );
        assert!(
            errors[0].message.contains("第 2 行"),
            "names the earlier line: {}",
            errors[0]
        );
    }

    #[test]
    fn extra_cells_beyond_the_header_are_errors() {
        let text = format!(
            "{HEADER},\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵,秀英,,,党员\n\
             西城社区,西城第1网格,五贤小区,11栋,4单元,1404,叶娟,,,党员,,,\n"
        );
        let errors = errs(&text);
        assert_eq!(
            places(&errors),
            vec![(2, "第11列"), (2, "身份证号")],
            "the misaligned row is caught, the extra cell first; empty extra cells are fine: {errors:#?}"
        );
        assert!(
            errors[0].message.contains("党员"),
            "the extra cell is quoted: {}",
            errors[0]
        );
    }

    #[test]
    fn unclosed_quote_is_an_error_at_its_line() {
        let text = format!(
            "{HEADER}\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,,,\n\
             西城社区,西城第1网格,\"五贤小区,11栋,4单元,1404,叶娟,,,\n,,,\n"
        );
        let errors = errs(&text);
        assert_eq!(
            places(&errors),
            vec![(3, "小区")],
            "the open quote is reported where it opens: {errors:#?}"
        );
    }

    #[test]
    fn all_errors_are_collected_sorted_and_nothing_imported() {
        let errors = parse(WITH_ERRORS, today()).expect_err("the error fixture must be refused");
        assert_eq!(
            places(&errors),
            vec![
                (2, "身份证号"),
                (3, "联系电话"),
                (3, "标签"),
                (4, "网格"),
                (4, "户主姓名"),
                (5, "身份证号"),
                (5, "房号"),
                (6, "身份证号"),
            ],
            "every problem in the GBK error fixture, by line and column: {errors:#?}"
        );
        assert!(
            errors[5].message.contains("第 3 行"),
            "duplicate ID names line 3: {}",
            errors[5]
        );
        assert!(
            errors[6].message.contains("第 2 行"),
            "duplicate address names line 2: {}",
            errors[6]
        );
    }

    #[test]
    fn messy_fixture_imports_cleanly() {
        let rows = parse(MESSY, today()).expect("the messy fixture must import");
        assert_eq!(
            rows.iter()
                .map(|r| (r.line, r.head_name.as_str()))
                .collect::<Vec<_>>(),
            vec![(2, "邵秀英"), (3, "叶娟"), (4, "孙丽"), (7, "尹国庆")],
            "four households at their lines; empty rows skipped"
        );
        assert_eq!(rows[0].room, "401", "full-width room normalised");
        assert_eq!(
            rows[1].tags,
            vec![Tag::PartyMember, Tag::NeedsAttention],
            "quoted comma-joined tags"
        );
        assert_eq!(
            rows[2].tags,
            vec![Tag::LowIncome, Tag::ElderlyAlone],
            "低保；独居老人、 read"
        );
        assert_eq!(
            rows[2].phone.as_ref().map(Phone::as_str),
            Some("15106049698"),
            "+86 and hyphens removed"
        );
        assert_eq!(
            rows[3].tags,
            vec![Tag::LeftBehindChild, Tag::Migrant],
            "a line break inside a quoted cell separates tags"
        );
    }

    #[test]
    fn inline_gbk_messy_file_matches_utf8() {
        let text = format!(
            " {HEADER} \r\n\u{3000}平桥社区\u{3000},平桥第1网格,水花都小区,８栋,1单元,４０１,邵秀英,５２２７０１１９５９０２２２１９８x,,独居老人、低保\r\n,,,,,,,,,\r\n"
        );
        let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
        assert!(!unmappable, "the messy text is representable in GBK");
        assert_eq!(
            decode(&gbk).map(|(_, e)| e),
            Ok(Encoding::Gbk),
            "GBK bytes are detected"
        );
        let from_gbk = parse(&gbk, today()).expect("GBK messy file imports");
        assert_eq!(from_gbk, ok(&text), "GBK and UTF-8 give identical rows");
        assert_eq!(
            from_gbk[0].tags,
            vec![Tag::ElderlyAlone, Tag::LowIncome],
            "GBK tags read"
        );
    }

    #[test]
    fn display_puts_chinese_first_then_english() {
        let e = ImportError {
            line: 5,
            column: "身份证号".to_owned(),
            message: text!("校验位错误", "check digit is wrong"),
        };
        assert_eq!(
            e.to_string(),
            "第 5 行，身份证号：校验位错误 (line 5, column 身份证号: check digit is wrong)",
            "display layout"
        );
        let e = ImportError {
            line: 1,
            column: String::new(),
            message: text!("文件为空", "empty file"),
        };
        assert_eq!(
            e.to_string(),
            "第 1 行：文件为空 (line 1: empty file)",
            "no column for file-level errors"
        );
        let text = format!(
            "{HEADER}\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,522701198706182383,,\n"
        );
        let shown = errs(&text)[0].to_string();
        assert!(
            shown.starts_with("第 2 行，身份证号：校验位错误：应为")
                && shown.contains(
                    "；请核对身份证号最后一位 (line 2, column 身份证号: check digit is wrong"
                ),
            "a real error displays Chinese then English: {shown}"
        );
    }
}

//! CSV as Excel and WPS save it: the bytes decoded (UTF-8 with or without a
//! byte-order mark, or GBK) and split into records that remember the line
//! each starts on, so errors point where the clerk looks.

use super::{is_blank_char, Cell, Encoding, ImportError, Record};
use gridline_model::Text;

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

/// A quoted cell still open at the end of the file.
#[derive(Debug)]
pub(super) struct Unclosed {
    pub(super) line: usize,
    pub(super) cell: usize,
}

/// Splits CSV text into records: comma-separated, cells optionally in double
/// quotes (inside which commas, line ends and doubled quotes `""` are text),
/// rows ended by CRLF, LF or a lone CR. Leniently, a quote opens a quoted cell
/// even after leading spaces, and a quote inside an unquoted cell is text.
pub(super) fn split_records(text: &str) -> (Vec<Record>, Option<Unclosed>) {
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
                    cells: std::mem::take(&mut cells)
                        .into_iter()
                        .map(Cell::text)
                        .collect(),
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
            cells: cells.into_iter().map(Cell::text).collect(),
        });
    }
    (records, None)
}

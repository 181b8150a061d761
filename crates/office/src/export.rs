//! Ledgers and reports as offices open them: a real `.xlsx` (Chinese sheet
//! names, a frozen header row, column widths, dates as dates, native charts)
//! and a CSV twin of each sheet for scripts.
//!
//! A [`Book`] is plain data: sheets of typed [`Cell`]s. The ledgers and the
//! monthly report are built as books by the modules beside this one
//! ([`crate::ledger`], [`crate::monthly`]), so what is written and what a
//! test reads back are the same numbers, whichever file format carries them.

use chrono::{NaiveDate, NaiveDateTime};
use rust_xlsxwriter::{Chart, ChartType, Format, FormatAlign, Workbook, XlsxError};

/// One cell's value, typed, so Excel sorts and sums it as what it is.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Int(i64),
    Number(f64),
    /// A share, 0.0–1.0, shown as a percentage.
    Percent(f64),
    Date(NaiveDate),
    /// A local (Beijing) date and time, to the minute.
    Time(NaiveDateTime),
    /// A figure that has no value here (a rate with nothing to divide by):
    /// "—" in the sheet, empty in the CSV.
    NotApplicable,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// `Empty` for `None`, so an absent value is an empty cell, not "None".
    pub fn opt_text(s: Option<impl Into<String>>) -> Cell {
        s.map_or(Cell::Empty, |s| Cell::Text(s.into()))
    }

    pub fn opt_time(t: Option<NaiveDateTime>) -> Cell {
        t.map_or(Cell::Empty, Cell::Time)
    }

    /// The value as a CSV field shows it (dates ISO 8601, shares as
    /// fractions with four places, so a script reads them back exactly).
    pub fn csv(&self) -> String {
        match self {
            Cell::Empty | Cell::NotApplicable => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Number(x) => format_number(*x),
            Cell::Percent(x) => format!("{x:.4}"),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::Time(t) => t.format("%Y-%m-%d %H:%M").to_string(),
        }
    }
}

fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}

/// A column: its header and its width in characters (a Chinese character is
/// about two).
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub header: String,
    pub width: f64,
}

impl Column {
    pub fn new(header: impl Into<String>, width: f64) -> Column {
        Column {
            header: header.into(),
            width,
        }
    }
}

/// A native Excel chart of one sheet's rows: the categories in one column,
/// one series per value column, all from the first data row to the last.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSpec {
    pub title: String,
    pub categories: u16,
    pub values: Vec<u16>,
    /// At most this many data rows are charted (the first ones).
    pub max_rows: usize,
}

/// One sheet: a header row (frozen), then rows of cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// At most 31 characters, none of `[]:*?/\`: Excel's rule.
    pub name: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    pub charts: Vec<ChartSpec>,
}

impl Sheet {
    pub fn new(name: impl Into<String>, columns: Vec<Column>) -> Sheet {
        Sheet {
            name: name.into(),
            columns,
            rows: Vec::new(),
            charts: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len(), "a row of {}", self.name);
        self.rows.push(row);
    }

    /// The sheet as CSV: UTF-8 with a byte-order mark (so Excel and WPS
    /// open it as UTF-8, not GBK), CRLF line ends, fields quoted where they
    /// hold a comma, a quote or a line break.
    pub fn csv(&self) -> Vec<u8> {
        let mut out = String::from("\u{feff}");
        let header: Vec<String> = self.columns.iter().map(|c| c.header.clone()).collect();
        write_csv_row(&mut out, &header);
        for row in &self.rows {
            let fields: Vec<String> = row.iter().map(Cell::csv).collect();
            write_csv_row(&mut out, &fields);
        }
        out.into_bytes()
    }

    /// The cell at a row (zero-based, data rows only) and a column named by
    /// its header; for tests and for the CLI's summary lines.
    pub fn cell(&self, row: usize, header: &str) -> Option<&Cell> {
        let col = self.columns.iter().position(|c| c.header == header)?;
        self.rows.get(row)?.get(col)
    }
}

fn write_csv_row(out: &mut String, fields: &[String]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if f.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&f.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(f);
        }
    }
    out.push_str("\r\n");
}

/// A workbook: its sheets, in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Book {
    pub sheets: Vec<Sheet>,
}

impl Book {
    pub fn sheet(&self, name: &str) -> Option<&Sheet> {
        self.sheets.iter().find(|s| s.name == name)
    }

    /// The book as `.xlsx` bytes.
    pub fn xlsx(&self) -> Result<Vec<u8>, ExportError> {
        let mut wb = Workbook::new();
        let header = Format::new()
            .set_bold()
            .set_background_color("#DDEBF7")
            .set_border_bottom(rust_xlsxwriter::FormatBorder::Thin)
            .set_align(FormatAlign::Center);
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let time = Format::new().set_num_format("yyyy-mm-dd hh:mm");
        let percent = Format::new().set_num_format("0.0%");
        let number = Format::new().set_num_format("0.0");
        let dash = Format::new().set_align(FormatAlign::Right);
        for sheet in &self.sheets {
            let ws = wb.add_worksheet();
            ws.set_name(&sheet.name)?;
            for (c, col) in sheet.columns.iter().enumerate() {
                let c = c as u16;
                ws.set_column_width(c, col.width)?;
                ws.write_string_with_format(0, c, &col.header, &header)?;
            }
            ws.set_freeze_panes(1, 0)?;
            // Printed (or turned into a PDF) as offices file it: landscape,
            // one page wide, the header row on every page.
            ws.set_landscape();
            ws.set_print_fit_to_pages(1, 0);
            ws.set_repeat_rows(0, 0)?;
            for (r, row) in sheet.rows.iter().enumerate() {
                let r = r as u32 + 1;
                for (c, cell) in row.iter().enumerate() {
                    let c = c as u16;
                    match cell {
                        Cell::Empty => {}
                        Cell::NotApplicable => {
                            ws.write_string_with_format(r, c, "—", &dash)?;
                        }
                        Cell::Text(s) => {
                            ws.write_string(r, c, s)?;
                        }
                        Cell::Int(n) => {
                            ws.write_number(r, c, *n as f64)?;
                        }
                        Cell::Number(x) => {
                            ws.write_number_with_format(r, c, *x, &number)?;
                        }
                        Cell::Percent(x) => {
                            ws.write_number_with_format(r, c, *x, &percent)?;
                        }
                        Cell::Date(d) => {
                            ws.write_date_with_format(r, c, d, &date)?;
                        }
                        Cell::Time(t) => {
                            ws.write_datetime_with_format(r, c, t, &time)?;
                        }
                    }
                }
            }
            if !sheet.rows.is_empty() && !sheet.columns.is_empty() {
                ws.autofilter(
                    0,
                    0,
                    sheet.rows.len() as u32,
                    sheet.columns.len() as u16 - 1,
                )?;
            }
            // Charts go below the table, one under the other.
            let mut chart_row = sheet.rows.len() as u32 + 2;
            for spec in &sheet.charts {
                let n = sheet.rows.len().min(spec.max_rows);
                if n == 0 {
                    continue;
                }
                let last = n as u32;
                let mut chart = Chart::new(ChartType::Bar);
                chart.title().set_name(&spec.title);
                for &v in &spec.values {
                    let name = sheet.columns[v as usize].header.clone();
                    chart
                        .add_series()
                        .set_name(&name)
                        .set_categories((
                            sheet.name.as_str(),
                            1,
                            spec.categories,
                            last,
                            spec.categories,
                        ))
                        .set_values((sheet.name.as_str(), 1, v, last, v));
                }
                // Categories read top to bottom, as in the table beside it.
                chart.y_axis().set_reverse();
                let height = ((n as u32) * 22 + 120).clamp(260, 900);
                chart.set_width(640).set_height(height);
                ws.insert_chart(chart_row, 0, &chart)?;
                chart_row += height / 20 + 2;
            }
        }
        Ok(wb.save_to_buffer()?)
    }
}

/// Writing a workbook failed (a sheet name Excel refuses, say): a bug in
/// the book's builder, not the user's input.
#[derive(Debug, thiserror::Error)]
#[error("could not write the workbook: {0}")]
pub struct ExportError(#[from] XlsxError);

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Book {
        let mut s = Sheet::new(
            "住户台账",
            vec![
                Column::new("户主姓名", 10.0),
                Column::new("人数", 6.0),
                Column::new("登记日期", 12.0),
                Column::new("备注", 20.0),
            ],
        );
        s.push(vec![
            Cell::text("张伟"),
            Cell::Int(3),
            Cell::Date(NaiveDate::from_ymd_opt(2026, 11, 3).unwrap()),
            Cell::text("楼道, \"东侧\"\n二层"),
        ]);
        s.push(vec![
            Cell::text("李娜"),
            Cell::Int(1),
            Cell::Empty,
            Cell::Empty,
        ]);
        s.charts.push(ChartSpec {
            title: "人数".into(),
            categories: 0,
            values: vec![1],
            max_rows: 20,
        });
        Book { sheets: vec![s] }
    }

    #[test]
    fn csv_has_a_bom_crlf_and_quotes_what_needs_quoting() {
        let csv = String::from_utf8(sample().sheets[0].csv()).unwrap();
        assert!(csv.starts_with("\u{feff}户主姓名,人数,登记日期,备注\r\n"));
        assert!(csv.contains("张伟,3,2026-11-03,\"楼道, \"\"东侧\"\"\n二层\"\r\n"));
        assert!(csv.ends_with("李娜,1,,\r\n"));
    }

    #[test]
    fn xlsx_reads_back_with_the_sheet_name_text_numbers_and_dates() {
        use calamine::{Data, Reader, Xlsx};
        let bytes = sample().xlsx().unwrap();
        let mut wb = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(wb.sheet_names(), vec!["住户台账".to_string()]);
        let range = wb.worksheet_range("住户台账").unwrap();
        assert_eq!(range.get((0, 0)), Some(&Data::String("户主姓名".into())));
        assert_eq!(range.get((1, 1)), Some(&Data::Float(3.0)));
        // A date is a date serial with a date format, not text.
        match range.get((1, 2)) {
            Some(Data::DateTime(d)) => {
                let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
                let day = NaiveDate::from_ymd_opt(2026, 11, 3).unwrap();
                assert_eq!(d.as_f64(), (day - epoch).num_days() as f64);
            }
            other => panic!("not a date: {other:?}"),
        }
        assert_eq!(range.get((2, 0)), Some(&Data::String("李娜".into())));
    }

    #[test]
    fn a_sheet_name_excel_refuses_is_an_error_not_a_broken_file() {
        let mut b = sample();
        b.sheets[0].name = "a/b".into();
        assert!(b.xlsx().is_err());
    }
}

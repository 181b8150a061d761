//! The office's spreadsheets from the app (导出): the monthly report, the
//! issue, household and wish ledgers, written as `.xlsx` into the user's
//! Downloads folder (or `GRIDLINE_EXPORT_DIR`, as the e2e tests set it),
//! and the path said back, so the clerk can open it in WPS or Excel.

use std::path::PathBuf;

use gridline_device::export::{save_book, Format};
use gridline_device::{ExportScope, RosterOptions};
use tauri::State;

use crate::dto;
use crate::state::{now, with, AppState, Res};

/// Where the files go: `GRIDLINE_EXPORT_DIR`, else Downloads, else the
/// data directory's `exports/`.
fn export_dir(s: &AppState) -> PathBuf {
    std::env::var_os("GRIDLINE_EXPORT_DIR")
        .map(PathBuf::from)
        .or_else(dirs::download_dir)
        .unwrap_or_else(|| s.dir.join("exports"))
}

/// `what`: `monthly` (with `month` as YYYY-MM), `issues`, `roster` (ID
/// numbers masked: a reveal for an export is the CLI's, with a reason) or
/// `wishes`.
#[tauri::command]
pub async fn export_office(
    s: State<'_, AppState>,
    what: String,
    month: Option<String>,
) -> Res<dto::Exported> {
    let dir = export_dir(&s);
    let today = now()
        .with_timezone(&gridline_model::beijing())
        .format("%Y-%m-%d")
        .to_string();
    let scope = ExportScope::default();
    with(&s, move |d| {
        let (book, rows, stem) = match what.as_str() {
            "monthly" => {
                let (y, m) = parse_month(month.as_deref())?;
                let (figures, book) = d.monthly_report(&scope, y, m)?;
                (
                    book,
                    figures.total.reported as usize,
                    format!("月报-{y}-{m:02}"),
                )
            }
            "issues" => {
                let book = d.export_issue_ledger(&scope, None, None, now())?;
                let n = book.sheets[0].rows.len();
                (book, n, format!("事件台账-{today}"))
            }
            "roster" => {
                let r = d.export_roster(&RosterOptions::default(), now())?;
                (r.book, r.households, format!("住户台账-{today}"))
            }
            "wishes" => {
                let book = d.export_wish_ledger(&scope, None, None)?;
                let n = book.sheets[0].rows.len();
                (book, n, format!("心愿台账-{today}"))
            }
            other => {
                return Err(gridline_model::Invalid::new(
                    "what",
                    gridline_model::text!(
                        "没有“{other}”这种导出",
                        "there is no export \"{other}\""
                    ),
                    gridline_model::text!(
                        "可导出：月报、事件台账、住户台账、心愿台账",
                        "exports: monthly, issues, roster, wishes"
                    ),
                )
                .into())
            }
        };
        std::fs::create_dir_all(&dir).map_err(|source| gridline_device::Error::Io {
            context: format!("creating {}", dir.display()),
            source,
        })?;
        let path = dir.join(format!("{stem}.xlsx"));
        save_book(&book, &path, Format::Xlsx)?;
        Ok(dto::Exported {
            path: path.display().to_string(),
            rows: rows as u32,
        })
    })
    .await
}

fn parse_month(s: Option<&str>) -> gridline_device::Result<(i32, u32)> {
    let bad = || -> gridline_device::Error {
        gridline_model::Invalid::new(
            "month",
            gridline_model::text!("月份写作 YYYY-MM", "write the month as YYYY-MM"),
            gridline_model::text!("请选择一个月份", "choose a month"),
        )
        .into()
    };
    let (y, m) = s.and_then(|s| s.split_once('-')).ok_or_else(bad)?;
    match (y.parse(), m.parse()) {
        (Ok(y), Ok(m)) if (1..=12).contains(&m) => Ok((y, m)),
        _ => Err(bad()),
    }
}

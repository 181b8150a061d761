//! Importing a community office's roster from the app: the clerk picks a
//! file (its bytes come once, as the raw IPC body, and are kept in memory),
//! sees a preview with every bad row named by line and column, may choose
//! another sheet, then imports with a progress bar (`import-progress`
//! events). The import is the device's: whole or nothing, and a second
//! import of the same file creates nobody twice.

use gridline_device::office::import::Format;
use gridline_device::ImportOutcome;
use tauri::ipc::{InvokeBody, Request};
use tauri::State;

use crate::dto;
use crate::state::{app_error, now, with, AppState, Res};

/// Rows of the preview shown to recognise the file.
const FIRST_ROWS: usize = 20;

fn view(o: ImportOutcome) -> dto::ImportPreview {
    dto::ImportPreview {
        format: o.format.map(|f| {
            match f {
                Format::Csv(_) => "csv",
                Format::Xlsx => "xlsx",
                Format::Xls => "xls",
                Format::Ods => "ods",
            }
            .to_owned()
        }),
        sheets: o.sheets,
        sheet: o.sheet,
        to_create: o.to_create.len() as u32,
        matched: o.matched.len() as u32,
        first: o
            .to_create
            .iter()
            .take(FIRST_ROWS)
            .map(|l| dto::ImportRowView {
                line: l.line as u32,
                grid: l.grid.as_str().to_owned(),
                address: l.address.clone(),
                head_name: l.head_name.clone(),
            })
            .collect(),
        errors: o
            .errors
            .into_iter()
            .map(|e| dto::ImportProblem {
                line: e.line as u32,
                column: e.column,
                message: e.message.into(),
            })
            .collect(),
        saved: o.saved,
    }
}

fn staged(s: &AppState) -> Res<Vec<u8>> {
    s.staged_import
        .lock()
        .expect("staged import")
        .clone()
        .ok_or_else(|| {
            app_error(
                "invalid",
                gridline_model::text!(
                    "没有选好的台账文件；请重新选择文件",
                    "no roster file is picked; choose the file again"
                ),
            )
        })
}

/// Keeps the picked file and answers its preview (the first sheet with a header).
#[tauri::command]
pub async fn stage_import(s: State<'_, AppState>, request: Request<'_>) -> Res<dto::ImportPreview> {
    let bytes = match request.body() {
        InvokeBody::Raw(b) => b.clone(),
        InvokeBody::Json(v) => serde_json::from_value(v.clone()).map_err(|_| {
            app_error(
                "invalid",
                gridline_model::text!(
                    "没有收到文件的内容；请重新选择文件",
                    "the file's bytes did not arrive; choose the file again"
                ),
            )
        })?,
    };
    *s.staged_import.lock().expect("staged import") = Some(bytes.clone());
    with(&s, move |d| {
        Ok(view(d.import_households(&bytes, None, true, now())?))
    })
    .await
}

/// The preview again, of another sheet.
#[tauri::command]
pub async fn preview_import(
    s: State<'_, AppState>,
    sheet: Option<String>,
) -> Res<dto::ImportPreview> {
    let bytes = staged(&s)?;
    with(&s, move |d| {
        Ok(view(d.import_households(
            &bytes,
            sheet.as_deref(),
            true,
            now(),
        )?))
    })
    .await
}

/// Imports the picked file's sheet, sending progress as rows are built;
/// the file is let go once its households are saved.
#[tauri::command]
pub async fn run_import(s: State<'_, AppState>, sheet: Option<String>) -> Res<dto::ImportPreview> {
    let bytes = staged(&s)?;
    let state: &AppState = &s;
    let emit = |done: usize, total: usize| {
        // A few hundred events at most, whatever the file's size.
        let step = (total / 200).max(1);
        if done.is_multiple_of(step) || done == total {
            if let Some(f) = state.import_emitter.get() {
                f(done as u32, total as u32)
            }
        }
    };
    let out = with(state, |d| {
        let mut emit = emit;
        d.import_households_with_progress(&bytes, sheet.as_deref(), false, now(), &mut emit)
    })
    .await?;
    if out.saved {
        *state.staged_import.lock().expect("staged import") = None;
    }
    Ok(view(out))
}

fn side(x: gridline_device::DuplicateSide) -> dto::DuplicateSideView {
    dto::DuplicateSideView {
        id: x.id.to_string(),
        grid: x.grid.as_str().to_owned(),
        address: x.address,
        head_name: x.head_name,
    }
}

/// 疑似重复人员: residents who are likely one person entered twice, among
/// the households this user may read.
#[tauri::command]
pub async fn duplicate_residents(s: State<'_, AppState>) -> Res<Vec<dto::DuplicateResidentView>> {
    let resident = |x: gridline_device::ResidentSide| dto::ResidentSideView {
        id: x.id.to_string(),
        name: x.name,
        household: side(x.household),
    };
    with(&s, |d| {
        Ok(d.duplicates()?
            .residents
            .into_iter()
            .map(|p| dto::DuplicateResidentView {
                reasons: p.reasons.iter().map(|r| r.key().to_owned()).collect(),
                a: resident(p.a),
                b: resident(p.b),
            })
            .collect())
    })
    .await
}

/// 疑似重复: the likely duplicate households among those this user may read.
#[tauri::command]
pub async fn duplicate_households(s: State<'_, AppState>) -> Res<Vec<dto::DuplicatePairView>> {
    with(&s, |d| {
        Ok(d.duplicate_households()?
            .into_iter()
            .map(|p| dto::DuplicatePairView {
                reasons: p.reasons.iter().map(|r| r.key().to_owned()).collect(),
                a: side(p.a),
                b: side(p.b),
            })
            .collect())
    })
    .await
}

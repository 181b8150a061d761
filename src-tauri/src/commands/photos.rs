//! Photos (DESIGN §9): taking one, showing a record's photos with where each
//! stands, opening one (downloading it on demand), and the queue's counts.
//!
//! The picked file's bytes come as the raw IPC body (`invoke('take_photo',
//! bytes)`), not as JSON numbers; the JPEGs go back as `data:` URLs, which an
//! `<img>` shows as they are.

use tauri::ipc::{InvokeBody, Request};
use tauri::State;

use crate::convert;
use crate::dto;
use crate::state::{app_error, now, with, AppState, Res};

/// Re-encodes the photo (orientation, ≤ 1600 px, JPEG, no EXIF) and keeps it
/// and its thumbnail durably before answering, so a form that holds the
/// hash holds a photo that survives the app being killed.
#[tauri::command]
pub async fn take_photo(s: State<'_, AppState>, request: Request<'_>) -> Res<dto::TakenPhoto> {
    let bytes = body_bytes(request.body())?;
    let taken = with(&s, |d| off_the_workers(|| d.take_photo(&bytes, now()))).await?;
    Ok(convert::taken_photo(taken))
}

/// A raw body on desktop and iOS; Android's IPC carries it as JSON numbers.
fn body_bytes(body: &InvokeBody) -> Res<Vec<u8>> {
    match body {
        InvokeBody::Raw(b) => Ok(b.clone()),
        InvokeBody::Json(v) => serde_json::from_value(v.clone()).map_err(|_| {
            app_error(
                "invalid",
                gridline_model::text!(
                    "没有收到照片的内容；请重新选取照片",
                    "the photo's bytes did not arrive; choose the photo again"
                ),
            )
        }),
    }
}

/// Re-encoding takes a few hundred milliseconds of CPU: on the multi-thread
/// runtime the worker hands its other tasks on while it runs (the device
/// stays locked for the store insert, which is what it needs anyway).
fn off_the_workers<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}

/// The photos on one record, in the order they were added, with their state.
#[tauri::command]
pub async fn photos_of(s: State<'_, AppState>, record: String) -> Res<Vec<dto::PhotoItem>> {
    with(&s, |d| {
        Ok(d.photos_of(&record)?
            .into_iter()
            .map(convert::photo_item)
            .collect())
    })
    .await
}

/// A thumbnail as a `data:` URL. The queue fetches the thumbnails of
/// records held here; one it has not reached yet is fetched now, and while
/// offline there is none (absent).
#[tauri::command]
pub async fn photo_thumb(s: State<'_, AppState>, hash: String) -> Res<Option<String>> {
    match fetch(&s, &hash).await {
        Ok(b) => Ok(Some(data_url(&b))),
        Err(e) if e.code == "offline" => Ok(None),
        Err(e) => Err(e),
    }
}

/// The full photo as a `data:` URL, downloaded now if it is not here. The
/// device is held only to read and to keep the file, never while the bytes
/// travel, so other screens go on while a large photo comes.
#[tauri::command]
pub async fn photo_full(s: State<'_, AppState>, hash: String) -> Res<String> {
    fetch(&s, &hash).await.map(|b| data_url(&b))
}

/// A blob from disk, or downloaded and kept; `offline` (in the viewer's
/// words) when it is neither.
async fn fetch(s: &AppState, hash: &str) -> Res<Vec<u8>> {
    if let Some(b) = with(s, |d| d.photo_bytes(hash, now())).await? {
        return Ok(b);
    }
    let link = with(s, |d| d.photo_link()).await?;
    let fetched = async {
        let http = link.client()?;
        gridline_device::photo::download(&http, &link, hash).await
    }
    .await;
    let bytes = match fetched {
        Ok(b) => b,
        Err(e) if e.code() == "offline" => return Err(not_downloaded()),
        Err(e) => return Err(e.into()),
    };
    with(s, |d| d.keep_downloaded(hash, &bytes, now())).await?;
    Ok(bytes)
}

/// What the photo viewer shows beside the thumbnail while offline.
fn not_downloaded() -> dto::AppError {
    app_error(
        "offline",
        gridline_model::text!(
            "未下载，联网后可查看原图",
            "not downloaded; the full photo can be viewed once online"
        ),
    )
}

/// Sends a failed (or waiting) photo again at once.
#[tauri::command]
pub async fn retry_photo(s: State<'_, AppState>, hash: String) -> Res<bool> {
    let again = with(&s, |d| d.retry_photo(&hash)).await?;
    s.kick();
    Ok(again)
}

#[tauri::command]
pub async fn photo_queue(s: State<'_, AppState>) -> Res<dto::PhotoQueue> {
    with(&s, |d| convert::photo_queue(d)).await
}

/// `data:image/jpeg;base64,…`: every photo the device keeps is a JPEG.
fn data_url(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(23 + bytes.len().div_ceil(3) * 4);
    out.push_str("data:image/jpeg;base64,");
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ABC[(n >> shift & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_urls_are_standard_base64() {
        for (bytes, b64) in [
            (&b""[..], ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg=="),
            (b"\xff\xd8\xff", "/9j/"),
        ] {
            assert_eq!(
                data_url(bytes),
                format!("data:image/jpeg;base64,{b64}"),
                "an <img> decodes exactly the RFC 4648 alphabet with padding"
            );
        }
    }

    #[test]
    fn a_json_body_of_numbers_is_the_same_bytes() {
        let raw = body_bytes(&InvokeBody::Raw(vec![1, 2, 255])).unwrap();
        let json = body_bytes(&InvokeBody::Json(serde_json::json!([1, 2, 255]))).unwrap();
        assert_eq!(raw, json, "Android's IPC sends the bytes as numbers");
        assert!(
            body_bytes(&InvokeBody::Json(serde_json::json!({"x": 1}))).is_err(),
            "anything else is no photo"
        );
    }
}

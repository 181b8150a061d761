//! The photo endpoints (DESIGN §9, `docs/sync-protocol.md` "Photos"):
//! where an upload stands, one piece of it, and a whole photo.

use std::sync::atomic::Ordering;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use gridline_model::text;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{bearer, error_response, internal, ErrorBody, Shared};
use crate::blobs::BlobStatus;
use crate::Error;

/// Where an upload stands, as this device may know it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(super) struct BlobStatusSchema {
    /// Bytes the hub holds of this device's upload: send the rest from here.
    #[schema(example = 262144)]
    held: u64,
    /// The hub holds the photo whole, its hash checked: nothing more to send.
    complete: bool,
}

/// A piece's place in the upload.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct PieceAt {
    /// Where this piece starts: what the hub said it holds.
    offset: u64,
    /// The photo's whole size in bytes.
    total: u64,
}

/// A blob's answer in JSON, or the error's, with `Upload-Offset` on a 409.
fn answer(res: Result<Result<BlobStatus, Error>, tokio::task::JoinError>) -> Response {
    match res {
        Ok(Ok(st)) => Json(st).into_response(),
        Ok(Err(e)) => blob_error(&e),
        Err(_) => internal(text!("枢纽内部出错", "the hub failed inside: panicked")),
    }
}

fn blob_error(e: &Error) -> Response {
    let (status, code) = match e {
        Error::BlobTooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
        Error::BlobOffset { .. } => (StatusCode::CONFLICT, "offset"),
        Error::BlobHashMismatch { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "hash_mismatch"),
        Error::NoSuchBlob => (StatusCode::NOT_FOUND, "not_found"),
        _ => return error_response(e),
    };
    let mut resp = (status, ErrorBody::new(code, e.text())).into_response();
    if let Error::BlobOffset { held } = e {
        resp.headers_mut()
            .insert("upload-offset", HeaderValue::from(*held));
    }
    resp
}

#[utoipa::path(
    get,
    path = "/v1/blobs/{hash}/upload",
    tag = "photos",
    params(("hash" = String, Path, description = "the photo's SHA-256, 64 lowercase hex digits")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "where this device's upload stands", body = BlobStatusSchema),
        (status = 401, description = "no bearer token, or an unknown one", body = ErrorBody),
        (status = 403, description = "the device was revoked", body = ErrorBody),
        (status = 404, description = "not a SHA-256 (`code`: `not_found`)", body = ErrorBody),
        (status = 500, description = "the hub's store failed", body = ErrorBody),
    )
)]
pub(super) async fn upload_status(
    State(s): State<Shared>,
    Path(hash): Path<String>,
    headers: HeaderMap,
) -> Response {
    s.metrics.requests.fetch_add(1, Ordering::Relaxed);
    let Some(token) = bearer(&headers) else {
        return error_response(&Error::Unauthorised);
    };
    let state = s.clone();
    answer(tokio::task::spawn_blocking(move || state.hub.blob_status(&token, &hash)).await)
}

#[utoipa::path(
    put,
    path = "/v1/blobs/{hash}/upload",
    tag = "photos",
    params(("hash" = String, Path, description = "the photo's SHA-256, 64 lowercase hex digits"), PieceAt),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the photo's bytes from `offset`, at most 1 MiB"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the piece is durable; `complete` once the last byte landed and the hash checked", body = BlobStatusSchema),
        (status = 400, description = "the piece runs past `total`, or the query is missing", body = ErrorBody),
        (status = 401, description = "no bearer token, or an unknown one", body = ErrorBody),
        (status = 403, description = "the device was revoked", body = ErrorBody),
        (status = 404, description = "not a SHA-256 (`code`: `not_found`)", body = ErrorBody),
        (status = 409, description = "`offset` is not what the hub holds (`code`: `offset`): go on from `Upload-Offset`", body = ErrorBody,
            headers(("Upload-Offset" = u64, description = "bytes the hub holds of this upload"))),
        (status = 413, description = "`total` is over the hub's photo limit (`code`: `too_large`), or the piece over 1 MiB: nothing is stored; the photo is marked failed", body = ErrorBody),
        (status = 415, description = "the body is not `application/octet-stream`", body = ErrorBody),
        (status = 422, description = "the whole upload does not hash to its name (`code`: `hash_mismatch`): discarded, send it again from 0", body = ErrorBody),
        (status = 500, description = "the hub's store failed", body = ErrorBody),
    )
)]
pub(super) async fn upload_piece(
    State(s): State<Shared>,
    Path(hash): Path<String>,
    Query(at): Query<PieceAt>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    s.metrics.requests.fetch_add(1, Ordering::Relaxed);
    s.metrics
        .bytes_in
        .fetch_add(body.len() as u64, Ordering::Relaxed);
    let Some(token) = bearer(&headers) else {
        return error_response(&Error::Unauthorised);
    };
    if !super::content_type_is(&headers, "application/octet-stream") {
        return super::wrong_content_type("application/octet-stream");
    }
    let state = s.clone();
    answer(
        tokio::task::spawn_blocking(move || {
            state.hub.put_blob_piece(
                &token,
                &hash,
                at.offset,
                at.total,
                &body,
                chrono::Utc::now(),
            )
        })
        .await,
    )
}

#[utoipa::path(
    get,
    path = "/v1/blobs/{hash}",
    tag = "photos",
    params(("hash" = String, Path, description = "the photo's SHA-256, 64 lowercase hex digits")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the photo, whole", body = Vec<u8>, content_type = "image/jpeg"),
        (status = 401, description = "no bearer token, or an unknown one", body = ErrorBody),
        (status = 403, description = "the device was revoked", body = ErrorBody),
        (status = 404, description = "no photo by this hash that this device may fetch (`code`: `not_found`): the same answer whether it does not exist or belongs to records outside the device's scope", body = ErrorBody),
        (status = 500, description = "the hub's store failed", body = ErrorBody),
    )
)]
pub(super) async fn fetch(
    State(s): State<Shared>,
    Path(hash): Path<String>,
    headers: HeaderMap,
) -> Response {
    s.metrics.requests.fetch_add(1, Ordering::Relaxed);
    let Some(token) = bearer(&headers) else {
        return error_response(&Error::Unauthorised);
    };
    let state = s.clone();
    match tokio::task::spawn_blocking(move || state.hub.blob(&token, &hash)).await {
        Ok(Ok(bytes)) => {
            s.metrics
                .bytes_out
                .fetch_add(bytes.len() as u64, Ordering::Relaxed);
            (
                [
                    (header::CONTENT_TYPE, "image/jpeg"),
                    (
                        header::CACHE_CONTROL,
                        "private, max-age=31536000, immutable",
                    ),
                ],
                bytes,
            )
                .into_response()
        }
        Ok(Err(e)) => blob_error(&e),
        Err(_) => internal(text!("枢纽内部出错", "the hub failed inside: panicked")),
    }
}

//! The hub over HTTP (axum): `/health`, `/metrics`, `/v1/enroll` (JSON) and
//! `/v1/sync` (CBOR, bearer token). [`run`] takes a bound listener,
//! [`Options`] and a shutdown future; tests bind `127.0.0.1:0`.
//!
//! Enrolment limits count by the client's address: the TCP peer or, behind a
//! load balancer listed in [`Options::trusted_proxies`], the address it
//! forwards (`source`).
//!
//! The OpenAPI document is generated from the handlers' `#[utoipa::path]`
//! attributes ([`openapi`]), served at `GET /openapi.json` and committed as
//! `docs/openapi.json` (a test fails when they differ). Every status a handler
//! can return is listed there: schemathesis checks it (`scripts/api-fuzz`).

mod blobs;
mod source;

use gridline_model::{text, Text};
use std::future::Future;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant as Clock;

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::router::UtoipaMethodRouterExt;
use utoipa_axum::routes;

use crate::{Error, Hub};

#[derive(Default)]
struct Metrics {
    requests: AtomicU64,
    sync_requests: AtomicU64,
    sync_micros: AtomicU64,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
    refusals: AtomicU64,
    errors: AtomicU64,
}

/// The largest `/v1/enroll` body: an `EnrollRequest` is a few hundred bytes.
pub const MAX_ENROL_BYTES: usize = 16 * 1024;

/// How the hub serves; `Options::default()` trusts no proxy.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Load balancers or reverse proxies in front of the hub, by the address
    /// they connect from (`hub serve --trusted-proxy IP`). Only a request
    /// from one of these has its `X-Forwarded-For` believed, and then its
    /// client is the right-most address there that is not a trusted proxy.
    pub trusted_proxies: Vec<IpAddr>,
}

struct AppState {
    hub: Hub,
    metrics: Metrics,
    /// [`Options::trusted_proxies`], IPv4-mapped IPv6 addresses as IPv4.
    trusted_proxies: Vec<IpAddr>,
}

impl AppState {
    fn new(hub: Hub, options: Options) -> Shared {
        Arc::new(AppState {
            hub,
            metrics: Metrics::default(),
            trusted_proxies: options
                .trusted_proxies
                .iter()
                .map(IpAddr::to_canonical)
                .collect(),
        })
    }
}

type Shared = Arc<AppState>;

/// Serves `hub` on `listener` until `shutdown` completes; requests in flight finish.
pub async fn run(
    listener: tokio::net::TcpListener,
    hub: Hub,
    options: Options,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(AppState::new(hub, options));
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<source::Peer>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Serves `hub` over TLS with the PEM certificate chain and private key given.
pub async fn run_tls(
    listener: tokio::net::TcpListener,
    hub: Hub,
    cert: &std::path::Path,
    key: &std::path::Path,
    options: Options,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let acceptor = tls_acceptor(cert, key)?;
    let app = router(AppState::new(hub, options));
    axum::serve(
        TlsListener {
            tcp: listener,
            acceptor,
        },
        app.into_make_service_with_connect_info::<source::Peer>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

fn tls_acceptor(
    cert: &std::path::Path,
    key: &std::path::Path,
) -> std::io::Result<tokio_rustls::TlsAcceptor> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let bad = |what: Text, e: &dyn std::fmt::Display| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{what}: {e}"))
    };
    let chain = CertificateDer::pem_file_iter(cert)
        .map_err(|e| {
            bad(
                text!(
                    "证书 {} 无法读取",
                    "cannot read certificate {}",
                    cert.display()
                ),
                &e,
            )
        })?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(text!("证书格式错误", "bad certificate PEM"), &e))?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
        bad(
            text!(
                "私钥 {} 无法读取",
                "cannot read private key {}",
                key.display()
            ),
            &e,
        )
    })?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| bad(Text::new("TLS", "TLS"), &e))?
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .map_err(|e| {
        bad(
            text!("证书与私钥不匹配", "certificate and key do not match"),
            &e,
        )
    })?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

/// Accepts TCP connections and completes the TLS handshake; a client that
/// fails or stalls its handshake is dropped without stopping the others.
struct TlsListener {
    tcp: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let (stream, addr) = match self.tcp.accept().await {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            };
            match tokio::time::timeout(
                std::time::Duration::from_secs(10),
                self.acceptor.accept(stream),
            )
            .await
            {
                Ok(Ok(tls)) => return (tls, addr),
                Ok(Err(e)) => tracing::debug!(%addr, error = %e, "TLS handshake failed"),
                Err(_) => tracing::debug!(%addr, "TLS handshake timed out"),
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Gridline street hub",
        description = "The hub's HTTP API. `/v1/enroll` and `/health` speak JSON; `/metrics` is Prometheus text; `/v1/sync` carries one CBOR `SyncRequest`/`SyncResponse` per round trip (docs/sync-protocol.md). Generated from crates/hub/src/server.rs."
    ),
    modifiers(&BearerToken),
    tags((name = "hub", description = "Enrolment, health and sync"))
)]
struct ApiDoc;

/// The `bearer` security scheme: the token `/v1/enroll` returned.
struct BearerToken;

impl utoipa::Modify for BearerToken {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("the token `/v1/enroll` returned"))
                    .build(),
            ),
        );
    }
}

fn api_router() -> OpenApiRouter<Shared> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health))
        .routes(routes!(metrics))
        // Its own, small body limit: the router's is for sync.
        .routes(routes!(enroll).layer(DefaultBodyLimit::max(MAX_ENROL_BYTES)))
        .routes(routes!(sync))
        .routes(routes!(wiped).layer(DefaultBodyLimit::max(MAX_ENROL_BYTES)))
        .routes(
            routes!(blobs::upload_status, blobs::upload_piece)
                .layer(DefaultBodyLimit::max(crate::blobs::MAX_PIECE_BYTES)),
        )
        .routes(routes!(blobs::fetch))
}

/// The hub's OpenAPI 3.1 document, as served at `GET /openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_router().into_openapi()
}

fn router(state: Shared) -> Router {
    let (router, api) = api_router().split_for_parts();
    let doc = Bytes::from(
        api.to_pretty_json()
            .expect("the OpenAPI document serialises"),
    );
    router
        .route(
            "/openapi.json",
            get(move || async move { ([(header::CONTENT_TYPE, "application/json")], doc) }),
        )
        .layer(DefaultBodyLimit::max(gridline_sync::MAX_REQUEST_BYTES))
        .with_state(state)
}

/// The hub is up and its store answers.
#[derive(Serialize, ToSchema)]
struct Health {
    /// Always `ok` (a failing store answers 503 instead).
    #[schema(value_type = String, example = "ok")]
    status: &'static str,
    /// Documents the hub holds.
    documents: u64,
    /// The hub's change counter: the cursor of its latest change.
    counter: u64,
    /// The hub's Automerge actor id, hex.
    hub_actor: String,
}

/// A CBOR message (docs/sync-protocol.md), not described field by field here.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
struct Cbor(Vec<u8>);

/// Prometheus text exposition format 0.0.4.
#[derive(ToSchema)]
#[schema(value_type = String)]
#[allow(dead_code)]
struct PrometheusText(String);

#[utoipa::path(
    get,
    path = "/health",
    tag = "hub",
    responses(
        (status = 200, description = "the hub serves and its store answers", body = Health),
        (status = 503, description = "the store does not answer", body = ErrorBody),
    )
)]

async fn health(State(s): State<Shared>) -> Response {
    s.metrics.requests.fetch_add(1, Ordering::Relaxed);
    let state = s.clone();
    let counts = move || Ok::<_, Error>((state.hub.document_count()?, state.hub.counter()?));
    match tokio::task::spawn_blocking(counts).await {
        Ok(Ok((documents, counter))) => Json(Health {
            status: "ok",
            documents,
            counter,
            hub_actor: s.hub.actor_hex(),
        })
        .into_response(),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorBody::new("internal", text!("枢纽的存储不可用", "store unavailable")),
        )
            .into_response(),
    }
}

#[utoipa::path(
    get,
    path = "/metrics",
    tag = "hub",
    responses(
        (status = 200, description = "counters since the hub started", body = PrometheusText, content_type = "text/plain"),
    )
)]
async fn metrics(State(s): State<Shared>) -> Response {
    let m = &s.metrics;
    let state = s.clone();
    let docs = tokio::task::spawn_blocking(move || state.hub.document_count())
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or(0);
    let text = format!(
        "# TYPE gridline_requests_total counter\ngridline_requests_total {}\n\
         # TYPE gridline_sync_requests_total counter\ngridline_sync_requests_total {}\n\
         # TYPE gridline_sync_seconds_sum counter\ngridline_sync_seconds_sum {:.6}\n\
         # TYPE gridline_bytes_in_total counter\ngridline_bytes_in_total {}\n\
         # TYPE gridline_bytes_out_total counter\ngridline_bytes_out_total {}\n\
         # TYPE gridline_refusals_total counter\ngridline_refusals_total {}\n\
         # TYPE gridline_errors_total counter\ngridline_errors_total {}\n\
         # TYPE gridline_documents gauge\ngridline_documents {}\n",
        m.requests.load(Ordering::Relaxed),
        m.sync_requests.load(Ordering::Relaxed),
        m.sync_micros.load(Ordering::Relaxed) as f64 / 1e6,
        m.bytes_in.load(Ordering::Relaxed),
        m.bytes_out.load(Ordering::Relaxed),
        m.refusals.load(Ordering::Relaxed),
        m.errors.load(Ordering::Relaxed),
        docs,
    );
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

pub use gridline_sync::{EnrollRequest, EnrollResponse};

/// Every refusal and failure in JSON.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// `invalid`, `unauthorised`, `revoked`, `too_many_attempts`, `throttled`,
    /// `busy`, `too_large`, `version` or `internal`. On `/v1/enroll` a body
    /// over 16 KiB is `too_large` (413); one of another content type (415),
    /// not JSON (400) or not an `EnrollRequest` (422) is `invalid`.
    #[schema(value_type = String, example = "invalid")]
    pub code: &'static str,
    /// What went wrong and what to do, both languages: `中文 (English)`.
    pub message: String,
    /// The same in Chinese only.
    pub zh: String,
    /// The same in English only.
    pub en: String,
}

impl ErrorBody {
    fn new(code: &'static str, t: Text) -> Json<ErrorBody> {
        Json(ErrorBody {
            code,
            message: t.in_lang(gridline_model::Lang::Both),
            zh: t.zh,
            en: t.en,
        })
    }
}

fn internal(message: Text) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        ErrorBody::new("internal", message),
    )
        .into_response()
}

fn error_response(e: &Error) -> Response {
    let (status, code) = match e {
        Error::Unauthorised | Error::BadCode => (StatusCode::UNAUTHORIZED, "unauthorised"),
        Error::Revoked => (StatusCode::FORBIDDEN, "revoked"),
        Error::TooManyAttempts { .. } => (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"),
        Error::Throttled { .. } => (StatusCode::TOO_MANY_REQUESTS, "throttled"),
        Error::Busy => (StatusCode::TOO_MANY_REQUESTS, "busy"),
        Error::Refused(_) => (StatusCode::CONFLICT, "refused"),
        Error::Wire(gridline_sync::WireError::Version { .. }) => {
            (StatusCode::BAD_REQUEST, "version")
        }
        Error::Wire(gridline_sync::WireError::OverBudget { .. }) => {
            (StatusCode::PAYLOAD_TOO_LARGE, "too_large")
        }
        e if e.is_user_error() => (StatusCode::BAD_REQUEST, "invalid"),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    };
    if status.is_server_error() {
        tracing::error!(error = %e, "request failed");
    }
    let mut resp = (status, ErrorBody::new(code, e.text())).into_response();
    let retry_after = match e {
        Error::TooManyAttempts {
            retry_after_secs, ..
        }
        | Error::Throttled { retry_after_secs } => Some(*retry_after_secs),
        Error::Busy => Some(1),
        _ => None,
    };
    if let Some(secs) = retry_after {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from(secs.max(1)));
    }
    resp
}

/// A 415 for a body that is not what the route speaks.
fn wrong_content_type(want: &str) -> Response {
    (
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorBody::new(
            "invalid",
            text!(
                "请求须为 Content-Type: {want}",
                "send the body as Content-Type: {want}"
            ),
        ),
    )
        .into_response()
}

/// Whether the request's Content-Type is `want` (parameters such as
/// `; charset=…` allowed, case ignored).
fn content_type_is(headers: &HeaderMap, want: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(want))
}

#[utoipa::path(
    post,
    path = "/v1/enroll",
    tag = "hub",
    request_body(content = EnrollRequest, content_type = "application/json", description = "one `EnrollRequest`, at most 16 KiB"),
    responses(
        (status = 200, description = "enrolled: the token and the binding", body = EnrollResponse),
        (status = 400, description = "`invalid`: a malformed code, refused without counting as a bad code (a code is 12 characters of ABCDEFGHJKLMNPQRSTUVWXYZ23456789 once case, spaces and dashes are ignored, e.g. ABCD-EFGH-JKLM); a body that is not JSON; a bad device id or actor; or the device or actor already enrolled", body = ErrorBody),
        (status = 401, description = "`unauthorised`: the code is wrong, used or expired, and counts as a bad code", body = ErrorBody),
        (status = 413, description = "`too_large`: the body is over 16 KiB", body = ErrorBody),
        (status = 415, description = "`invalid`: the Content-Type is not application/json", body = ErrorBody),
        (status = 422, description = "`invalid`: JSON, but not an `EnrollRequest` (a field missing or of the wrong type)", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`: bad codes are counted over 10 minutes. 5 bad codes in 10 minutes from one address lock that address (an IPv6 address counts as its /64). The same wrong code failing 5 times in 10 minutes is refused from every address. 1000 bad codes in 10 minutes from all addresses together lock enrolment for the whole hub, until they age out or an admin runs gridline hub enrol-unlock. While a lock holds even a right code is refused, and the refused request is not counted; the Retry-After header says when to try again. Behind a load balancer given to hub serve --trusted-proxy, the address is the right-most X-Forwarded-For entry that is not a trusted proxy.", body = ErrorBody,
            headers(("Retry-After" = i64, description = "seconds until fewer than the limit remain in the window: until the limit-th most recent bad code the lock counts is 10 minutes old, rounded up (the longest wait if several locks hold)"))),
        (status = 500, description = "the hub's store failed", body = ErrorBody),
    )
)]
async fn enroll(
    State(s): State<Shared>,
    ConnectInfo(peer): ConnectInfo<source::Peer>,
    headers: HeaderMap,
    body: Result<Json<EnrollRequest>, JsonRejection>,
) -> Response {
    s.metrics.requests.fetch_add(1, Ordering::Relaxed);
    let Json(req) = match body {
        Ok(b) => b,
        Err(e) => return enrol_rejection(&e),
    };
    let from = source::client_address(peer.0.ip(), &headers, &s.trusted_proxies);
    let state = s.clone();
    let res = tokio::task::spawn_blocking(move || {
        state.hub.enroll(
            &req.code,
            &req.device_id,
            &req.actor,
            from,
            chrono::Utc::now(),
        )
    })
    .await;
    match res {
        Ok(Ok(e)) => {
            tracing::info!(user = %e.user.id, role = %e.user.role, %from, "device enrolled");
            Json(EnrollResponse {
                token: e.token,
                user_id: e.user.id,
                user_name: e.user.name,
                role: e.user.role.key().into(),
                scope: e.user.scope.encode(),
                hub_actor: e.hub_actor,
                place_names: e.place_names,
            })
            .into_response()
        }
        Ok(Err(e)) => {
            match &e {
                Error::BadCode => tracing::info!(%from, "bad enrolment code"),
                Error::TooManyAttempts { lock, .. } => {
                    tracing::warn!(%from, ?lock, "enrolment locked")
                }
                _ => {}
            }
            error_response(&e)
        }
        Err(_) => internal(text!("枢纽内部出错", "the hub failed inside: panicked")),
    }
}

/// An `/v1/enroll` body axum could not read, with the rejection's own
/// status: 413 too large, 415 not JSON by its Content-Type, 400 not JSON,
/// 422 JSON but not an `EnrollRequest`.
fn enrol_rejection(e: &JsonRejection) -> Response {
    let status = e.status();
    let (code, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "too_large",
            text!(
                "请求体超过 {kib} KiB",
                "the request body is over {kib} KiB",
                kib = MAX_ENROL_BYTES / 1024
            ),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => return wrong_content_type("application/json"),
        _ => (
            "invalid",
            text!(
                "不是注册请求：{why}；请发送 JSON {{\"code\", \"device_id\", \"actor\"}}",
                "not an enrolment request: {why}; send JSON with code, device_id and actor",
                why = e.body_text()
            ),
        ),
    };
    (status, ErrorBody::new(code, message)).into_response()
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    v.strip_prefix("Bearer ").map(|t| t.trim().to_owned())
}

/// The device erased its store and key after a wipe the admin asked for
/// (`gridline hub wipe`): the hub records it, audits it and retires the token.
#[utoipa::path(
    post,
    path = "/v1/wiped",
    tag = "hub",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "recorded; the token no longer works"),
        (status = 401, description = "no bearer token, or an unknown one", body = ErrorBody),
        (status = 403, description = "the device was revoked", body = ErrorBody),
        (status = 409, description = "no wipe was asked for this device (`code`: `refused`)", body = ErrorBody),
    )
)]
async fn wiped(State(s): State<Shared>, headers: HeaderMap) -> Response {
    s.metrics.requests.fetch_add(1, Ordering::Relaxed);
    let Some(token) = bearer(&headers) else {
        return error_response(&Error::Unauthorised);
    };
    let state = s.clone();
    match tokio::task::spawn_blocking(move || state.hub.confirm_wiped(&token, chrono::Utc::now()))
        .await
    {
        Ok(Ok(())) => StatusCode::NO_CONTENT.into_response(),
        Ok(Err(e)) => error_response(&e),
        Err(_) => internal(text!("枢纽内部出错", "the hub failed inside: panicked")),
    }
}

#[utoipa::path(
    post,
    path = "/v1/sync",
    tag = "hub",
    request_body(content = Cbor, content_type = "application/cbor", description = "one CBOR `SyncRequest` (docs/sync-protocol.md), at most 16 MiB"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "one CBOR `SyncResponse`: acknowledgements, refusals, documents, removals, cursor", body = Cbor, content_type = "application/cbor"),
        (status = 400, description = "not exactly one CBOR `SyncRequest` (trailing bytes, a field too wide: an id over 64 bytes, a head that is not 64 hex digits, a cursor over 2^63-1), or another protocol version (`code`: `version`)", body = ErrorBody),
        (status = 401, description = "no bearer token, or an unknown one", body = ErrorBody),
        (status = 403, description = "the device was revoked", body = ErrorBody),
        (status = 413, description = "over a budget (`code`: `too_large`): more than 500 entries, an entry over 1 MiB, or more than 64 heads on an entry; or the body is over 16 MiB (plain text)", body = ErrorBody),
        (status = 415, description = "the body is not `application/cbor`", body = ErrorBody),
        (status = 429, description = "`busy`: this device already has a request waiting for its previous one (a third is refused at once), or its previous sync was still in flight after 10 s; `throttled`: 100 or more of this device's pushes were refused (probes included, `missing_deps` not) in 10 minutes, and it waits until older ones age out", body = ErrorBody,
            headers(("Retry-After" = i64, description = "seconds to wait"))),
        (status = 500, description = "the hub's store failed", body = ErrorBody),
    )
)]
async fn sync(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let started = Clock::now();
    s.metrics.requests.fetch_add(1, Ordering::Relaxed);
    s.metrics.sync_requests.fetch_add(1, Ordering::Relaxed);
    s.metrics
        .bytes_in
        .fetch_add(body.len() as u64, Ordering::Relaxed);
    let Some(token) = bearer(&headers) else {
        return error_response(&Error::Unauthorised);
    };
    if !content_type_is(&headers, "application/cbor") {
        return wrong_content_type("application/cbor");
    }
    // Decoding is work too: off the async workers, with the sync itself.
    let state = s.clone();
    let res = tokio::task::spawn_blocking(move || {
        let req = gridline_sync::decode_request(&body)?;
        state.hub.sync(&token, &req, chrono::Utc::now())
    })
    .await;
    let resp = match res {
        Ok(Ok(r)) => {
            s.metrics
                .refusals
                .fetch_add(r.refusals.len() as u64, Ordering::Relaxed);
            let bytes = gridline_sync::encode(&r);
            s.metrics
                .bytes_out
                .fetch_add(bytes.len() as u64, Ordering::Relaxed);
            ([(header::CONTENT_TYPE, "application/cbor")], bytes).into_response()
        }
        Ok(Err(e)) => {
            s.metrics.errors.fetch_add(1, Ordering::Relaxed);
            error_response(&e)
        }
        Err(_) => internal(text!("枢纽内部出错", "the hub failed inside: panicked")),
    };
    s.metrics
        .sync_micros
        .fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
    resp
}

//! The hub over HTTP (axum): `/health`, `/metrics`, `/v1/enroll` (JSON) and
//! `/v1/sync` (CBOR, bearer token). [`run`] takes a bound listener and a
//! shutdown future; tests bind `127.0.0.1:0`.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant as Clock;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

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

struct AppState {
    hub: Hub,
    metrics: Metrics,
}

type Shared = Arc<AppState>;

/// Serves `hub` on `listener` until `shutdown` completes; requests in flight finish.
pub async fn run(
    listener: tokio::net::TcpListener,
    hub: Hub,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let state = Arc::new(AppState {
        hub,
        metrics: Metrics::default(),
    });
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Serves `hub` over TLS with the PEM certificate chain and private key given.
pub async fn run_tls(
    listener: tokio::net::TcpListener,
    hub: Hub,
    cert: &std::path::Path,
    key: &std::path::Path,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let acceptor = tls_acceptor(cert, key)?;
    let state = Arc::new(AppState {
        hub,
        metrics: Metrics::default(),
    });
    axum::serve(
        TlsListener {
            tcp: listener,
            acceptor,
        },
        router(state),
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
    let bad = |what: &str, e: &dyn std::fmt::Display| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{what}: {e}"))
    };
    let chain = CertificateDer::pem_file_iter(cert)
        .map_err(|e| {
            bad(
                &format!("证书无法读取 (cannot read certificate {})", cert.display()),
                &e,
            )
        })?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad("证书格式错误 (bad certificate PEM)", &e))?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
        bad(
            &format!("私钥无法读取 (cannot read private key {})", key.display()),
            &e,
        )
    })?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| bad("TLS", &e))?
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .map_err(|e| bad("证书与私钥不匹配 (certificate and key do not match)", &e))?;
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

fn router(state: Shared) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route("/v1/enroll", post(enroll))
        .route("/v1/sync", post(sync))
        .layer(DefaultBodyLimit::max(gridline_sync::MAX_REQUEST_BYTES))
        .with_state(state)
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    documents: u64,
    counter: u64,
    hub_actor: String,
}

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
            Json(ErrorBody {
                code: "internal",
                message: "store unavailable".into(),
            }),
        )
            .into_response(),
    }
}

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

#[derive(Deserialize, Serialize)]
pub struct EnrollRequest {
    pub code: String,
    pub device_id: String,
    pub actor: String,
}

#[derive(Deserialize, Serialize)]
pub struct EnrollResponse {
    pub token: String,
    pub user_id: String,
    pub user_name: String,
    pub role: String,
    pub scope: String,
    pub hub_actor: String,
}

#[derive(Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: &'static str,
    pub message: String,
}

fn error_response(e: &Error) -> Response {
    let (status, code) = match e {
        Error::Unauthorised | Error::BadCode => (StatusCode::UNAUTHORIZED, "unauthorised"),
        Error::Revoked => (StatusCode::FORBIDDEN, "revoked"),
        Error::TooManyAttempts { .. } => (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"),
        Error::Wire(gridline_sync::WireError::Version { .. }) => {
            (StatusCode::BAD_REQUEST, "version")
        }
        e if e.is_user_error() => (StatusCode::BAD_REQUEST, "invalid"),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    };
    if status.is_server_error() {
        tracing::error!(error = %e, "request failed");
    }
    (
        status,
        Json(ErrorBody {
            code,
            message: e.to_string(),
        }),
    )
        .into_response()
}

async fn enroll(
    State(s): State<Shared>,
    body: Result<Json<EnrollRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    s.metrics.requests.fetch_add(1, Ordering::Relaxed);
    let Json(req) = match body {
        Ok(b) => b,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(ErrorBody {
                    code: "invalid",
                    message: e.body_text(),
                }),
            )
                .into_response()
        }
    };
    let state = s.clone();
    let res = tokio::task::spawn_blocking(move || {
        state
            .hub
            .enroll(&req.code, &req.device_id, &req.actor, chrono::Utc::now())
    })
    .await;
    match res {
        Ok(Ok(e)) => {
            tracing::info!(user = %e.user.id, role = %e.user.role, "device enrolled");
            Json(EnrollResponse {
                token: e.token,
                user_id: e.user.id,
                user_name: e.user.name,
                role: e.user.role.key().into(),
                scope: e.user.scope.encode(),
                hub_actor: e.hub_actor,
            })
            .into_response()
        }
        Ok(Err(e)) => error_response(&e),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "panicked").into_response(),
    }
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    v.strip_prefix("Bearer ").map(|t| t.trim().to_owned())
}

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
    let req = match gridline_sync::decode_request(&body) {
        Ok(r) => r,
        Err(e) => return error_response(&Error::Wire(e)),
    };
    let state = s.clone();
    let res =
        tokio::task::spawn_blocking(move || state.hub.sync(&token, &req, chrono::Utc::now())).await;
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
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "panicked").into_response(),
    };
    s.metrics
        .sync_micros
        .fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
    resp
}

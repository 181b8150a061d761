//! A hub served over HTTP(S) on 127.0.0.1:0 for the length of a test, in
//! its own runtime: the one way the loopback tests start and stop a hub.

use gridline_hub::Hub;

/// A tokio runtime for an in-process hub, proxies and device syncs.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A listener on 127.0.0.1:0 and its URL (known before the hub is served,
/// so devices can be enrolled with it first).
pub fn listen(rt: &tokio::runtime::Runtime) -> (tokio::net::TcpListener, String) {
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (listener, url)
}

/// Serves `hub` in process on `listener` until the runtime is dropped.
pub fn serve(rt: &tokio::runtime::Runtime, listener: tokio::net::TcpListener, hub: Hub) {
    serve_with(rt, listener, hub, gridline_hub::server::Options::default());
}

/// [`serve`] with server options (trusted proxies, …).
pub fn serve_with(
    rt: &tokio::runtime::Runtime,
    listener: tokio::net::TcpListener,
    hub: Hub,
    options: gridline_hub::server::Options,
) {
    rt.spawn(gridline_hub::server::run(
        listener,
        hub,
        options,
        std::future::pending(),
    ));
}

/// How to stop a served hub: the shutdown signal and the server task.
type Stopper = (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
);

pub struct Served {
    pub rt: tokio::runtime::Runtime,
    pub url: String,
    stop: std::sync::Mutex<Option<Stopper>>,
}

impl Served {
    /// Serves `hub`; https when `tls` names a certificate and key.
    pub fn start(hub: Hub, tls: Option<(std::path::PathBuf, std::path::PathBuf)>) -> Served {
        let rt = runtime();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (listener, url) = listen(&rt);
        let url = match tls {
            Some(_) => url.replacen("http://", "https://", 1),
            None => url,
        };
        let shutdown = async {
            let _ = stopped.await;
        };
        let server = rt.spawn(async move {
            match tls {
                Some((cert, key)) => {
                    gridline_hub::server::run_tls(
                        listener,
                        hub,
                        &cert,
                        &key,
                        Default::default(),
                        shutdown,
                    )
                    .await
                }
                None => {
                    gridline_hub::server::run(listener, hub, Default::default(), shutdown).await
                }
            }
        });
        Served {
            rt,
            url,
            stop: std::sync::Mutex::new(Some((stop, server))),
        }
    }

    /// Stops the hub and waits until it has finished its requests; the
    /// server must have ended cleanly.
    pub fn stop(&self) {
        if let Some((stop, server)) = self.stop.lock().unwrap().take() {
            stop.send(()).unwrap();
            self.rt.block_on(server).unwrap().unwrap();
        }
    }

    /// POSTs `body` and returns the status and the body as text.
    pub fn post(
        &self,
        path: &str,
        body: Vec<u8>,
        content: &str,
        token: Option<&str>,
    ) -> (u16, String) {
        let mut req = reqwest::Client::new()
            .post(format!("{}{path}", self.url))
            .header("content-type", content)
            .body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        self.rt.block_on(async {
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.text().await.unwrap_or_default())
        })
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some((stop, server)) = self.stop.lock().unwrap().take() {
            let _ = stop.send(());
            let _ = self.rt.block_on(server);
        }
    }
}

//! A hub served by the `gridline` binary as its own process on loopback, so
//! the figures are the hub's alone and not shared with the devices' runtime.

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::{Error, Result};

/// `gridline hub serve --listen 127.0.0.1:0` on a hub directory; killed
/// (SIGKILL) by [`HubProcess::stop`] or when dropped.
pub struct HubProcess {
    child: Child,
    /// `http://127.0.0.1:PORT`, as the hub printed it when it started serving.
    pub url: String,
}

impl HubProcess {
    /// Starts `gridline --data DIR hub serve` and waits until it serves.
    /// `gridline` is the binary to run (the CLI passes its own path).
    pub fn start(gridline: &Path, dir: &Path) -> Result<HubProcess> {
        let mut child = Command::new(gridline)
            .args([
                "--data",
                &dir.display().to_string(),
                "hub",
                "serve",
                "--listen",
                "127.0.0.1:0",
            ])
            .env("RUST_LOG", "warn")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()?;
        let stderr = child.stderr.take().expect("stderr is piped");
        let mut lines = std::io::BufReader::new(stderr).lines();
        let url = loop {
            let Some(line) = lines.next() else {
                // Reap it; the error to report is that it never served.
                let _ = child.kill();
                let _ = child.wait();
                return Err(Error::HubExited);
            };
            let line = line?;
            if let Some(pos) = line.find("http://") {
                break line[pos..]
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned();
            }
        };
        // Keep draining stderr so the hub never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Ok(HubProcess { child, url })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The hub process's resident memory now, in MB (0 where /proc is missing).
    pub fn rss_mb(&self) -> f64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    }

    /// CPU seconds the hub process has used so far (user and system).
    pub fn cpu_seconds(&self) -> f64 {
        cpu_seconds_of(&format!("/proc/{}/stat", self.pid()))
    }

    /// Kills the hub (SIGKILL, no clean shutdown) and waits for it to exit:
    /// what it acknowledged must already be durable.
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// User and system CPU seconds from a `/proc/…/stat` file (0 where there is
/// none): fields 14 and 15, in clock ticks of 100 a second.
pub fn cpu_seconds_of(stat: &str) -> f64 {
    let text = std::fs::read_to_string(stat).unwrap_or_default();
    // The command name (field 2) is in parentheses and may hold spaces.
    let after = text.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // After ")": state is field 3, so utime (14) and stime (15) are at 11 and 12.
    (tick(11) + tick(12)) / 100.0
}

//! One request in flight per device.

use crate::{Error, Hub, Result};

/// A device's one request in flight (keyed by its token's hash, known
/// before the store is asked); dropped when the request ends.
pub(crate) struct InFlight<'a> {
    hub: &'a Hub,
    key: String,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let mut map = self.hub.in_flight.lock();
        if let Some(slot) = map.get_mut(&self.key) {
            slot.running = false;
            if !slot.waiting {
                map.remove(&self.key);
            }
        }
        self.hub.in_flight_done.notify_all();
    }
}

/// One device's requests: one running, at most one waiting for it.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Slot {
    running: bool,
    waiting: bool,
}

/// How long a device's request waits for its previous one (a retry after a
/// dropped connection while the hub still works on the first) before 429.
const IN_FLIGHT_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

impl Hub {
    /// One request per device at a time: a second waits for the first (a
    /// phone retrying after a dropped connection), up to [`IN_FLIGHT_WAIT`];
    /// a third is refused at once (429), so a device can neither run several
    /// at once to crowd out others nor tie up the hub's threads waiting.
    pub(super) fn in_flight(&self, key: &str) -> Result<InFlight<'_>> {
        let guard = || InFlight {
            hub: self,
            key: key.to_owned(),
        };
        let deadline = std::time::Instant::now() + IN_FLIGHT_WAIT;
        let mut map = self.in_flight.lock();
        let slot = map.entry(key.to_owned()).or_default();
        if !slot.running {
            slot.running = true;
            return Ok(guard());
        }
        if slot.waiting {
            return Err(Error::Busy);
        }
        slot.waiting = true;
        loop {
            let timed_out = self
                .in_flight_done
                .wait_until(&mut map, deadline)
                .timed_out();
            // The slot stays while `waiting` is set: only this request clears it.
            let slot = map.get_mut(key).expect("a waiting slot stays");
            if !slot.running {
                slot.running = true;
                slot.waiting = false;
                return Ok(guard());
            }
            if timed_out {
                slot.waiting = false;
                return Err(Error::Busy);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_runs_one_request_one_waits_and_a_third_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let hub = Hub::init(dir.path(), "522701001", "测试街道").unwrap();
        let first = hub.in_flight("device-a").expect("the first runs");
        assert!(
            hub.in_flight("device-b").is_ok(),
            "another device is not held up"
        );
        std::thread::scope(|s| {
            let second = s.spawn(|| hub.in_flight("device-a").map(|_| ()));
            // Until the second is waiting, a third would be the waiter itself.
            while !hub
                .in_flight
                .lock()
                .get("device-a")
                .is_some_and(|s| s.waiting)
            {
                std::thread::yield_now();
            }
            assert!(
                matches!(hub.in_flight("device-a"), Err(Error::Busy)),
                "a third request from the same device is refused without waiting"
            );
            drop(first);
            assert!(
                second.join().unwrap().is_ok(),
                "the waiting one runs once the first is done"
            );
        });
        assert!(
            hub.in_flight.lock().get("device-a").is_none(),
            "nothing is left behind once all are done"
        );
    }
}

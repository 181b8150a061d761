//! A remote wipe that never destroys unsynced work (DESIGN §7).
//!
//! The admin marks the device at the hub (`gridline hub wipe DEVICE`); the
//! next sync reply says so and the device remembers it (`wipe_requested`).
//! It goes on pushing as usual, and erases only once [`Device::wipe_check`]
//! is [`WipeCheck::Ready`]: no record with a change the hub has not
//! acknowledged, no reveal the hub has not audited, no copy the hub refused
//! (those exist only here: the app exports them for an admin, one by one).
//! Then [`Device::erase_for_wipe`] forgets the key (key store entry and
//! `key.json`: the store is unreadable from that moment) and removes the
//! store files, and [`confirm_wipe`] tells the hub, which audits it and
//! retires the token.
//!
//! A revoked device never hears of a wipe (the hub answers it nothing), so
//! it keeps its data; nothing here runs for it.

use std::path::{Path, PathBuf};

use gridline_model::{text, Text};

use crate::{keys, Device, Error, Result, STORE_FILE};

/// Whether the device may erase itself now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WipeCheck {
    /// No wipe was asked for.
    NotRequested,
    /// Asked for, but the hub does not hold everything yet.
    Waiting {
        /// Records with changes the hub has not acknowledged.
        unsent: i64,
        /// Reveals of ID numbers the hub has not audited.
        reveals: u64,
        /// Copies the hub refused, kept for an admin's review.
        refused: usize,
        /// Photos and thumbnails taken here that the hub does not hold
        /// (waiting, or refused: those can be exported and retried).
        photos: u64,
    },
    /// Asked for, and the hub holds everything this device had.
    Ready,
}

impl WipeCheck {
    /// What the user is told, in both languages.
    pub fn text(&self) -> Text {
        match self {
            WipeCheck::NotRequested => text!("没有清除要求", "no wipe asked for"),
            WipeCheck::Waiting {
                unsent,
                reveals,
                refused,
                photos,
            } => text!(
                "管理员要求清除此设备；还有 {unsent} 条记录、{reveals} 条查看记录、{photos} 张照片未送达枢纽，{refused} 份被拒副本只在本机：清除要等枢纽收齐后才进行，数据不会丢失（被拒副本请在应用的「被拒记录」中导出，交给管理员）",
                "your admin asked for this device to be wiped; {unsent} records, {reveals} reveals and {photos} photos have not reached the hub yet and {refused} refused copies exist only here: the wipe waits until the hub holds everything, so nothing is lost (export refused copies from the app's Refused records screen for your admin)"
            ),
            WipeCheck::Ready => text!(
                "管理员要求清除此设备，所有记录都已在枢纽上",
                "your admin asked for this device to be wiped, and the hub holds all its records"
            ),
        }
    }
}

/// What is left of a device after [`Device::erase_for_wipe`]: where to say so.
pub struct Erased {
    pub dir: PathBuf,
    hub_url: String,
    token: String,
    hub_ca: Option<String>,
}

impl std::fmt::Debug for Erased {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Erased")
            .field("dir", &self.dir)
            .field("hub_url", &self.hub_url)
            .finish_non_exhaustive()
    }
}

impl Device {
    /// Whether a wipe was asked for and whether the hub holds everything.
    pub fn wipe_check(&self) -> Result<WipeCheck> {
        if self.store.meta("wipe_requested")?.as_deref() != Some("1") {
            return Ok(WipeCheck::NotRequested);
        }
        let counts = self.store.sync_counts()?;
        let unsent = counts.local + counts.pending;
        let reveals = self.store.unsent_reveal_count()?;
        let refused = self.store.refused_copies()?.len();
        let photos = self.store.photo_queue()?.unsent_blobs;
        Ok(
            if unsent == 0 && reveals == 0 && refused == 0 && photos == 0 {
                WipeCheck::Ready
            } else {
                WipeCheck::Waiting {
                    unsent,
                    reveals,
                    refused,
                    photos,
                }
            },
        )
    }

    /// Whether no other process has this device open now (the app asks
    /// before it hands its device to [`Device::erase_for_wipe`]).
    pub fn alone(&self) -> Result<bool> {
        let alone = self.lock.try_exclusive()?;
        if alone {
            self.lock.downgrade()?;
        }
        Ok(alone)
    }

    /// Erases this device's store and key, only when [`WipeCheck::Ready`]
    /// (refused otherwise, with nothing touched). The key goes first: from
    /// then on the store file is noise, even if removing it is cut short.
    pub fn erase_for_wipe(self) -> Result<Erased> {
        // Alone, or not at all: every process with this device open holds
        // its lock, and none may save a record between the check and the erase.
        if !self.lock.try_exclusive()? {
            return Err(Error::Conflict(text!(
                "另一个网格通进程（应用或命令行）打开着此设备；请关闭它后再同步，清除才会进行",
                "another gridline process (the app or a command) has this device open; close it and sync again for the wipe to go ahead"
            )));
        }
        let check = self.wipe_check()?;
        if check != WipeCheck::Ready {
            return Err(Error::StepRefused(check.text()));
        }
        let hub_url = self.store.meta("hub_url")?.ok_or(Error::NotEnrolled)?;
        let token = self.store.meta("token")?.ok_or(Error::NotEnrolled)?;
        let hub_ca = self.store.meta("hub_ca")?.filter(|c| !c.is_empty());
        let dir = self.dir.clone();
        drop(self);
        keys::erase(&dir, &keys::PlatformKeyStore)?;
        remove_store_files(&dir)?;
        // Files exported for an admin (refused records) are plain, and so
        // are photos (all on the hub by now): they go too.
        for sub in ["exports", "photos"] {
            match std::fs::remove_dir_all(dir.join(sub)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => {
                    return Err(Error::Io {
                        context: format!("removing {}", dir.join(sub).display()),
                        source,
                    })
                }
            }
        }
        Ok(Erased {
            dir,
            hub_url,
            token,
            hub_ca,
        })
    }
}

fn remove_store_files(dir: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm", ".encrypting", ".encrypting-journal"] {
        let path = dir.join(format!("{STORE_FILE}{suffix}"));
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(Error::Io {
                    context: format!("removing {}", path.display()),
                    source,
                })
            }
        }
    }
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|source| Error::Io {
            context: format!("flushing {}", dir.display()),
            source,
        })
}

/// Tells the hub the device erased itself (`POST /v1/wiped`). The data is
/// already gone; a failure here only leaves the hub saying "asked for".
pub async fn confirm_wipe(erased: &Erased) -> Result<()> {
    crate::sync::post_wiped(&erased.hub_url, &erased.token, erased.hub_ca.as_deref()).await
}

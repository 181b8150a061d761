//! A photo as evidence on a record (DESIGN §9): a reference, never the bytes.
//!
//! The bytes live in a file named by their SHA-256, on the device that took
//! the photo and, once uploaded, on the hub; a record holds [`PhotoRef`]s in
//! the order they were added. References are only ever added: evidence is
//! not taken back once a record is saved (before saving, the form drops it).

use crate::{text, Instant, Invalid};

/// The largest photo (or thumbnail) a record may reference, in bytes. A
/// re-encoded photo (longest side 1600 px, JPEG quality 80) is a few hundred
/// KB; the hub may set a lower limit of its own for what it stores.
pub const MAX_PHOTO_BYTES: u64 = 8 * 1024 * 1024;
/// Photos on one record, all steps together.
pub const MAX_PHOTOS_PER_RECORD: usize = 60;
/// Photos added with one step.
pub const MAX_PHOTOS_PER_STEP: usize = 12;
/// A caption, in characters.
pub const MAX_CAPTION: usize = 200;
/// The one type every photo is stored as.
pub const JPEG: &str = "image/jpeg";

/// The step of a record's life a photo is evidence of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PhotoStep {
    /// An issue's report (the grid worker on site).
    Report,
    /// A department's handling (the repair done).
    Handling,
    /// Community staff verifying on site before closing.
    Verification,
    /// A wish fulfilled.
    Fulfilment,
    /// A visit to a household.
    Visit,
    /// A mediation agreement signed.
    Agreement,
}

impl PhotoStep {
    pub const ALL: [PhotoStep; 6] = [
        PhotoStep::Report,
        PhotoStep::Handling,
        PhotoStep::Verification,
        PhotoStep::Fulfilment,
        PhotoStep::Visit,
        PhotoStep::Agreement,
    ];

    pub fn key(self) -> &'static str {
        match self {
            PhotoStep::Report => "report",
            PhotoStep::Handling => "handling",
            PhotoStep::Verification => "verification",
            PhotoStep::Fulfilment => "fulfilment",
            PhotoStep::Visit => "visit",
            PhotoStep::Agreement => "agreement",
        }
    }

    pub fn parse(s: &str) -> Result<PhotoStep, Invalid> {
        PhotoStep::ALL
            .into_iter()
            .find(|p| p.key() == s)
            .ok_or_else(|| {
                Invalid::new(
                    "step",
                    text!("照片环节 \"{s}\" 不存在", "no photo step \"{s}\""),
                    text!(
                        "请用 report、handling、verification、fulfilment、visit 或 agreement",
                        "use report, handling, verification, fulfilment, visit or agreement"
                    ),
                )
            })
    }

    pub fn zh(self) -> &'static str {
        match self {
            PhotoStep::Report => "上报",
            PhotoStep::Handling => "处置",
            PhotoStep::Verification => "核查",
            PhotoStep::Fulfilment => "心愿实现",
            PhotoStep::Visit => "走访",
            PhotoStep::Agreement => "调解协议",
        }
    }
}

/// One photo on a record: what the record keeps of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoRef {
    /// SHA-256 of the re-encoded JPEG, lowercase hex: the file's name.
    pub hash: String,
    pub size: u64,
    /// Always [`JPEG`] today; kept so a later type reads as what it is.
    pub mime: String,
    /// The thumbnail's SHA-256 and size (longest side 320 px).
    pub thumb: String,
    pub thumb_size: u64,
    pub taken_at: Instant,
    pub caption: String,
    pub step: PhotoStep,
    /// The user who added it (checked by the hub against the device's user).
    pub by: String,
}

/// Whether `s` is a SHA-256 as references spell it: 64 lowercase hex digits.
pub fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl PhotoRef {
    pub fn validate(&self, now: Instant) -> Result<(), Invalid> {
        for (field, h) in [("hash", &self.hash), ("thumb", &self.thumb)] {
            if !is_hash(h) {
                return Err(Invalid::new(
                    field,
                    text!(
                        "照片编号 \"{h}\" 不是 SHA-256",
                        "photo hash \"{h}\" is not a SHA-256"
                    ),
                    text!(
                        "照片由设备拍摄或选取后生成编号，请重新添加照片",
                        "photos get their hash on the device: add the photo again"
                    ),
                ));
            }
        }
        for (field, size) in [("size", self.size), ("thumb_size", self.thumb_size)] {
            if size == 0 || size > MAX_PHOTO_BYTES {
                return Err(Invalid::new(
                    field,
                    text!(
                        "照片大小 {size} 字节不在 1 至 {MAX_PHOTO_BYTES} 之间",
                        "photo size {size} bytes is not between 1 and {MAX_PHOTO_BYTES}"
                    ),
                    text!("请重新添加照片", "add the photo again"),
                ));
            }
        }
        if self.mime != JPEG {
            return Err(Invalid::new(
                "mime",
                text!(
                    "照片类型 {} 不受支持",
                    "photo type {} is not supported",
                    self.mime
                ),
                text!("照片一律存为 JPEG", "photos are stored as JPEG"),
            ));
        }
        let chars = self.caption.chars().count();
        if chars > MAX_CAPTION {
            return Err(Invalid::new(
                "caption",
                text!(
                    "照片说明 {chars} 字，超过 {MAX_CAPTION} 字",
                    "caption is {chars} characters, over {MAX_CAPTION}"
                ),
                text!("请精简照片说明", "shorten the caption"),
            ));
        }
        if self.by.trim().is_empty() {
            return Err(Invalid::new(
                "by",
                text!("照片缺少添加人", "photo has no one who added it"),
                text!("请重新添加照片", "add the photo again"),
            ));
        }
        // A phone's clock drifts; five minutes ahead is still now.
        if self.taken_at > now + chrono::Duration::minutes(5) {
            return Err(Invalid::new(
                "taken_at",
                text!(
                    "拍摄时间 {} 在未来",
                    "taken at {}, in the future",
                    self.taken_at.format("%Y-%m-%d %H:%M")
                ),
                text!("请检查设备时间", "check the device's clock"),
            ));
        }
        Ok(())
    }
}

/// Checks the references one step adds: each valid, no more than
/// [`MAX_PHOTOS_PER_STEP`], none twice, and the record's total within
/// [`MAX_PHOTOS_PER_RECORD`] (`held`: what the record has already).
pub fn validate_added(added: &[PhotoRef], held: &[PhotoRef], now: Instant) -> Result<(), Invalid> {
    if added.len() > MAX_PHOTOS_PER_STEP {
        return Err(Invalid::new(
            "photos",
            text!(
                "一次添加了 {} 张照片，最多 {MAX_PHOTOS_PER_STEP} 张",
                "{} photos in one step, at most {MAX_PHOTOS_PER_STEP}",
                added.len()
            ),
            text!("请删去几张再保存", "remove some before saving"),
        ));
    }
    validate_list(held.iter().chain(added), now)
}

/// Checks a record's whole list: each reference valid, none twice, at most
/// [`MAX_PHOTOS_PER_RECORD`].
pub fn validate_list<'a>(
    photos: impl IntoIterator<Item = &'a PhotoRef>,
    now: Instant,
) -> Result<(), Invalid> {
    let mut seen = std::collections::HashSet::new();
    for p in photos {
        p.validate(now)?;
        if !seen.insert(p.hash.as_str()) {
            return Err(Invalid::new(
                "photos",
                text!("同一张照片添加了两次", "the same photo was added twice"),
                text!("请删去重复的照片", "remove the repeated photo"),
            ));
        }
    }
    if seen.len() > MAX_PHOTOS_PER_RECORD {
        return Err(Invalid::new(
            "photos",
            text!(
                "一条记录最多 {MAX_PHOTOS_PER_RECORD} 张照片，这里有 {}",
                "a record holds at most {MAX_PHOTOS_PER_RECORD} photos; this has {}",
                seen.len()
            ),
            text!("请删去几张再保存", "remove some before saving"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> Instant {
        chrono::Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap()
    }

    fn photo(n: u8) -> PhotoRef {
        PhotoRef {
            hash: format!("{:064x}", 0xabc_def00 + n as u64),
            size: 250_000,
            mime: JPEG.into(),
            thumb: format!("{:064x}", n as u64 + 1000),
            thumb_size: 12_000,
            taken_at: now(),
            caption: "电梯按钮损坏".into(),
            step: PhotoStep::Report,
            by: "gw-1".into(),
        }
    }

    #[test]
    fn a_good_reference_passes_and_each_bad_field_is_named() {
        assert!(photo(1).validate(now()).is_ok());
        type Spoil = Box<dyn Fn(&mut PhotoRef)>;
        let cases: Vec<(&str, Spoil)> = vec![
            ("hash", Box::new(|p| p.hash = "ABC".into())),
            ("hash", Box::new(|p| p.hash = p.hash.to_uppercase())),
            ("thumb", Box::new(|p| p.thumb = String::new())),
            ("size", Box::new(|p| p.size = 0)),
            ("size", Box::new(|p| p.size = MAX_PHOTO_BYTES + 1)),
            ("thumb_size", Box::new(|p| p.thumb_size = 0)),
            ("mime", Box::new(|p| p.mime = "image/heic".into())),
            (
                "caption",
                Box::new(|p| p.caption = "字".repeat(MAX_CAPTION + 1)),
            ),
            ("by", Box::new(|p| p.by = " ".into())),
            (
                "taken_at",
                Box::new(|p| p.taken_at = now() + chrono::Duration::hours(1)),
            ),
        ];
        for (field, spoil) in cases {
            let mut p = photo(1);
            spoil(&mut p);
            let e = p.validate(now()).unwrap_err();
            assert_eq!(e.field, field);
            assert!(!e.problem.zh.is_empty() && !e.problem.en.is_empty());
        }
        let mut p = photo(1);
        p.caption = "字".repeat(MAX_CAPTION);
        assert!(p.validate(now()).is_ok(), "the bound counts characters");
    }

    #[test]
    fn a_step_adds_at_most_its_share_and_never_the_same_photo_twice() {
        let held: Vec<_> = (0..3).map(photo).collect();
        let added: Vec<_> = (3..3 + MAX_PHOTOS_PER_STEP as u8).map(photo).collect();
        assert!(validate_added(&added, &held, now()).is_ok());
        let too_many: Vec<_> = (3..4 + MAX_PHOTOS_PER_STEP as u8).map(photo).collect();
        assert_eq!(
            validate_added(&too_many, &held, now()).unwrap_err().field,
            "photos"
        );
        assert_eq!(
            validate_added(&[photo(1)], &held, now()).unwrap_err().field,
            "photos"
        );
        let full: Vec<_> = (0..MAX_PHOTOS_PER_RECORD as u8).map(photo).collect();
        assert!(validate_list(&full, now()).is_ok());
        assert_eq!(
            validate_added(&[photo(200)], &full, now())
                .unwrap_err()
                .field,
            "photos"
        );
    }

    #[test]
    fn steps_round_trip_by_key() {
        for s in PhotoStep::ALL {
            assert_eq!(PhotoStep::parse(s.key()).unwrap(), s);
        }
        assert_eq!(PhotoStep::parse("selfie").unwrap_err().field, "step");
    }
}

//! Re-encoding a taken photo (DESIGN §9): what a camera or gallery hands
//! over becomes one upright JPEG of at most [`MAX_SIDE`] pixels a side and a
//! thumbnail of at most [`THUMB_SIDE`], with no metadata at all, each named
//! by the SHA-256 of its bytes.
//!
//! ```
//! use gridline_photo::encode::{reencode, sample_photo, sha256_hex, MAX_SIDE};
//! let taken = sample_photo(2400, 1800);
//! let kept = reencode(&taken).unwrap();
//! assert_eq!((kept.width, kept.height), (MAX_SIDE, 1200));
//! assert_eq!(kept.full_hash, sha256_hex(&kept.full));
//! ```
//!
//! The same bytes in always give the same bytes out, so a photo re-encoded
//! twice (a retry, a second device) is still one file and one blob.

use std::io::Cursor;

use gridline_model::{text, Text};
use image::codecs::jpeg::JpegEncoder;
use image::imageops::{self, FilterType};
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Rgb, RgbImage};
use sha2::{Digest, Sha256};

/// The longest side of the kept photo: enough to read a house number or a
/// crack in a wall, small enough to upload over a weak phone signal.
pub const MAX_SIDE: u32 = 1600;
/// The longest side of the thumbnail every device keeps for lists.
pub const THUMB_SIDE: u32 = 320;
/// The JPEG quality of both the photo and its thumbnail.
pub const QUALITY: u8 = 80;
/// The largest input taken at all; a camera's JPEG is a few megabytes.
pub const MAX_INPUT_BYTES: usize = 50 * 1024 * 1024;
/// The most pixels an input may claim. Read from the header before any pixel
/// is decoded, so a small file claiming a huge picture (a decompression
/// bomb) costs nothing.
pub const MAX_INPUT_PIXELS: u64 = 120_000_000;

/// What [`reencode`] made of a taken photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    /// The kept photo: upright, longest side at most [`MAX_SIDE`], JPEG, no metadata.
    pub full: Vec<u8>,
    /// [`sha256_hex`] of `full`: its file name on the device and its blob key on the hub.
    pub full_hash: String,
    /// The thumbnail: longest side at most [`THUMB_SIDE`], JPEG, no metadata.
    pub thumb: Vec<u8>,
    /// [`sha256_hex`] of `thumb`.
    pub thumb_hash: String,
    /// The width of `full`, upright.
    pub width: u32,
    /// The height of `full`, upright.
    pub height: u32,
}

/// Why a taken photo could not be kept. [`EncodeError::text`] says it to the
/// user, with what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    #[error("the input is empty")]
    Empty,
    #[error("the input is {bytes} bytes, more than {MAX_INPUT_BYTES}")]
    TooLarge { bytes: usize },
    #[error("the image claims {width}x{height} pixels, more than {MAX_INPUT_PIXELS}")]
    TooManyPixels { width: u32, height: u32 },
    #[error("{format} images are not supported")]
    Unsupported { format: String },
    #[error("the input is not an image")]
    NotAnImage,
    #[error("the image is damaged: {0}")]
    Damaged(String),
}

/// This crate's result.
pub type Result<T, E = EncodeError> = std::result::Result<T, E>;

impl EncodeError {
    /// What went wrong and what to do, in both languages.
    pub fn text(&self) -> Text {
        match self {
            EncodeError::Empty => text!(
                "照片是空的（0 字节）；请重新拍摄，或选择另一张照片",
                "the photo is empty (0 bytes); take it again or choose another photo"
            ),
            EncodeError::TooLarge { bytes } => {
                let mb = bytes.div_ceil(1024 * 1024);
                let max = MAX_INPUT_BYTES / (1024 * 1024);
                text!(
                    "照片太大（{mb} MB，最多 {max} MB）；请选择手机相机直接拍的照片",
                    "the photo is too large ({mb} MB, at most {max} MB); choose a photo straight from a phone camera"
                )
            }
            EncodeError::TooManyPixels { width, height } => {
                let max = MAX_INPUT_PIXELS / 1_000_000;
                text!(
                    "照片像素太多（{width}×{height}，最多 {max} 百万像素）；请选择手机相机直接拍的照片",
                    "the photo has too many pixels ({width}×{height}, at most {max} megapixels); choose a photo straight from a phone camera"
                )
            }
            EncodeError::Unsupported { format } if format == HEIC => text!(
                "不支持 HEIC 格式的照片；请选择 JPEG、PNG 或 WebP 格式的照片（iPhone 可在“设置 → 相机 → 格式”中选“兼容性最佳”）",
                "HEIC photos are not supported; choose a JPEG, PNG or WebP photo (on an iPhone: Settings → Camera → Formats → Most Compatible)"
            ),
            EncodeError::Unsupported { format } => text!(
                "不支持 {format} 格式；请选择 JPEG、PNG 或 WebP 格式的照片",
                "{format} is not supported; choose a JPEG, PNG or WebP photo"
            ),
            EncodeError::NotAnImage => text!(
                "这个文件不是照片；请选择 JPEG、PNG 或 WebP 格式的照片",
                "this file is not a photo; choose a JPEG, PNG or WebP photo"
            ),
            EncodeError::Damaged(_) => text!(
                "照片已损坏，无法读取；请重新拍摄，或从原处再复制一次",
                "the photo is damaged and cannot be read; take it again or copy it again from where it came from"
            ),
        }
    }
}

/// How [`EncodeError::Unsupported`] names Apple's HEIC/HEIF, the one
/// refused format a user meets often, so its text can say how to avoid it.
const HEIC: &str = "HEIC";

/// Re-encodes a taken photo: JPEG, PNG or WebP in; upright (its EXIF
/// orientation applied), shrunk to at most [`MAX_SIDE`] a side (never
/// enlarged), transparency laid on white, and written as a JPEG at
/// [`QUALITY`] with no metadata, so GPS position and camera details do not
/// travel with it; plus a thumbnail made from that.
pub fn reencode(input: &[u8]) -> Result<Encoded> {
    if input.is_empty() {
        return Err(EncodeError::Empty);
    }
    if input.len() > MAX_INPUT_BYTES {
        return Err(EncodeError::TooLarge { bytes: input.len() });
    }
    let format = format_of(input)?;
    let mut decoder = ImageReader::with_format(Cursor::new(input), format)
        .into_decoder()
        .map_err(|e| refusal(e, format, None))?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_INPUT_PIXELS {
        return Err(EncodeError::TooManyPixels { width, height });
    }
    if format == ImageFormat::Jpeg && !jpeg_has_end(input) {
        // The JPEG decoder pads a cut-off scan rather than fail; a photo
        // whose lower half is made up is not evidence, so it is refused here.
        return Err(EncodeError::Damaged(
            "the JPEG ends before its image does".into(),
        ));
    }
    // An EXIF block that cannot be read leaves the photo as it was stored
    // rather than refusing it.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let decoded = DynamicImage::from_decoder(decoder)
        .map_err(|e| refusal(e, format, Some((width, height))))?;
    let rgb = onto_white(decoded);

    // Shrinking first and turning second turns a small image, not a large
    // one; the bound is square, so it holds either way round.
    let (w, h) = fit(width, height, MAX_SIDE);
    let mut full = DynamicImage::ImageRgb8(shrink(rgb, w, h));
    full.apply_orientation(orientation);
    let full = full.into_rgb8();
    let (tw, th) = fit(full.width(), full.height(), THUMB_SIDE);
    let thumb = shrink(full.clone(), tw, th);

    let (width, height) = full.dimensions();
    let full = jpeg(&full, QUALITY);
    let thumb = jpeg(&thumb, QUALITY);
    Ok(Encoded {
        full_hash: sha256_hex(&full),
        thumb_hash: sha256_hex(&thumb),
        full,
        thumb,
        width,
        height,
    })
}

/// The SHA-256 of `bytes` as 64 lowercase hex digits: how photos are named.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether `s` is a name [`sha256_hex`] could have made: exactly 64
/// lowercase hex digits. A hash from the outside (a record, an upload) is
/// checked with this before it names a file.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A camera-like photo of `width` × `height`: sky, buildings with windows,
/// a road, and sensor noise, as a JPEG at quality 92. The same size always
/// gives the same bytes. For tests and benchmarks, which need realistic
/// input without shipping megabytes of it. Both sides must be at least 1.
pub fn sample_photo(width: u32, height: u32) -> Vec<u8> {
    let mut state: u32 = 0x9E37_79B9;
    let horizon = height * 3 / 5;
    let image = RgbImage::from_fn(width, height, |x, y| {
        // xorshift32: noise that is the same on every run and platform.
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let noise = (state % 13) as i32 - 6;
        let (fx, fy) = (
            x as i32 * 256 / width as i32,
            y as i32 * 256 / height as i32,
        );
        let base = if y < horizon {
            // Buildings: blocks of differing height and shade, lit windows.
            let block = x * 12 / width;
            let top = horizon * (3 + (block * 7 % 5)) / 9;
            if y > top {
                let shade = 90 + (block as i32 * 37 % 80);
                let window = (x % 40 < 14) && (y % 50 < 22);
                if window {
                    [shade + 90, shade + 80, shade + 40]
                } else {
                    [shade, shade - 10, shade - 25]
                }
            } else {
                [110 + fy / 3, 150 + fy / 4, 230 - fx / 8]
            }
        } else {
            // The road: darker towards the viewer, a painted line.
            let line = (x as i32 - width as i32 / 2).abs() < (y - horizon) as i32 / 20 + 2;
            if line && (y / 40) % 2 == 0 {
                [235, 230, 210]
            } else {
                let d = 120 - fy / 4;
                [d + 10, d + 5, d]
            }
        };
        Rgb(base.map(|c| (c + noise).clamp(0, 255) as u8))
    });
    jpeg(&image, 92)
}

/// The format the bytes say they are, if it is one [`reencode`] takes.
fn format_of(input: &[u8]) -> Result<ImageFormat> {
    if let Some(format) = iso_media_image(input) {
        return Err(EncodeError::Unsupported {
            format: format.into(),
        });
    }
    match image::guess_format(input) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => Ok(f),
        Ok(other) => Err(EncodeError::Unsupported {
            format: other
                .extensions_str()
                .first()
                .map_or_else(|| format!("{other:?}"), |e| e.to_uppercase()),
        }),
        Err(_) => Err(EncodeError::NotAnImage),
    }
}

/// HEIC and AVIF, which phones save by default and the image crate does not
/// recognise without its AVIF decoder: an ISO media file (`ftyp` box) whose
/// brand is a still-image one.
fn iso_media_image(input: &[u8]) -> Option<&'static str> {
    if input.get(4..8) != Some(b"ftyp") {
        return None;
    }
    match input.get(8..12)? {
        b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"hevm" | b"hevs" | b"mif1"
        | b"msf1" => Some(HEIC),
        b"avif" | b"avis" => Some("AVIF"),
        _ => None,
    }
}

/// Whether a JPEG's image data reaches its end-of-image marker. Inside the
/// entropy-coded data a 0xFF byte is always followed by 0x00 or a restart
/// marker, so `FF D9` after the first start-of-scan is the end. Only segments
/// before that are skipped by length, because an EXIF thumbnail in APP1 has an
/// end marker of its own.
fn jpeg_has_end(input: &[u8]) -> bool {
    let mut at = 2; // past SOI
    while at + 4 <= input.len() {
        if input[at] != 0xFF {
            return false;
        }
        let marker = input[at + 1];
        if marker == 0xFF {
            at += 1; // fill byte
            continue;
        }
        if marker == 0xDA {
            return input[at..].windows(2).any(|w| w == [0xFF, 0xD9]);
        }
        let length = usize::from(u16::from_be_bytes([input[at + 2], input[at + 3]]));
        at += 2 + length;
    }
    false
}

/// What a decoding error of a `format` image means for the user. The pixel limit is checked
/// before decoding, so a limit hit while decoding is a picture too large for
/// memory (wide colour, many channels) and said as too many pixels.
fn refusal(e: ImageError, format: ImageFormat, dimensions: Option<(u32, u32)>) -> EncodeError {
    match (e, dimensions) {
        (ImageError::Limits(_), Some((width, height))) => {
            EncodeError::TooManyPixels { width, height }
        }
        // A variant of an accepted format the decoder lacks (an arithmetic-coded
        // JPEG, say): named with the format, so "JPEG" is not said to be refused.
        (ImageError::Unsupported(u), _) => EncodeError::Unsupported {
            format: format!("{format:?} ({u})"),
        },
        (e, _) => EncodeError::Damaged(e.to_string()),
    }
}

/// The image as 8-bit RGB, anything transparent laid on white (a JPEG has no
/// transparency, and black behind a transparent screenshot hides it).
fn onto_white(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    let mut rgb = RgbImage::new(rgba.width(), rgba.height());
    for (out, px) in rgb.pixels_mut().zip(rgba.pixels()) {
        let alpha = u32::from(px[3]);
        for c in 0..3 {
            out[c] = ((u32::from(px[c]) * alpha + 255 * (255 - alpha) + 127) / 255) as u8;
        }
    }
    rgb
}

/// The size that fits `width` × `height` within `side` a side, aspect kept,
/// never larger than it is.
fn fit(width: u32, height: u32, side: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= side {
        return (width, height);
    }
    let scale = |n: u32| {
        let n = (u64::from(n) * u64::from(side) + u64::from(long) / 2) / u64::from(long);
        (n as u32).max(1)
    };
    (scale(width), scale(height))
}

/// `image` at `width` × `height` (no larger than it is), by a triangle
/// filter: smooth enough that fine patterns (brick, fabric) do not turn into
/// moiré, and fast enough for a phone.
fn shrink(mut image: RgbImage, width: u32, height: u32) -> RgbImage {
    if image.dimensions() == (width, height) {
        return image;
    }
    // Halving by averaging 2 × 2 blocks is exact and cheap; the triangle
    // filter then does the last, smaller step, where it costs least.
    while image.width() >= 2 * width && image.height() >= 2 * height {
        image = halve(&image);
    }
    if image.dimensions() == (width, height) {
        return image;
    }
    imageops::resize(&image, width, height, FilterType::Triangle)
}

/// `image` at half its size, each pixel the rounded mean of a 2 × 2 block;
/// an odd last row or column is dropped (one source pixel of thousands).
fn halve(image: &RgbImage) -> RgbImage {
    let (w, h) = (image.width() / 2, image.height() / 2);
    let stride = image.width() as usize * 3;
    let src = image.as_raw();
    let mut out = Vec::with_capacity(w as usize * h as usize * 3);
    for y in 0..h as usize {
        let top = &src[2 * y * stride..][..stride];
        let bottom = &src[(2 * y + 1) * stride..][..stride];
        for x in 0..w as usize {
            for c in 0..3 {
                let (l, r) = (6 * x + c, 6 * x + 3 + c);
                let sum = u16::from(top[l])
                    + u16::from(top[r])
                    + u16::from(bottom[l])
                    + u16::from(bottom[r]);
                out.push(((sum + 2) / 4) as u8);
            }
        }
    }
    RgbImage::from_raw(w, h, out).expect("the buffer holds exactly w × h pixels")
}

/// `image` as a baseline JPEG: the encoder writes a JFIF header and nothing
/// else (no EXIF, no ICC profile), which is what strips a photo's metadata.
fn jpeg(image: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(image)
        .expect("an RGB image of at most 65535 px a side always encodes into memory");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_size_is_fitted_within_a_side_and_never_enlarged() {
        assert_eq!(fit(8000, 1000, 1600), (1600, 200));
        assert_eq!(fit(3000, 4000, 1600), (1200, 1600));
        assert_eq!(fit(1600, 1600, 1600), (1600, 1600), "exactly fitting stays");
        assert_eq!(fit(60, 40, 1600), (60, 40), "small is not enlarged");
        assert_eq!(
            fit(100_000, 10, 1600),
            (1600, 1),
            "a sliver keeps at least one pixel"
        );
    }

    #[test]
    fn halving_averages_blocks_and_drops_an_odd_edge() {
        let image = RgbImage::from_fn(3, 3, |x, y| Rgb([(10 * (x + 3 * y)) as u8, 200, 1]));
        let half = halve(&image);
        assert_eq!(half.dimensions(), (1, 1), "the odd row and column go");
        assert_eq!(
            half.get_pixel(0, 0).0,
            [20, 200, 1],
            "the rounded mean of 0, 10, 30 and 40 is 20; 1 stays 1"
        );
    }

    #[test]
    fn a_hash_name_is_64_lowercase_hex_digits() {
        let h = sha256_hex(b"abc");
        assert_eq!(
            h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "the FIPS 180-2 example"
        );
        assert!(is_sha256_hex(&h), "what sha256_hex makes is a hash name");
        assert!(
            !is_sha256_hex(&h.to_uppercase()),
            "upper case would name a second file"
        );
        assert!(!is_sha256_hex(&h[1..]), "63 digits are not a hash");
        assert!(
            !is_sha256_hex(&format!("../{}", &h[3..])),
            "a path is not a hash"
        );
    }

    #[test]
    fn heic_and_avif_are_told_by_their_brand() {
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
        assert_eq!(iso_media_image(heic), Some(HEIC));
        assert_eq!(iso_media_image(b"\0\0\0\x1cftypavif"), Some("AVIF"));
        assert_eq!(
            iso_media_image(b"\0\0\0\x18ftypisom"),
            None,
            "an MP4 video is no photo format"
        );
    }
}

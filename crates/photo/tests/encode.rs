//! Re-encoding real photo files: the fixtures in `fixtures/` were made by
//! `fixtures/make.py` with Pillow, as a camera or gallery would hand them over.

use std::path::Path;
use std::time::Instant;

use gridline_photo::encode::{
    reencode, sample_photo, sha256_hex, EncodeError, Encoded, MAX_INPUT_BYTES, MAX_SIDE, THUMB_SIDE,
};
use image::{ImageFormat, Rgb, RgbImage};
use sha2::{Digest, Sha256};

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn decoded(jpeg: &[u8]) -> RgbImage {
    assert_eq!(
        image::guess_format(jpeg).unwrap(),
        ImageFormat::Jpeg,
        "the output is a JPEG"
    );
    image::load_from_memory_with_format(jpeg, ImageFormat::Jpeg)
        .expect("the output decodes as a JPEG")
        .into_rgb8()
}

/// Within JPEG's error of the colour wanted.
fn looks_like(got: Rgb<u8>, want: [u8; 3]) -> bool {
    got.0
        .iter()
        .zip(want)
        .all(|(&g, w)| (i16::from(g) - i16::from(w)).abs() < 40)
}

/// The markers of a JPEG's header, up to its first scan.
fn header_markers(jpeg: &[u8]) -> Vec<u8> {
    let mut markers = vec![];
    let mut at = 2;
    while at + 4 <= jpeg.len() && jpeg[at] == 0xFF {
        let marker = jpeg[at + 1];
        markers.push(marker);
        if marker == 0xDA {
            break;
        }
        at += 2 + usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
    }
    markers
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// What every output must be: both parts plain JPEGs with no metadata, named
/// by their hashes, the thumbnail within its side.
fn check_clean(out: &Encoded) {
    for (part, bytes, hash) in [
        ("full", &out.full, &out.full_hash),
        ("thumb", &out.thumb, &out.thumb_hash),
    ] {
        let markers = header_markers(bytes);
        assert!(
            markers
                .iter()
                .all(|m| !(0xE1..=0xEF).contains(m) && *m != 0xFE),
            "{part}: no APP1..APP15 (EXIF, XMP, ICC, maker notes) or comment segment, got {markers:02X?}"
        );
        assert!(
            !contains(bytes, b"Exif\0\0"),
            "{part}: no EXIF block anywhere"
        );
        assert!(
            !contains(bytes, b"GridlineTestCam") && !contains(bytes, b"GTC-1"),
            "{part}: the camera's make and model are gone"
        );
        assert_eq!(
            *hash,
            hex::encode(Sha256::digest(bytes)),
            "{part}: named by the SHA-256 of its own bytes"
        );
        assert_eq!(*hash, sha256_hex(bytes));
    }
    let full = decoded(&out.full);
    assert_eq!(
        full.dimensions(),
        (out.width, out.height),
        "width and height are the full photo's"
    );
    let thumb = decoded(&out.thumb);
    assert!(
        thumb.width().max(thumb.height()) <= THUMB_SIDE,
        "the thumbnail is within {THUMB_SIDE} px, got {:?}",
        thumb.dimensions()
    );
}

const RED: [u8; 3] = [220, 20, 20];
const GREEN: [u8; 3] = [20, 200, 20];
const BLUE: [u8; 3] = [20, 20, 220];
const YELLOW: [u8; 3] = [230, 230, 30];

/// Each quadrant of the upright 60 × 40 test picture, sampled at its centre.
fn check_upright(image: &RgbImage, what: &str) {
    assert_eq!(image.dimensions(), (60, 40), "{what}: upright is 60 × 40");
    for ((x, y), want, name) in [
        ((15, 10), RED, "red top left"),
        ((45, 10), GREEN, "green top right"),
        ((15, 30), BLUE, "blue bottom left"),
        ((45, 30), YELLOW, "yellow bottom right"),
    ] {
        let got = *image.get_pixel(x, y);
        assert!(
            looks_like(got, want),
            "{what}: {name}, got {got:?} at ({x}, {y})"
        );
    }
}

#[test]
fn every_exif_orientation_comes_out_upright_without_its_exif() {
    for orientation in 1..=8 {
        let name = format!("orientation-{orientation}.jpg");
        let input = fixture(&name);
        assert!(
            contains(&input, b"Exif\0\0")
                && contains(&input, b"GridlineTestCam")
                && contains(&input, b"GTC-1 Secret"),
            "{name}: the fixture carries EXIF with the camera's make and model"
        );
        let out = reencode(&input).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            (out.width, out.height),
            (60, 40),
            "{name}: the upright size, not the stored one, and not enlarged"
        );
        check_clean(&out);
        check_upright(&decoded(&out.full), &name);
        check_upright(&decoded(&out.thumb), &format!("{name} thumbnail"));
    }
}

#[test]
fn the_fixtures_carry_gps_that_the_output_does_not() {
    let input = fixture("orientation-6.jpg");
    let exif = image::ImageReader::new(std::io::Cursor::new(&input))
        .with_guessed_format()
        .unwrap()
        .into_decoder()
        .map(|mut d| image::ImageDecoder::exif_metadata(&mut d).unwrap())
        .unwrap()
        .expect("the fixture has EXIF");
    // The GPS IFD pointer (tag 0x8825) in the TIFF header's byte order.
    let gps_tag: &[u8] = if exif.starts_with(b"II") {
        &[0x25, 0x88]
    } else {
        &[0x88, 0x25]
    };
    assert!(
        contains(&exif, gps_tag),
        "the fixture points to a GPS IFD, so a kept one would show"
    );
    let out = reencode(&input).unwrap();
    for bytes in [&out.full, &out.thumb] {
        let mut d = image::ImageReader::new(std::io::Cursor::new(bytes))
            .with_guessed_format()
            .unwrap()
            .into_decoder()
            .unwrap();
        assert_eq!(
            image::ImageDecoder::exif_metadata(&mut d).unwrap(),
            None,
            "no EXIF, so no GPS position, survives re-encoding"
        );
    }
}

#[test]
fn a_panorama_is_shrunk_to_the_longest_side_keeping_its_aspect() {
    let out = reencode(&fixture("panorama-8000x1000.jpg")).unwrap();
    check_clean(&out);
    assert_eq!(out.width, MAX_SIDE, "the long side is exactly {MAX_SIDE}");
    assert!(
        out.height.abs_diff(200) <= 1,
        "8000 × 1000 keeps its 8:1 aspect within a pixel, got {}",
        out.height
    );
    let thumb = decoded(&out.thumb);
    assert_eq!(thumb.width(), THUMB_SIDE, "the thumbnail's long side");
    assert!(thumb.height().abs_diff(40) <= 1, "and its aspect");
    let full = decoded(&out.full);
    let (left, right) = (full.get_pixel(10, 100)[0], full.get_pixel(1590, 100)[0]);
    assert!(
        left < 30 && right > 225,
        "red still rises left to right (not mirrored), got {left} .. {right}"
    );
}

#[test]
fn a_transparent_png_is_laid_on_white() {
    let out = reencode(&fixture("alpha-40x30.png")).unwrap();
    check_clean(&out);
    assert_eq!((out.width, out.height), (40, 30), "small is not enlarged");
    let full = decoded(&out.full);
    assert!(
        looks_like(*full.get_pixel(5, 15), [255, 255, 255]),
        "transparent becomes white, not black, got {:?}",
        full.get_pixel(5, 15)
    );
    assert!(
        looks_like(*full.get_pixel(35, 15), [20, 20, 220]),
        "opaque stays as it was"
    );
}

#[test]
fn a_webp_is_taken() {
    let out = reencode(&fixture("upright-60x40.webp")).unwrap();
    check_clean(&out);
    check_upright(&decoded(&out.full), "webp");
}

#[test]
fn the_same_photo_always_gives_the_same_bytes() {
    for name in [
        "orientation-6.jpg",
        "panorama-8000x1000.jpg",
        "alpha-40x30.png",
    ] {
        let input = fixture(name);
        let (a, b) = (reencode(&input).unwrap(), reencode(&input).unwrap());
        assert_eq!(
            a, b,
            "{name}: files are named by hash, so a second re-encoding must be the same file"
        );
    }
}

/// A JPEG whose frame header claims `width` × `height`.
fn with_claimed_size(jpeg: &[u8], width: u16, height: u16) -> Vec<u8> {
    let mut out = jpeg.to_vec();
    let sof = out
        .windows(2)
        .position(|w| w == [0xFF, 0xC0] || w == [0xFF, 0xC2])
        .expect("a JPEG has a frame header");
    out[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    out[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    out
}

#[test]
fn what_cannot_be_kept_is_refused_with_what_to_do() {
    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\0\0".to_vec();
    let cases: Vec<(&str, Vec<u8>, EncodeError)> = vec![
        ("empty", vec![], EncodeError::Empty),
        (
            "over 50 MB",
            vec![0xFF; MAX_INPUT_BYTES + 1],
            EncodeError::TooLarge {
                bytes: MAX_INPUT_BYTES + 1,
            },
        ),
        (
            "not an image",
            fixture("not-an-image.txt"),
            EncodeError::NotAnImage,
        ),
        (
            "a PNG claiming 20000 × 20000",
            fixture("huge-20000x20000.png"),
            EncodeError::TooManyPixels {
                width: 20000,
                height: 20000,
            },
        ),
        (
            "a JPEG claiming 60000 × 50000",
            with_claimed_size(&fixture("orientation-1.jpg"), 60000, 50000),
            EncodeError::TooManyPixels {
                width: 60000,
                height: 50000,
            },
        ),
        (
            "HEIC",
            heic,
            EncodeError::Unsupported {
                format: "HEIC".into(),
            },
        ),
        (
            "GIF",
            b"GIF89a\x01\0\x01\0\0\0\0;".to_vec(),
            EncodeError::Unsupported {
                format: "GIF".into(),
            },
        ),
    ];
    for (what, input, want) in cases {
        let got = reencode(&input).expect_err(what);
        assert_eq!(got, want, "{what}");
        check_told(what, &got);
    }

    for (what, input) in [
        ("a truncated JPEG", fixture("truncated.jpg")),
        (
            "a JPEG cut in its header",
            fixture("orientation-1.jpg")[..100].to_vec(),
        ),
    ] {
        let got = reencode(&input).expect_err(what);
        assert!(
            matches!(got, EncodeError::Damaged(_)),
            "{what}: damaged, got {got:?}"
        );
        check_told(what, &got);
    }
}

/// A refusal says, in both languages, what happened and what to do.
fn check_told(what: &str, e: &EncodeError) {
    let t = e.text();
    let han = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    assert!(
        t.zh.chars().any(han),
        "{what}: the Chinese half is in Chinese: {}",
        t.zh
    );
    assert!(
        !t.en.is_empty() && !t.en.chars().any(han),
        "{what}: the English half is in English: {}",
        t.en
    );
    assert!(
        t.zh.contains('请') && ["take", "choose", "copy"].iter().any(|w| t.en.contains(w)),
        "{what}: says what to do: {t:?}"
    );
    assert!(!e.to_string().is_empty(), "{what}: a Display for logs");
}

#[test]
fn heic_says_how_to_take_jpeg_instead() {
    let e = EncodeError::Unsupported {
        format: "HEIC".into(),
    };
    assert!(
        e.text().en.contains("JPEG, PNG or WebP") && e.text().zh.contains("JPEG、PNG 或 WebP"),
        "names what is taken: {:?}",
        e.text()
    );
    assert!(
        e.text().en.contains("Most Compatible"),
        "and how an iPhone makes it"
    );
}

#[test]
fn a_twelve_megapixel_photo_is_kept_at_1600_in_a_plausible_size() {
    let input = sample_photo(4000, 3000);
    assert_eq!(
        input,
        sample_photo(4000, 3000),
        "the sample is the same every time"
    );
    let out = reencode(&input).unwrap();
    check_clean(&out);
    assert_eq!((out.width, out.height), (1600, 1200), "4:3 at {MAX_SIDE}");
    println!(
        "sample 4000x3000: input {} bytes, full {} bytes, thumb {} bytes",
        input.len(),
        out.full.len(),
        out.thumb.len()
    );
    assert!(
        (50_000..=1_500_000).contains(&out.full.len()),
        "a 1600 × 1200 JPEG at quality 80 of a busy picture is tens to hundreds of KB, got {}",
        out.full.len()
    );
    assert!(
        (2_000..=60_000).contains(&out.thumb.len()),
        "a 320 × 240 thumbnail is a few KB, got {}",
        out.thumb.len()
    );
}

/// `cargo test --release -p gridline-photo -- --ignored --nocapture`: how
/// long re-encoding a 12-megapixel photo takes here. Prints only; a timing
/// assertion would fail on a busy machine.
#[test]
#[ignore = "timing, run by hand in --release"]
fn time_reencoding_twelve_megapixels() {
    let input = sample_photo(4000, 3000);
    let mut times = vec![];
    for _ in 0..5 {
        let start = Instant::now();
        let out = reencode(&input).unwrap();
        times.push(start.elapsed());
        std::hint::black_box(out);
    }
    times.sort();
    println!(
        "reencode 4000x3000 ({} bytes in): min {:?}, median {:?}, max {:?}",
        input.len(),
        times[0],
        times[2],
        times[4]
    );

    // Where the time goes, stage by stage. `reencode` halves by 2 × 2 means
    // before its triangle step; the whole-size filters below are what that
    // saves (about 70 ms here), and the box filter what it would cost plain.
    let t = Instant::now();
    let img = image::load_from_memory_with_format(&input, ImageFormat::Jpeg)
        .unwrap()
        .into_rgb8();
    println!("  decode: {:?}", t.elapsed());
    for (name, filter) in [
        ("triangle", image::imageops::FilterType::Triangle),
        ("catmull-rom", image::imageops::FilterType::CatmullRom),
    ] {
        let t = Instant::now();
        std::hint::black_box(image::imageops::resize(&img, 1600, 1200, filter));
        println!("  resize {name} from 4000x3000: {:?}", t.elapsed());
    }
    let t = Instant::now();
    let small = image::imageops::thumbnail(&img, 1600, 1200);
    println!("  resize thumbnail (box): {:?}", t.elapsed());
    let t = Instant::now();
    let mut out = vec![];
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&small)
        .unwrap();
    println!("  encode 1600x1200: {:?}", t.elapsed());
}

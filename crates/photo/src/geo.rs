//! Locations for Chinese map apps. Gridline stores every location as WGS-84
//! (what GPS reports, DESIGN §9); Chinese map apps (Amap 高德, Tencent Maps)
//! expect GCJ-02, the offset the national survey rules require of
//! maps published in mainland China. Convert with [`wgs84_to_gcj02`] only at
//! the moment a location is handed to such an app, never in storage: a stored
//! location converted twice, or once where it should not be, is off by
//! hundreds of metres with nothing to show it.

use std::f64::consts::PI;

/// The semi-major axis of the Krasovsky 1940 ellipsoid GCJ-02 is defined on.
const A: f64 = 6_378_245.0;
/// Its eccentricity squared, published as 0.00669342162296594323; the last
/// two digits are beyond an f64 and change nothing.
const EE: f64 = 0.006_693_421_622_965_943;

/// A WGS-84 latitude and longitude (degrees) as GCJ-02, by the standard
/// published algorithm. Outside mainland China's rough bounding box
/// (longitude 72.004–137.8347, latitude 0.8293–55.8271) no offset applies
/// and the point is returned unchanged. Use it when opening a Chinese map
/// app, never on a location that is to be stored.
pub fn wgs84_to_gcj02(lat: f64, lon: f64) -> (f64, f64) {
    if !(72.004..=137.8347).contains(&lon) || !(0.8293..=55.8271).contains(&lat) {
        return (lat, lon);
    }
    let (x, y) = (lon - 105.0, lat - 35.0);
    let rad_lat = lat.to_radians();
    let magic = 1.0 - EE * rad_lat.sin().powi(2);
    let sqrt_magic = magic.sqrt();
    let d_lat = offset_lat(x, y) * 180.0 / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI);
    let d_lon = offset_lon(x, y) * 180.0 / (A / sqrt_magic * rad_lat.cos() * PI);
    (lat + d_lat, lon + d_lon)
}

/// A link that opens Amap (高德地图) at a stored WGS-84 position: the app's
/// web and app URI, which takes GCJ-02, converted here and only here.
/// `name` labels the marker (an address, an issue's category).
pub fn amap_marker_url(lat: f64, lon: f64, name: &str) -> String {
    let (glat, glon) = wgs84_to_gcj02(lat, lon);
    let name: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("https://uri.amap.com/marker?position={glon:.6},{glat:.6}&name={name}&coordinate=gaode&callnative=1")
}

fn offset_lat(x: f64, y: f64) -> f64 {
    -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * x.abs().sqrt()
        + (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0
        + (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0
        + (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0
}

fn offset_lon(x: f64, y: f64) -> f64 {
    300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * x.abs().sqrt()
        + (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0
        + (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0
        + (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Within 1e-6 degrees, about 0.1 m: the reference values are printed to
    /// nine decimals, and a real mistake in the formula is metres off.
    fn near(got: (f64, f64), want: (f64, f64)) -> bool {
        (got.0 - want.0).abs() < 1e-6 && (got.1 - want.1).abs() < 1e-6
    }

    #[test]
    fn points_in_china_take_the_published_offset() {
        // Reference values computed independently with a Python transcription
        // of the well-known algorithm (eviltransform / coordtransform), which
        // gives Tiananmen 39.91012, 116.40372 as published: the GCJ-02 point
        // lies about 540 m east and 150 m north of the WGS-84 one.
        for (place, wgs, gcj) in [
            (
                "Tiananmen, Beijing",
                (39.90872, 116.39748),
                (39.910_123_496, 116.403_723_571),
            ),
            (
                "People's Square, Shanghai",
                (31.23039, 121.47370),
                (31.228_447_733, 121.478_223_058),
            ),
            (
                "Duyun, Guizhou",
                (26.25970, 107.51820),
                (26.256_268_754, 107.522_376_358),
            ),
        ] {
            let got = wgs84_to_gcj02(wgs.0, wgs.1);
            assert!(
                near(got, gcj),
                "{place}: {got:?} should be the reference {gcj:?}"
            );
        }
    }

    #[test]
    fn points_outside_china_are_unchanged() {
        for (place, p) in [
            ("Greenwich", (51.4779, -0.0015)),
            ("Sydney", (-33.8568, 151.2153)),
            ("Tokyo, east of the box", (35.6812, 139.7671)),
        ] {
            assert_eq!(
                wgs84_to_gcj02(p.0, p.1),
                p,
                "{place} is outside the box: no offset applies"
            );
        }
    }
}

#[cfg(test)]
mod link_tests {
    use super::*;

    #[test]
    fn the_amap_link_carries_the_converted_position_and_an_encoded_name() {
        // Tiananmen: WGS-84 39.90872, 116.39748 is GCJ-02 39.910123, 116.403724.
        let url = amap_marker_url(39.90872, 116.39748, "电梯 8栋");
        assert!(url.contains("position=116.403724,39.910123"), "{url}");
        assert!(
            url.contains("name=%E7%94%B5%E6%A2%AF%208%E6%A0%8B"),
            "{url}"
        );
        assert!(url.contains("coordinate=gaode"), "{url}");
    }
}

//! Where something happened (DESIGN §9): WGS-84 latitude and longitude, how
//! sure, and where the position came from. Stored as WGS-84 always; a
//! Chinese map app's GCJ-02 is made only when one is opened.

use crate::{text, Invalid};

/// The largest accuracy radius kept, in metres: beyond it a position says
/// nothing a grid does not.
pub const MAX_ACCURACY_M: f64 = 10_000.0;

/// Where a position came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LocationSource {
    /// The device's satellite or network fix.
    Gps,
    /// Picked by hand on a plot or map.
    Map,
    /// Taken from a household's stored location (a laptop has no GPS).
    Household,
}

impl LocationSource {
    pub const ALL: [LocationSource; 3] = [
        LocationSource::Gps,
        LocationSource::Map,
        LocationSource::Household,
    ];

    pub fn key(self) -> &'static str {
        match self {
            LocationSource::Gps => "gps",
            LocationSource::Map => "map",
            LocationSource::Household => "household",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            LocationSource::Gps => "定位",
            LocationSource::Map => "地图选点",
            LocationSource::Household => "住户位置",
        }
    }

    pub fn parse(s: &str) -> Result<LocationSource, Invalid> {
        LocationSource::ALL
            .into_iter()
            .find(|k| k.key() == s.trim())
            .ok_or_else(|| {
                Invalid::new(
                    "source",
                    text!("位置来源 \"{s}\" 不存在", "no location source \"{s}\""),
                    text!("请用 gps、map 或 household", "use gps, map or household"),
                )
            })
    }
}

/// A WGS-84 position with its accuracy (metres, when known) and source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Location {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: Option<f64>,
    pub source: LocationSource,
}

impl Location {
    pub fn validate(&self) -> Result<(), Invalid> {
        let fix = text!(
            "纬度在 -90 至 90 之间，经度在 -180 至 180 之间（WGS-84，如 26.2597, 107.5182）",
            "latitude -90 to 90, longitude -180 to 180 (WGS-84, e.g. 26.2597, 107.5182)"
        );
        if !self.lat.is_finite() || !(-90.0..=90.0).contains(&self.lat) {
            let lat = self.lat;
            return Err(Invalid::new(
                "lat",
                text!("纬度 {lat} 不在范围内", "latitude {lat} is out of range"),
                fix,
            ));
        }
        if !self.lon.is_finite() || !(-180.0..=180.0).contains(&self.lon) {
            let lon = self.lon;
            return Err(Invalid::new(
                "lon",
                text!("经度 {lon} 不在范围内", "longitude {lon} is out of range"),
                fix,
            ));
        }
        if let Some(a) = self.accuracy_m {
            if !a.is_finite() || !(0.0..=MAX_ACCURACY_M).contains(&a) {
                return Err(Invalid::new(
                    "accuracy",
                    text!(
                        "精度 {a} 米不在 0 至 {MAX_ACCURACY_M} 米之间",
                        "accuracy {a} m is not between 0 and {MAX_ACCURACY_M} m"
                    ),
                    text!(
                        "定位不准时可不填位置，或在地图上选点",
                        "leave the position out, or pick it on the map"
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(lat: f64, lon: f64, acc: Option<f64>) -> Location {
        Location {
            lat,
            lon,
            accuracy_m: acc,
            source: LocationSource::Gps,
        }
    }

    #[test]
    fn positions_out_of_range_are_named_by_field() {
        assert!(at(26.2597, 107.5182, Some(8.0)).validate().is_ok());
        assert!(at(-90.0, 180.0, None).validate().is_ok());
        assert_eq!(at(90.5, 0.0, None).validate().unwrap_err().field, "lat");
        assert_eq!(at(f64::NAN, 0.0, None).validate().unwrap_err().field, "lat");
        assert_eq!(at(0.0, -181.0, None).validate().unwrap_err().field, "lon");
        assert_eq!(
            at(0.0, f64::INFINITY, None).validate().unwrap_err().field,
            "lon"
        );
        assert_eq!(
            at(0.0, 0.0, Some(-1.0)).validate().unwrap_err().field,
            "accuracy"
        );
        assert_eq!(
            at(0.0, 0.0, Some(MAX_ACCURACY_M + 1.0))
                .validate()
                .unwrap_err()
                .field,
            "accuracy"
        );
    }

    #[test]
    fn sources_round_trip_by_key() {
        for s in LocationSource::ALL {
            assert_eq!(LocationSource::parse(s.key()).unwrap(), s);
        }
        assert_eq!(LocationSource::parse("wifi").unwrap_err().field, "source");
    }
}

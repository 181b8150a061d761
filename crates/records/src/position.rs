//! Where an issue was seen or a visit made (DESIGN §9): one root map.
//!
//! ```text
//! { …, position: { lat, lon, accuracy?, source } }
//! ```
//!
//! WGS-84 degrees and the accuracy in metres, each as decimal text like
//! every short field; `source` is `gps`, `map` or `household`. Set once,
//! with the record.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT};
use gridline_model::location::{Location, LocationSource};
use gridline_model::Instant;

use crate::fields::*;
use crate::{Error, Result};

pub const KEY: &str = "position";

/// Writes the record's position as one change stamped `at`.
pub fn set(doc: &mut AutoCommit, l: &Location, at: Instant) -> Result<()> {
    let m = doc.put_object(&ROOT, KEY, ObjType::Map)?;
    doc.put(&m, "lat", l.lat.to_string())?;
    doc.put(&m, "lon", l.lon.to_string())?;
    if let Some(a) = l.accuracy_m {
        doc.put(&m, "accuracy", a.to_string())?;
    }
    doc.put(&m, "source", l.source.key())?;
    commit(doc, at);
    Ok(())
}

/// The record's position, if it has one.
pub fn read(doc: &AutoCommit) -> Result<Option<Location>> {
    let Some(m) = opt_map(doc, &ROOT, KEY)? else {
        return Ok(None);
    };
    let number = |k: &str| -> Result<Option<f64>> {
        match opt_str(doc, &m, k)? {
            None => Ok(None),
            Some(s) => s
                .parse()
                .map(Some)
                .map_err(|_| Error::shape(k, format!("not a number: {s:?}"))),
        }
    };
    let (Some(lat), Some(lon)) = (number("lat")?, number("lon")?) else {
        return Err(Error::shape(KEY, "lat and lon are both needed"));
    };
    Ok(Some(Location {
        lat,
        lon,
        accuracy_m: number("accuracy")?,
        source: LocationSource::parse(&req_str(doc, &m, "source")?)?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_position_round_trips_and_a_record_without_one_has_none() {
        let at = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        let mut doc = crate::new_doc(&[1; 16]);
        assert_eq!(read(&doc).unwrap(), None);
        let l = Location {
            lat: 26.259_7,
            lon: 107.518_2,
            accuracy_m: Some(12.5),
            source: LocationSource::Gps,
        };
        set(&mut doc, &l, at).unwrap();
        assert_eq!(read(&doc).unwrap(), Some(l));
        let l2 = Location {
            accuracy_m: None,
            source: LocationSource::Household,
            ..l
        };
        let mut doc = crate::new_doc(&[1; 16]);
        set(&mut doc, &l2, at).unwrap();
        assert_eq!(read(&doc).unwrap(), Some(l2));
    }
}

//! The plain data that flows between pipeline stages: areas, stations and
//! the layers that hold them. All coordinates here are WGS84 lon/lat degrees.

mod format;

pub use format::InputFormat;

use geo::{Coord, MultiPolygon};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::issues::FeatureIssue;

/// A boundary polygon the claim is about (a township, a district, a zone).
#[derive(Debug, Clone)]
pub struct Area {
    /// Index of the feature in its file.
    pub index: usize,
    /// Its id (see the report's `inputs.*.fields`).
    pub id: String,
    /// Its name, if the layer has one.
    pub name: Option<String>,
    /// Its group, if the layer has one.
    pub group: Option<String>,
    /// Every area is held as a MultiPolygon; `single_polygon` remembers
    /// whether the file had a plain Polygon, so outputs keep its type.
    pub geometry: MultiPolygon<f64>,
    /// The feature was a Polygon (written back as one).
    pub single_polygon: bool,
    /// The feature's properties as JSON text (`None` when it had none),
    /// for outputs that carry them on: as text they take a quarter of the
    /// memory of a parsed map. Read with [`Area::properties`].
    pub properties_json: Option<Box<RawValue>>,
}

impl Area {
    /// Keeps `properties` as text (see `properties_json`).
    pub fn properties_to_json(properties: &Map<String, Value>) -> Option<Box<RawValue>> {
        if properties.is_empty() {
            return None;
        }
        // Writing a map of JSON values to text cannot fail.
        serde_json::value::to_raw_value(properties).ok()
    }

    /// The feature's properties as read.
    pub fn properties(&self) -> Map<String, Value> {
        self.properties_json
            .as_ref()
            .and_then(|text| serde_json::from_str(text.get()).ok())
            .unwrap_or_default()
    }
}

/// A charging station (one site; its power is its best socket).
#[derive(Debug, Clone, PartialEq)]
pub struct Station {
    /// Index of the feature (or CSV data row) in its file. A `u32` keeps
    /// two million stations 16 MB smaller; longer layers are refused.
    pub index: u32,
    /// Its id, if it has one.
    pub id: Option<Box<str>>,
    /// WGS84 lon/lat degrees.
    pub location: Coord<f64>,
    /// kW, NaN when unknown: an `Option<f64>` would take 16 bytes and make
    /// the record 56 bytes instead of 48. Read with [`Station::power_kw`].
    power: f64,
}

impl Station {
    /// A station of record `index` at `location` (WGS84).
    pub fn new(
        index: u32,
        id: Option<Box<str>>,
        location: Coord<f64>,
        power_kw: Option<f64>,
    ) -> Self {
        Station {
            index,
            id,
            location,
            power: power_kw.unwrap_or(f64::NAN),
        }
    }

    /// The station's power in kW, when known.
    pub fn power_kw(&self) -> Option<f64> {
        (!self.power.is_nan()).then_some(self.power)
    }

    /// Forgets the power (read under a key the layer did not choose).
    pub fn clear_power(&mut self) {
        self.power = f64::NAN;
    }

    /// The id for messages and outputs: the station's own, or `#index`.
    pub fn label(&self) -> String {
        match &self.id {
            Some(id) => id.to_string(),
            None => format!("#{}", self.index),
        }
    }
}

/// Which property fed each role, as reported to the user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FieldsUsed {
    /// The property or column read as the id.
    pub id: Option<String>,
    /// The property read as the name.
    pub name: Option<String>,
    /// The property read as the group.
    pub group: Option<String>,
    /// The property or column read as the power.
    pub power: Option<String>,
    /// The column read as the longitude.
    pub lon: Option<String>,
    /// The column read as the latitude.
    pub lat: Option<String>,
}

/// What is known about a layer's file, for the report's `inputs`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerInfo {
    /// The path as given, or `-` for standard input.
    pub path: String,
    /// `geojson` or `csv`.
    pub format: &'static str,
    /// Records in the file, before any were dropped.
    pub features_read: usize,
    /// Records in use.
    pub features_used: usize,
    /// The layer's coordinate system and where that came from.
    pub crs: String,
    /// Read as WGS84 with no flag saying so (checked for offset mismatch).
    #[serde(skip)]
    pub wgs84_unconfirmed: bool,
    /// Which properties played which role.
    pub fields: FieldsUsed,
    /// For tables, every column's name (empty for GeoJSON): what a message
    /// can offer when a needed field was not found.
    #[serde(skip)]
    pub columns: Vec<String>,
    /// Each `--where` filter, in order, with the records it removed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<FilterCount>,
    /// How records were grouped into pools (sites), when they were.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pools: Option<PoolSummary>,
}

/// What one filter did to a layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FilterCount {
    /// The expression as given.
    pub filter: String,
    /// Records that passed every earlier filter and failed this one.
    pub removed: usize,
    /// Fields it reads that no record has (a misspelt name?).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unseen: Vec<String>,
}

impl FilterCount {
    /// `EXPR: removed N records`, for people.
    pub fn summary(&self) -> String {
        format!(
            "{}: removed {} record{}",
            self.filter,
            self.removed,
            if self.removed == 1 { "" } else { "s" }
        )
    }

    /// The warning when the filter reads fields no record has.
    pub fn unseen_warning(&self) -> Option<String> {
        (!self.unseen.is_empty()).then(|| {
            format!(
                "the filter reads {}, which no record has: a misspelt name?",
                self.unseen.join(", ")
            )
        })
    }
}

/// What a station record says beyond its strongest point, when the feed
/// gives more (several points, a site key): what pools are made of.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StationPoints {
    /// Each charging point's power in kW (unknown ones left out).
    pub kw: Box<[f64]>,
    /// The site the record belongs to (`--pool-field`).
    pub pool_key: Option<Box<str>>,
    /// Records behind it: 1 for a record, more for a site of several
    /// (0 is read as 1).
    pub records: u32,
}

/// The area layer after reading and normalising.
#[derive(Debug, Clone)]
pub struct AreaLayer {
    /// Where the layer came from and how it was read.
    pub info: LayerInfo,
    /// The usable areas, in file order.
    pub areas: Vec<Area>,
    /// Problems that did not stop the run.
    pub warnings: Vec<FeatureIssue>,
}

/// The station layer after reading and normalising.
#[derive(Debug, Clone)]
pub struct StationLayer {
    /// Where the layer came from and how it was read.
    pub info: LayerInfo,
    /// The usable stations, in file order.
    pub stations: Vec<Station>,
    /// Beside each station, its points and site key — empty when the feed
    /// gives one power per record and no site key (each record is one
    /// point of its power).
    pub points: Vec<StationPoints>,
    /// Groups of stations at exactly the same place (positions into
    /// `stations`, each group ascending): the nearest-station searches
    /// need only one of each (a pile of chargers at one point is one
    /// candidate, not thousands of equal ones).
    pub coincident: Vec<Vec<u32>>,
    /// Problems that did not stop the run.
    pub warnings: Vec<FeatureIssue>,
}

impl StationLayer {
    /// A layer that holds no station (read from `path` in `format`, its
    /// coordinates in `crs`, described).
    pub fn empty(path: String, format: InputFormat, crs: String) -> StationLayer {
        StationLayer {
            info: LayerInfo {
                path,
                format: format.name(),
                features_read: 0,
                features_used: 0,
                crs,
                wgs84_unconfirmed: false,
                fields: FieldsUsed::default(),
                columns: Vec::new(),
                filters: Vec::new(),
                pools: None,
            },
            stations: Vec::new(),
            points: Vec::new(),
            coincident: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn power_is_kept_or_known_to_be_missing() {
        let at = Coord { x: 1.0, y: 2.0 };
        assert_eq!(Station::new(0, None, at, Some(7.4)).power_kw(), Some(7.4));
        assert_eq!(Station::new(0, None, at, Some(0.0)).power_kw(), Some(0.0));
        assert_eq!(Station::new(0, None, at, None).power_kw(), None);
        let mut s = Station::new(3, Some("a".into()), at, Some(480.0));
        s.clear_power();
        assert_eq!(s.power_kw(), None);
        assert_eq!(s.label(), "a");
    }

    #[test]
    fn area_properties_come_back_as_read_in_order() {
        let text =
            r#"{"name":"渝中区","code":500103,"pop":null,"tags":["a",{"b":1.5}],"alpha":true}"#;
        let map: Map<String, Value> = serde_json::from_str(text).unwrap();
        let kept = Area::properties_to_json(&map).unwrap();
        assert_eq!(kept.get(), text);
        let area = Area {
            index: 0,
            id: "a".into(),
            name: None,
            group: None,
            geometry: MultiPolygon(Vec::new()),
            single_polygon: true,
            properties_json: Some(kept),
        };
        assert_eq!(area.properties(), map);
        let keys: Vec<&String> = map.keys().collect();
        assert_eq!(keys, ["name", "code", "pop", "tags", "alpha"]);
        assert!(Area::properties_to_json(&Map::new()).is_none());
    }

    #[test]
    fn a_station_record_stays_small() {
        // Two million of them are read at national scale: 48 bytes each.
        assert_eq!(std::mem::size_of::<Station>(), 48);
    }
}

/// What pooling did, for the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolSummary {
    /// How records were grouped, in words.
    pub by: String,
    /// Records grouped.
    pub records: usize,
    /// Pools made of them.
    pub pools: usize,
    /// Records in the largest pool.
    pub largest: usize,
}

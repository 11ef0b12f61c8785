//! The plain data that flows between pipeline stages: areas, stations and
//! the layers that hold them. All coordinates here are WGS84 lon/lat degrees.

use geo::{Coord, MultiPolygon};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::issues::FeatureIssue;

/// A boundary polygon the claim is about (a township, a district, a zone).
#[derive(Debug, Clone)]
pub struct Area {
    /// Index of the feature in its file.
    pub index: usize,
    pub id: String,
    pub name: Option<String>,
    pub group: Option<String>,
    /// Every area is held as a MultiPolygon; `single_polygon` remembers
    /// whether the file had a plain Polygon, so outputs keep its type.
    pub geometry: MultiPolygon<f64>,
    pub single_polygon: bool,
    /// The feature's properties as read, for outputs that carry them on.
    pub properties: Map<String, Value>,
}

/// A charging station (one site; its power is its best socket).
#[derive(Debug, Clone, PartialEq)]
pub struct Station {
    /// Index of the feature (or CSV data row) in its file.
    pub index: usize,
    pub id: Option<Box<str>>,
    /// WGS84 lon/lat degrees.
    pub location: Coord<f64>,
    pub power_kw: Option<f64>,
}

impl Station {
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
    pub id: Option<String>,
    pub name: Option<String>,
    pub group: Option<String>,
    pub power: Option<String>,
    pub lon: Option<String>,
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
    pub fields: FieldsUsed,
}

/// The area layer after reading and normalising.
#[derive(Debug, Clone)]
pub struct AreaLayer {
    pub info: LayerInfo,
    pub areas: Vec<Area>,
    pub warnings: Vec<FeatureIssue>,
}

/// The station layer after reading and normalising.
#[derive(Debug, Clone)]
pub struct StationLayer {
    pub info: LayerInfo,
    pub stations: Vec<Station>,
    pub warnings: Vec<FeatureIssue>,
}

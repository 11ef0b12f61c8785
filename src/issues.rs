//! Problems found in input features: what is wrong, where, and what to do.
//!
//! The same record serves as a fatal error (collected into
//! [`crate::Error::Features`]) and as a warning carried into the report, so
//! a problem reads the same wherever it is shown.

use std::fmt;

use serde::Serialize;

/// How bad a problem is — of a feature's issue, or of a failed
/// `validate` check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The feature cannot be used; the check fails the validation.
    Error,
    /// The run goes on; the problem is reported.
    Warning,
    /// A check that is not run (never a feature's issue).
    Off,
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "error" => Ok(Severity::Error),
            "warning" | "warn" => Ok(Severity::Warning),
            "off" => Ok(Severity::Off),
            _ => Err(format!("unknown severity {s:?}; use error, warning or off")),
        }
    }
}

/// How a record's index counts its place in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Numbering {
    /// Index into a GeoJSON `features` array (0-based, as in the file).
    Feature,
    /// Data row of a CSV file (0-based; the file line is `index + 2`).
    CsvRow,
}

/// Which problem it is; stable identifiers used in reports and by CI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IssueCode {
    /// A member of `features` that is not a Feature.
    NotAFeature,
    /// `geometry` is null or missing.
    NullGeometry,
    /// A geometry of the wrong type for the layer.
    GeometryType,
    /// A geometry without coordinates.
    EmptyGeometry,
    /// Coordinates that are not numbers.
    BadCoordinates,
    /// Coordinates outside the layer's coordinate system.
    CoordinateOutOfRange,
    /// A ring of fewer than four positions.
    RingTooShort,
    /// A ring whose last position is not its first.
    UnclosedRing,
    /// A self-intersecting or otherwise invalid polygon.
    InvalidGeometry,
    /// A property of the wrong kind for its role.
    BadField,
    /// A power value that could not be read.
    PowerUnparsed,
    /// A power value of 0 or less, or above any charger's (watts for kW?).
    PowerImplausible,
    /// An id used by an earlier feature.
    DuplicateId,
    /// A station at the same place as an earlier one.
    DuplicateLocation,
    /// An area that crosses the antimeridian or spans more than 180°.
    Antimeridian,
    /// A line with fewer than two distinct positions.
    LineTooShort,
    /// A candidate site outside every area and out of covering reach.
    OutsideEveryArea,
    /// Positions a float's noise beyond ±180° or ±90°, taken as the limit.
    CoordinateSnapped,
}

impl IssueCode {
    /// The kebab-case identifier, as written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            IssueCode::NotAFeature => "not-a-feature",
            IssueCode::NullGeometry => "null-geometry",
            IssueCode::GeometryType => "geometry-type",
            IssueCode::EmptyGeometry => "empty-geometry",
            IssueCode::BadCoordinates => "bad-coordinates",
            IssueCode::CoordinateOutOfRange => "coordinate-out-of-range",
            IssueCode::RingTooShort => "ring-too-short",
            IssueCode::UnclosedRing => "unclosed-ring",
            IssueCode::InvalidGeometry => "invalid-geometry",
            IssueCode::BadField => "bad-field",
            IssueCode::PowerUnparsed => "power-unparsed",
            IssueCode::PowerImplausible => "power-implausible",
            IssueCode::DuplicateId => "duplicate-id",
            IssueCode::DuplicateLocation => "duplicate-location",
            IssueCode::LineTooShort => "line-too-short",
            IssueCode::OutsideEveryArea => "outside-every-area",
            IssueCode::Antimeridian => "antimeridian",
            IssueCode::CoordinateSnapped => "coordinate-snapped",
        }
    }

    /// What the user can do about it.
    pub fn hint(self) -> &'static str {
        match self {
            IssueCode::NotAFeature => {
                "every member of `features` must be an object with \"type\": \"Feature\""
            }
            IssueCode::NullGeometry | IssueCode::EmptyGeometry => {
                "give the feature a geometry, or remove it from the file"
            }
            IssueCode::GeometryType => {
                "areas must be Polygon or MultiPolygon, stations must be Point; split or convert the feature"
            }
            IssueCode::BadCoordinates => {
                "coordinates must be arrays of numbers as RFC 7946 describes, e.g. [106.55, 29.56]"
            }
            IssueCode::CoordinateOutOfRange => {
                "coordinates must be WGS84 longitude/latitude in degrees; reproject the layer, or check for swapped columns"
            }
            IssueCode::RingTooShort => "a ring needs at least 4 positions (3 distinct corners)",
            IssueCode::UnclosedRing => {
                "the ring was closed by repeating its first position; fix the source to silence this"
            }
            IssueCode::InvalidGeometry => {
                "repair the geometry (e.g. QGIS \"Fix geometries\", ST_MakeValid); counts near the defect may be off"
            }
            IssueCode::BadField => "the property must be a string or a number",
            IssueCode::PowerUnparsed => {
                "write power as a number of kW, or as text like \"120 kW\", \"0.48 MW\", \"22+11 kW\"; the station is treated as of unknown power"
            }
            IssueCode::PowerImplausible => {
                "check the power's unit (a value in W read as kW makes every station ultra-fast); the value is used as given"
            }
            IssueCode::DuplicateId => "ids should be unique; results naming this id are ambiguous",
            IssueCode::Antimeridian => {
                "split the area at ±180° into parts east and west of it, as RFC 7946 (3.1.9) asks (e.g. ogr2ogr -wrapdateline)"
            }
            IssueCode::DuplicateLocation => {
                "exact duplicates are counted as separate stations; de-duplicate the source if they are the same site"
            }
            IssueCode::LineTooShort => {
                "a road needs two distinct positions; remove the feature or fix its coordinates"
            }
            IssueCode::CoordinateSnapped => {
                "nothing to do: the source wrote the limit with a float's rounding error (Natural Earth writes 180.00000000000006)"
            }
            IssueCode::OutsideEveryArea => {
                "check the candidates' coordinate system (--candidates-crs) and that they belong to these areas; --skip-invalid leaves such sites out"
            }
        }
    }
}

/// One problem with one record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureIssue {
    /// Which problem.
    pub code: IssueCode,
    /// How bad.
    pub severity: Severity,
    /// How `index` counts.
    pub position: Numbering,
    /// The record's index in its file, 0-based.
    pub index: usize,
    /// The record's id, if it has one.
    pub id: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl FeatureIssue {
    /// A problem that makes the feature unusable.
    pub fn error(code: IssueCode, index: usize, id: Option<&str>, message: String) -> Self {
        FeatureIssue {
            code,
            severity: Severity::Error,
            position: Numbering::Feature,
            index,
            id: id.map(str::to_owned),
            message,
        }
    }

    /// A problem reported while the feature is used.
    pub fn warning(code: IssueCode, index: usize, id: Option<&str>, message: String) -> Self {
        FeatureIssue {
            severity: Severity::Warning,
            ..FeatureIssue::error(code, index, id, message)
        }
    }

    /// The same issue, located in a CSV row instead of a feature.
    pub fn in_csv(mut self) -> Self {
        self.position = Numbering::CsvRow;
        self
    }

    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        self.code.hint()
    }
}

impl fmt::Display for FeatureIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Numbering::Feature => write!(f, "feature {}", self.index)?,
            Numbering::CsvRow => write!(f, "row {} (line {})", self.index, self.index + 2)?,
        }
        match &self.id {
            Some(id) => write!(f, " (id {id:?})")?,
            None => write!(f, " (no id)")?,
        }
        write!(f, ": {} [{}]", self.message, self.code.as_str())
    }
}

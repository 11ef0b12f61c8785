//! Which property of a feature plays which role (id, name, group, power,
//! longitude, latitude).
//!
//! A role is either named by the user (matched exactly) or discovered from a
//! ranked list of common spellings (matched without regard to ASCII case).
//! Within one layer the best-ranked spelling that occurs anywhere wins, and
//! the report says which one it was, so a reader can always tell which
//! column fed a number.

/// How to find the property for one role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    explicit: Option<String>,
    defaults: &'static [&'static str],
}

impl FieldSpec {
    /// The user named the property: only that exact key matches.
    pub fn explicit(name: impl Into<String>) -> Self {
        FieldSpec {
            explicit: Some(name.into()),
            defaults: &[],
        }
    }

    /// Discover the property among `defaults`, best first.
    pub const fn discover(defaults: &'static [&'static str]) -> Self {
        FieldSpec {
            explicit: None,
            defaults,
        }
    }

    /// Uses `name` when given, else discovers among `defaults`.
    pub fn from_option(name: Option<&str>, defaults: &'static [&'static str]) -> Self {
        match name {
            Some(n) => FieldSpec::explicit(n),
            None => FieldSpec::discover(defaults),
        }
    }

    /// The rank of `key` for this role (0 is best), or `None`.
    #[inline]
    pub fn rank(&self, key: &str) -> Option<u8> {
        match &self.explicit {
            Some(name) => (name == key).then_some(0),
            None => self
                .defaults
                .iter()
                .position(|d| d.eq_ignore_ascii_case(key))
                .map(|p| p as u8),
        }
    }

    /// The position of the best-ranked of `names` (column headers, field
    /// names; surrounding spaces ignored) for this role, or `None`.
    pub fn pick<S: AsRef<str>>(&self, names: &[S]) -> Option<usize> {
        names
            .iter()
            .enumerate()
            .filter_map(|(i, n)| self.rank(n.as_ref().trim()).map(|r| (r, i)))
            .min()
            .map(|(_, i)| i)
    }

    /// The canonical spelling behind a rank returned by [`FieldSpec::rank`].
    pub fn name_at(&self, rank: u8) -> Option<&str> {
        match &self.explicit {
            Some(name) => (rank == 0).then_some(name.as_str()),
            None => self.defaults.get(rank as usize).copied(),
        }
    }

    /// The spellings discovered among, best first (empty when explicit).
    pub fn candidates(&self) -> &'static [&'static str] {
        match &self.explicit {
            Some(_) => &[],
            None => self.defaults,
        }
    }

    /// The user's name, if one was given.
    pub fn explicit_name(&self) -> Option<&str> {
        self.explicit.as_deref()
    }

    /// A description for messages: `"power_kw"` or `one of power_kw, power, …`.
    pub fn describe(&self) -> String {
        match &self.explicit {
            Some(name) => format!("{name:?}"),
            None => format!("one of {}", self.defaults.join(", ")),
        }
    }
}

/// How to read an area layer's properties.
#[derive(Debug, Clone)]
pub struct AreaFieldSpecs {
    /// The area's id.
    pub id: FieldSpec,
    /// Its name, for people.
    pub name: FieldSpec,
    /// The group it belongs to (e.g. its district).
    pub group: FieldSpec,
}

impl Default for AreaFieldSpecs {
    /// Discover every role among its common spellings.
    fn default() -> Self {
        AreaFieldSpecs {
            id: FieldSpec::discover(defaults::AREA_ID),
            name: FieldSpec::discover(defaults::AREA_NAME),
            group: FieldSpec::discover(defaults::AREA_GROUP),
        }
    }
}

/// How to read a station layer's properties or columns.
#[derive(Debug, Clone)]
pub struct StationFieldSpecs {
    /// The station's id.
    pub id: FieldSpec,
    /// Its power (kW, or text with a unit).
    pub power: FieldSpec,
    /// Longitude and latitude columns (tables only).
    pub lon: FieldSpec,
    /// See [`StationFieldSpecs::lon`].
    pub lat: FieldSpec,
    /// Properties whose presence (not null, not empty) is recorded in
    /// [`RawStation::present`](crate::input::raw::RawStation::present),
    /// bit i for entry i (at most 64); `validate --require` uses them.
    pub required: Vec<String>,
    /// Power from several fields or nested arrays, filters, the pool key:
    /// the properties they read are kept with each record.
    pub feed: crate::feed::Feed,
}

impl Default for StationFieldSpecs {
    /// Discover every role among its common spellings; nothing required.
    fn default() -> Self {
        StationFieldSpecs {
            id: FieldSpec::discover(defaults::STATION_ID),
            power: FieldSpec::discover(defaults::POWER),
            lon: FieldSpec::discover(defaults::LON),
            lat: FieldSpec::discover(defaults::LAT),
            required: Vec::new(),
            feed: crate::feed::Feed::default(),
        }
    }
}

/// Default spellings for each role, best first.
pub mod defaults {
    /// An area's id.
    pub const AREA_ID: &[&str] = &[
        "adcode", "code", "id", "area_id", "gb", "fid", "objectid", "gid",
    ];
    /// An area's name.
    pub const AREA_NAME: &[&str] = &["name", "name_zh", "name_en", "label", "title"];
    /// An area's group (its district, county, …).
    pub const AREA_GROUP: &[&str] = &[
        "district",
        "county",
        "group",
        "parent",
        "city",
        "prefecture",
        "region",
    ];
    /// A station's id.
    pub const STATION_ID: &[&str] = &[
        "id",
        "station_id",
        "stationid",
        "uid",
        "uuid",
        "ref",
        "osm_id",
        "fid",
        "objectid",
    ];
    /// A station's power.
    pub const POWER: &[&str] = &[
        "power_kw",
        "max_power_kw",
        "maxpower_kw",
        "power",
        "max_power",
        "kw",
        "output_kw",
        "capacity_kw",
        "rated_power",
    ];
    /// A table's geometry column (WKT).
    pub const GEOMETRY: &[&str] = &[
        "geometry",
        "wkt",
        "the_geom",
        "geom",
        "wkb_geometry",
        "shape",
    ];
    /// A table's longitude column.
    pub const LON: &[&str] = &["lon", "lng", "long", "longitude", "x", "wgs84_lon"];
    /// A table's latitude column.
    pub const LAT: &[&str] = &["lat", "latitude", "y", "wgs84_lat"];
}

/// Picks the best-ranked candidate seen in a layer. Each record reports the
/// best rank it carries; the layer's field is the minimum over records.
///
/// A record that lacks the chosen field reports a worse rank (or none), so
/// keeping only each record's best `(rank, value)` is enough to know, after
/// reading, which records carry the chosen field.
pub fn chosen_rank<I: IntoIterator<Item = Option<u8>>>(ranks: I) -> Option<u8> {
    ranks.into_iter().flatten().min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_names_match_exactly() {
        let spec = FieldSpec::explicit("Power");
        assert_eq!(spec.rank("Power"), Some(0));
        assert_eq!(spec.rank("power"), None);
    }

    #[test]
    fn defaults_match_case_insensitively_by_rank() {
        let spec = FieldSpec::discover(defaults::POWER);
        assert_eq!(spec.rank("POWER_KW"), Some(0));
        assert_eq!(spec.rank("power"), Some(3));
        assert_eq!(spec.rank("voltage"), None);
    }

    #[test]
    fn the_best_rank_present_anywhere_wins() {
        assert_eq!(chosen_rank([None, Some(3), Some(0), None]), Some(0));
        assert_eq!(chosen_rank([None, None]), None);
    }
}

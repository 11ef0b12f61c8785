//! Real station feeds by name (`--stations-format`): which columns or tags
//! hold the position, the id and the power, in what unit, as each format's
//! own documentation spells them.

use std::fmt;

/// A station feed whose shape chargecov knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedFormat {
    /// The Bundesnetzagentur's charger register (Ladesäulenregister), as
    /// the sheet it is published as: one row per charging device
    /// (Ladeeinrichtung) with up to four charging points, `P1 [kW]` …
    /// `P4 [kW]` (the 2019 sheet) or `Nennleistung Ladepunkt 1` … `4`
    /// (the sheets since 2023), positions in `Längengrad [DG]` /
    /// `Breitengrad [DG]` (or `Längengrad` / `Breitengrad`), WGS84.
    Bnetza,
    /// OpenStreetMap `amenity=charging_station` objects exported as GeoJSON
    /// with their tags as properties (overpass turbo, osmtogeojson,
    /// ogr2ogr): one point per `socket:<type>:output` tag
    /// (wiki.openstreetmap.org/wiki/Key:socket), its value text with a
    /// unit (`"150 kW"`); bare numbers are taken as kW.
    Osm,
    /// Open Charge Map POIs (its API's JSON, an array of objects): position
    /// in `AddressInfo.Latitude` / `AddressInfo.Longitude`, id `ID`, one
    /// point per element of `Connections` with its `PowerKW`
    /// (openchargemap.org/site/develop/api; a connection's `Quantity` is
    /// not multiplied out: each connection counts once).
    Ocm,
    /// OCPI 2.2.1 Locations (an array, or a response's `data`): position
    /// in `coordinates.latitude` / `.longitude` (decimal text), id `id`,
    /// one point per EVSE, its power the strongest connector's
    /// `max_electric_power` in W (OCPI 2.2.1, Locations module, 8.3.1,
    /// 8.3.2, 8.3.3). A Location is a site already.
    Ocpi,
    /// The US Alternative Fuels Data Center's station table (its CSV
    /// download, `Latitude`, `Longitude`, `ID`, or its API's JSON,
    /// `fuel_stations[]` with `latitude`, `longitude`, `id`). It counts ports
    /// (`EV DC Fast Count`, `EV Level2 EVSE Num`) but gives no power in kW:
    /// a rule on power is refused for want of data (exit 2), not guessed;
    /// coverage by any charger, and filters on `Status Code` (E = open) and
    /// `Access Code` (public), work.
    Afdc,
}

/// What a feed format sets, where the user has not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedShape {
    /// Longitude column candidates, best first.
    pub lon: &'static [&'static str],
    /// Latitude column candidates, best first.
    pub lat: &'static [&'static str],
    /// Id candidates, best first (empty: the record's index).
    pub id: &'static [&'static str],
    /// Power sources (`FIELD@UNIT`), each a point.
    pub power: &'static [&'static str],
    /// Filters every record of the feed must pass to be a station at all
    /// (applied before any given ones, and counted like them).
    pub filters: &'static [&'static str],
}

impl FeedFormat {
    /// Every format, for help and errors.
    pub const ALL: &'static [FeedFormat] = &[
        FeedFormat::Bnetza,
        FeedFormat::Osm,
        FeedFormat::Ocm,
        FeedFormat::Ocpi,
        FeedFormat::Afdc,
    ];

    /// By its name on the command line.
    pub fn parse(name: &str) -> Result<Self, String> {
        FeedFormat::ALL
            .iter()
            .copied()
            .find(|f| f.name().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| {
                let names: Vec<&str> = FeedFormat::ALL.iter().map(|f| f.name()).collect();
                format!("unknown station feed {name:?}; known: {}", names.join(", "))
            })
    }

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            FeedFormat::Bnetza => "bnetza",
            FeedFormat::Osm => "osm",
            FeedFormat::Ocm => "ocm",
            FeedFormat::Ocpi => "ocpi",
            FeedFormat::Afdc => "afdc",
        }
    }

    /// Its columns and units.
    pub fn shape(self) -> FeedShape {
        match self {
            FeedFormat::Bnetza => FeedShape {
                lon: &["Längengrad [DG]", "Längengrad"],
                lat: &["Breitengrad [DG]", "Breitengrad"],
                id: &["Ladeeinrichtungs-ID"],
                power: &[
                    "P1 [kW]",
                    "P2 [kW]",
                    "P3 [kW]",
                    "P4 [kW]",
                    "Nennleistung Ladepunkt 1",
                    "Nennleistung Ladepunkt 2",
                    "Nennleistung Ladepunkt 3",
                    "Nennleistung Ladepunkt 4",
                ],
                filters: &[],
            },
            FeedFormat::Osm => FeedShape {
                lon: &["lon", "longitude"],
                lat: &["lat", "latitude"],
                id: &["@id", "id", "osm_id"],
                power: &["socket:*:output"],
                filters: &[],
            },
            FeedFormat::Ocm => FeedShape {
                lon: &["AddressInfo.Longitude"],
                lat: &["AddressInfo.Latitude"],
                id: &["ID", "UUID"],
                power: &["Connections[].PowerKW"],
                filters: &[],
            },
            FeedFormat::Ocpi => FeedShape {
                lon: &["coordinates.longitude"],
                lat: &["coordinates.latitude"],
                id: &["id"],
                power: &["evses[].connectors[].max_electric_power@W"],
                // A Location's EVSEs are its charge points (OCPI 2.2.1,
                // 8.3.1): one without any is a place, not a station.
                filters: &["exists(evses[])"],
            },
            FeedFormat::Afdc => FeedShape {
                lon: &["Longitude", "longitude"],
                lat: &["Latitude", "latitude"],
                id: &["ID", "id"],
                power: &[],
                filters: &[],
            },
        }
    }

    /// The format a layer's property names show unambiguously, if any:
    /// the register's own German headers, or OSM socket tags with OSM ids.
    pub fn detect<S: AsRef<str>>(names: &[S]) -> Option<FeedFormat> {
        let has = |want: &str| names.iter().any(|n| n.as_ref().trim() == want);
        if (has("P1 [kW]") || has("Nennleistung Ladepunkt 1"))
            && (has("Längengrad [DG]") || has("Längengrad"))
        {
            return Some(FeedFormat::Bnetza);
        }
        let socket = names.iter().any(|n| {
            let n = n.as_ref();
            n.starts_with("socket:") && n.ends_with(":output")
        });
        if socket && (has("amenity") || has("@id")) {
            return Some(FeedFormat::Osm);
        }
        if has("AddressInfo") && has("Connections") {
            return Some(FeedFormat::Ocm);
        }
        if has("evses") && has("coordinates") {
            return Some(FeedFormat::Ocpi);
        }
        if has("EV DC Fast Count") || has("ev_dc_fast_num") {
            return Some(FeedFormat::Afdc);
        }
        None
    }
}

impl fmt::Display for FeedFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::PowerSource;

    #[test]
    fn every_preset_power_source_parses() {
        for f in FeedFormat::ALL {
            for p in f.shape().power {
                PowerSource::parse(p).unwrap();
            }
            for w in f.shape().filters {
                crate::feed::Filter::parse(w).unwrap();
            }
            assert_eq!(FeedFormat::parse(f.name()), Ok(*f));
        }
        assert!(FeedFormat::parse("ocpp").unwrap_err().contains("bnetza"));
    }

    #[test]
    fn detection_needs_the_formats_own_headers() {
        let sheet = [
            "Betreiber",
            "Längengrad [DG]",
            "Breitengrad [DG]",
            "P1 [kW]",
        ];
        assert_eq!(FeedFormat::detect(&sheet), Some(FeedFormat::Bnetza));
        assert_eq!(FeedFormat::detect(&["lon", "lat", "P1 [kW]"]), None);
        let osm = ["@id", "amenity", "socket:type2:output"];
        assert_eq!(FeedFormat::detect(&osm), Some(FeedFormat::Osm));
        assert_eq!(FeedFormat::detect(&["socket:type2:output"]), None);
    }
}

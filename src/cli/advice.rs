//! The library's errors in the command line's words: each cause the
//! library reports in its own terms (a setting, a field role, a layer) is
//! rendered with the flag that acts on it.

use chargecov::Error;
use chargecov::error::{FieldRole, Layer, Setting};
use chargecov::issues::IssueCode;

/// The message printed after `chargecov: error: `.
pub fn describe(error: &anyhow::Error) -> String {
    match error.downcast_ref::<Error>() {
        Some(e) => render(e),
        None => format!("{error:#}"),
    }
}

/// A library error with flag advice.
pub fn render(error: &Error) -> String {
    match error {
        Error::MissingCoordinateColumns {
            source_name,
            lon,
            lat,
            header,
        } => format!(
            "{source_name}: no coordinate columns: looked for longitude as {lon} and latitude as {lat}; \
             the header has {}\n  hint: name the columns with --lon-field and --lat-field",
            header.join(", ")
        ),
        Error::MissingFields {
            source_name,
            layer,
            missing,
            available,
        } => {
            let named: Vec<String> = missing
                .iter()
                .map(|(role, name)| format!("{} {name:?}", field_flag(*layer, *role)))
                .collect();
            format!(
                "{source_name}: no feature has the property named by {}\n  hint: the first feature's properties are: {}",
                named.join(", "),
                available.join(", ")
            )
        }
        Error::TooLarge {
            limit,
            compressed_bytes,
            ..
        } => {
            let text = error.to_string();
            let what = text.split("\n  hint:").next().unwrap_or(&text);
            let limits = super::shared::expansion_limits();
            let hint = match (limit, compressed_bytes) {
                (chargecov::error::SizeLimit::Stream, _) | (_, None) => format!(
                    "save it to a file and read the file, or raise the limit with {}=N (megabytes; now {})",
                    super::shared::MAX_EXPANDED_MB,
                    limits.max_bytes >> 20
                ),
                _ => format!(
                    "if the file is genuine, raise the limits for this run: {}=N (megabytes; now {}), {}=N (now {})",
                    super::shared::MAX_EXPANDED_MB,
                    limits.max_bytes >> 20,
                    super::shared::MAX_EXPANSION_RATIO,
                    limits.max_ratio
                ),
            };
            format!("{what}\n  hint: {hint}")
        }
        Error::NoRouteField { .. } => format!(
            "{error}\n  hint: name the property that holds the route (e.g. \"A 5\") with --route-field"
        ),
        Error::NoLines { .. } => format!(
            "{error}\n  hint: --network takes roads as LineString or MultiLineString features (e.g. OSM highway=motorway ways)"
        ),
        Error::MissingPopulation { source_name, field } => format!(
            "{source_name}: no area has a numeric property {field:?}\n  hint: name the population \
             property with --population-field (e.g. population, pop, POP2020)"
        ),
        Error::NoPower { .. } => {
            // The library's text up to its hint, then the flags.
            let text = error.to_string();
            let head = text.split("\n  hint:").next().unwrap_or(&text).to_owned();
            format!(
                "{head}\n  hint: name the field with --power-field NAME (kW, or text such as \"150 kW\"), \
                 or drop --min-power-kw to count every station"
            )
        }
        Error::Features { layer, issues, .. } => {
            let mut text = error.to_string();
            if issues
                .iter()
                .any(|i| i.code == IssueCode::CoordinateOutOfRange)
            {
                let flag = crs_flag(*layer);
                text.push_str(&format!(
                    "\n  hint: if the layer is projected, name its coordinate system with {flag} \
                     (e.g. EPSG:3857); if it is longitude/latitude, pass {flag} wgs84"
                ));
            }
            text.push_str("\n  hint: or pass --skip-invalid to drop these features with a warning");
            text
        }
        Error::Crs {
            source_name,
            layer,
            declared,
            reason,
        } => {
            let flag = crs_flag(*layer);
            let or_set = if *declared {
                format!("; or set the layer's CRS with {flag}")
            } else {
                String::new()
            };
            format!(
                "{source_name}: {reason}{or_set}\n  hint: name the layer's coordinate system with \
                 {flag} (EPSG:NNNN, a PROJ string, wgs84, cgcs2000, gcj02 or bd09)"
            )
        }
        Error::InvalidSetting {
            setting: Setting::RadiusKm,
            value,
            ..
        } if value == "no radius" => "--radius-km needs at least one radius".to_owned(),
        Error::InvalidSetting {
            setting: Setting::RadiusKm,
            value,
            ..
        } => format!("--radius-km {value}: radii must be more than 0 and at most 1000 km"),
        Error::InvalidSetting {
            setting: Setting::GenerateAreas,
            value,
            ..
        } if value
            .parse::<usize>()
            .is_ok_and(|n| n < chargecov::generate::MIN_AREAS) =>
        {
            format!(
                "--areas {value}: the generator needs at least {} areas",
                chargecov::generate::MIN_AREAS
            )
        }
        Error::InvalidSetting {
            setting: Setting::WithinKm,
            value,
            expected,
        } if value == "none" => {
            format!("--within-km is needed: {expected} (e.g. --within-km 10)")
        }
        Error::InvalidSetting {
            setting: setting @ (Setting::WithinKm | Setting::SuggestK | Setting::TimeLimitS),
            value,
            expected,
        } => format!("{} {value}: must be {expected}", setting_flag(*setting)),
        Error::InvalidSetting {
            setting,
            value,
            expected,
        } => format!("{} must be {expected}, got {value}", setting_flag(*setting)),
        Error::TooFewStations {
            stations,
            areas,
            minimum,
        } => format!(
            "--stations {stations}: too few for {areas} areas; every area gets one anchor charger, \
             so pass at least {minimum}"
        ),
        Error::GeneratorMiss { seed, made, wanted } => {
            format!("seed {seed} made {made} areas instead of {wanted}; try another --seed")
        }
        Error::NoGeometry {
            source_name,
            format,
            layer,
            found,
        } => {
            let also = if *layer == Layer::Stations {
                ", or name its longitude and latitude columns with --lon-field and --lat-field"
            } else {
                ""
            };
            format!(
                "{source_name}: {format} with no geometry: {found}\n  \
                 hint: export the layer with its geometry (a GeoPackage feature table, a GeoParquet \
                 WKB column){also}"
            )
        }
        Error::Encoding {
            source_name,
            encoding,
            byte,
            line,
            named: true,
        } => format!(
            "{source_name}: line {line} is not valid {encoding} (byte {byte})\n  \
             hint: --encoding {encoding} does not fit this file; name another (utf-8, gbk, latin1) \
             or leave --encoding out to detect it"
        ),
        Error::Encoding {
            source_name,
            encoding,
            byte,
            line,
            named: false,
        } => format!(
            "{source_name}: line {line} is not valid {encoding} (byte {byte})\n  \
             hint: name the file's text encoding with --encoding (e.g. utf-8, gbk, latin1)"
        ),
        Error::LayerChoice {
            source_name,
            layer,
            wanted,
            available,
            matches,
        } => format!(
            "{source_name}: {}\n  hint: {}",
            chargecov::error::layer_choice_problem(wanted.as_deref(), available, matches),
            if matches.len() > 1 {
                format!(
                    "name it by its whole path, e.g. {source_name}/{}",
                    matches[0]
                )
            } else if available.is_empty() {
                "a layer file (.shp, .gpkg, .geojson, .csv, …) must be in it".to_owned()
            } else {
                format!("name one with --{layer}-layer")
            }
        ),
        other => other.to_string(),
    }
}

fn crs_flag(layer: Layer) -> &'static str {
    match layer {
        Layer::Areas => "--areas-crs",
        Layer::Stations => "--stations-crs",
        Layer::Network => "--network-crs",
        Layer::Candidates => "--candidates-crs",
        // A layer this command line does not know yet: named as the library names it.
        other => other.name(),
    }
}

fn field_flag(layer: Layer, role: FieldRole) -> &'static str {
    match (layer, role) {
        (Layer::Areas, FieldRole::Id) => "--id-field",
        (Layer::Stations | Layer::Network, FieldRole::Id) => "--station-id-field",
        (Layer::Candidates, FieldRole::Id) => "--candidates-id-field",
        (_, FieldRole::Route) => "--route-field",
        (_, FieldRole::Name) => "--name-field",
        (_, FieldRole::Group) => "--group-field",
        (_, FieldRole::Power) => "--power-field",
        (_, FieldRole::Lon) => "--lon-field",
        (_, FieldRole::Lat) => "--lat-field",
        (_, FieldRole::Population) => "--population-field",
        (_, FieldRole::PoolKey) => "--pool-field",
        (_, other) => other.name(),
    }
}

fn setting_flag(setting: Setting) -> &'static str {
    match setting {
        Setting::MinPowerKw => "--min-power-kw",
        Setting::MinPoolKw => "--min-pool-kw",
        Setting::PoolM => "--pool-m",
        Setting::BoundaryToleranceM => "--boundary-tolerance-m",
        Setting::WithinKm => "--within-km",
        Setting::RadiusKm => "--radius-km",
        Setting::MaxPowerKw => "--max-power-kw",
        Setting::DuplicateM => "--duplicate-m",
        Setting::Required => "--require",
        Setting::MatchM => "--match-m",
        Setting::MovedM => "--moved-m",
        Setting::DistanceChangeM => "--distance-change-m",
        Setting::GenerateAreas => "--areas",
        Setting::GenerateStations => "--stations",
        Setting::Seed => "--seed",
        Setting::SpacingKm => "--spacing-km",
        Setting::MaxOffsetKm => "--max-offset-km",
        Setting::SuggestK => "--k",
        Setting::TimeLimitS => "--time-limit-s",
        Setting::SnapM => "--snap-m",
        other => other.name(),
    }
}

//! The library as a program uses it: layers handed in as bytes, errors
//! matched on their cause, and no command-line flag in any message.

use chargecov::error::{FieldRole, Layer, Setting};
use chargecov::fields::FieldSpec;
use chargecov::progress::Silent;
use chargecov::{CheckConfig, Error, InputFormat, Rule, Source, run_check};

const AREAS: &str = r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"code":"A","name":"West"},
  "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}}]}"#;

fn stations(csv: &str) -> Source {
    Source::from_bytes("stations.csv", csv.as_bytes().to_vec())
}

fn areas() -> Source {
    Source::from_bytes("areas.geojson", AREAS.as_bytes().to_vec())
}

/// No message a library caller sees names a flag of the binary.
fn no_flags(e: &Error) {
    let text = e.to_string();
    assert!(!text.contains("--"), "a flag in a library message: {text}");
}

#[test]
fn bytes_in_a_verdict_out() {
    // One station at (0.5, 0.5) inside the unit square: covered.
    let config = CheckConfig::new(areas(), stations("id,lon,lat,power_kw\ns1,0.5,0.5,150\n"));
    let run = run_check(&config, &Silent).unwrap();
    assert!(run.verdict.claim_holds);
    assert_eq!(run.stations.info.format, "csv");
}

#[test]
fn causes_can_be_matched() {
    // A field named explicitly that no area has.
    let mut config = CheckConfig::new(areas(), stations("lon,lat\n0.5,0.5\n"));
    config.area_fields.name = FieldSpec::explicit("NAME_ZH");
    match run_check(&config, &Silent) {
        Err(e @ Error::MissingFields { .. }) => {
            no_flags(&e);
            let Error::MissingFields {
                layer,
                missing,
                available,
                ..
            } = e
            else {
                unreachable!()
            };
            assert_eq!(layer, Layer::Areas);
            assert_eq!(missing, [(FieldRole::Name, "NAME_ZH".to_owned())]);
            assert_eq!(available, ["code", "name"]);
        }
        other => panic!("{other:?}"),
    }

    // A setting out of range.
    let mut config = CheckConfig::new(areas(), stations("lon,lat\n0.5,0.5\n"));
    config.rule = Rule {
        min_power_kw: -1.0,
        ..Rule::default()
    };
    match run_check(&config, &Silent) {
        Err(e @ Error::InvalidSetting { .. }) => {
            no_flags(&e);
            assert!(matches!(
                e,
                Error::InvalidSetting {
                    setting: Setting::MinPowerKw,
                    ..
                }
            ));
        }
        other => panic!("{other:?}"),
    }

    // Unusable stations, all listed, with the layer named.
    let config = CheckConfig::new(areas(), stations("id,lon,lat\na,x,1\nb,200,95\n"));
    match run_check(&config, &Silent) {
        Err(e @ Error::Features { .. }) => {
            no_flags(&e);
            let Error::Features { layer, issues, .. } = e else {
                unreachable!()
            };
            assert_eq!(layer, Layer::Stations);
            assert_eq!(issues.iter().map(|i| i.index).collect::<Vec<_>>(), [0, 1]);
        }
        other => panic!("{other:?}"),
    }

    // A format chargecov knows but does not read.
    let kml = Source::from_bytes(
        "zones.kml",
        b"<?xml version=\"1.0\"?><kml xmlns=\"http://www.opengis.net/kml/2.2\">".to_vec(),
    );
    let config = CheckConfig::new(kml, stations("lon,lat\n0.5,0.5\n"));
    match run_check(&config, &Silent) {
        Err(
            e @ Error::UnsupportedFormat {
                format: InputFormat::Kml,
                ..
            },
        ) => no_flags(&e),
        other => panic!("{other:?}"),
    }

    // A format read from its files, handed in as bytes.
    let shp = Source::from_bytes("zones.shp", b"\x00\x00\x27\x0a\0\0\0\0".to_vec());
    let config = CheckConfig::new(shp, stations("lon,lat\n0.5,0.5\n"));
    match run_check(&config, &Silent) {
        Err(
            e @ Error::NeedsFile {
                format: InputFormat::Shapefile,
                ..
            },
        ) => no_flags(&e),
        other => panic!("{other:?}"),
    }

    // A table without coordinate columns.
    let config = CheckConfig::new(areas(), stations("a,b\n1,2\n"));
    match run_check(&config, &Silent) {
        Err(e @ Error::MissingCoordinateColumns { .. }) => no_flags(&e),
        other => panic!("{other:?}"),
    }

    // A declared coordinate system that is not known.
    let unknown = AREAS.replacen(
        "\"features\"",
        "\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"made-up\"}},\"features\"",
        1,
    );
    let config = CheckConfig::new(
        Source::from_bytes("areas.geojson", unknown.into_bytes()),
        stations("lon,lat\n0.5,0.5\n"),
    );
    match run_check(&config, &Silent) {
        Err(
            e @ Error::Crs {
                layer: Layer::Areas,
                declared: true,
                ..
            },
        ) => no_flags(&e),
        other => panic!("{other:?}"),
    }
}

//! The property names a GeoJSON layer's features carry, sampled from its
//! first features: for messages that must say which fields exist when a
//! needed one was not found. (Tables list their columns in
//! [`crate::input::raw::LayerMeta::fields`] as they are read.)

use std::collections::BTreeSet;
use std::fmt;
use std::io::BufRead;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{Input, InputFormat};
use crate::error::Result;

/// What the sampler says when it has seen enough (not a real error).
const ENOUGH: &str = "chargecov: enough features sampled";

/// The distinct property names of the first `features` features of a
/// GeoJSON or newline-delimited GeoJSON layer, in order of first
/// appearance, or a CSV table's header; empty for other formats or when
/// the text cannot be read.
pub fn property_names(input: &Input, features: usize) -> Result<Vec<String>> {
    let mut names = Names::default();
    match input.format() {
        InputFormat::GeoJson => {
            let reader = std::io::BufReader::new(input.reader()?);
            let mut de = serde_json::Deserializer::from_reader(reader);
            // Stopping early is reported as an error by serde; anything
            // seen until then (or until a real error) is kept.
            let _ = (Collection {
                names: &mut names,
                left: features,
            })
            .deserialize(&mut de);
        }
        InputFormat::GeoJsonSeq => {
            let reader = std::io::BufReader::new(input.reader()?);
            for line in reader.lines().take(features) {
                let Ok(line) = line else { break };
                let line = line.trim_start_matches('\u{1e}').trim();
                if line.is_empty() {
                    continue;
                }
                let mut de = serde_json::Deserializer::from_str(line);
                let _ = (Feature { names: &mut names }).deserialize(&mut de);
            }
        }
        InputFormat::Csv => return crate::input::csv::header_names(input),
        InputFormat::JsonRecords => {
            let value: serde_json::Value =
                serde_json::from_reader(std::io::BufReader::new(input.reader()?))
                    .unwrap_or_default();
            let items = crate::input::records::records(value, "").unwrap_or_default();
            for item in items.iter().take(features) {
                if let Some(map) = item.as_object() {
                    for k in map.keys() {
                        names.add(k.clone());
                    }
                }
            }
        }
        _ => {}
    }
    Ok(names.order)
}

#[derive(Default)]
struct Names {
    seen: BTreeSet<String>,
    order: Vec<String>,
}

impl Names {
    fn add(&mut self, name: String) {
        if self.seen.insert(name.clone()) {
            self.order.push(name);
        }
    }
}

/// A FeatureCollection: only `features` is looked into.
struct Collection<'n> {
    names: &'n mut Names,
    left: usize,
}

impl<'de> DeserializeSeed<'de> for Collection<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Collection<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a FeatureCollection")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Collection { names, left } = self;
        while let Some(key) = map.next_key::<String>()? {
            if key == "features" {
                map.next_value_seed(Features {
                    names: &mut *names,
                    left,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct Features<'n> {
    names: &'n mut Names,
    left: usize,
}

impl<'de> DeserializeSeed<'de> for Features<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Features<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of features")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Features { names, mut left } = self;
        while left > 0 {
            if seq
                .next_element_seed(Feature { names: &mut *names })?
                .is_none()
            {
                return Ok(());
            }
            left -= 1;
        }
        Err(de::Error::custom(ENOUGH))
    }
}

/// One feature: the keys of its `properties` object.
struct Feature<'n> {
    names: &'n mut Names,
}

impl<'de> DeserializeSeed<'de> for Feature<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Feature<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a feature")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "properties" {
                map.next_value_seed(Keys {
                    names: &mut *self.names,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// A `properties` object (or `null`): its keys, in the file's order.
struct Keys<'n> {
    names: &'n mut Names,
}

impl<'de> DeserializeSeed<'de> for Keys<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Keys<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a properties object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            map.next_value::<IgnoredAny>()?;
            self.names.add(key);
        }
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Source;

    fn names(name: &str, text: &str, n: usize) -> Vec<String> {
        let source = Source::from_bytes(name, text.as_bytes().to_vec());
        property_names(&source.open().unwrap(), n).unwrap()
    }

    #[test]
    fn first_features_of_a_collection() {
        let text = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"P1 [kW]":22,"Betreiber":"x"},"geometry":null},
            {"type":"Feature","properties":null,"geometry":null},
            {"type":"Feature","properties":{"kw":1,"Betreiber":"y"},"geometry":null},
            {"type":"Feature","properties":{"late":1},"geometry":null}]}"#;
        assert_eq!(names("a.geojson", text, 3), ["P1 [kW]", "Betreiber", "kw"]);
        assert_eq!(names("a.geojson", text, 10).len(), 4);
    }

    #[test]
    fn lines_of_a_sequence() {
        let text = "{\"type\":\"Feature\",\"properties\":{\"b\":1,\"a\":2}}\n\n\u{1e}{\"properties\":{\"c\":3}}\n";
        assert_eq!(names("a.geojsonl", text, 5), ["b", "a", "c"]);
    }
}

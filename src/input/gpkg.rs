//! OGC GeoPackage (an SQLite database; rusqlite with SQLite compiled in,
//! so nothing to install): one feature table — the only one, or the one
//! named (`ReadOptions::layer`) — its geometry blobs (the GeoPackage
//! binary header, then WKB, decoded with the `wkb` crate) and its other
//! columns as properties; the table's CRS from `gpkg_spatial_ref_sys`.
//!
//! A table is read in rowid ranges side by side; a view (or a table
//! without rowids) is read in one pass, in the order SQLite gives. A
//! query that gives no row for [`ROW_DEADLINE`] is stopped (a view over an
//! endless recursive query), and what a view gives is bounded by the
//! input's expansion limits. A GeoPackage in WAL mode in a folder that
//! cannot be written is opened as immutable when its log holds nothing,
//! and refused by name when it does (its last changes would be missed).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use serde_json::Value;

use crate::error::{Error, Layer, Result};
use crate::fields::StationFieldSpecs;
use crate::input::format::InputFormat;
use crate::input::raw::{
    LayerMeta, RawFeature, RawGeometry, RawLayer, RawPoint, RawStation, Scalar,
};
use crate::input::traits;
use rayon::prelude::*;

use crate::input::{Collect, Input, LayerReader, STATION_CHUNK};

/// The reader of GeoPackages.
#[derive(Debug, Clone, Copy)]
pub struct GeoPackage;

impl LayerReader for GeoPackage {
    fn read_features(&self, input: &Input) -> Result<RawLayer<RawFeature>> {
        let table = Table::open(input, Layer::Areas)?;
        let parts = table.in_parts(&table.columns, |index, fid, geometry, values| RawFeature {
            index,
            feature_id: fid.map(Scalar::Int),
            properties: table
                .columns
                .iter()
                .zip(values)
                .map(|(column, value)| (column.clone(), json(*value)))
                .collect(),
            geometry: geometry.map_or(RawGeometry::Null, traits::wkb_feature_geometry),
        })?;
        let records: Vec<RawFeature> = parts.into_iter().flatten().collect();
        if records.is_empty() {
            return Err(table.empty());
        }
        let mut meta = LayerMeta::new(InputFormat::GeoPackage, records.len());
        meta.declared_crs = table.crs;
        Ok(RawLayer { records, meta })
    }

    fn read_stations<T: Send>(
        &self,
        input: &Input,
        specs: &StationFieldSpecs,
        convert: &(dyn Fn(Vec<RawStation>) -> T + Sync),
        sink: &mut (dyn Collect<T> + Send),
    ) -> Result<LayerMeta> {
        let table = Table::open(input, Layer::Stations)?;
        let id = specs
            .id
            .pick(&table.columns)
            .map(|i| table.columns[i].clone());
        let power = specs
            .power
            .pick(&table.columns)
            .map(|i| table.columns[i].clone());
        // Only the columns stations need are read: millions of rows stay
        // small, and are converted in chunks as they come.
        let mut wanted: Vec<String> = id.iter().chain(&power).cloned().collect();
        for name in specs.required.iter().take(64) {
            if table.columns.contains(name) && !wanted.contains(name) {
                wanted.push(name.clone());
            }
        }
        let captures = specs.feed.captures();
        let kept = crate::feed::CapturedColumns::new(captures, &table.columns);
        for name in kept.names() {
            if !wanted.iter().any(|w| w == name) {
                wanted.push(name.to_owned());
            }
        }
        let kept_at: Vec<Option<usize>> = table
            .columns
            .iter()
            .map(|c| wanted.iter().position(|w| w == c.trim()))
            .collect();
        // Parts of the table read side by side, each on its own
        // connection; converted on all cores once every index is known.
        // Positions in `wanted`: id, power, then each required field.
        let at = |name: &Option<String>| {
            name.as_ref()
                .and_then(|n| wanted.iter().position(|w| w == n))
        };
        let (id_at, power_at) = (at(&id), at(&power));
        let required_at: Vec<Option<usize>> = specs
            .required
            .iter()
            .take(64)
            .map(|name| wanted.iter().position(|w| w == name))
            .collect();
        let parts = table.in_parts(&wanted, |index, fid, geometry, values| {
            let present = required_at
                .iter()
                .enumerate()
                .filter(|(_, at)| {
                    at.is_some_and(|k| !matches!(values[k], ValueRef::Null | ValueRef::Text(b"")))
                })
                .fold(0u64, |bits, (i, _)| bits | 1 << i);
            let value = |at: Option<usize>| scalar(values[at?]).map(|s| (0u8, s));
            RawStation {
                index,
                feature_id: fid.map(Scalar::Int),
                id: value(id_at),
                power: value(power_at),
                present,
                captured: kept.row(captures, |column, _| {
                    kept_at[column]
                        .and_then(|k| scalar(values[k]))
                        .map(|s| s.to_json())
                }),
                geometry: geometry.map_or(RawPoint::Null, traits::wkb_point),
            }
        })?;
        let total: usize = parts.iter().map(Vec::len).sum();
        if total == 0 {
            return Err(table.empty());
        }
        let converted: Vec<T> = parts.into_par_iter().map(convert).collect();
        sink.restart();
        for batch in converted {
            sink.take(batch, total);
        }
        let records = total;
        let mut meta = LayerMeta::new(InputFormat::GeoPackage, records);
        meta.declared_crs = table.crs.clone();
        meta.id_field = id;
        meta.power_field = power;
        meta.fields = table.columns.clone();
        Ok(meta)
    }
}

/// How long a query may run without giving a row before it is stopped.
pub const ROW_DEADLINE: Duration = Duration::from_secs(30);

/// One feature table (or view), opened.
struct Table {
    name: String,
    path: std::path::PathBuf,
    table: String,
    /// Read in rowid ranges (a table with rowids), else in one pass.
    by_rowid: bool,
    /// The input's limits, for what a view may give.
    limits: crate::input::ExpansionLimits,
    geometry_column: String,
    /// The other columns (not the geometry, not the primary key).
    columns: Vec<String>,
    fid_column: Option<String>,
    crs: Option<String>,
    layer: Layer,
}

fn quoted(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

impl Table {
    fn open(input: &Input, layer: Layer) -> Result<Table> {
        let name = input.name();
        let path = input.file_path(InputFormat::GeoPackage)?;
        let malformed = |problem: String| Error::Malformed {
            source_name: name.clone(),
            format: InputFormat::GeoPackage,
            problem,
        };
        let db = open_read_only(path).map_err(|e| malformed(e.describe()))?;
        let tables: Vec<String> = db
            .prepare(
                "SELECT table_name FROM gpkg_contents WHERE data_type = 'features' ORDER BY table_name",
            )
            .and_then(|mut s| {
                s.query_map([], |r| r.get::<_, String>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(|e| malformed(format!("no GeoPackage contents table ({e})")))?;
        // User tables only: a contents row naming SQLite's or the
        // GeoPackage's own tables is not a layer to read.
        let tables: Vec<String> = tables.into_iter().filter(|t| !is_internal(t)).collect();
        if tables.is_empty() {
            let others: Vec<String> = db
                .prepare("SELECT table_name FROM gpkg_contents ORDER BY table_name")
                .and_then(|mut s| {
                    s.query_map([], |r| r.get::<_, String>(0))?
                        .collect::<rusqlite::Result<Vec<_>>>()
                })
                .unwrap_or_default();
            return Err(Error::NoGeometry {
                source_name: name,
                format: InputFormat::GeoPackage,
                layer,
                found: if others.is_empty() {
                    "no tables at all".to_owned()
                } else {
                    format!("only attribute tables ({})", others.join(", "))
                },
            });
        }
        let table = match (input.layer(), tables.as_slice()) {
            (Some(wanted), _) if tables.iter().any(|t| t == wanted) => wanted.to_owned(),
            (None, [only]) => only.clone(),
            (wanted, _) => {
                return Err(Error::LayerChoice {
                    source_name: name,
                    layer,
                    wanted: wanted.map(str::to_owned),
                    available: tables,
                    matches: Vec::new(),
                });
            }
        };
        let (geometry_column, srs_id): (String, i64) = db
            .query_row(
                "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?1",
                [&table],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| malformed(format!("table {table:?} has no geometry column ({e})")))?;
        let crs = crs_of(&db, srs_id).map_err(|e| malformed(e.to_string()))?;
        // Column names and the integer primary key, in table order.
        let info: Vec<(String, bool)> = db
            .prepare(&format!("PRAGMA table_info({})", quoted(&table)))
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok((r.get::<_, String>(1)?, r.get::<_, i64>(5)? > 0))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(|e| malformed(e.to_string()))?;
        let fid_column = info.iter().find(|(_, pk)| *pk).map(|(c, _)| c.clone());
        // A view has no rowid of its own, nor has a WITHOUT ROWID table.
        let is_view = db
            .query_row(
                "SELECT type = 'view' FROM sqlite_master WHERE name = ?1",
                [&table],
                |r| r.get::<_, bool>(0),
            )
            .unwrap_or(false);
        let by_rowid = !is_view
            && db
                .prepare(&format!("SELECT rowid FROM {} LIMIT 0", quoted(&table)))
                .is_ok();
        let columns = info
            .into_iter()
            .map(|(c, _)| c)
            .filter(|c| *c != geometry_column && Some(c) != fid_column.as_ref())
            .collect();
        drop(db);
        Ok(Table {
            name,
            path: path.to_path_buf(),
            table,
            by_rowid,
            limits: input.limits(),
            geometry_column,
            columns,
            fid_column,
            crs,
            layer,
        })
    }

    /// The smallest and largest rowid (`None` for an empty table): a
    /// lookup at each end of the table's b-tree.
    fn rowids(&self) -> Result<Option<(i64, i64)>> {
        let db = open_read_only(&self.path).map_err(|e| self.fail_open(e))?;
        db.query_row(
            &format!("SELECT min(rowid), max(rowid) FROM {}", quoted(&self.table)),
            [],
            |r| Ok(r.get::<_, Option<i64>>(0)?.zip(r.get::<_, Option<i64>>(1)?)),
        )
        .map_err(|e| self.fail(e))
    }

    /// Every row through `make`, the table cut into rowid ranges read side
    /// by side (each on its own connection), in rowid order, in chunks of
    /// at most [`STATION_CHUNK`]; the indexes handed to `make` are
    /// positions within the range, made positions in the table once every
    /// range is read.
    fn in_parts<R: Send + Indexed>(
        &self,
        columns: &[String],
        make: impl Fn(usize, Option<i64>, Option<&[u8]>, &[ValueRef<'_>]) -> R + Sync,
    ) -> Result<Vec<Vec<R>>> {
        let ranges: Vec<Option<(i64, i64)>> = if self.by_rowid {
            let Some((low, high)) = self.rowids()? else {
                return Ok(Vec::new());
            };
            split_span(low, high, rayon::current_num_threads().clamp(1, 16))
                .into_iter()
                .map(Some)
                .collect()
        } else {
            vec![None]
        };
        let read: Vec<Result<Vec<Vec<R>>>> = ranges
            .into_par_iter()
            .map(|range| {
                // In chunks, so that stations convert without being moved again.
                let mut out: Vec<Vec<R>> = vec![Vec::new()];
                self.rows(columns, range, |index, fid, wkb, values| {
                    if out.last().is_some_and(|c| c.len() == STATION_CHUNK) {
                        out.push(Vec::with_capacity(STATION_CHUNK));
                    }
                    if let Some(chunk) = out.last_mut() {
                        chunk.push(make(index, fid, wkb, values));
                    }
                })?;
                Ok(out)
            })
            .collect();
        let mut chunks = Vec::new();
        let mut first = 0;
        for part in read {
            let part = part?;
            let rows: usize = part.iter().map(Vec::len).sum();
            for mut chunk in part.into_iter().filter(|c| !c.is_empty()) {
                for record in &mut chunk {
                    record.shift_index(first);
                }
                chunks.push(chunk);
            }
            first += rows;
        }
        Ok(chunks)
    }

    fn fail(&self, e: rusqlite::Error) -> Error {
        Error::Malformed {
            source_name: self.name.clone(),
            format: InputFormat::GeoPackage,
            problem: format!("reading table {:?}: {e}", self.table),
        }
    }

    fn fail_open(&self, e: Opening) -> Error {
        Error::Malformed {
            source_name: self.name.clone(),
            format: InputFormat::GeoPackage,
            problem: e.describe(),
        }
    }

    /// Calls `row` with each row's index (from 0 in this range), feature
    /// id, WKB (after the GeoPackage header; `None` for null or empty) and
    /// the values of `columns`, for the rows whose rowid is in `low..=high`
    /// (in rowid order), on a connection of its own (so that parts can be
    /// read side by side).
    fn rows(
        &self,
        columns: &[String],
        range: Option<(i64, i64)>,
        mut row: impl FnMut(usize, Option<i64>, Option<&[u8]>, &[ValueRef<'_>]),
    ) -> Result<usize> {
        let mut select = vec![quoted(&self.geometry_column)];
        select.push(self.fid_column.as_deref().map_or("NULL".to_owned(), quoted));
        select.extend(columns.iter().map(|c| quoted(c)));
        let sql = match range {
            Some((low, high)) => format!(
                "SELECT {} FROM {} WHERE rowid BETWEEN {low} AND {high} ORDER BY rowid",
                select.join(", "),
                quoted(&self.table)
            ),
            None => format!("SELECT {} FROM {}", select.join(", "), quoted(&self.table)),
        };
        let db = open_read_only(&self.path).map_err(|e| self.fail_open(e))?;
        // The deadline: the handler runs every few thousand SQLite steps
        // and stops a query whose last row is older than ROW_DEADLINE.
        let start = Instant::now();
        let last_row_ms = Arc::new(AtomicU64::new(0));
        let stopped = Arc::new(AtomicBool::new(false));
        {
            let (last_row_ms, stopped) = (last_row_ms.clone(), stopped.clone());
            db.progress_handler(
                10_000,
                Some(move || {
                    let now = start.elapsed().as_millis() as u64;
                    let idle = now.saturating_sub(last_row_ms.load(Ordering::Relaxed));
                    let stop = idle > ROW_DEADLINE.as_millis() as u64;
                    if stop {
                        stopped.store(true, Ordering::Relaxed);
                    }
                    stop
                }),
            );
        }
        let fail = |e: rusqlite::Error| {
            if stopped.load(Ordering::Relaxed) {
                Error::Malformed {
                    source_name: self.name.clone(),
                    format: InputFormat::GeoPackage,
                    problem: format!(
                        "reading {:?} gave no row for {} s; a view over a query that never ends? (stopped)",
                        self.table,
                        ROW_DEADLINE.as_secs()
                    ),
                }
            } else {
                self.fail(e)
            }
        };
        let mut statement = db.prepare(&sql).map_err(fail)?;
        let mut rows = statement.query([]).map_err(fail)?;
        let mut index = 0;
        // What a view gives is bounded like decompressed text.
        let mut given: u64 = 0;
        while let Some(r) = rows.next().map_err(fail)? {
            last_row_ms.store(start.elapsed().as_millis() as u64, Ordering::Relaxed);
            if !self.by_rowid {
                for k in 0..columns.len() + 2 {
                    given += match r.get_ref(k) {
                        Ok(ValueRef::Blob(b) | ValueRef::Text(b)) => b.len() as u64,
                        _ => 8,
                    };
                }
                if given > self.limits.max_bytes {
                    return Err(Error::TooLarge {
                        source_name: format!("{} (view {:?})", self.name, self.table),
                        limit_bytes: self.limits.max_bytes,
                        limit: crate::error::SizeLimit::Stream,
                        compressed_bytes: None,
                    });
                }
            }
            let blob = match r.get_ref(0).map_err(|e| self.fail(e))? {
                ValueRef::Blob(b) => Some(b),
                _ => None,
            };
            let wkb = blob.and_then(strip_header);
            let fid = r.get::<_, Option<i64>>(1).ok().flatten();
            let mut values = Vec::with_capacity(columns.len());
            for k in 0..columns.len() {
                values.push(r.get_ref(k + 2).map_err(|e| self.fail(e))?);
            }
            row(index, fid, wkb, &values);
            index += 1;
        }
        Ok(index)
    }

    fn empty(&self) -> Error {
        Error::EmptyLayer {
            source_name: self.name.clone(),
            format: InputFormat::GeoPackage,
            layer: self.layer,
        }
    }
}

/// A table of SQLite itself, of the GeoPackage format or of its spatial
/// index: never a feature layer.
fn is_internal(table: &str) -> bool {
    let lower = table.to_ascii_lowercase();
    ["sqlite_", "gpkg_", "rtree_"]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// `low..=high` cut into at most `parts` ranges of about equal span, in
/// order (rowids are usually 1..n; gaps only make the parts uneven). The
/// span is worked out in 128 bits: the ends of the 64-bit range are
/// rowids too.
fn split_span(low: i64, high: i64, parts: usize) -> Vec<(i64, i64)> {
    let (low, high) = (i128::from(low), i128::from(high));
    let parts = parts.max(1) as i128;
    let span = (high - low) / parts + 1;
    (0..parts)
        .map(|p| (low + p * span, (low + (p + 1) * span - 1).min(high)))
        .filter(|(a, b)| a <= b)
        // Within low..=high, so within i64.
        .map(|(a, b)| (a as i64, b as i64))
        .collect()
}

/// Why a GeoPackage could not be opened.
#[derive(Debug)]
enum Opening {
    Sqlite(rusqlite::Error),
    /// In WAL mode with changes only in its log, in a folder that cannot
    /// be written (SQLite needs to create its shared-memory file).
    UnreadableWal(std::path::PathBuf),
}

impl From<rusqlite::Error> for Opening {
    fn from(e: rusqlite::Error) -> Self {
        Opening::Sqlite(e)
    }
}

impl Opening {
    fn describe(&self) -> String {
        match self {
            Opening::Sqlite(e) => format!("cannot be opened as a database: {e}"),
            Opening::UnreadableWal(wal) => format!(
                "is in WAL mode with changes in {} not yet written to the file, and its folder cannot be written, so they cannot be read; copy both files to a folder that can be written (or checkpoint the database)",
                wal.display()
            ),
        }
    }
}

fn open_read_only(path: &Path) -> std::result::Result<Connection, Opening> {
    let db = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // A database in WAL mode needs its -shm file, which a read-only
    // folder refuses: the first read says so.
    match db.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(())) {
        Ok(()) => Ok(db),
        Err(e) => {
            drop(db);
            let wal = std::path::PathBuf::from(format!("{}-wal", path.display()));
            if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
                return Err(Opening::UnreadableWal(wal));
            }
            if !is_wal(path) {
                return Err(e.into());
            }
            // Nothing in the log: the file is the whole database, and
            // can be read without locks.
            let uri = format!("file:{}?immutable=1", uri_path(path));
            Ok(Connection::open_with_flags(
                uri,
                OpenFlags::SQLITE_OPEN_READ_ONLY
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX
                    | OpenFlags::SQLITE_OPEN_URI,
            )?)
        }
    }
}

/// Does the database file's header say WAL mode (bytes 18 and 19 are 2)?
fn is_wal(path: &Path) -> bool {
    let mut head = [0u8; 20];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok_and(|()| head[18] == 2 && head[19] == 2)
}

/// A path as a URI's path: `%`, `?` and `#` escaped.
fn uri_path(path: &Path) -> String {
    let text = path.display().to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3f"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
    out
}

/// A column value as a property (a blob has no JSON form: null).
fn json(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null | ValueRef::Blob(_) => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
    }
}

/// A column value as a station's id or power; `None` for null.
fn scalar(value: ValueRef<'_>) -> Option<Scalar> {
    Some(match value {
        ValueRef::Null => return None,
        ValueRef::Integer(i) => Scalar::Int(i),
        ValueRef::Real(f) => Scalar::Float(f),
        ValueRef::Text(t) => Scalar::Str(String::from_utf8_lossy(t).into()),
        ValueRef::Blob(_) => Scalar::Compound,
    })
}

/// A record whose index can be moved from its part's numbering to the
/// table's.
trait Indexed {
    fn shift_index(&mut self, by: usize);
}

impl Indexed for RawFeature {
    fn shift_index(&mut self, by: usize) {
        self.index += by;
    }
}

impl Indexed for RawStation {
    fn shift_index(&mut self, by: usize) {
        self.index += by;
    }
}

/// The CRS of `srs_id` as a name chargecov parses: `EPSG:N` when the
/// organisation is EPSG, else the WKT definition; `None` for the
/// GeoPackage's "undefined" systems (0 and -1).
fn crs_of(db: &Connection, srs_id: i64) -> rusqlite::Result<Option<String>> {
    if srs_id == 0 || srs_id == -1 {
        return Ok(None);
    }
    let (organisation, code, definition): (String, i64, String) = db.query_row(
        "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
        [srs_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    Ok(Some(if organisation.eq_ignore_ascii_case("EPSG") {
        format!("EPSG:{code}")
    } else {
        definition
    }))
}

/// The WKB after a GeoPackage binary header (GeoPackage 1.3, 2.1.3):
/// "GP", version, flags (bit 0 byte order, bits 1–3 envelope kind, bit 4
/// empty), the srs_id, then an envelope of 0, 32, 48, 48 or 64 bytes.
fn strip_header(blob: &[u8]) -> Option<&[u8]> {
    if blob.len() < 8 || &blob[..2] != b"GP" {
        return None;
    }
    let flags = blob[3];
    if flags & 0b1_0000 != 0 {
        return None;
    }
    let envelope = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        _ => return None,
    };
    blob.get(8 + envelope..)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Map;

    /// Rowids with gaps (features deleted) and more parts than rows: the
    /// records come in rowid order, indexed 0, 1, 2, … as in the table.
    #[test]
    fn parts_follow_rowid_order_across_gaps() {
        use crate::crs::Crs;
        use crate::input::{ReadOptions, Source};
        use crate::output::{ShapeKind, ShapeLayer, property_columns};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gaps.gpkg");
        let records: Vec<crate::output::ShapeRecord> = (0..40)
            .map(|i| {
                let x = f64::from(i);
                let ring = vec![(x, 0.0), (x + 1.0, 0.0), (x + 1.0, 1.0), (x, 0.0)];
                let square = geo::Polygon::new(geo::LineString::from(ring), vec![]);
                let mut p = Map::new();
                p.insert("n".into(), Value::from(i));
                (square.into(), p)
            })
            .collect();
        let layer = ShapeLayer {
            name: "t",
            kind: ShapeKind::MultiPolygon,
            crs: &Crs::Wgs84,
            columns: property_columns(&records),
        };
        crate::output::formats::gpkg::write(&path, &layer, &records).unwrap();
        // Keep fids 1, 2, 7, 30 and 40 (rows n = 0, 1, 6, 29, 39).
        let db = Connection::open(&path).unwrap();
        db.execute("DELETE FROM t WHERE fid NOT IN (1, 2, 7, 30, 40)", [])
            .unwrap();
        drop(db);
        let source = Source::from_arg(&path);
        let input = source.open_with(&ReadOptions::default()).unwrap();
        let layer = GeoPackage.read_features(&input).unwrap();
        let seen: Vec<(usize, Value)> = layer
            .records
            .iter()
            .map(|r| (r.index, r.properties["n"].clone()))
            .collect();
        let want: Vec<(usize, Value)> = [0, 1, 6, 29, 39]
            .into_iter()
            .enumerate()
            .map(|(i, n)| (i, Value::from(n)))
            .collect();
        assert_eq!(seen, want);
    }

    /// Unmounts on drop.
    struct Mounted(std::path::PathBuf);

    impl Drop for Mounted {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }

    /// Databases in WAL mode in a folder that cannot be written (a
    /// read-only bind mount: root can write any folder otherwise), where
    /// SQLite alone says "unable to open database file" — reported before
    /// as a file without GeoPackage tables. With no log the file is read
    /// as immutable; with changes only in its log it is refused by name.
    #[test]
    fn wal_databases_in_a_folder_that_cannot_be_written() {
        let dir = tempfile::tempdir().unwrap();
        let rw = dir.path().join("rw");
        let ro = dir.path().join("ro");
        std::fs::create_dir(&rw).unwrap();
        std::fs::create_dir(&ro).unwrap();
        let checkpointed = rw.join("done.gpkg");
        let db = Connection::open(&checkpointed).unwrap();
        db.execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE t(x); INSERT INTO t VALUES (7);")
            .unwrap();
        drop(db);
        // Changes only in the log: both files copied while the writer is
        // open (nothing checkpointed).
        let live = rw.join("live.gpkg");
        let writer = Connection::open(&live).unwrap();
        writer
            .execute_batch(
                "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;
                 CREATE TABLE t(x); INSERT INTO t VALUES (8);",
            )
            .unwrap();
        std::fs::copy(&live, rw.join("copy.gpkg")).unwrap();
        std::fs::copy(rw.join("live.gpkg-wal"), rw.join("copy.gpkg-wal")).unwrap();
        drop(writer);
        let mounted = std::process::Command::new("mount")
            .args(["--bind", "-o", "ro"])
            .arg(&rw)
            .arg(&ro)
            .status()
            .is_ok_and(|s| s.success());
        if !mounted {
            eprintln!("SKIPPED: a read-only bind mount needs root (mount --bind -o ro)");
            return;
        }
        let _mount = Mounted(ro.clone());
        assert!(
            std::fs::write(ro.join("probe"), "x").is_err(),
            "the mount is writable"
        );
        assert!(is_wal(&ro.join("done.gpkg")));
        let plain =
            Connection::open_with_flags(ro.join("done.gpkg"), OpenFlags::SQLITE_OPEN_READ_ONLY)
                .and_then(|db| db.query_row("SELECT x FROM t", [], |r| r.get::<_, i64>(0)));
        assert!(plain.is_err(), "{plain:?}");
        let db = open_read_only(&ro.join("done.gpkg")).unwrap();
        assert_eq!(
            db.query_row("SELECT x FROM t", [], |r| r.get::<_, i64>(0))
                .unwrap(),
            7
        );
        drop(db);
        match open_read_only(&ro.join("copy.gpkg")) {
            Err(e @ Opening::UnreadableWal(_)) => {
                assert!(e.describe().contains("copy.gpkg-wal"), "{}", e.describe());
            }
            other => panic!("{:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn internal_tables_are_never_layers() {
        for t in [
            "sqlite_master",
            "SQLITE_SEQUENCE",
            "gpkg_contents",
            "rtree_zones_geom",
        ] {
            assert!(is_internal(t), "{t}");
        }
        for t in ["zones", "my_sqlite_copy", "stations_gpkg"] {
            assert!(!is_internal(t), "{t}");
        }
    }

    #[test]
    fn spans_split_without_overflow_at_the_ends_of_the_range() {
        // Every rowid once, in order, whatever the ends.
        for (low, high, parts) in [
            (1, 10, 3),
            (i64::MIN, i64::MAX, 2),
            (i64::MIN, i64::MAX, 16),
            (i64::MAX - 1, i64::MAX, 16),
            (i64::MIN, i64::MIN + 2, 4),
            (5, 5, 16),
        ] {
            let ranges = split_span(low, high, parts);
            assert!(!ranges.is_empty() && ranges.len() <= parts);
            assert_eq!(ranges[0].0, low);
            assert_eq!(ranges.last().unwrap().1, high);
            for pair in ranges.windows(2) {
                assert_eq!(
                    i128::from(pair[0].1) + 1,
                    i128::from(pair[1].0),
                    "{ranges:?}"
                );
            }
        }
    }

    #[test]
    fn headers_are_stripped_by_their_envelope() {
        // No envelope: WKB at byte 8.
        let mut blob = b"GP\x00\x01\x00\x00\x10\xe6".to_vec();
        blob.extend_from_slice(b"WKB");
        assert_eq!(strip_header(&blob), Some(&b"WKB"[..]));
        // An xy envelope (kind 1): 32 bytes of min/max x and y.
        let mut blob = b"GP\x00\x03\x00\x00\x10\xe6".to_vec();
        blob.extend_from_slice(&[0u8; 32]);
        blob.extend_from_slice(b"WKB");
        assert_eq!(strip_header(&blob), Some(&b"WKB"[..]));
        // Empty geometry flag.
        assert_eq!(strip_header(b"GP\x00\x11\x00\x00\x10\xe6"), None);
        assert_eq!(strip_header(b"XX\x00\x01\x00\x00\x10\xe6"), None);
    }
}

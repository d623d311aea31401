//! Villages in: CSV, .xlsx or GeoJSON files, or the registry's profiles; borders from a
//! neighbours column, shared polygon edges or a triangulation.

use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use xiangzhi_domain::Fen;
use xiangzhi_planner::geometry::{self, Contiguity};
use xiangzhi_planner::{Params, Problem, Village};
use xiangzhi_tabular::{table, ExchangeError, RowError};

/// How a village file is read.
/// The rings of one village's boundary, in file coordinates.
type Polygons = Vec<Vec<(f64, f64)>>;

#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Longest border drawn between two points when only points are known, metres.
    pub link_distance_m: f64,
    pub contiguity: Contiguity,
    /// Collective income under this is weak (a target when the flag is blank).
    pub weak_income: Fen,
    /// Collective income at or over this is strong (may lead when the flag is blank).
    pub strong_income: Fen,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            link_distance_m: 5_000.0,
            contiguity: Contiguity::Rook,
            weak_income: Fen(10_000_000),
            strong_income: Fen(50_000_000),
        }
    }
}

/// Where the borders came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Borders {
    /// The file's neighbours column.
    Given,
    /// Shared polygon boundaries.
    Polygons,
    /// Delaunay triangulation of the points.
    Points,
}

/// A village file, read: the problem (with default rules; the caller sets its own) and what the
/// planner does not need but the outputs show.
#[derive(Debug, Clone)]
pub struct Villages {
    pub problem: Problem,
    pub names: Vec<String>,
    /// Township names; `Village::township` indexes this.
    pub townships: Vec<String>,
    /// Industry names; `Village::industries` index this.
    pub industries: Vec<String>,
    /// Each village's GeoJSON geometry as read (or its point), for the GeoJSON output.
    pub geometry: Vec<Option<Value>>,
    pub borders: Borders,
    /// Each village's position in degrees (when the file's coordinates are degrees).
    pub lonlat: Vec<Option<(f64, f64)>>,
    /// Collective income and branch standing as read, where given.
    pub incomes: Vec<Option<Fen>>,
    pub standings: Vec<Option<String>>,
}

impl Villages {
    pub fn index_of(&self, code: &str) -> Option<usize> {
        self.problem.villages.iter().position(|v| v.code == code)
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Field {
    Code,
    Name,
    Population,
    X,
    Y,
    Industries,
    Township,
    Target,
    MayLead,
    Excluded,
    Neighbours,
    Income,
    Standing,
}

const FIELDS: &[(Field, &[&str])] = &[
    (
        Field::Code,
        &["code", "村代码", "区划代码", "代码", "village_code"],
    ),
    (Field::Name, &["name", "村名", "名称", "村名称"]),
    (
        Field::Population,
        &["population", "人口", "户籍人口", "pop"],
    ),
    (Field::X, &["lon", "lng", "longitude", "经度", "x"]),
    (Field::Y, &["lat", "latitude", "纬度", "y"]),
    (
        Field::Industries,
        &["industries", "industry", "主导产业", "产业"],
    ),
    (
        Field::Township,
        &["township", "乡镇", "所属乡镇", "乡镇街道"],
    ),
    (Field::Target, &["target", "重点村", "需联建", "薄弱村"]),
    (Field::MayLead, &["may_lead", "lead", "可牵头", "强村"]),
    (Field::Excluded, &["excluded", "不参与", "不参与联建"]),
    (
        Field::Neighbours,
        &["neighbours", "neighbors", "相邻村", "邻村"],
    ),
    (
        Field::Income,
        &[
            "collective_income",
            "集体收入",
            "村集体收入",
            "集体经营性收入",
        ],
    ),
    (
        Field::Standing,
        &["branch_standing", "支部评定", "党组织评定", "支部星级"],
    ),
];

fn field_of(header: &str) -> Option<Field> {
    let h = header.trim().to_lowercase();
    // "人口（人）", "集体收入(元)": the unit in brackets does not matter.
    let h = h
        .split(['（', '('])
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    FIELDS
        .iter()
        .find(|(_, names)| names.contains(&h.as_str()))
        .map(|(f, _)| *f)
}

/// One village as read: where it came from (row or feature number, for messages) and its cells.
struct Record {
    row: usize,
    cells: HashMap<Field, (String, String)>,
    geometry: Option<Value>,
}

impl Record {
    fn get(&self, f: Field) -> Option<&(String, String)> {
        self.cells.get(&f).filter(|(_, v)| !v.is_empty())
    }
}

fn bad(row: usize, column: &str, zh: String, en: String) -> RowError {
    RowError {
        row,
        column: column.to_string(),
        zh,
        en,
    }
}

fn flag(v: &str) -> Option<bool> {
    match v.trim().to_lowercase().as_str() {
        "是" | "true" | "1" | "y" | "yes" | "√" => Some(true),
        "否" | "false" | "0" | "n" | "no" | "×" => Some(false),
        _ => None,
    }
}

fn split_list(v: &str) -> impl Iterator<Item = &str> {
    v.split([';', '；', '、', ',', '，', '|'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Reads a village file (.csv, .xlsx, .geojson/.json).
pub fn read_villages(path: &Path, opts: &ReadOptions) -> Result<Villages, ExchangeError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let records = if ext == "geojson" || ext == "json" {
        let text = std::fs::read_to_string(path).map_err(|e| ExchangeError::io(path, e))?;
        geojson_records(&text)?
    } else {
        table_records(&table::read(path)?)?
    };
    villages_from(records, opts)
}

/// Builds the planning problem from the registry's village profiles (the same checks and border
/// rules as a file: given neighbours, else a Delaunay triangulation of the positions).
pub fn villages_from_profiles(
    profiles: &[crate::store::VillageProfile],
    opts: &ReadOptions,
) -> Result<Villages, ExchangeError> {
    let headers = [
        "code",
        "name",
        "population",
        "lon",
        "lat",
        "industries",
        "township",
        "target",
        "may_lead",
        "excluded",
        "neighbours",
    ];
    let num = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
    let t = table::Table {
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows: profiles
            .iter()
            .map(|p| {
                vec![
                    p.code.clone(),
                    p.name.clone(),
                    p.population.to_string(),
                    num(p.longitude),
                    num(p.latitude),
                    p.industries.clone(),
                    p.township_name
                        .clone()
                        .or_else(|| p.township_code.clone())
                        .unwrap_or_default(),
                    yes(p.target),
                    yes(p.may_lead),
                    yes(p.excluded),
                    p.neighbours
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(";"),
                ]
            })
            .collect(),
        is_xlsx: false,
        lost: Vec::new(),
        first_row: 0,
        first_col: 0,
    };
    villages_from(table_records(&t)?, opts)
}

/// The alliances already formed (the registry's joint committees and their villages) as groups of
/// village indices, in committee order; villages not in `v` are left out.
pub fn formed_alliances(v: &Villages, rows: &[crate::store::AllianceVillage]) -> Vec<Vec<usize>> {
    let index: HashMap<&str, usize> = v
        .problem
        .villages
        .iter()
        .enumerate()
        .map(|(i, x)| (x.code.as_str(), i))
        .collect();
    let mut groups: std::collections::BTreeMap<i64, Vec<usize>> = Default::default();
    for r in rows {
        if let Some(&i) = index.get(r.division_code.as_str()) {
            groups.entry(r.org_id).or_default().push(i);
        }
    }
    groups.into_values().collect()
}

fn table_records(t: &table::Table) -> Result<Vec<Record>, ExchangeError> {
    let cols: Vec<(usize, Field)> = t
        .headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| field_of(h).map(|f| (i, f)))
        .collect();
    Ok(t.rows
        .iter()
        .enumerate()
        .map(|(i, row)| Record {
            row: t.line(i),
            cells: cols
                .iter()
                .map(|&(c, f)| {
                    (
                        f,
                        (
                            t.column_name(c),
                            row.get(c).map(|s| s.trim().to_string()).unwrap_or_default(),
                        ),
                    )
                })
                .collect(),
            geometry: None,
        })
        .collect())
}

fn json_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.trim().to_string(),
        Value::Array(a) => a.iter().map(json_text).collect::<Vec<_>>().join(";"),
        other => other.to_string(),
    }
}

fn geojson_records(text: &str) -> Result<Vec<Record>, ExchangeError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| ExchangeError::Format {
        zh: format!("GeoJSON 无法解析（第{}行）：{e}", e.line()),
        en: format!("GeoJSON cannot be parsed (line {}): {e}", e.line()),
    })?;
    let features = doc
        .get("features")
        .and_then(Value::as_array)
        .ok_or_else(|| ExchangeError::Format {
            zh: "GeoJSON 应为含 features 的 FeatureCollection".into(),
            en: "GeoJSON should be a FeatureCollection with features".into(),
        })?;
    Ok(features
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut cells = HashMap::new();
            if let Some(props) = f.get("properties").and_then(Value::as_object) {
                for (k, v) in props {
                    if let Some(field) = field_of(k) {
                        cells.insert(field, (format!("properties.{k}"), json_text(v)));
                    }
                }
            }
            Record {
                row: i + 1,
                cells,
                geometry: f.get("geometry").filter(|g| !g.is_null()).cloned(),
            }
        })
        .collect())
}

/// The rings of a Polygon or MultiPolygon, or the point of a Point; None for anything else.
enum Shape {
    Point((f64, f64)),
    Rings(Vec<Vec<(f64, f64)>>),
}

fn shape_of(g: &Value) -> Option<Shape> {
    let pt = |v: &Value| -> Option<(f64, f64)> {
        let a = v.as_array()?;
        Some((a.first()?.as_f64()?, a.get(1)?.as_f64()?))
    };
    let ring = |v: &Value| -> Option<Vec<(f64, f64)>> { v.as_array()?.iter().map(pt).collect() };
    let polygon =
        |v: &Value| -> Option<Vec<Vec<(f64, f64)>>> { v.as_array()?.iter().map(ring).collect() };
    let coords = g.get("coordinates")?;
    match g.get("type")?.as_str()? {
        "Point" => pt(coords).map(Shape::Point),
        "Polygon" => polygon(coords).map(Shape::Rings),
        "MultiPolygon" => {
            let mut all = Vec::new();
            for p in coords.as_array()? {
                all.extend(polygon(p)?);
            }
            Some(Shape::Rings(all))
        }
        _ => None,
    }
}

/// A representative point of rings: the mean of the outer ring's vertices (enough for distances
/// between villages and for a map marker).
fn centre(rings: &[Vec<(f64, f64)>]) -> Option<(f64, f64)> {
    let outer = rings.first().filter(|r| !r.is_empty())?;
    let n = outer.len() as f64;
    Some((
        outer.iter().map(|p| p.0).sum::<f64>() / n,
        outer.iter().map(|p| p.1).sum::<f64>() / n,
    ))
}

fn villages_from(records: Vec<Record>, opts: &ReadOptions) -> Result<Villages, ExchangeError> {
    if records.is_empty() {
        return Err(ExchangeError::Format {
            zh: "文件中没有村".into(),
            en: "the file has no villages".into(),
        });
    }
    let mut errors = Vec::new();
    for (f, zh, en) in [
        (Field::Code, "村代码", "code"),
        (Field::Population, "人口", "population"),
    ] {
        if records.iter().all(|r| r.get(f).is_none()) {
            return Err(ExchangeError::Format {
                zh: format!("缺少“{zh}”列"),
                en: format!("the '{en}' column is missing"),
            });
        }
    }
    let mut villages = Vec::with_capacity(records.len());
    let mut names = Vec::new();
    let mut townships: Vec<String> = Vec::new();
    let mut industries: Vec<String> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut incomes = Vec::new();
    let mut standings = Vec::new();
    let mut points: Vec<Option<(f64, f64)>> = Vec::new();
    let mut shapes: Vec<Option<Polygons>> = Vec::new();
    let mut geometry = Vec::new();
    for r in &records {
        let code = match r.get(Field::Code) {
            Some((_, c)) => c.clone(),
            None => {
                errors.push(bad(
                    r.row,
                    "",
                    "缺少村代码".into(),
                    "the village code is missing".into(),
                ));
                String::new()
            }
        };
        if !code.is_empty() {
            if let Some(first) = seen.insert(code.clone(), r.row) {
                let col = r.get(Field::Code).map(|c| c.0.as_str()).unwrap_or("");
                errors.push(bad(
                    r.row,
                    col,
                    format!("村代码 {code} 与第{first}行重复"),
                    format!("village code {code} repeats row {first}"),
                ));
            }
        }
        let population = match r.get(Field::Population) {
            None => {
                errors.push(bad(
                    r.row,
                    "",
                    "缺少人口".into(),
                    "the population is missing".into(),
                ));
                0
            }
            Some((col, v)) => match v.parse::<f64>() {
                Ok(x) if x >= 0.0 && x.fract() == 0.0 && x <= f64::from(u32::MAX) => x as u32,
                _ => {
                    errors.push(bad(
                        r.row,
                        col,
                        format!("人口“{v}”应为非负整数"),
                        format!("population '{v}' should be a whole number, 0 or more"),
                    ));
                    0
                }
            },
        };
        let number = |f: Field| -> Option<f64> {
            r.get(f)
                .and_then(|(_, v)| v.parse::<f64>().ok().filter(|x| x.is_finite()))
        };
        for f in [Field::X, Field::Y] {
            if let Some((col, v)) = r.get(f) {
                if number(f).is_none() {
                    errors.push(bad(
                        r.row,
                        col,
                        format!("坐标“{v}”不是数"),
                        format!("coordinate '{v}' is not a number"),
                    ));
                }
            }
        }
        let shape = r.geometry.as_ref().and_then(shape_of);
        if r.geometry.is_some() && shape.is_none() {
            errors.push(bad(
                r.row,
                "geometry",
                "几何应为 Point、Polygon 或 MultiPolygon".into(),
                "geometry should be a Point, Polygon or MultiPolygon".into(),
            ));
        }
        let point = match (&shape, number(Field::X), number(Field::Y)) {
            (_, Some(x), Some(y)) => Some((x, y)),
            (Some(Shape::Point(p)), _, _) => Some(*p),
            (Some(Shape::Rings(rings)), _, _) => centre(rings),
            _ => None,
        };
        points.push(point);
        shapes.push(match shape {
            Some(Shape::Rings(r)) => Some(r),
            _ => None,
        });
        geometry.push(
            r.geometry
                .clone()
                .or_else(|| point.map(|(x, y)| json!({"type": "Point", "coordinates": [x, y]}))),
        );
        let mut own = Vec::new();
        if let Some((_, v)) = r.get(Field::Industries) {
            for name in split_list(v) {
                let id = match industries.iter().position(|i| i == name) {
                    Some(i) => i,
                    None => {
                        industries.push(name.to_string());
                        industries.len() - 1
                    }
                };
                own.push(id as u16);
            }
        }
        let town = r
            .get(Field::Township)
            .map(|t| t.1.clone())
            .unwrap_or_default();
        let township = match townships.iter().position(|t| *t == town) {
            Some(i) => i,
            None => {
                townships.push(town);
                townships.len() - 1
            }
        } as u32;
        let mut flag_of = |f: Field, zh: &str, en: &str| -> Option<bool> {
            let (col, v) = r.get(f)?;
            let got = flag(v);
            if got.is_none() {
                errors.push(bad(
                    r.row,
                    col,
                    format!("“{zh}”应为 是/否，不是“{v}”"),
                    format!("'{en}' should be yes/no (是/否), not '{v}'"),
                ));
            }
            got
        };
        let target = flag_of(Field::Target, "重点村", "target");
        let may_lead = flag_of(Field::MayLead, "可牵头", "may_lead");
        let excluded = flag_of(Field::Excluded, "不参与", "excluded").unwrap_or(false);
        let income = match r.get(Field::Income) {
            None => None,
            Some((col, v)) => match Fen::parse_yuan(v) {
                Ok(f) => Some(f),
                Err(e) => {
                    errors.push(bad(r.row, col, e.zh, e.en));
                    None
                }
            },
        };
        incomes.push(income);
        standings.push(r.get(Field::Standing).map(|s| s.1.clone()));
        let weak_branch = r
            .get(Field::Standing)
            .is_some_and(|(_, s)| s.contains("软弱") || s.contains("涣散") || s.contains("后进"));
        let target = target.unwrap_or(weak_branch || income.is_some_and(|i| i < opts.weak_income));
        let may_lead =
            may_lead.unwrap_or(!weak_branch && income.is_some_and(|i| i >= opts.strong_income));
        names.push(
            r.get(Field::Name)
                .map(|n| n.1.clone())
                .unwrap_or_else(|| code.clone()),
        );
        villages.push(Village {
            code,
            population,
            position: None,
            industries: own,
            target,
            may_lead,
            excluded,
            township,
        });
    }
    // Borders.
    let n = villages.len();
    let given = records.iter().any(|r| r.get(Field::Neighbours).is_some());
    let (adjacency, borders) = if given {
        let mut adj = vec![Vec::new(); n];
        let index: HashMap<&str, usize> = villages
            .iter()
            .enumerate()
            .map(|(i, x)| (x.code.as_str(), i))
            .collect();
        for (i, r) in records.iter().enumerate() {
            if let Some((col, v)) = r.get(Field::Neighbours) {
                for code in split_list(v) {
                    match index.get(code) {
                        Some(&j) if j != i => {
                            adj[i].push(j);
                            adj[j].push(i);
                        }
                        _ => errors.push(bad(
                            r.row,
                            col,
                            format!("相邻村 {code} 不在文件中"),
                            format!("neighbour {code} is not in the file"),
                        )),
                    }
                }
            }
        }
        for l in &mut adj {
            l.sort_unstable();
            l.dedup();
        }
        (adj, Borders::Given)
    } else if shapes.iter().all(Option::is_some) {
        let rings: Vec<Vec<Vec<(f64, f64)>>> = shapes.into_iter().flatten().collect();
        let all: Vec<(f64, f64)> = rings.iter().flatten().flatten().copied().collect();
        let tol = if geometry::looks_like_degrees(&all) {
            1e-7
        } else {
            0.01
        };
        (
            geometry::adjacency_from_polygons(&rings, opts.contiguity, tol),
            Borders::Polygons,
        )
    } else {
        (Vec::new(), Borders::Points)
    };
    // Positions in metres.
    let known: Vec<(f64, f64)> = points.iter().flatten().copied().collect();
    if borders == Borders::Points && known.len() < n {
        for (r, p) in records.iter().zip(&points) {
            if p.is_none() {
                errors.push(bad(
                    r.row,
                    "",
                    "既无相邻村也无坐标，无法确定与谁相邻".into(),
                    "neither neighbours nor a location: its borders cannot be known".into(),
                ));
            }
        }
    }
    if !errors.is_empty() {
        let total = errors.len();
        errors.truncate(50);
        return Err(ExchangeError::Rows { errors, total });
    }
    let degrees = geometry::looks_like_degrees(&known);
    let lonlat = if degrees {
        points.clone()
    } else {
        vec![None; points.len()]
    };
    let projected = if degrees {
        geometry::project_degrees(&known)
    } else {
        known
    };
    let mut it = projected.into_iter();
    for (v, p) in villages.iter_mut().zip(&points) {
        if p.is_some() {
            v.position = it.next();
        }
    }
    let adjacency = if borders == Borders::Points {
        let pts: Vec<(f64, f64)> = villages.iter().filter_map(|v| v.position).collect();
        geometry::adjacency_from_points(&pts, Some(opts.link_distance_m))
    } else {
        adjacency
    };
    Ok(Villages {
        problem: Problem {
            villages,
            adjacency,
            params: Params::default(),
            locked: Vec::new(),
            forbidden: Vec::new(),
            pinned: Vec::new(),
        },
        names,
        townships,
        industries,
        geometry,
        borders,
        lonlat,
        incomes,
        standings,
    })
}

/// The villages of a file as registry profiles (positions in degrees; borders stored when the
/// file gave them or its polygons drew them, else left to the positions).
pub fn profile_inputs(v: &Villages) -> Vec<crate::store::VillageProfileInput> {
    let p = &v.problem;
    p.villages
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let pos = v.lonlat.get(i).copied().flatten();
            crate::store::VillageProfileInput {
                code: x.code.clone(),
                population: i64::from(x.population),
                longitude: pos.map(|q| q.0),
                latitude: pos.map(|q| q.1),
                industries: x
                    .industries
                    .iter()
                    .filter_map(|&k| v.industries.get(usize::from(k)).cloned())
                    .collect(),
                income_fen: v.incomes.get(i).copied().flatten().map(|f| f.0),
                standing: v.standings.get(i).cloned().flatten(),
                target: x.target,
                may_lead: x.may_lead,
                excluded: x.excluded,
                neighbours: if v.borders == Borders::Points {
                    Vec::new()
                } else {
                    p.adjacency[i]
                        .iter()
                        .map(|&u| p.villages[u].code.clone())
                        .collect()
                },
            }
        })
        .collect()
}

pub(super) fn yes(b: bool) -> String {
    if b { "true" } else { "false" }.to_string()
}

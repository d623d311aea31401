//! Files of the alliance planner (跨村联建): villages in, from CSV, .xlsx or GeoJSON; plans out, as
//! CSV, .xlsx or GeoJSON; and every feasible alliance as CSV (for checking the planner against an
//! exact solver).
//!
//! A village file has one row (or GeoJSON feature) per village. Columns, by Chinese or English
//! header: 村代码 code (required), 村名 name, 人口 population (required), 经度/纬度 lon/lat or x/y
//! (metres), 主导产业 industries (separated by ；;、,), 乡镇 township, 重点村 target, 可牵头 may_lead,
//! 不参与 excluded (是/否, true/false, 1/0), 相邻村 neighbours (codes), 集体收入 collective_income
//! (yuan), 支部评定 branch_standing. Who borders whom comes from the neighbours column if the file
//! has one, else from shared polygon boundaries (GeoJSON), else from a Delaunay triangulation of the
//! points cut at a link distance. A blank target or may-lead flag is read off the strength
//! indicators: weak (income under the weak line, or a branch rated 软弱涣散) is a target; strong
//! (income at or over the strong line, branch not rated weak) may lead.

mod read;
mod write;

pub use read::*;
pub use write::*;

#[cfg(test)]
mod tests {
    use super::read::*;
    use super::write::*;
    use super::*;
    use serde_json::{json, Value};
    use xiangzhi_tabular::{table, ExchangeError};

    fn write(name: &str, text: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("xiangzhi-plan-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("test fixture");
        let p = dir.join(name);
        std::fs::write(&p, text).expect("test fixture");
        p
    }

    #[test]
    fn csv_with_points_gets_delaunay_borders_and_flags_from_strength() {
        let p = write(
            "points.csv",
            "村代码,村名,人口,经度,纬度,主导产业,乡镇,集体收入（元）,支部评定\n\
             A,甲村,400,119.000,36.000,苹果、蔬菜,城关,50000,一般\n\
             B,乙村,500,119.010,36.000,苹果,城关,800000,先进\n\
             C,丙村,450,119.000,36.010,蔬菜,城关,200000,软弱涣散\n\
             D,丁村,300,119.500,36.500,苹果,远乡,,\n",
        );
        let v = read_villages(&p, &ReadOptions::default()).expect("test fixture");
        assert_eq!(v.borders, Borders::Points);
        let adj = &v.problem.adjacency;
        assert_eq!(adj[0], vec![1, 2]);
        assert!(adj[3].is_empty(), "D is ~70 km away: {adj:?}");
        let flags: Vec<(bool, bool)> = v
            .problem
            .villages
            .iter()
            .map(|x| (x.target, x.may_lead))
            .collect();
        assert_eq!(
            flags,
            vec![(true, false), (false, true), (true, false), (false, false)]
        );
        assert_eq!(v.industries, vec!["苹果", "蔬菜"]);
        assert_eq!(v.problem.villages[0].industries, vec![0, 1]);
    }

    #[test]
    fn bad_rows_are_all_reported_with_row_and_column() {
        let p = write(
            "bad.csv",
            "code,population,target,neighbours\nA,12x,yes,B\nA,100,maybe,Z\n",
        );
        let Err(ExchangeError::Rows { errors, total }) = read_villages(&p, &ReadOptions::default())
        else {
            panic!("should fail")
        };
        assert_eq!(total, 5, "{errors:?}");
        assert!(errors
            .iter()
            .any(|e| e.row == 2 && e.column.contains("population")));
        assert!(errors.iter().any(|e| e.row == 3 && e.zh.contains("重复")));
        assert!(errors.iter().any(|e| e.row == 3 && e.en.contains("maybe")));
        assert!(errors
            .iter()
            .any(|e| e.row == 3 && e.en.contains("Z is not in the file")));
    }

    #[test]
    fn geojson_polygons_border_by_shared_edges_and_round_trip() {
        let sq = |x: f64, code: &str, pop: u32| {
            json!({"type": "Feature",
                   "geometry": {"type": "Polygon", "coordinates": [[[x, 0.0], [x + 1000.0, 0.0], [x + 1000.0, 1000.0], [x, 1000.0], [x, 0.0]]]},
                   "properties": {"code": code, "population": pop, "may_lead": code == "B", "target": true, "industries": ["苹果"]}})
        };
        let doc = json!({"type": "FeatureCollection",
                         "features": [sq(0.0, "A", 400), sq(1000.0, "B", 400), sq(2000.0, "C", 400)]});
        let p = write("poly.geojson", &doc.to_string());
        let v = read_villages(&p, &ReadOptions::default()).expect("test fixture");
        assert_eq!(v.borders, Borders::Polygons);
        assert_eq!(v.problem.adjacency, vec![vec![1], vec![0, 2], vec![1]]);
        let plan = xiangzhi_planner::solve(&v.problem, 1, std::time::Duration::from_secs(2))
            .expect("test fixture");
        assert_eq!(plan.alliances.len(), 1);
        let out = p.with_file_name("plan.geojson");
        write_plan(&out, &v, &plan).expect("test fixture");
        let back: Value =
            serde_json::from_str(&std::fs::read_to_string(&out).expect("test fixture"))
                .expect("test fixture");
        let props = &back["features"][1]["properties"];
        assert_eq!(props["alliance"], 1);
        assert_eq!(props["lead"], true);
        let csv = p.with_file_name("plan.csv");
        write_plan(&csv, &v, &plan).expect("test fixture");
        let t = table::read(&csv).expect("test fixture");
        assert_eq!(t.headers[..3], ["alliance", "code", "name"]);
        assert_eq!(t.rows.len(), 3);
        let x = p.with_file_name("plan.xlsx");
        write_plan(&x, &v, &plan).expect("test fixture");
        assert!(
            table::read(&x).expect("test fixture").rows.len() == 1,
            "first sheet: one alliance"
        );
    }
}

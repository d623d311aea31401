//! Where a case is, as a small map: its township's villages drawn as areas from their positions
//! (`planner::geometry::area_cells`), its own village tinted, and the spot the reporter gave, if
//! any. Inline SVG: no script, no map tiles, nothing to license.

use crate::store::Case;
use xiangzhi_domain::DivisionLevel;
use xiangzhi_registry::prelude::DivisionStore;
use xiangzhi_storage::Db;

/// Text for SVG: names are people's words.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The map of `k`'s township with its village marked, or `None` when the villages' positions are
/// not known. `label` names the map for screen readers.
pub(crate) async fn case_map(db: &Db, k: &Case, label: &str) -> Option<String> {
    let township = k.division_code.get(..9)?;
    let village = k.division_code.get(..12)?;
    let villages = db
        .division_positions(k.county_id, township, DivisionLevel::Village)
        .await
        .ok()?;
    let own = villages.iter().position(|v| v.0 == village)?;
    if villages.len() < 2 {
        return None;
    }
    let mut degrees: Vec<(f64, f64)> = villages.iter().map(|v| (v.3, v.2)).collect();
    let spot = k.longitude.zip(k.latitude);
    if let Some(p) = spot {
        degrees.push(p);
    }
    let plane = xiangzhi_planner::geometry::project_degrees(&degrees);
    let cells = xiangzhi_planner::geometry::area_cells(&plane[..villages.len()]);
    let all = cells.iter().flatten().chain(plane.iter());
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &(x, y) in all {
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    let (w, h) = ((x1 - x0).max(1.0), (y1 - y0).max(1.0));
    // North up: the SVG's y runs down.
    let at = |(x, y): (f64, f64)| (x - x0, y1 - y);
    let mut svg = format!(
        r#"<svg viewBox="0 0 {w:.0} {h:.0}" role="img" aria-label="{}" preserveAspectRatio="xMidYMid meet">"#,
        esc(label)
    );
    for (i, cell) in cells.iter().enumerate() {
        if cell.len() < 3 {
            continue;
        }
        let path: Vec<String> = cell
            .iter()
            .map(|&p| {
                let (x, y) = at(p);
                format!("{x:.0},{y:.0}")
            })
            .collect();
        let fill = if i == own { "#ef9a9a" } else { "#e3e7eb" };
        svg.push_str(&format!(
            r##"<polygon points="{}" fill="{fill}" stroke="#ffffff" stroke-width="{:.0}"><title>{}</title></polygon>"##,
            path.join(" "),
            w / 300.0,
            esc(&villages[i].1)
        ));
    }
    let r = w.max(h) / 70.0;
    let (vx, vy) = at(plane[own]);
    svg.push_str(&format!(
        r##"<circle cx="{vx:.0}" cy="{vy:.0}" r="{:.0}" fill="#8b1a1a"/>"##,
        r * 0.6
    ));
    if spot.is_some() {
        if let Some(&p) = plane.last() {
            let (x, y) = at(p);
            svg.push_str(&format!(
                r##"<circle cx="{x:.0}" cy="{y:.0}" r="{r:.0}" fill="#b71c1c" stroke="#ffffff" stroke-width="{:.0}"/>"##,
                r / 3.0
            ));
        }
    }
    svg.push_str("</svg>");
    Some(svg)
}

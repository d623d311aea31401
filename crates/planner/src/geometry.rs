//! Who borders whom, from geometry: shared boundaries of village polygons, or — when only a point
//! per village is known — a Delaunay triangulation of the points with edges longer than a limit cut.
//! Also a local projection of longitude/latitude to metres for the distance rule.

use std::collections::HashMap;

/// Sorted, deduplicated, symmetric adjacency lists from an edge list.
fn lists(n: usize, edges: impl IntoIterator<Item = (usize, usize)>) -> Vec<Vec<usize>> {
    let mut adj = vec![Vec::new(); n];
    for (a, b) in edges {
        if a != b {
            adj[a].push(b);
            adj[b].push(a);
        }
    }
    for l in &mut adj {
        l.sort_unstable();
        l.dedup();
    }
    adj
}

fn length(a: (f64, f64), b: (f64, f64)) -> f64 {
    ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
}

/// Neighbours from points: the edges of their Delaunay triangulation no longer than `max_link`
/// (metres; `None` keeps every edge). Villages at the same point border each other and share that
/// point's neighbours; points all on one line border the next ones along it.
pub fn adjacency_from_points(points: &[(f64, f64)], max_link: Option<f64>) -> Vec<Vec<usize>> {
    let n = points.len();
    // One site per distinct position (the triangulation drops near-duplicates on its own, which
    // would leave those villages without neighbours).
    let mut site_of = Vec::with_capacity(n);
    let mut sites: Vec<(f64, f64)> = Vec::new();
    let mut at: HashMap<(u64, u64), usize> = HashMap::new();
    for &(x, y) in points {
        let key = ((x + 0.0).to_bits(), (y + 0.0).to_bits());
        let s = *at.entry(key).or_insert_with(|| {
            sites.push((x, y));
            sites.len() - 1
        });
        site_of.push(s);
    }
    let keep = |a: usize, b: usize| max_link.is_none_or(|m| length(sites[a], sites[b]) <= m);
    let mut site_edges: Vec<(usize, usize)> = Vec::new();
    if sites.len() >= 2 {
        let pts: Vec<delaunator::Point> = sites
            .iter()
            .map(|&(x, y)| delaunator::Point { x, y })
            .collect();
        let t = delaunator::triangulate(&pts);
        if t.triangles.is_empty() {
            // Collinear: neighbours are the next ones along the line.
            let mut order: Vec<usize> = (0..sites.len()).collect();
            order.sort_by(|&a, &b| {
                sites[a]
                    .partial_cmp(&sites[b])
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            site_edges.extend(order.windows(2).map(|w| (w[0], w[1])));
        } else {
            for e in 0..t.triangles.len() {
                let (a, b) = (t.triangles[e], t.triangles[delaunator::next_halfedge(e)]);
                // Each inner edge appears as two half-edges; keep one of them.
                if t.halfedges[e] == delaunator::EMPTY || a < b {
                    site_edges.push((a, b));
                }
            }
        }
    }
    site_edges.retain(|&(a, b)| keep(a, b));
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); sites.len()];
    for (v, &s) in site_of.iter().enumerate() {
        members[s].push(v);
    }
    let mut edges = Vec::new();
    for m in &members {
        for (i, &a) in m.iter().enumerate() {
            edges.extend(m[i + 1..].iter().map(|&b| (a, b)));
        }
    }
    for (a, b) in site_edges {
        for &u in &members[a] {
            edges.extend(members[b].iter().map(|&w| (u, w)));
        }
    }
    lists(n, edges)
}

/// When polygons count as neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contiguity {
    /// They share a stretch of boundary (an edge between two common vertices).
    Rook,
    /// They share at least one boundary point.
    Queen,
}

/// Neighbours from polygons: `shapes[v]` holds the rings (outer and holes, of every part) of
/// village `v`, each a list of vertices. Vertices closer than `tolerance` (in the coordinates'
/// unit) count as the same point, so boundaries digitised twice with rounding still meet.
pub fn adjacency_from_polygons(
    shapes: &[Vec<Vec<(f64, f64)>>],
    contiguity: Contiguity,
    tolerance: f64,
) -> Vec<Vec<usize>> {
    let tol = if tolerance > 0.0 { tolerance } else { 1e-9 };
    let q = |(x, y): (f64, f64)| ((x / tol).round() as i64, (y / tol).round() as i64);
    type Key = ((i64, i64), (i64, i64));
    let mut owners: HashMap<Key, Vec<usize>> = HashMap::new();
    for (v, rings) in shapes.iter().enumerate() {
        for ring in rings {
            for (i, &p) in ring.iter().enumerate() {
                let a = q(p);
                let key = match contiguity {
                    Contiguity::Queen => (a, a),
                    Contiguity::Rook => {
                        let b = q(ring[(i + 1) % ring.len()]);
                        if a == b {
                            continue;
                        }
                        (a.min(b), a.max(b))
                    }
                };
                let list = owners.entry(key).or_default();
                if list.last() != Some(&v) {
                    list.push(v);
                }
            }
        }
    }
    let mut edges = Vec::new();
    for list in owners.values() {
        for (i, &a) in list.iter().enumerate() {
            edges.extend(list[i + 1..].iter().map(|&b| (a, b)));
        }
    }
    lists(shapes.len(), edges)
}

/// Whether coordinates look like longitude/latitude in degrees rather than metres.
pub fn looks_like_degrees(points: &[(f64, f64)]) -> bool {
    !points.is_empty()
        && points
            .iter()
            .all(|&(x, y)| x.abs() <= 180.0 && y.abs() <= 90.0)
}

/// Longitude/latitude (degrees) to metres on a plane tangent at the points' mean latitude
/// (equirectangular; within a county the error is well under 1%).
pub fn project_degrees(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    const R: f64 = 6_371_008.8;
    if points.is_empty() {
        return Vec::new();
    }
    let lat0 = points.iter().map(|p| p.1).sum::<f64>() / points.len() as f64;
    let k = lat0.to_radians().cos();
    points
        .iter()
        .map(|&(lon, lat)| (R * lon.to_radians() * k, R * lat.to_radians()))
        .collect()
}

/// Each point's area drawn from the points alone (a Voronoi cell): the part of the plane nearer
/// to it than to any other point, cut to the disc of radius `reach` around it (a 24-gon), so the
/// cells together read as the outline of the whole area and no cell runs off to the horizon.
/// Planar coordinates (project degrees first); each cell counter-clockwise, possibly empty for a
/// point that repeats another.
pub fn cells(points: &[(f64, f64)], reach: f64) -> Vec<Vec<(f64, f64)>> {
    const SIDES: usize = 24;
    points
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            let mut poly: Vec<(f64, f64)> = (0..SIDES)
                .map(|k| {
                    let a = std::f64::consts::TAU * k as f64 / SIDES as f64;
                    (p.0 + reach * a.cos(), p.1 + reach * a.sin())
                })
                .collect();
            for (j, &q) in points.iter().enumerate() {
                if j == i || length(p, q) > 2.0 * reach || poly.is_empty() {
                    continue;
                }
                if length(p, q) == 0.0 {
                    // Two villages at one spot: the first keeps it.
                    if j < i {
                        poly.clear();
                    }
                    continue;
                }
                // Keep the half-plane nearer to p than to q.
                let (nx, ny) = (q.0 - p.0, q.1 - p.1);
                let m = ((p.0 + q.0) / 2.0, (p.1 + q.1) / 2.0);
                let side = |v: (f64, f64)| (v.0 - m.0) * nx + (v.1 - m.1) * ny;
                poly = clip(&poly, side);
            }
            poly
        })
        .collect()
}

/// [`cells`] with their reach taken from the points themselves: a little less than the usual
/// distance from a point to its nearest neighbour (at least 300 m), so neighbours' areas meet and
/// a lone point's stays its own.
pub fn area_cells(points: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
    let mut nearest: Vec<f64> = points
        .iter()
        .enumerate()
        .map(|(i, &a)| {
            points
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, &b)| length(a, b))
                .fold(f64::MAX, f64::min)
        })
        .filter(|d| d.is_finite() && *d < f64::MAX)
        .collect();
    nearest.sort_by(f64::total_cmp);
    let reach = nearest
        .get(nearest.len() / 2)
        .map_or(1000.0, |d| d * 0.9)
        .max(300.0);
    cells(points, reach)
}

/// Sutherland–Hodgman: the part of a convex polygon where `side` is ≤ 0.
fn clip(poly: &[(f64, f64)], side: impl Fn((f64, f64)) -> f64) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(poly.len() + 1);
    for (k, &a) in poly.iter().enumerate() {
        let b = poly[(k + 1) % poly.len()];
        let (sa, sb) = (side(a), side(b));
        if sa <= 0.0 {
            out.push(a);
        }
        if (sa < 0.0 && sb > 0.0) || (sa > 0.0 && sb < 0.0) {
            let t = sa / (sa - sb);
            out.push((a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two points 2 km apart split the plane at the midline; a lone point keeps its whole disc;
    /// every cell holds its own point and no other.
    #[test]
    fn cells_split_the_plane_between_neighbours() {
        let pts = [(0.0, 0.0), (2000.0, 0.0), (50_000.0, 0.0)];
        let c = cells(&pts, 1500.0);
        let max_x = c[0].iter().map(|v| v.0).fold(f64::MIN, f64::max);
        let min_x = c[1].iter().map(|v| v.0).fold(f64::MAX, f64::min);
        assert!((max_x - 1000.0).abs() < 1e-6 && (min_x - 1000.0).abs() < 1e-6);
        assert_eq!(c[2].len(), 24);
        let inside = |poly: &[(f64, f64)], p: (f64, f64)| {
            poly.iter().enumerate().all(|(k, &a)| {
                let b = poly[(k + 1) % poly.len()];
                (b.0 - a.0) * (p.1 - a.1) - (b.1 - a.1) * (p.0 - a.0) >= -1e-9
            })
        };
        for (i, cell) in c.iter().enumerate() {
            for (j, &p) in pts.iter().enumerate() {
                assert_eq!(inside(cell, p), i == j, "cell {i}, point {j}");
            }
        }
    }

    #[test]
    fn grid_points_link_their_close_neighbours() {
        // A 3×3 grid 1 km apart: with a 1.1 km limit only the four-way neighbours remain.
        let pts: Vec<(f64, f64)> = (0..9)
            .map(|i| ((i % 3) as f64 * 1000.0, (i / 3) as f64 * 1000.0))
            .collect();
        let adj = adjacency_from_points(&pts, Some(1100.0));
        assert_eq!(adj[4], vec![1, 3, 5, 7]);
        assert_eq!(adj[0], vec![1, 3]);
        let all = adjacency_from_points(&pts, None);
        assert!(all[4].len() >= 4);
        for (v, l) in all.iter().enumerate() {
            for &u in l {
                assert!(all[u].contains(&v));
            }
        }
    }

    #[test]
    fn duplicate_and_collinear_points_still_get_neighbours() {
        let adj = adjacency_from_points(&[(0.0, 0.0), (0.0, 0.0), (10.0, 0.0)], None);
        assert_eq!(adj, vec![vec![1, 2], vec![0, 2], vec![0, 1]]);
        let line =
            adjacency_from_points(&[(3.0, 0.0), (1.0, 0.0), (2.0, 0.0), (9.0, 0.0)], Some(2.0));
        assert_eq!(line, vec![vec![2], vec![2], vec![0, 1], vec![]]);
    }

    #[test]
    fn polygons_sharing_an_edge_or_a_corner() {
        let square =
            |x: f64, y: f64| vec![vec![(x, y), (x + 1.0, y), (x + 1.0, y + 1.0), (x, y + 1.0)]];
        // 0 | 1
        // 2 | 3   (0 and 3 meet at a corner only)
        let shapes = vec![
            square(0.0, 1.0),
            square(1.0, 1.0),
            square(0.0, 0.0),
            square(1.0, 0.0),
        ];
        let rook = adjacency_from_polygons(&shapes, Contiguity::Rook, 1e-9);
        assert_eq!(rook, vec![vec![1, 2], vec![0, 3], vec![0, 3], vec![1, 2]]);
        let queen = adjacency_from_polygons(&shapes, Contiguity::Queen, 1e-9);
        assert_eq!(queen[0], vec![1, 2, 3]);
    }

    #[test]
    fn degrees_project_to_metres() {
        let pts = [(119.0, 36.0), (119.01, 36.0)];
        assert!(looks_like_degrees(&pts));
        let m = project_degrees(&pts);
        let d = length(m[0], m[1]);
        assert!((d - 900.0).abs() < 10.0, "{d}");
    }
}

//! 管辖范围: the jurisdiction a caller may read and write.
//!
//! A scope is a node of the division tree (it covers that division and everything below it) or a
//! node of the grid tree (the grid's division, narrowed to the grid's subtree for the rows that
//! belong to grids: grids, staff, households, residents, party members). Every storage query on
//! county-owned rows takes one and adds its filter, so no handler can forget it.

use crate::sql::Q;
use crate::tables::Table;
use crate::Actor;
use xiangzhi_domain::DivisionCode;

#[derive(Debug, Clone)]
pub struct Scope {
    county_id: Option<i64>,
    lo: String,
    hi: String,
    root: Option<DivisionCode>,
    /// For an account bound to a grid: the grid's tree path (`/1/5/17/`) in its county.
    grid: Option<String>,
    /// Who acts in this scope: every write through the store names it in its audit entry. A
    /// request's scope carries the signed-in account; a command's or a job's says which.
    actor: Actor,
}

/// Two scopes are equal when they cover the same rows, whoever acts in them.
impl PartialEq for Scope {
    fn eq(&self, o: &Self) -> bool {
        (self.county_id, &self.lo, &self.hi, &self.root, &self.grid)
            == (o.county_id, &o.lo, &o.hi, &o.root, &o.grid)
    }
}
impl Eq for Scope {}

/// The exclusive upper bound of all strings starting with `prefix` (bytes are ASCII digits here).
pub fn prefix_upper(prefix: &str) -> String {
    let mut b = prefix.as_bytes().to_vec();
    if let Some(last) = b.last_mut() {
        *last += 1;
    }
    String::from_utf8(b).unwrap_or_default()
}

impl Scope {
    /// Everything in the database: for the command line and system jobs, never for a logged-in user
    /// bound to a division.
    pub fn everything() -> Self {
        Scope {
            county_id: None,
            lo: "0".into(),
            hi: ":".into(),
            root: None,
            grid: None,
            actor: Actor::system("system"),
        }
    }

    /// No rows at all (an account bound to no valid division).
    pub fn nothing() -> Self {
        Scope {
            county_id: None,
            lo: "~".into(),
            hi: "~".into(),
            root: None,
            grid: None,
            actor: Actor::system("system"),
        }
    }

    /// A division and everything below it.
    pub fn division(code: &DivisionCode) -> Self {
        let prefix = code.prefix().to_string();
        Scope {
            county_id: code.county_id(),
            hi: prefix_upper(&prefix),
            lo: prefix,
            root: Some(code.clone()),
            grid: None,
            actor: Actor::system("system").in_county(code.county_id()),
        }
    }

    /// A grid and everything below it: the grid's division for divisions, party organisations and
    /// duties; the grid's subtree for grids, staff, households, residents and party members.
    pub fn grid(division: &DivisionCode, path: &str) -> Self {
        Scope {
            grid: Some(path.to_string()),
            ..Scope::division(division)
        }
    }

    /// The same jurisdiction, acted in by `actor`: its entries join the scope's county's audit
    /// chain unless the actor already names one.
    pub fn by(mut self, actor: Actor) -> Self {
        let county = actor.county_id.or(self.county_id);
        self.actor = actor.in_county(county);
        self
    }

    /// Who acts in this scope.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The account acting: a write that records a person (who recorded, who approved) needs one,
    /// and a system job has none.
    pub fn acting(&self) -> crate::Result<i64> {
        self.actor.user_id.ok_or_else(|| {
            crate::StoreError::Forbidden("须以账号登录 / an account is needed".into())
        })
    }

    /// The grid path an account is bound to, if it is bound to a grid.
    pub fn grid_path(&self) -> Option<&str> {
        self.grid.as_deref()
    }

    pub fn root(&self) -> Option<&DivisionCode> {
        self.root.as_ref()
    }
    pub fn county_id(&self) -> Option<i64> {
        self.county_id
    }

    /// Whether a division code lies inside the scope.
    pub fn covers(&self, code: &str) -> bool {
        code >= self.lo.as_str() && code < self.hi.as_str()
    }

    /// The village a write names (`division_code`), when it is a village in this scope's reach;
    /// otherwise the error every feature answers in words.
    pub fn village(&self, code: &str) -> crate::Result<DivisionCode> {
        DivisionCode::parse(code)
            .ok()
            .filter(|c| {
                c.level() == xiangzhi_domain::DivisionLevel::Village && self.covers(c.as_str())
            })
            .ok_or_else(|| {
                crate::StoreError::invalid(
                    "division_code",
                    "请选择您管辖范围内的一个村",
                    "name a village within your jurisdiction",
                )
            })
    }

    /// Appends ` AND <alias>.division_code in scope` (and the county key, so a sharded cluster
    /// routes the query to one shard) for the table `table` under `alias`; for an account bound
    /// to a grid, also the table's grid rule.
    pub fn filter(&self, q: &mut Q, table: &Table, alias: &str, column: &str) {
        // Debug builds (the tests) hold the caller's word about the table against the query text;
        // release builds take it from the catalogue alone.
        #[cfg(debug_assertions)]
        assert_eq!(table_of(&q.sql, alias), Some(table.name), "{}", q.sql);
        if *self == Scope::everything() {
            // Unrestricted (command line, system jobs): no condition at all, so the plan is the
            // plain one.
            return;
        }
        // What the jurisdiction reaches: the grid rule and the division range, all to hold.
        let mut reach = Vec::new();
        if let Some(path) = &self.grid {
            reach.push(self.grid_filter(q, table, alias, path));
        }
        if let Some(c) = self.county_id {
            let p = q.arg(c);
            q.push(&format!(" AND {alias}.county_id = {p}"));
        }
        // A county's rows all carry division codes that start with the county's six digits: the
        // county key alone is the whole condition (and the cheapest to check per row).
        let whole_county = self.county_id.is_some()
            && self.lo.len() == 6
            && self.lo.parse::<i64>().ok() == self.county_id;
        if !whole_county {
            let lo = q.arg(self.lo.clone());
            let hi = q.arg(self.hi.clone());
            reach.push(format!(
                "{alias}.{column} >= {lo} AND {alias}.{column} < {hi}"
            ));
        }
        let reach: Vec<String> = reach.into_iter().filter(|c| !c.is_empty()).collect();
        if reach.is_empty() {
            return;
        }
        let reach = reach.join(" AND ");
        // A grid-bound account also reaches the rows assigned to it (the only way such a row
        // can lie outside its grid: a dispatcher above gave it to this account).
        match (table.grid, self.grid.is_some(), self.actor.user_id) {
            (crate::tables::GridRule::Assigned { handler, .. }, true, Some(me)) => {
                let p = q.arg(me);
                q.push(&format!(" AND (({reach}) OR {alias}.{handler} = {p})"));
            }
            _ => {
                q.push(&format!(" AND {reach}"));
            }
        }
    }

    /// The grid-subtree condition for `table` (under `alias`), by its grid rule; empty when the
    /// table is not narrowed by grid. A table that closes gets no rows at all: a grid-bound
    /// account sees less, never more.
    fn grid_filter(&self, q: &mut Q, table: &Table, alias: &str, path: &str) -> String {
        use crate::tables::GridRule;
        let rule = table.grid;
        if rule == GridRule::Open {
            return String::new();
        }
        let lo = q.arg(path.to_string());
        let hi = q.arg(prefix_upper(path));
        let grids = format!(
            "SELECT g.id FROM grids g WHERE g.county_id = {alias}.county_id AND g.path >= {lo} AND g.path < {hi}"
        );
        let households = format!(
            "SELECT h.id FROM households h WHERE h.county_id = {alias}.county_id AND h.micro_grid_id IN ({})",
            grids.replace(&format!("{alias}.county_id"), "h.county_id")
        );
        let residents = format!(
            "SELECT r.id FROM residents r WHERE r.county_id = {alias}.county_id AND r.household_id IN ({})",
            households
                .replace(&format!("h.county_id = {alias}.county_id"), "h.county_id = r.county_id")
        );
        match rule {
            GridRule::Open => String::new(),
            // A row of the grid's subtree, or of the division without a grid.
            GridRule::Assigned { grid: c, .. } => {
                format!("({alias}.{c} IS NULL OR {alias}.{c} IN ({grids}))")
            }
            GridRule::Path(c) => format!("{alias}.{c} >= {lo} AND {alias}.{c} < {hi}"),
            GridRule::InGrid(c) => format!("{alias}.{c} IN ({grids})"),
            GridRule::InHousehold(c) => format!("{alias}.{c} IN ({households})"),
            GridRule::OfResident(c) => format!("{alias}.{c} IN ({residents})"),
            GridRule::Closed => "1 = 0".to_string(),
        }
    }

    /// Narrows this scope to a division inside it; `None` if the division lies outside. A grid
    /// binding stays.
    pub fn narrow(&self, code: &DivisionCode) -> Option<Scope> {
        if self.covers(code.as_str()) {
            Some(Scope {
                grid: self.grid.clone(),
                actor: self.actor.clone(),
                ..Scope::division(code)
            })
        } else {
            None
        }
    }
}

/// The table that `alias` names in a query's FROM or JOIN clauses (`FROM households t`); only for
/// the debug check above.
#[cfg(debug_assertions)]
fn table_of<'a>(sql: &'a str, alias: &str) -> Option<&'a str> {
    let words: Vec<&str> = sql.split_whitespace().collect();
    words.windows(3).find_map(|w| {
        (matches!(w[0].to_ascii_uppercase().as_str(), "FROM" | "JOIN") && w[2] == alias)
            .then_some(w[1])
    })
}

#[cfg(test)]
mod village_tests {
    use super::Scope;
    use xiangzhi_domain::DivisionCode;

    #[test]
    fn a_write_names_a_village_in_reach() {
        let township = DivisionCode::parse("141029100000").unwrap();
        let scope = Scope::division(&township);
        assert_eq!(
            scope.village("141029100001").unwrap().as_str(),
            "141029100001"
        );
        // Another township's village, the township itself, and nonsense are refused alike.
        for bad in ["141029101001", "141029100000", "x", "141029100001\0"] {
            let e = scope.village(bad).unwrap_err().to_string();
            assert!(e.contains("division_code"), "{bad}: {e}");
        }
    }
}

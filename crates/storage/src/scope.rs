//! 管辖范围: the jurisdiction a caller may read and write.
//!
//! A scope is a node of the division tree; it covers that division and everything below it. Every
//! storage query on county-owned rows takes one and adds its filter, so no handler can forget it.

use crate::sql::Q;
use xiangzhi_domain::DivisionCode;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    county_id: Option<i64>,
    lo: String,
    hi: String,
    root: Option<DivisionCode>,
}

/// The exclusive upper bound of all strings starting with `prefix` (bytes are ASCII digits here).
pub(crate) fn prefix_upper(prefix: &str) -> String {
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
        }
    }

    /// No rows at all (an account bound to no valid division).
    pub fn nothing() -> Self {
        Scope {
            county_id: None,
            lo: "~".into(),
            hi: "~".into(),
            root: None,
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
        }
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

    /// Appends ` AND <alias>.division_code in scope` (and the county key, so a sharded cluster
    /// routes the query to one shard).
    pub(crate) fn filter(&self, q: &mut Q, alias: &str, column: &str) {
        if *self == Scope::everything() {
            // Unrestricted (command line, system jobs): no condition at all, so the plan is the
            // plain one.
            return;
        }
        if let Some(c) = self.county_id {
            let p = q.arg(c);
            q.push(&format!(" AND {alias}.county_id = {p}"));
            // A county's rows all carry division codes that start with the county's six digits:
            // the county key alone is the whole condition (and the cheapest to check per row).
            if self.lo.len() == 6 && self.lo.parse::<i64>().ok() == Some(c) {
                return;
            }
        }
        let lo = q.arg(self.lo.clone());
        let hi = q.arg(self.hi.clone());
        q.push(&format!(
            " AND {alias}.{column} >= {lo} AND {alias}.{column} < {hi}"
        ));
    }

    /// Narrows this scope to a division inside it; `None` if the division lies outside.
    pub fn narrow(&self, code: &DivisionCode) -> Option<Scope> {
        if self.covers(code.as_str()) {
            Some(Scope::division(code))
        } else {
            None
        }
    }
}

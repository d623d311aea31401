//! A small query value with positional `$n` arguments that binds on either backend.

use chrono::NaiveDate;

/// A value bound to a query parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    I64(i64),
    OptI64(Option<i64>),
    Text(String),
    OptText(Option<String>),
    Date(NaiveDate),
    OptDate(Option<NaiveDate>),
    Bool(bool),
    /// Coordinates (never money: money is integer fen).
    OptF64(Option<f64>),
    /// File contents (case photos and documents).
    Bytes(Vec<u8>),
}

impl From<Vec<u8>> for Arg {
    fn from(v: Vec<u8>) -> Self {
        Arg::Bytes(v)
    }
}

impl From<Option<f64>> for Arg {
    fn from(v: Option<f64>) -> Self {
        Arg::OptF64(v)
    }
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::I64(v)
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Arg::OptI64(v)
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(v)
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(v.to_string())
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::OptText(v)
    }
}
impl From<NaiveDate> for Arg {
    fn from(v: NaiveDate) -> Self {
        Arg::Date(v)
    }
}

/// SQL text plus its arguments. `arg` returns the placeholder to splice into the text.
#[derive(Debug, Clone, Default)]
pub struct Q {
    pub sql: String,
    pub args: Vec<Arg>,
    /// Set when `with` got more or fewer arguments than the text has placeholders: running the
    /// query is then an error, never a NULL bound in silence.
    pub mismatch: Option<String>,
}

impl Q {
    pub fn new(sql: &str) -> Self {
        Q {
            sql: sql.to_string(),
            ..Default::default()
        }
    }
    /// An error if the arguments did not match the placeholders.
    pub fn check(&self) -> crate::Result<()> {
        match &self.mismatch {
            None => Ok(()),
            Some(m) => Err(crate::StoreError::Query(m.clone())),
        }
    }
    pub fn push(&mut self, s: &str) -> &mut Self {
        self.sql.push_str(s);
        self
    }
    pub fn arg(&mut self, a: impl Into<Arg>) -> String {
        self.args.push(a.into());
        format!("${}", self.args.len())
    }
    /// Pushes `sql` where each `?` is replaced by the next of `args`, bound in order.
    pub fn with(sql: &str, args: Vec<Arg>) -> Self {
        let mut q = Q::new("");
        q.push_args(sql, args);
        q
    }
    pub fn push_args(&mut self, sql: &str, args: Vec<Arg>) -> &mut Self {
        let placeholders = sql.matches('?').count();
        if placeholders != args.len() && self.mismatch.is_none() {
            self.mismatch = Some(format!(
                "{} arguments for {placeholders} placeholders in: {sql}",
                args.len()
            ));
        }
        let mut it = args.into_iter();
        for (i, part) in sql.split('?').enumerate() {
            if i > 0 {
                let a = it.next().unwrap_or(Arg::OptText(None));
                let p = self.arg(a);
                self.sql.push_str(&p);
            }
            self.sql.push_str(part);
        }
        self
    }
}

/// Adds `AND <column> contains <text>` with the same answers on both backends: `%`, `_` and `\`
/// in the text are literal, and only ASCII letters fold case (SQLite's `LOWER` folds ASCII only;
/// PostgreSQL's does too under the "C" collation, which the SQLite side drops).
pub fn push_contains(q: &mut Q, column: &str, text: &str) {
    push_contains_any(q, &[column], text);
}

/// Adds `AND (<column> contains <text> OR …)` over several columns, as [`push_contains`] does
/// for one.
pub fn push_contains_any(q: &mut Q, columns: &[&str], text: &str) {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c.to_ascii_lowercase());
    }
    pattern.push('%');
    let any: Vec<String> = columns
        .iter()
        .map(|column| {
            let p = q.arg(pattern.clone());
            format!("LOWER({column}{C_COLLATION}) LIKE {p} ESCAPE '\\'")
        })
        .collect();
    q.push(&format!(" AND ({})", any.join(" OR ")));
}

/// PostgreSQL's byte-wise collation, under which `LOWER` folds ASCII letters only; removed from
/// the text for SQLite, whose `LOWER` does that anyway.
pub(crate) const C_COLLATION: &str = " COLLATE \"C\"";

/// The statement as SQLite takes it: without PostgreSQL's collation names.
pub(crate) fn for_sqlite(sql: &str) -> std::borrow::Cow<'_, str> {
    if sql.contains(C_COLLATION) {
        std::borrow::Cow::Owned(sql.replace(C_COLLATION, ""))
    } else {
        std::borrow::Cow::Borrowed(sql)
    }
}

/// SQLite looks a named parameter up by a linear scan, so a statement with thousands of `$n`
/// parameters costs quadratic time to bind. When the placeholders are `$1, $2, …` each used once and
/// in order (as `Q` produces them), plain `?` placeholders mean the same and bind in linear time.
pub(crate) fn positional(sql: &str) -> std::borrow::Cow<'_, str> {
    if !sql.contains('$') {
        return std::borrow::Cow::Borrowed(sql);
    }
    let b = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut expected = 1usize;
    let mut i = 0;
    let mut last = 0;
    while i < b.len() {
        if b[i] == b'$' && i + 1 < b.len() && b[i + 1].is_ascii_digit() {
            let mut j = i + 1;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            if sql[i + 1..j].parse::<usize>().ok() != Some(expected) {
                return std::borrow::Cow::Borrowed(sql);
            }
            expected += 1;
            out.push_str(&sql[last..i]);
            out.push('?');
            last = j;
            i = j;
        } else {
            i += 1;
        }
    }
    out.push_str(&sql[last..]);
    std::borrow::Cow::Owned(out)
}

/// Binds every argument of a `Q` onto a sqlx query of either backend.
macro_rules! bind_args {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for a in $args {
            query = match a {
                $crate::sql::Arg::I64(v) => query.bind(*v),
                $crate::sql::Arg::OptI64(v) => query.bind(*v),
                $crate::sql::Arg::Text(v) => query.bind(v.as_str()),
                $crate::sql::Arg::OptText(v) => query.bind(v.as_deref()),
                $crate::sql::Arg::Date(v) => query.bind(*v),
                $crate::sql::Arg::OptDate(v) => query.bind(*v),
                $crate::sql::Arg::Bool(v) => query.bind(*v),
                $crate::sql::Arg::OptF64(v) => query.bind(*v),
                $crate::sql::Arg::Bytes(v) => query.bind(v.as_slice()),
            };
        }
        query
    }};
}

/// Runs `$body` with `$conn` bound to the concrete connection of whichever backend `$db` holds.
macro_rules! on_backend {
    ($db:expr, $conn:ident => $body:expr) => {
        match $db {
            $crate::db::Backend::Sqlite($conn) => $body,
            $crate::db::Backend::Postgres($conn) => $body,
        }
    };
}

/// Runs `$body` per backend with `$sql` bound to the query text in that backend's best form.
///
/// The text is built at run time, so sqlx (0.9) asks for an assertion that it is safe: it is, as
/// every value a `Q` carries is bound as an argument, never spliced into the text (identifiers and
/// fixed fragments are the only text, and they come from the code).
macro_rules! on_backend_sql {
    ($db:expr, $q:expr, $conn:ident, $sql:ident => $body:expr) => {
        match $db {
            $crate::db::Backend::Sqlite($conn) => {
                let native = $crate::sql::for_sqlite(&$q.sql);
                let $sql = sqlx::AssertSqlSafe($crate::sql::positional(&native).into_owned());
                $body
            }
            $crate::db::Backend::Postgres($conn) => {
                let $sql = sqlx::AssertSqlSafe($q.sql.clone());
                $body
            }
        }
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn arguments_must_match_placeholders() {
        use super::{Arg, Q};
        assert!(Q::with("a = ? AND b = ?", vec![Arg::I64(1)])
            .check()
            .is_err());
        assert!(Q::with("a = ?", vec![Arg::I64(1), Arg::I64(2)])
            .check()
            .is_err());
        assert!(Q::with("a = ? AND b = ?", vec![Arg::I64(1), Arg::I64(2)])
            .check()
            .is_ok());
    }

    #[test]
    fn positional_rewrites_only_ordered_placeholders() {
        assert_eq!(super::positional("a = $1 AND b < $2"), "a = ? AND b < ?");
        assert_eq!(super::positional("a = $2 AND b < $1"), "a = $2 AND b < $1");
        assert_eq!(super::positional("a = $1 OR a = $1"), "a = $1 OR a = $1");
        assert_eq!(super::positional("no params"), "no params");
    }
}

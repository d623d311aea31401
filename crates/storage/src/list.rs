//! Lists and ids, for every feature: ids allocated per county, keyset paging with opaque cursors,
//! list filters, version checks for changes, and reading one record by id within a scope.

use crate::sql::Q;
use crate::{Db, Result, Scope, StoreError, Tx};
use base64::Engine;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xiangzhi_domain::*;

/// One page of a list, and the cursor for the next page (absent on the last page).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page.
    pub next_cursor: Option<String>,
}

/// Filters for list endpoints; each list uses the ones that apply to it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only rows in this division and below.
    pub division: Option<String>,
    /// Only rows in this grid and below (households, residents, staff).
    pub grid: Option<i64>,
    /// Only residents carrying this tag.
    pub tag: Option<String>,
    /// Level, role or kind, depending on the list.
    pub kind: Option<String>,
    /// Search text: name prefix, or a full ID number, or a household number.
    pub q: Option<String>,
    /// Only children of this parent (divisions: parent code; grids and party organisations: parent id).
    pub parent: Option<String>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size, 1-500 (default 50); a larger one is refused, not cut.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 500;

/// Allocates `n` consecutive ids of `kind` in `county_id` inside the caller's transaction and
/// returns the first. Ids are per county so a sharded cluster never needs a global sequence.
pub async fn next_ids(tx: &mut Tx, county_id: i64, kind: &str, n: i64) -> Result<i64> {
    let q = Q::with(
        "INSERT INTO id_counters (county_id, kind, next_id) VALUES (?, ?, ?) \
         ON CONFLICT (county_id, kind) DO UPDATE SET next_id = id_counters.next_id + excluded.next_id \
         RETURNING next_id",
        vec![county_id.into(), kind.into(), n.into()],
    );
    let (end,): (i64,) = tx.one(&q).await?;
    Ok(end - n + 1)
}

/// How many ids [`Db::reserve_id`] takes from a county's counter at a time.
pub const ID_BLOCK: i64 = 64;

impl crate::Db {
    /// One new id of `kind` in `county_id`, from a block this process reserved ahead in a short
    /// transaction of its own: a write that needs one id does not hold the county's counter row
    /// through its whole transaction, so concurrent writes of one county commit together. Ids
    /// stay unique across servers (each reserves its own blocks); what a block leaves unused
    /// when the process stops is a gap, as with any sequence.
    pub async fn reserve_id(&self, county_id: i64, kind: &'static str) -> Result<i64> {
        let key = (county_id, kind);
        if let Some(id) = self.id_blocks.take(key) {
            return Ok(id);
        }
        let _refilling = self.id_blocks.refill.lock().await;
        // Another task may have refilled while this one waited.
        if let Some(id) = self.id_blocks.take(key) {
            return Ok(id);
        }
        let mut tx = self.begin().await?;
        tx.bookkeeping(crate::Bookkeeping::IdBlock);
        let first = next_ids(&mut tx, county_id, kind, ID_BLOCK).await?;
        tx.commit().await?;
        self.id_blocks.put(key, (first + 1, first + ID_BLOCK));
        Ok(first)
    }
}

impl Tx {
    /// Deletes one county-owned row by id; the caller has already found it inside its scope.
    pub async fn delete_by_id(&mut self, table: &str, county_id: i64, id: i64) -> Result<u64> {
        self.exec(&Q::with(
            &format!("DELETE FROM {table} WHERE county_id = ? AND id = ?"),
            vec![county_id.into(), id.into()],
        ))
        .await
    }
}

/// What a list is ordered and paged by: the key of a row under each order, as the cursor carries it.
pub trait Keyed {
    fn key(&self, order: &Order) -> String;
}
/// Implements [`Keyed`] for records paged by county, division and id (`Order::Id`).
#[macro_export]
macro_rules! keyed_by_id {
    ($($t:ty),*) => { $(impl $crate::list::Keyed for $t {
        fn key(&self, _: &$crate::list::Order) -> String { format!("{}|{}|{}", self.county_id, self.division_code, self.id) }
    })* };
}
pub enum Order {
    /// By division code (divisions).
    Code,
    /// By county, division, id: a scoped list walks one index range in order and stops after a page.
    Id,
    /// By county, name, id: a name search walks the name index in order.
    Name,
    /// By county, household number, id: a number search walks the number index in order.
    Number,
}

pub fn bad_cursor() -> StoreError {
    StoreError::invalid("cursor", "分页游标无效", "the cursor is not valid")
}

/// A page size asked for: 1 to 500, `default` when not given; anything else is refused (naming
/// `limit`) rather than silently cut.
pub fn check_limit(asked: Option<u32>, default: u32) -> Result<u32> {
    match asked {
        None => Ok(default),
        Some(l) if (1..=MAX_LIMIT).contains(&l) => Ok(l),
        Some(l) => Err(StoreError::invalid(
            "limit",
            format!("每页条数应在1到{MAX_LIMIT}之间，收到{l}"),
            format!("limit must be between 1 and {MAX_LIMIT}, got {l}"),
        )),
    }
}

/// The version a change was made from, checked against the record as it is now.
pub fn expected_version(given: Option<i64>, current: i64) -> Result<i64> {
    match given {
        None => Err(StoreError::invalid(
            "version",
            "请提供所修改记录的版本号（version，读取记录时得到）",
            "send the version of the record you are changing (version, as read)",
        )),
        Some(v) if v != current => Err(stale()),
        Some(v) => Ok(v),
    }
}

/// Runs a versioned change (`UPDATE … WHERE … AND version = ?`, raising the version): when no row
/// changed, someone changed the record since it was read (409, stale). A uniqueness conflict the
/// statement runs into goes through `on_conflict`, which names the field.
pub async fn update_versioned(
    tx: &mut Tx,
    q: &Q,
    on_conflict: impl FnOnce(StoreError) -> StoreError,
) -> Result<()> {
    match tx.exec(q).await {
        Ok(0) => Err(stale()),
        Ok(_) => Ok(()),
        Err(e @ StoreError::Conflict(_)) => Err(on_conflict(e)),
        Err(e) => Err(e),
    }
}

pub fn stale() -> StoreError {
    StoreError::conflict(
        "version",
        "该记录已被他人修改，请刷新后重试",
        "the record was changed by someone else meanwhile; reload and try again",
    )
}

/// Adds the cursor condition, order and limit, runs the query and cuts the page.
pub async fn page<T: crate::db::Record + Keyed>(
    db: &Db,
    mut q: Q,
    order: Order,
    lq: &ListQuery,
) -> Result<Page<T>> {
    let limit = check_limit(lq.limit, DEFAULT_LIMIT)? as usize;
    if let Some(c) = lq.cursor.as_deref().filter(|c| !c.is_empty()) {
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(c)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(bad_cursor)?;
        match order {
            Order::Code => {
                let p = q.arg(raw);
                q.push(&format!(" AND t.code > {p}"));
            }
            Order::Id | Order::Name | Order::Number => {
                // county|middle|id, where the middle is a division code or a name.
                let (county, rest) = raw.split_once('|').ok_or_else(bad_cursor)?;
                let (middle, id) = rest.rsplit_once('|').ok_or_else(bad_cursor)?;
                let county: i64 = county.parse().map_err(|_| bad_cursor())?;
                let id: i64 = id.parse().map_err(|_| bad_cursor())?;
                let column = match order {
                    Order::Id => "division_code",
                    Order::Number => "number",
                    _ => "name",
                };
                let a = q.arg(county);
                let b = q.arg(middle.to_string());
                let c = q.arg(id);
                q.push(&format!(
                    " AND (t.county_id, t.{column}, t.id) > ({a}, {b}, {c})"
                ));
            }
        }
    }
    q.push(match order {
        Order::Code => " ORDER BY t.code",
        Order::Id => " ORDER BY t.county_id, t.division_code, t.id",
        Order::Name => " ORDER BY t.county_id, t.name, t.id",
        Order::Number => " ORDER BY t.county_id, t.number, t.id",
    });
    q.push(&format!(" LIMIT {}", limit + 1));
    let mut items: Vec<T> = db.all(&q).await?;
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items
            .last()
            .map(|l| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(l.key(&order)))
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// Narrows a list to `lq.division` (which must lie inside the scope).
pub fn division_filter(scope: &Scope, lq: &ListQuery) -> Result<Scope> {
    match lq.division.as_deref().filter(|d| !d.is_empty()) {
        None => Ok(scope.clone()),
        Some(d) => {
            let code = DivisionCode::parse(d)
                .map_err(|e| StoreError::Invalid(vec![crate::FieldError::new("division", e)]))?;
            scope.narrow(&code).ok_or(StoreError::NotFound)
        }
    }
}

/// The caller's scope narrowed to `division` when one is named (which must lie in it: else
/// not found), as a list's `?division=` asks.
pub fn within(scope: &Scope, division: Option<&str>) -> Result<Scope> {
    division_filter(
        scope,
        &ListQuery {
            division: division.map(str::to_string),
            ..Default::default()
        },
    )
}

/// A list's read of one table in reach: `SELECT <cols> FROM <table> t` within the scope narrowed
/// to `division`, with `words` in any of the `searched` columns and each `(column, value)` of
/// `equal` holding; the caller appends its order and limit.
pub fn in_reach(
    scope: &Scope,
    division: Option<&str>,
    table: &crate::tables::Table,
    cols: &str,
    searched: &[&str],
    words: Option<&str>,
    equal: &[(&str, &str)],
) -> Result<Q> {
    let scope = within(scope, division)?;
    let mut q = Q::new(&format!("SELECT {cols} FROM {} t WHERE 1=1", table.name));
    if let Some(w) = words.map(str::trim).filter(|w| !w.is_empty()) {
        crate::sql::push_contains_any(&mut q, searched, w);
    }
    for (column, value) in equal {
        let p = q.arg(value.to_string());
        q.push(&format!(" AND {column} = {p}"));
    }
    scope.filter(&mut q, table, "t", "division_code");
    Ok(q)
}

pub fn parse_kind<T: std::str::FromStr<Err = Invalid>>(lq: &ListQuery) -> Result<Option<T>> {
    match lq.kind.as_deref().filter(|k| !k.is_empty()) {
        None => Ok(None),
        Some(k) => k
            .parse()
            .map(Some)
            .map_err(|e| StoreError::Invalid(vec![crate::FieldError::new("kind", e)])),
    }
}

pub fn q_text(lq: &ListQuery) -> Option<String> {
    lq.q.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// `column` starts with `text` (an index-friendly range).
pub fn starts_with(q: &mut Q, column: &str, text: &str) {
    let lo = q.arg(text);
    let hi = q.arg(prefix_upper_utf8(text));
    q.push(&format!(" AND {column} >= {lo} AND {column} < {hi}"));
}

pub fn prefix_upper_utf8(s: &str) -> String {
    // Append the highest code point: every string that starts with `s` sorts below it.
    format!("{s}\u{10FFFF}")
}

/// The county an id-addressed create belongs to: the scope's county, or the only county present.
pub async fn county_for(
    db: &Db,
    scope: &Scope,
    table: &crate::tables::Table,
    id: i64,
) -> Result<i64> {
    if let Some(c) = scope.county_id() {
        return Ok(c);
    }
    let mut q = Q::new(&format!(
        "SELECT t.county_id FROM {} t WHERE 1=1",
        table.name
    ));
    let p = q.arg(id);
    q.push(&format!(" AND t.id = {p}"));
    scope.filter(
        &mut q,
        table,
        "t",
        if table.name == "divisions" {
            "code"
        } else {
            "division_code"
        },
    );
    let rows: Vec<(i64,)> = db.all(&q).await?;
    match rows.as_slice() {
        [(c,)] => Ok(*c),
        [] => Err(StoreError::NotFound),
        _ => Err(several_counties(id)),
    }
}

/// The answer when an id alone names records of several counties (ids are unique per county
/// only): act within one county's scope (409, naming `id`).
pub fn several_counties(id: i64) -> StoreError {
    StoreError::conflict(
        "id",
        format!("多个县都有编号为{id}的记录，请以县级或以下账号在县的范围内操作"),
        format!("several counties have a record numbered {id}; act from a county account or below"),
    )
}

/// Reads one record by id inside the scope: `SELECT {cols} FROM {from}` where the row aliased `t`
/// of `table` has this id. Ids are unique per county, so a scope without a county answers only
/// when one county holds the id, and [`several_counties`] (409) when several do.
pub async fn get_by_id<T: crate::db::Record>(
    db: &Db,
    scope: &Scope,
    cols: &str,
    table: &crate::tables::Table,
    from: &str,
    id: i64,
) -> Result<T> {
    let mut q = Q::new(&format!("SELECT {cols} FROM {from} WHERE 1=1"));
    let p = q.arg(id);
    q.push(&format!(" AND t.id = {p}"));
    if let Some(c) = scope.county_id() {
        let p = q.arg(c);
        q.push(&format!(" AND t.county_id = {p}"));
    }
    scope.filter(&mut q, table, "t", "division_code");
    if scope.county_id().is_none() {
        // Two rows are enough to know the id is ambiguous.
        q.push(" ORDER BY t.county_id LIMIT 2");
    }
    let mut rows: Vec<T> = db.all(&q).await?;
    match rows.len() {
        1 => rows.pop().ok_or(StoreError::NotFound),
        0 => Err(StoreError::NotFound),
        _ => Err(several_counties(id)),
    }
}

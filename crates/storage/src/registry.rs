//! Registry operations (DOMAIN.md §1-2): divisions, grids, staff, households, residents, party
//! organisations and members, member contacts and contact duties. Every function takes a `Scope`
//! and applies it; a row outside the scope is `NotFound`, exactly like a missing one.

use crate::crypto;
use crate::model::*;
use crate::scope::prefix_upper;
use crate::sql::{Arg, Q};
use crate::{now_ms, Db, Result, Scope, StoreError, Tx};
use base64::Engine;
use xiangzhi_domain::*;

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

impl Tx {
    /// Deletes one county-owned row by id; the caller has already found it inside its scope.
    pub(crate) async fn delete_by_id(
        &mut self,
        table: &str,
        county_id: i64,
        id: i64,
    ) -> Result<u64> {
        self.exec(&Q::with(
            &format!("DELETE FROM {table} WHERE county_id = ? AND id = ?"),
            vec![county_id.into(), id.into()],
        ))
        .await
    }
}

/// What a list is ordered and paged by: the key of a row under each order, as the cursor carries it.
pub(crate) trait Keyed {
    fn key(&self, order: &Order) -> String;
}
macro_rules! keyed_by_id {
    ($($t:ty),*) => { $(impl Keyed for $t {
        fn key(&self, _: &Order) -> String { format!("{}|{}|{}", self.county_id, self.division_code, self.id) }
    })* };
}
keyed_by_id!(
    Grid,
    Staff,
    PartyOrg,
    PartyMember,
    ContactDuty,
    crate::cases::Case,
    crate::notifications::Notification
);
impl Keyed for Household {
    fn key(&self, order: &Order) -> String {
        match order {
            Order::Number => format!("{}|{}|{}", self.county_id, self.number, self.id),
            _ => format!("{}|{}|{}", self.county_id, self.division_code, self.id),
        }
    }
}
impl Keyed for Resident {
    fn key(&self, order: &Order) -> String {
        match order {
            Order::Name => format!("{}|{}|{}", self.county_id, self.name, self.id),
            _ => format!("{}|{}|{}", self.county_id, self.division_code, self.id),
        }
    }
}
impl Keyed for Division {
    fn key(&self, _: &Order) -> String {
        self.code.clone()
    }
}

pub(crate) enum Order {
    /// By division code (divisions).
    Code,
    /// By county, division, id: a scoped list walks one index range in order and stops after a page.
    Id,
    /// By county, name, id: a name search walks the name index in order.
    Name,
    /// By county, household number, id: a number search walks the number index in order.
    Number,
}

fn bad_cursor() -> StoreError {
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
fn expected_version(given: Option<i64>, current: i64) -> Result<i64> {
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

fn stale() -> StoreError {
    StoreError::conflict(
        "version",
        "该记录已被他人修改，请刷新后重试",
        "the record was changed by someone else meanwhile; reload and try again",
    )
}

/// Adds the cursor condition, order and limit, runs the query and cuts the page.
pub(crate) async fn page<T: crate::db::Record + Keyed>(
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
pub(crate) fn division_filter(scope: &Scope, lq: &ListQuery) -> Result<Scope> {
    match lq.division.as_deref().filter(|d| !d.is_empty()) {
        None => Ok(scope.clone()),
        Some(d) => {
            let code = DivisionCode::parse(d)
                .map_err(|e| StoreError::Invalid(vec![crate::FieldError::new("division", e)]))?;
            scope.narrow(&code).ok_or(StoreError::NotFound)
        }
    }
}

pub(crate) fn parse_kind<T: std::str::FromStr<Err = Invalid>>(lq: &ListQuery) -> Result<Option<T>> {
    match lq.kind.as_deref().filter(|k| !k.is_empty()) {
        None => Ok(None),
        Some(k) => k
            .parse()
            .map(Some)
            .map_err(|e| StoreError::Invalid(vec![crate::FieldError::new("kind", e)])),
    }
}

fn q_text(lq: &ListQuery) -> Option<String> {
    lq.q.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// `column` starts with `text` (an index-friendly range).
fn starts_with(q: &mut Q, column: &str, text: &str) {
    let lo = q.arg(text);
    let hi = q.arg(prefix_upper_utf8(text));
    q.push(&format!(" AND {column} >= {lo} AND {column} < {hi}"));
}

fn prefix_upper_utf8(s: &str) -> String {
    // Append the highest code point: every string that starts with `s` sorts below it.
    format!("{s}\u{10FFFF}")
}

/// Restricts `column` (a grid id) to the subtree of grid `grid_id`, which must be in scope.
async fn grid_subtree_filter(
    db: &Db,
    scope: &Scope,
    q: &mut Q,
    column: &str,
    grid_id: i64,
) -> Result<()> {
    let g = get_grid_row(db, scope, None, grid_id).await?;
    let path = g.1;
    let lo = q.arg(path.clone());
    let hi = q.arg(prefix_upper(&path));
    let c = q.arg(g.0.county_id);
    q.push(&format!(
        " AND {column} IN (SELECT g.id FROM grids g WHERE g.county_id = {c} AND g.path >= {lo} AND g.path < {hi})"
    ));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Divisions

const DIVISION_COLS: &str =
    "t.county_id, t.code, t.name, t.level, t.parent_code, t.created_at, t.updated_at, t.version";

impl Db {
    pub async fn create_division(&self, scope: &Scope, input: &DivisionInput) -> Result<Division> {
        let v = input.validate()?;
        let mut tx = self.begin().await?;
        let d = insert_division(&mut tx, scope, &v).await?;
        tx.commit().await?;
        Ok(d)
    }

    pub async fn get_division(&self, scope: &Scope, code: &str) -> Result<Division> {
        let mut q = Q::new(&format!(
            "SELECT {DIVISION_COLS} FROM divisions t WHERE 1=1"
        ));
        let p = q.arg(code);
        q.push(&format!(" AND t.code = {p}"));
        scope.filter(&mut q, "divisions", "t", "code");
        self.one(&q).await
    }

    pub async fn rename_division(
        &self,
        scope: &Scope,
        code: &str,
        input: &DivisionRename,
    ) -> Result<Division> {
        let mut c = Checker::default();
        let name = c.text("name", &input.name, 100);
        let name = c.finish(name)?;
        let d = self.get_division(scope, code).await?;
        let version = expected_version(input.version, d.version)?;
        let mut tx = self.begin().await?;
        let n = tx.exec(&Q::with(
            "UPDATE divisions SET name = ?, updated_at = ?, version = version + 1 WHERE county_id = ? AND code = ? AND version = ?",
            vec![
                name.into(),
                now_ms().into(),
                d.county_id.into(),
                d.code.clone().into(),
                version.into(),
            ],
        ))
        .await?;
        if n == 0 {
            return Err(stale());
        }
        tx.commit().await?;
        self.get_division(scope, code).await
    }

    pub async fn delete_division(&self, scope: &Scope, code: &str) -> Result<()> {
        let d = self.get_division(scope, code).await?;
        let mut tx = self.begin().await?;
        tx.exec(&Q::with(
            "DELETE FROM divisions WHERE county_id = ? AND code = ?",
            vec![d.county_id.into(), d.code.into()],
        ))
        .await?;
        tx.commit().await
    }

    pub async fn list_divisions(&self, scope: &Scope, lq: &ListQuery) -> Result<Page<Division>> {
        let scope = division_filter(scope, lq)?;
        let mut q = Q::new(&format!(
            "SELECT {DIVISION_COLS} FROM divisions t WHERE 1=1"
        ));
        scope.filter(&mut q, "divisions", "t", "code");
        if let Some(level) = parse_kind::<DivisionLevel>(lq)? {
            let p = q.arg(level.as_str());
            q.push(&format!(" AND t.level = {p}"));
        }
        if let Some(parent) = lq.parent.as_deref().filter(|p| !p.is_empty()) {
            let p = q.arg(parent);
            q.push(&format!(" AND t.parent_code = {p}"));
        }
        if let Some(text) = q_text(lq) {
            crate::sql::push_contains(&mut q, "t.name", &text);
        }
        page(self, q, Order::Code, lq).await
    }

    /// Provinces and prefectures (reference data shared by all counties).
    pub async fn list_regions(&self) -> Result<Vec<Region>> {
        self.all(&Q::new(
            "SELECT code, name, level, parent_code FROM regions ORDER BY code",
        ))
        .await
    }
}

/// Inserts one division after checking its parent exists inside the scope.
pub async fn insert_division(tx: &mut Tx, scope: &Scope, v: &ValidDivision) -> Result<Division> {
    let Some(county_id) = v.code.county_id() else {
        return Err(StoreError::invalid(
            "code",
            "省、地级区划只能通过区划表导入",
            "provinces and prefectures are imported with the division tables, not created one by one",
        ));
    };
    if !scope.covers(v.code.as_str()) {
        return Err(StoreError::NotFound);
    }
    let level = v.code.level();
    let parent = if level == DivisionLevel::County {
        None
    } else {
        let p = v.parent.as_ref().map(|p| p.as_str().to_string());
        let mut q = Q::with(
            "SELECT t.county_id FROM divisions t WHERE t.county_id = ? AND t.code = ?",
            vec![county_id.into(), p.clone().into()],
        );
        scope.filter(&mut q, "divisions", "t", "code");
        let found: Option<(i64,)> = tx.optional(&q).await?;
        if found.is_none() {
            return Err(StoreError::invalid(
                "parent_code",
                "上级区划不存在",
                "the parent division does not exist",
            ));
        }
        p
    };
    let now = now_ms();
    let q = Q::with(
        &format!(
            "INSERT INTO divisions (county_id, code, name, level, parent_code, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {}",
            DIVISION_COLS.replace("t.", "")
        ),
        vec![
            county_id.into(),
            v.code.as_str().into(),
            v.name.clone().into(),
            level.as_str().into(),
            parent.into(),
            now.into(),
            now.into(),
        ],
    );
    tx.one(&q).await
}

// ---------------------------------------------------------------------------------------------
// Grids

const GRID_COLS: &str = "t.county_id, t.id, t.code, t.level, t.name, t.division_code, t.parent_id, t.created_at, t.updated_at, t.version";

#[derive(sqlx::FromRow)]
struct GridWithPath {
    #[sqlx(flatten)]
    grid: Grid,
    path: String,
}

async fn get_grid_row(
    db: &Db,
    scope: &Scope,
    county_id: Option<i64>,
    id: i64,
) -> Result<(Grid, String)> {
    let mut q = Q::new(&format!(
        "SELECT {GRID_COLS}, t.path FROM grids t WHERE 1=1"
    ));
    let p = q.arg(id);
    q.push(&format!(" AND t.id = {p}"));
    if let Some(c) = county_id {
        let p = q.arg(c);
        q.push(&format!(" AND t.county_id = {p}"));
    }
    scope.filter(&mut q, "grids", "t", "division_code");
    let rows: Vec<GridWithPath> = db.all(&q).await?;
    match rows.len() {
        1 => rows
            .into_iter()
            .next()
            .map(|r| (r.grid, r.path))
            .ok_or(StoreError::NotFound),
        0 => Err(StoreError::NotFound),
        _ => Err(StoreError::invalid(
            "county_id",
            "多个县有此编号，请指定县",
            "several counties have this id; give the county",
        )),
    }
}

async fn tx_grid(tx: &mut Tx, scope: &Scope, county_id: i64, id: i64) -> Result<(Grid, String)> {
    let mut q = Q::with(
        &format!("SELECT {GRID_COLS}, t.path FROM grids t WHERE t.county_id = ? AND t.id = ?"),
        vec![county_id.into(), id.into()],
    );
    scope.filter(&mut q, "grids", "t", "division_code");
    let r: GridWithPath = tx.one(&q).await?;
    Ok((r.grid, r.path))
}

/// Inserts a grid after checking its division and parent; returns it with its tree path.
pub async fn insert_grid(tx: &mut Tx, scope: &Scope, v: &ValidGrid) -> Result<Grid> {
    let county_id = v.division.county_id().ok_or(StoreError::NotFound)?;
    if !scope.covers(v.division.as_str()) {
        return Err(StoreError::NotFound);
    }
    let mut q = Q::with(
        "SELECT t.county_id FROM divisions t WHERE t.county_id = ? AND t.code = ?",
        vec![county_id.into(), v.division.as_str().into()],
    );
    scope.filter(&mut q, "divisions", "t", "code");
    if tx.optional::<(i64,)>(&q).await?.is_none() {
        return Err(StoreError::invalid(
            "division_code",
            "区划不存在",
            "the division does not exist",
        ));
    }
    let parent_path = match v.parent_id {
        None => String::from("/"),
        Some(pid) => {
            let (parent, path) = tx_grid(tx, scope, county_id, pid)
                .await
                .map_err(|e| match e {
                    StoreError::NotFound => StoreError::invalid(
                        "parent_id",
                        "上级网格不存在",
                        "the parent grid does not exist",
                    ),
                    e => e,
                })?;
            if Some(parent.level) != v.level.parent() {
                return Err(StoreError::invalid(
                    "parent_id",
                    format!(
                        "{}的上级应为{}",
                        v.level.zh(),
                        v.level.parent().map(|l| l.zh()).unwrap_or("无")
                    ),
                    format!(
                        "a {} grid's parent must be a {} grid",
                        v.level.as_str(),
                        v.level.parent().map(|l| l.as_str()).unwrap_or("none")
                    ),
                ));
            }
            let pd = DivisionCode::parse(&parent.division_code)
                .map_err(|e| StoreError::Invalid(vec![crate::FieldError::new("parent_id", e)]))?;
            if !v.division.is_within(&pd) {
                return Err(StoreError::invalid(
                    "division_code",
                    "网格所在区划须在上级网格的区划之内",
                    "a grid's division must lie within its parent grid's division",
                ));
            }
            path
        }
    };
    let id = next_ids(tx, county_id, "grid", 1).await?;
    let now = now_ms();
    let q = Q::with(
        &format!(
            "INSERT INTO grids (county_id, id, code, level, name, division_code, parent_id, path, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {}",
            GRID_COLS.replace("t.", "")
        ),
        vec![
            county_id.into(),
            id.into(),
            v.code.clone().unwrap_or_else(|| format!("G{id}")).into(),
            v.level.as_str().into(),
            v.name.clone().into(),
            v.division.as_str().into(),
            v.parent_id.into(),
            format!("{parent_path}{id}/").into(),
            now.into(),
            now.into(),
        ],
    );
    tx.one(&q).await
}

impl Db {
    pub async fn create_grid(&self, scope: &Scope, input: &GridInput) -> Result<Grid> {
        let v = input.validate()?;
        let mut tx = self.begin().await?;
        let g = insert_grid(&mut tx, scope, &v).await?;
        tx.commit().await?;
        Ok(g)
    }

    pub async fn get_grid(&self, scope: &Scope, id: i64) -> Result<Grid> {
        Ok(get_grid_row(self, scope, scope.county_id(), id).await?.0)
    }

    pub async fn rename_grid(&self, scope: &Scope, id: i64, input: &GridRename) -> Result<Grid> {
        let mut c = Checker::default();
        let name = c.text("name", &input.name, 100);
        let name = c.finish(name)?;
        let g = self.get_grid(scope, id).await?;
        let version = expected_version(input.version, g.version)?;
        let mut tx = self.begin().await?;
        let n = tx.exec(&Q::with(
            "UPDATE grids SET name = ?, updated_at = ?, version = version + 1 WHERE county_id = ? AND id = ? AND version = ?",
            vec![
                name.into(),
                now_ms().into(),
                g.county_id.into(),
                g.id.into(),
                version.into(),
            ],
        ))
        .await?;
        if n == 0 {
            return Err(stale());
        }
        tx.commit().await?;
        self.get_grid(scope, id).await
    }

    pub async fn delete_grid(&self, scope: &Scope, id: i64) -> Result<()> {
        let g = self.get_grid(scope, id).await?;
        let mut tx = self.begin().await?;
        tx.delete_by_id("grids", g.county_id, g.id).await?;
        tx.commit().await
    }

    pub async fn list_grids(&self, scope: &Scope, lq: &ListQuery) -> Result<Page<Grid>> {
        let scope = division_filter(scope, lq)?;
        let mut q = Q::new(&format!("SELECT {GRID_COLS} FROM grids t WHERE 1=1"));
        scope.filter(&mut q, "grids", "t", "division_code");
        if let Some(level) = parse_kind::<GridLevel>(lq)? {
            let p = q.arg(level.as_str());
            q.push(&format!(" AND t.level = {p}"));
        }
        if let Some(parent) = lq.parent.as_deref().filter(|p| !p.is_empty()) {
            let id: i64 = parent.parse().map_err(|_| {
                StoreError::invalid("parent", "上级网格编号应为整数", "parent must be a grid id")
            })?;
            let p = q.arg(id);
            q.push(&format!(" AND t.parent_id = {p}"));
        }
        if let Some(g) = lq.grid {
            grid_subtree_filter(self, &scope, &mut q, "t.id", g).await?;
        }
        if let Some(text) = q_text(lq) {
            crate::sql::push_contains(&mut q, "t.name", &text);
        }
        page(self, q, Order::Id, lq).await
    }
}

// ---------------------------------------------------------------------------------------------
// Grid staff

const STAFF_COLS: &str = "t.county_id, t.id, t.name, t.role, t.grid_id, t.division_code, t.phone, t.unit, t.created_at, t.updated_at, t.version";

/// Checks a staff member's grid is in scope and fits the role; returns the grid.
async fn staff_grid(tx: &mut Tx, scope: &Scope, county_id: i64, v: &ValidStaff) -> Result<Grid> {
    let (g, _) = tx_grid(tx, scope, county_id, v.grid_id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => {
                StoreError::invalid("grid_id", "网格不存在", "the grid does not exist")
            }
            e => e,
        })?;
    if !v.role.grid_levels().contains(&g.level) {
        return Err(StoreError::invalid(
            "role",
            format!("{}不能配备在{}", v.role.zh(), g.level.zh()),
            format!(
                "a {} cannot be assigned to a {} grid",
                v.role.as_str(),
                g.level.as_str()
            ),
        ));
    }
    Ok(g)
}

pub async fn insert_staff(
    tx: &mut Tx,
    scope: &Scope,
    county_id: i64,
    v: &ValidStaff,
) -> Result<Staff> {
    let g = staff_grid(tx, scope, county_id, v).await?;
    let id = next_ids(tx, county_id, "staff", 1).await?;
    let now = now_ms();
    tx.one(&Q::with(
        &format!(
            "INSERT INTO grid_staff (county_id, id, name, role, grid_id, division_code, phone, unit, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {}",
            STAFF_COLS.replace("t.", "")
        ),
        vec![
            county_id.into(),
            id.into(),
            v.name.clone().into(),
            v.role.as_str().into(),
            g.id.into(),
            g.division_code.into(),
            crypto::seal_opt("phone", v.phone.as_ref().map(|p| p.as_str())).into(),
            v.unit.clone().into(),
            now.into(),
            now.into(),
        ],
    ))
    .await
}

/// The county an id-addressed create belongs to: the scope's county, or the only county present.
async fn county_for(db: &Db, scope: &Scope, table: &str, id: i64) -> Result<i64> {
    if let Some(c) = scope.county_id() {
        return Ok(c);
    }
    let mut q = Q::new(&format!("SELECT t.county_id FROM {table} t WHERE 1=1"));
    let p = q.arg(id);
    q.push(&format!(" AND t.id = {p}"));
    scope.filter(
        &mut q,
        table,
        "t",
        if table == "divisions" {
            "code"
        } else {
            "division_code"
        },
    );
    let rows: Vec<(i64,)> = db.all(&q).await?;
    match rows.as_slice() {
        [(c,)] => Ok(*c),
        [] => Err(StoreError::NotFound),
        _ => Err(StoreError::invalid(
            "county_id",
            "多个县有此编号，请在县的范围内操作",
            "several counties have this id; act within one county's scope",
        )),
    }
}

macro_rules! get_by_id {
    ($fn:ident, $ty:ty, $cols:expr, $table:expr, $from:expr) => {
        pub async fn $fn(&self, scope: &Scope, id: i64) -> Result<$ty> {
            let mut q = Q::new(&format!("SELECT {} FROM {} WHERE 1=1", $cols, $from));
            let p = q.arg(id);
            q.push(&format!(" AND t.id = {p}"));
            if let Some(c) = scope.county_id() {
                let p = q.arg(c);
                q.push(&format!(" AND t.county_id = {p}"));
            }
            scope.filter(&mut q, $table, "t", "division_code");
            let mut rows: Vec<$ty> = self.all(&q).await?;
            match rows.len() {
                1 => rows.pop().ok_or(StoreError::NotFound),
                0 => Err(StoreError::NotFound),
                _ => Err(StoreError::invalid(
                    "county_id",
                    "多个县有此编号，请在县的范围内操作",
                    "several counties have this id; act within one county's scope",
                )),
            }
        }
    };
}

impl Db {
    get_by_id!(get_staff, Staff, STAFF_COLS, "grid_staff", "grid_staff t");

    pub async fn create_staff(&self, scope: &Scope, input: &StaffInput) -> Result<Staff> {
        let v = input.validate()?;
        let county_id = county_for(self, scope, "grids", v.grid_id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => {
                    StoreError::invalid("grid_id", "网格不存在", "the grid does not exist")
                }
                e => e,
            })?;
        let mut tx = self.begin().await?;
        let s = insert_staff(&mut tx, scope, county_id, &v).await?;
        tx.commit().await?;
        Ok(s)
    }

    pub async fn update_staff(&self, scope: &Scope, id: i64, input: &StaffInput) -> Result<Staff> {
        let v = input.validate()?;
        let cur = self.get_staff(scope, id).await?;
        let version = expected_version(input.version, cur.version)?;
        let mut tx = self.begin().await?;
        let g = staff_grid(&mut tx, scope, cur.county_id, &v).await?;
        let n = tx.exec(&Q::with(
            "UPDATE grid_staff SET name = ?, role = ?, grid_id = ?, division_code = ?, phone = ?, unit = ?, updated_at = ?, version = version + 1 \
             WHERE county_id = ? AND id = ? AND version = ?",
            vec![
                v.name.into(),
                v.role.as_str().into(),
                g.id.into(),
                g.division_code.into(),
                crypto::seal_opt("phone", v.phone.as_ref().map(|p| p.as_str())).into(),
                v.unit.into(),
                now_ms().into(),
                cur.county_id.into(),
                id.into(),
                version.into(),
            ],
        ))
        .await?;
        if n == 0 {
            return Err(stale());
        }
        tx.commit().await?;
        self.get_staff(scope, id).await
    }

    pub async fn delete_staff(&self, scope: &Scope, id: i64) -> Result<()> {
        let s = self.get_staff(scope, id).await?;
        let mut tx = self.begin().await?;
        tx.delete_by_id("grid_staff", s.county_id, id).await?;
        tx.commit().await
    }

    pub async fn list_staff(&self, scope: &Scope, lq: &ListQuery) -> Result<Page<Staff>> {
        let scope = division_filter(scope, lq)?;
        let mut q = Q::new(&format!("SELECT {STAFF_COLS} FROM grid_staff t WHERE 1=1"));
        scope.filter(&mut q, "grid_staff", "t", "division_code");
        if let Some(role) = parse_kind::<StaffRole>(lq)? {
            let p = q.arg(role.as_str());
            q.push(&format!(" AND t.role = {p}"));
        }
        if let Some(g) = lq.grid {
            grid_subtree_filter(self, &scope, &mut q, "t.grid_id", g).await?;
        }
        if let Some(text) = q_text(lq) {
            starts_with(&mut q, "t.name", &text);
        }
        page(self, q, Order::Id, lq).await
    }
}

// ---------------------------------------------------------------------------------------------
// Households and residents

const HOUSEHOLD_COLS: &str = "t.county_id, t.id, t.number, t.division_code, t.micro_grid_id, t.address, t.created_at, t.updated_at, t.version";
const RESIDENT_COLS: &str = "t.county_id, t.id, t.household_id, t.division_code, t.name, t.id_number, t.gender, t.birth_date, \
     t.phone, t.relation, t.tags, t.created_at, t.updated_at, t.version";

async fn micro_grid(tx: &mut Tx, scope: &Scope, county_id: i64, id: i64) -> Result<Grid> {
    let (g, _) = tx_grid(tx, scope, county_id, id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => StoreError::invalid(
                "micro_grid_id",
                "微网格不存在",
                "the micro-grid does not exist",
            ),
            e => e,
        })?;
    if g.level != GridLevel::Micro {
        return Err(StoreError::invalid(
            "micro_grid_id",
            "户只能归属到微网格",
            "a household must belong to a micro-grid",
        ));
    }
    Ok(g)
}

pub async fn insert_household(
    tx: &mut Tx,
    scope: &Scope,
    county_id: i64,
    v: &ValidHousehold,
) -> Result<Household> {
    let g = micro_grid(tx, scope, county_id, v.micro_grid_id).await?;
    let id = next_ids(tx, county_id, "household", 1).await?;
    let now = now_ms();
    tx.one(&Q::with(
        &format!(
            "INSERT INTO households (county_id, id, number, division_code, micro_grid_id, address, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING {}",
            HOUSEHOLD_COLS.replace("t.", "")
        ),
        vec![
            county_id.into(),
            id.into(),
            v.number.clone().into(),
            g.division_code.into(),
            g.id.into(),
            v.address.clone().into(),
            now.into(),
            now.into(),
        ],
    ))
    .await
    .map_err(|e| match e {
        StoreError::Conflict(_) => StoreError::conflict("number", "户号已存在", "the household number already exists"),
        e => e,
    })
}

async fn tx_household(
    tx: &mut Tx,
    scope: &Scope,
    county_id: i64,
    id: i64,
    field: &str,
) -> Result<Household> {
    let mut q = Q::with(
        &format!("SELECT {HOUSEHOLD_COLS} FROM households t WHERE t.county_id = ? AND t.id = ?"),
        vec![county_id.into(), id.into()],
    );
    scope.filter(&mut q, "households", "t", "division_code");
    tx.optional(&q)
        .await?
        .ok_or_else(|| StoreError::invalid(field, "户不存在", "the household does not exist"))
}

pub async fn insert_resident(
    tx: &mut Tx,
    scope: &Scope,
    county_id: i64,
    v: &ValidResident,
) -> Result<Resident> {
    let h = tx_household(tx, scope, county_id, v.household_id, "household_id").await?;
    let id = next_ids(tx, county_id, "resident", 1).await?;
    let now = now_ms();
    let r: Resident = tx
        .one(&Q::with(
            &format!(
                "INSERT INTO residents (county_id, id, household_id, division_code, name, id_number, id_number_hash, gender, \
                 birth_date, phone, relation, tags, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {}",
                RESIDENT_COLS.replace("t.", "")
            ),
            resident_row(
                county_id,
                id,
                h.id,
                h.division_code.clone(),
                v,
                crypto::index("id_number", v.id_number.as_str()),
                now,
            ),
        ))
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => StoreError::conflict("id_number", "该身份证号码已登记", "this ID number is already registered"),
            e => e,
        })?;
    Ok(r)
}

/// One `residents` row in the column order of `bulk::tables::RESIDENTS`, personal data sealed.
/// `id_index` is the keyed index of the ID number (`crypto::index`), passed in because an import
/// has already computed it to check the county for the number.
pub fn resident_row(
    county_id: i64,
    id: i64,
    household_id: i64,
    division_code: String,
    v: &ValidResident,
    id_index: String,
    now: i64,
) -> Vec<Arg> {
    vec![
        county_id.into(),
        id.into(),
        household_id.into(),
        division_code.into(),
        v.name.clone().into(),
        crypto::seal("id_number", v.id_number.as_str()).into(),
        id_index.into(),
        v.id_number.gender().as_str().into(),
        v.id_number.birth_date().into(),
        crypto::seal_opt("phone", v.phone.as_ref().map(|p| p.as_str())).into(),
        v.relation.as_str().into(),
        ResidentTag::to_bits(&v.tags).into(),
        now.into(),
        now.into(),
    ]
}

impl Db {
    get_by_id!(
        get_household,
        Household,
        HOUSEHOLD_COLS,
        "households",
        "households t"
    );
    get_by_id!(
        get_resident,
        Resident,
        RESIDENT_COLS,
        "residents",
        "residents t"
    );

    pub async fn create_household(
        &self,
        scope: &Scope,
        input: &HouseholdInput,
    ) -> Result<Household> {
        let v = input.validate()?;
        let county_id = county_for(self, scope, "grids", v.micro_grid_id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => StoreError::invalid(
                    "micro_grid_id",
                    "微网格不存在",
                    "the micro-grid does not exist",
                ),
                e => e,
            })?;
        let mut tx = self.begin().await?;
        let h = insert_household(&mut tx, scope, county_id, &v).await?;
        tx.commit().await?;
        Ok(h)
    }

    pub async fn update_household(
        &self,
        scope: &Scope,
        id: i64,
        input: &HouseholdInput,
    ) -> Result<Household> {
        let v = input.validate()?;
        let cur = self.get_household(scope, id).await?;
        let version = expected_version(input.version, cur.version)?;
        let mut tx = self.begin().await?;
        let g = micro_grid(&mut tx, scope, cur.county_id, v.micro_grid_id).await?;
        let n = tx.exec(&Q::with(
            "UPDATE households SET number = ?, micro_grid_id = ?, division_code = ?, address = ?, updated_at = ?, version = version + 1 \
             WHERE county_id = ? AND id = ? AND version = ?",
            vec![
                v.number.into(),
                g.id.into(),
                g.division_code.clone().into(),
                v.address.into(),
                now_ms().into(),
                cur.county_id.into(),
                id.into(),
                version.into(),
            ],
        ))
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => StoreError::conflict("number", "户号已存在", "the household number already exists"),
            e => e,
        })?;
        if n == 0 {
            return Err(stale());
        }
        // Residents carry their household's division for scoping; keep it in step.
        tx.exec(&Q::with(
            "UPDATE residents SET division_code = ? WHERE county_id = ? AND household_id = ?",
            vec![g.division_code.into(), cur.county_id.into(), id.into()],
        ))
        .await?;
        tx.commit().await?;
        self.get_household(scope, id).await
    }

    pub async fn delete_household(&self, scope: &Scope, id: i64) -> Result<()> {
        let h = self.get_household(scope, id).await?;
        let mut tx = self.begin().await?;
        tx.delete_by_id("households", h.county_id, id)
            .await
            .map_err(|e| {
                match e {
            StoreError::Conflict(_) => StoreError::conflict(
                "id",
                "该户仍有居民、迁移历史或联系记录，不能删除",
                "the household still has residents, move history or contacts and cannot be deleted",
            ),
            e => e,
        }
            })?;
        tx.commit().await
    }

    pub async fn list_households(&self, scope: &Scope, lq: &ListQuery) -> Result<Page<Household>> {
        let scope = division_filter(scope, lq)?;
        let mut q = Q::new(&format!(
            "SELECT {HOUSEHOLD_COLS} FROM households t WHERE 1=1"
        ));
        scope.filter(&mut q, "households", "t", "division_code");
        if let Some(g) = lq.grid {
            grid_subtree_filter(self, &scope, &mut q, "t.micro_grid_id", g).await?;
        }
        let mut order = Order::Id;
        if let Some(text) = q_text(lq) {
            // Household numbers are letters and digits; anything else is part of an address.
            // A number search pages in number order, so it walks the (county, number) index
            // whatever the scope.
            if text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                starts_with(&mut q, "t.number", &text);
                order = Order::Number;
            } else {
                crate::sql::push_contains(&mut q, "t.address", &text);
            }
        }
        page(self, q, order, lq).await
    }

    pub async fn household_residents(&self, scope: &Scope, id: i64) -> Result<Vec<Resident>> {
        let h = self.get_household(scope, id).await?;
        let mut q = Q::with(
            &format!("SELECT {RESIDENT_COLS} FROM residents t WHERE t.county_id = ? AND t.household_id = ?"),
            vec![h.county_id.into(), id.into()],
        );
        scope.filter(&mut q, "residents", "t", "division_code");
        q.push(" ORDER BY t.id");
        self.all(&q).await
    }

    pub async fn create_resident(&self, scope: &Scope, input: &ResidentInput) -> Result<Resident> {
        let v = input.validate()?;
        let county_id = county_for(self, scope, "households", v.household_id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => {
                    StoreError::invalid("household_id", "户不存在", "the household does not exist")
                }
                e => e,
            })?;
        let mut tx = self.begin().await?;
        let r = insert_resident(&mut tx, scope, county_id, &v).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// Replaces a resident's details. The household cannot change here: use `move_resident`, which
    /// keeps the history.
    pub async fn update_resident(
        &self,
        scope: &Scope,
        id: i64,
        input: &ResidentInput,
    ) -> Result<Resident> {
        let v = input.validate()?;
        let cur = self.get_resident(scope, id).await?;
        let version = expected_version(input.version, cur.version)?;
        if v.household_id != cur.household_id {
            return Err(StoreError::invalid(
                "household_id",
                "变更所在户请使用迁移操作，以保留历史",
                "use the move operation to change household, so the history is kept",
            ));
        }
        let mut tx = self.begin().await?;
        let n = tx.exec(&Q::with(
            "UPDATE residents SET name = ?, id_number = ?, id_number_hash = ?, gender = ?, birth_date = ?, phone = ?, \
             relation = ?, tags = ?, updated_at = ?, version = version + 1 WHERE county_id = ? AND id = ? AND version = ?",
            vec![
                v.name.into(),
                crypto::seal("id_number", v.id_number.as_str()).into(),
                crypto::index("id_number", v.id_number.as_str()).into(),
                v.id_number.gender().as_str().into(),
                v.id_number.birth_date().into(),
                crypto::seal_opt("phone", v.phone.as_ref().map(|p| p.as_str())).into(),
                v.relation.as_str().into(),
                ResidentTag::to_bits(&v.tags).into(),
                now_ms().into(),
                cur.county_id.into(),
                id.into(),
                version.into(),
            ],
        ))
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => StoreError::conflict("id_number", "该身份证号码已登记", "this ID number is already registered"),
            e => e,
        })?;
        if n == 0 {
            return Err(stale());
        }
        tx.commit().await?;
        self.get_resident(scope, id).await
    }

    pub async fn delete_resident(&self, scope: &Scope, id: i64) -> Result<()> {
        let r = self.get_resident(scope, id).await?;
        let mut tx = self.begin().await?;
        tx.exec(&Q::with(
            "DELETE FROM resident_moves WHERE county_id = ? AND resident_id = ?",
            vec![r.county_id.into(), id.into()],
        ))
        .await?;
        tx.delete_by_id("residents", r.county_id, id)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => StoreError::conflict(
                    "id",
                    "该居民仍是党员，请先处理党员信息",
                    "the resident is still a party member; remove that record first",
                ),
                e => e,
            })?;
        tx.commit().await
    }

    /// Moves a resident to another household of the same county, keeping the history.
    pub async fn move_resident(
        &self,
        scope: &Scope,
        id: i64,
        input: &MoveInput,
    ) -> Result<Resident> {
        let mut c = Checker::default();
        let reason = c.text("reason", &input.reason, 200);
        let reason = c.finish(reason)?;
        let cur = self.get_resident(scope, id).await?;
        if cur.household_id == input.to_household_id {
            return Err(StoreError::invalid(
                "to_household_id",
                "已在该户",
                "the resident is already in that household",
            ));
        }
        let mut tx = self.begin().await?;
        let h = tx_household(
            &mut tx,
            scope,
            cur.county_id,
            input.to_household_id,
            "to_household_id",
        )
        .await?;
        let now = now_ms();
        tx.exec(&Q::with(
            "UPDATE residents SET household_id = ?, division_code = ?, updated_at = ? WHERE county_id = ? AND id = ?",
            vec![h.id.into(), h.division_code.into(), now.into(), cur.county_id.into(), id.into()],
        ))
        .await?;
        let move_id = next_ids(&mut tx, cur.county_id, "move", 1).await?;
        tx.exec(&Q::with(
            "INSERT INTO resident_moves (county_id, id, resident_id, from_household_id, to_household_id, moved_at, reason) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
            vec![
                cur.county_id.into(),
                move_id.into(),
                id.into(),
                Some(cur.household_id).into(),
                input.to_household_id.into(),
                now.into(),
                reason.into(),
            ],
        ))
        .await?;
        tx.commit().await?;
        self.get_resident(scope, id).await
    }

    pub async fn resident_moves(&self, scope: &Scope, id: i64) -> Result<Vec<ResidentMove>> {
        let r = self.get_resident(scope, id).await?;
        self.all(&Q::with(
            "SELECT t.county_id, t.id, t.resident_id, t.from_household_id, t.to_household_id, t.moved_at, t.reason \
             FROM resident_moves t WHERE t.county_id = ? AND t.resident_id = ? ORDER BY t.id",
            vec![r.county_id.into(), id.into()],
        ))
        .await
    }

    pub async fn list_residents(&self, scope: &Scope, lq: &ListQuery) -> Result<Page<Resident>> {
        let scope = division_filter(scope, lq)?;
        let mut by_name = false;
        let mut q = Q::new(&format!(
            "SELECT {RESIDENT_COLS} FROM residents t WHERE 1=1"
        ));
        scope.filter(&mut q, "residents", "t", "division_code");
        if let Some(tag) = lq.tag.as_deref().filter(|t| !t.is_empty()) {
            let tag: ResidentTag = tag
                .parse()
                .map_err(|e| StoreError::Invalid(vec![crate::FieldError::new("tag", e)]))?;
            let p = q.arg(tag.bit());
            q.push(&format!(" AND (t.tags & {p}) <> 0"));
        }
        if let Some(g) = lq.grid {
            let mut sub = Q::new("");
            std::mem::swap(&mut sub, &mut q);
            let mut inner = sub;
            inner.push(" AND t.household_id IN (SELECT h.id FROM households h WHERE h.county_id = t.county_id");
            grid_subtree_filter(self, &scope, &mut inner, "h.micro_grid_id", g).await?;
            inner.push(")");
            q = inner;
        }
        if let Some(text) = q_text(lq) {
            if let Ok(number) = IdNumber::parse(&text) {
                let p = q.arg(crypto::index("id_number", number.as_str()));
                q.push(&format!(" AND t.id_number_hash = {p}"));
            } else {
                starts_with(&mut q, "t.name", &text);
                by_name = true;
            }
        }
        page(self, q, if by_name { Order::Name } else { Order::Id }, lq).await
    }
}

// ---------------------------------------------------------------------------------------------
// Party organisations, members and their contact households

const ORG_COLS: &str = "t.county_id, t.id, t.code, t.kind, t.name, t.parent_id, t.division_code, t.standing, t.created_at, t.updated_at, t.version";
const MEMBER_COLS: &str = "t.county_id, t.id, t.resident_id, r.name AS name, t.org_id, t.division_code, t.status, t.role, \
     t.joined_on, t.created_at, t.updated_at, t.version";
const MEMBER_FROM: &str =
    "party_members t JOIN residents r ON r.county_id = t.county_id AND r.id = t.resident_id";

#[derive(sqlx::FromRow)]
struct OrgWithPath {
    #[sqlx(flatten)]
    org: PartyOrg,
    path: String,
}

pub async fn insert_party_org(tx: &mut Tx, scope: &Scope, v: &ValidPartyOrg) -> Result<PartyOrg> {
    let county_id = v.division.county_id().ok_or(StoreError::NotFound)?;
    if !scope.covers(v.division.as_str()) {
        return Err(StoreError::NotFound);
    }
    let mut q = Q::with(
        "SELECT t.county_id FROM divisions t WHERE t.county_id = ? AND t.code = ?",
        vec![county_id.into(), v.division.as_str().into()],
    );
    scope.filter(&mut q, "divisions", "t", "code");
    if tx.optional::<(i64,)>(&q).await?.is_none() {
        return Err(StoreError::invalid(
            "division_code",
            "区划不存在",
            "the division does not exist",
        ));
    }
    let parent_path = match v.parent_id {
        None => "/".to_string(),
        Some(pid) => {
            // The parent may sit above the caller's scope (a village branch under the township
            // committee), so it is looked up in the whole county.
            let p: OrgWithPath = tx
                .optional(&Q::with(
                    &format!("SELECT {ORG_COLS}, t.path FROM party_orgs t WHERE t.county_id = ? AND t.id = ?"),
                    vec![county_id.into(), pid.into()],
                ))
                .await?
                .ok_or_else(|| StoreError::invalid("parent_id", "上级党组织不存在", "the parent organisation does not exist"))?;
            if !v.kind.allowed_parents().contains(&p.org.kind) {
                return Err(StoreError::invalid(
                    "parent_id",
                    format!("{}不能隶属于{}", v.kind.zh(), p.org.kind.zh()),
                    format!(
                        "a {} cannot sit under a {}",
                        v.kind.as_str(),
                        p.org.kind.as_str()
                    ),
                ));
            }
            p.path
        }
    };
    let id = next_ids(tx, county_id, "party_org", 1).await?;
    let now = now_ms();
    tx.one(&Q::with(
        &format!(
            "INSERT INTO party_orgs (county_id, id, code, kind, name, parent_id, division_code, standing, path, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {}",
            ORG_COLS.replace("t.", "")
        ),
        vec![
            county_id.into(),
            id.into(),
            v.code.clone().unwrap_or_else(|| format!("P{id}")).into(),
            v.kind.as_str().into(),
            v.name.clone().into(),
            v.parent_id.into(),
            v.division.as_str().into(),
            v.standing.as_str().into(),
            format!("{parent_path}{id}/").into(),
            now.into(),
            now.into(),
        ],
    ))
    .await
}

async fn member_refs(
    tx: &mut Tx,
    scope: &Scope,
    county_id: i64,
    v: &ValidPartyMember,
) -> Result<PartyOrg> {
    let mut q = Q::with(
        &format!("SELECT {ORG_COLS} FROM party_orgs t WHERE t.county_id = ? AND t.id = ?"),
        vec![county_id.into(), v.org_id.into()],
    );
    scope.filter(&mut q, "party_orgs", "t", "division_code");
    let org: PartyOrg = tx.optional(&q).await?.ok_or_else(|| {
        StoreError::invalid(
            "org_id",
            "党组织不存在",
            "the party organisation does not exist",
        )
    })?;
    let mut q = Q::with(
        "SELECT t.county_id FROM residents t WHERE t.county_id = ? AND t.id = ?",
        vec![county_id.into(), v.resident_id.into()],
    );
    scope.filter(&mut q, "residents", "t", "division_code");
    if tx.optional::<(i64,)>(&q).await?.is_none() {
        return Err(StoreError::invalid(
            "resident_id",
            "居民不存在",
            "the resident does not exist",
        ));
    }
    Ok(org)
}

pub async fn insert_party_member(
    tx: &mut Tx,
    scope: &Scope,
    county_id: i64,
    v: &ValidPartyMember,
) -> Result<i64> {
    let org = member_refs(tx, scope, county_id, v).await?;
    let id = next_ids(tx, county_id, "party_member", 1).await?;
    let now = now_ms();
    tx.exec(&Q::with(
        "INSERT INTO party_members (county_id, id, resident_id, org_id, division_code, status, role, joined_on, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        vec![
            county_id.into(),
            id.into(),
            v.resident_id.into(),
            org.id.into(),
            org.division_code.into(),
            v.status.as_str().into(),
            v.role.as_str().into(),
            v.joined_on.into(),
            now.into(),
            now.into(),
        ],
    ))
    .await
    .map_err(|e| match e {
        StoreError::Conflict(_) => StoreError::conflict("resident_id", "该居民已是党员", "the resident is already a party member"),
        e => e,
    })?;
    Ok(id)
}

impl Db {
    get_by_id!(
        get_party_org,
        PartyOrg,
        ORG_COLS,
        "party_orgs",
        "party_orgs t"
    );
    get_by_id!(
        get_party_member,
        PartyMember,
        MEMBER_COLS,
        "party_members",
        MEMBER_FROM
    );

    pub async fn create_party_org(&self, scope: &Scope, input: &PartyOrgInput) -> Result<PartyOrg> {
        let v = input.validate()?;
        let mut tx = self.begin().await?;
        let o = insert_party_org(&mut tx, scope, &v).await?;
        tx.commit().await?;
        Ok(o)
    }

    /// Renames or re-rates an organisation; kind, parent and division stay.
    pub async fn update_party_org(
        &self,
        scope: &Scope,
        id: i64,
        input: &PartyOrgInput,
    ) -> Result<PartyOrg> {
        let v = input.validate()?;
        let cur = self.get_party_org(scope, id).await?;
        let version = expected_version(input.version, cur.version)?;
        if v.kind != cur.kind
            || v.parent_id != cur.parent_id
            || v.division.as_str() != cur.division_code
        {
            return Err(StoreError::invalid(
                "kind",
                "党组织的类别、上级和所在区划不能修改，请新建",
                "an organisation's kind, parent and division cannot change; create a new one",
            ));
        }
        let mut tx = self.begin().await?;
        let n = tx.exec(&Q::with(
            "UPDATE party_orgs SET name = ?, standing = ?, updated_at = ?, version = version + 1 WHERE county_id = ? AND id = ? AND version = ?",
            vec![
                v.name.into(),
                v.standing.as_str().into(),
                now_ms().into(),
                cur.county_id.into(),
                id.into(),
                version.into(),
            ],
        ))
        .await?;
        if n == 0 {
            return Err(stale());
        }
        tx.commit().await?;
        self.get_party_org(scope, id).await
    }

    pub async fn delete_party_org(&self, scope: &Scope, id: i64) -> Result<()> {
        let o = self.get_party_org(scope, id).await?;
        let mut tx = self.begin().await?;
        tx.delete_by_id("party_orgs", o.county_id, id).await?;
        tx.commit().await
    }

    pub async fn list_party_orgs(&self, scope: &Scope, lq: &ListQuery) -> Result<Page<PartyOrg>> {
        let scope = division_filter(scope, lq)?;
        let mut q = Q::new(&format!("SELECT {ORG_COLS} FROM party_orgs t WHERE 1=1"));
        scope.filter(&mut q, "party_orgs", "t", "division_code");
        if let Some(kind) = parse_kind::<PartyOrgKind>(lq)? {
            let p = q.arg(kind.as_str());
            q.push(&format!(" AND t.kind = {p}"));
        }
        if let Some(parent) = lq.parent.as_deref().filter(|p| !p.is_empty()) {
            let id: i64 = parent.parse().map_err(|_| {
                StoreError::invalid("parent", "上级编号应为整数", "parent must be an id")
            })?;
            let p = q.arg(id);
            q.push(&format!(" AND t.parent_id = {p}"));
        }
        if let Some(text) = q_text(lq) {
            crate::sql::push_contains(&mut q, "t.name", &text);
        }
        page(self, q, Order::Id, lq).await
    }

    pub async fn create_party_member(
        &self,
        scope: &Scope,
        input: &PartyMemberInput,
    ) -> Result<PartyMember> {
        let v = input.validate()?;
        let county_id = county_for(self, scope, "party_orgs", v.org_id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => StoreError::invalid(
                    "org_id",
                    "党组织不存在",
                    "the party organisation does not exist",
                ),
                e => e,
            })?;
        let mut tx = self.begin().await?;
        let id = insert_party_member(&mut tx, scope, county_id, &v).await?;
        tx.commit().await?;
        self.get_party_member(scope, id).await
    }

    pub async fn update_party_member(
        &self,
        scope: &Scope,
        id: i64,
        input: &PartyMemberInput,
    ) -> Result<PartyMember> {
        let v = input.validate()?;
        let cur = self.get_party_member(scope, id).await?;
        let version = expected_version(input.version, cur.version)?;
        if v.resident_id != cur.resident_id {
            return Err(StoreError::invalid(
                "resident_id",
                "不能更换党员对应的居民",
                "a member's resident cannot change",
            ));
        }
        let mut tx = self.begin().await?;
        let org = member_refs(&mut tx, scope, cur.county_id, &v).await?;
        let n = tx.exec(&Q::with(
            "UPDATE party_members SET org_id = ?, division_code = ?, status = ?, role = ?, joined_on = ?, updated_at = ?, version = version + 1 \
             WHERE county_id = ? AND id = ? AND version = ?",
            vec![
                org.id.into(),
                org.division_code.into(),
                v.status.as_str().into(),
                v.role.as_str().into(),
                v.joined_on.into(),
                now_ms().into(),
                cur.county_id.into(),
                id.into(),
                version.into(),
            ],
        ))
        .await?;
        if n == 0 {
            return Err(stale());
        }
        tx.commit().await?;
        self.get_party_member(scope, id).await
    }

    pub async fn delete_party_member(&self, scope: &Scope, id: i64) -> Result<()> {
        let m = self.get_party_member(scope, id).await?;
        let mut tx = self.begin().await?;
        tx.exec(&Q::with(
            "DELETE FROM member_contacts WHERE county_id = ? AND member_id = ?",
            vec![m.county_id.into(), id.into()],
        ))
        .await?;
        tx.delete_by_id("party_members", m.county_id, id).await?;
        tx.commit().await
    }

    pub async fn list_party_members(
        &self,
        scope: &Scope,
        lq: &ListQuery,
    ) -> Result<Page<PartyMember>> {
        let scope = division_filter(scope, lq)?;
        let mut q = Q::new(&format!(
            "SELECT {MEMBER_COLS} FROM {MEMBER_FROM} WHERE 1=1"
        ));
        scope.filter(&mut q, "party_members", "t", "division_code");
        if let Some(status) = parse_kind::<MemberStatus>(lq)? {
            let p = q.arg(status.as_str());
            q.push(&format!(" AND t.status = {p}"));
        }
        if let Some(parent) = lq.parent.as_deref().filter(|p| !p.is_empty()) {
            let id: i64 = parent.parse().map_err(|_| {
                StoreError::invalid(
                    "parent",
                    "党组织编号应为整数",
                    "parent must be an organisation id",
                )
            })?;
            let p = q.arg(id);
            q.push(&format!(" AND t.org_id = {p}"));
        }
        if let Some(text) = q_text(lq) {
            starts_with(&mut q, "r.name", &text);
        }
        page(self, q, Order::Id, lq).await
    }

    /// Adds a household to those a member keeps in touch with (idempotent).
    pub async fn add_member_contact(
        &self,
        scope: &Scope,
        member_id: i64,
        household_id: i64,
    ) -> Result<MemberContact> {
        let m = self.get_party_member(scope, member_id).await?;
        let mut tx = self.begin().await?;
        tx_household(&mut tx, scope, m.county_id, household_id, "household_id").await?;
        tx.exec(&Q::with(
            "INSERT INTO member_contacts (county_id, member_id, household_id, created_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (county_id, member_id, household_id) DO NOTHING",
            vec![m.county_id.into(), member_id.into(), household_id.into(), now_ms().into()],
        ))
        .await?;
        let c = tx
            .one(&Q::with(
                "SELECT county_id, member_id, household_id, created_at FROM member_contacts \
                 WHERE county_id = ? AND member_id = ? AND household_id = ?",
                vec![m.county_id.into(), member_id.into(), household_id.into()],
            ))
            .await?;
        tx.commit().await?;
        Ok(c)
    }

    pub async fn remove_member_contact(
        &self,
        scope: &Scope,
        member_id: i64,
        household_id: i64,
    ) -> Result<()> {
        let m = self.get_party_member(scope, member_id).await?;
        let mut tx = self.begin().await?;
        let n = tx
            .exec(&Q::with(
                "DELETE FROM member_contacts WHERE county_id = ? AND member_id = ? AND household_id = ?",
                vec![m.county_id.into(), member_id.into(), household_id.into()],
            ))
            .await?;
        tx.commit().await?;
        if n == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    pub async fn member_contacts(&self, scope: &Scope, member_id: i64) -> Result<Vec<Household>> {
        let m = self.get_party_member(scope, member_id).await?;
        let mut q = Q::with(
            &format!(
                "SELECT {HOUSEHOLD_COLS} FROM member_contacts c JOIN households t ON t.county_id = c.county_id AND t.id = c.household_id \
                 WHERE c.county_id = ? AND c.member_id = ?"
            ),
            vec![m.county_id.into(), member_id.into()],
        );
        scope.filter(&mut q, "households", "t", "division_code");
        q.push(" ORDER BY t.id");
        self.all(&q).await
    }
}

// ---------------------------------------------------------------------------------------------
// Contact duties (包联) and the coverage report

const DUTY_COLS: &str = "t.county_id, t.id, t.person_name, t.rank, t.unit, t.target, t.division_code, t.household_id, t.since, \
     t.created_at, t.updated_at, t.version";

/// Resolves a duty's target to (county, division code, household) inside the scope.
async fn duty_target(
    db: &Db,
    tx: &mut Tx,
    scope: &Scope,
    v: &ValidContactDuty,
) -> Result<(i64, String, Option<i64>)> {
    match (&v.division, v.household_id) {
        (Some(d), _) => {
            let county_id = d.county_id().ok_or(StoreError::NotFound)?;
            let mut q = Q::with(
                "SELECT t.county_id FROM divisions t WHERE t.county_id = ? AND t.code = ?",
                vec![county_id.into(), d.as_str().into()],
            );
            scope.filter(&mut q, "divisions", "t", "code");
            if tx.optional::<(i64,)>(&q).await?.is_none() {
                return Err(StoreError::invalid(
                    "division_code",
                    "区划不存在",
                    "the division does not exist",
                ));
            }
            Ok((county_id, d.as_str().to_string(), None))
        }
        (None, Some(hid)) => {
            let county_id =
                county_for(db, scope, "households", hid)
                    .await
                    .map_err(|e| match e {
                        StoreError::NotFound => StoreError::invalid(
                            "household_id",
                            "户不存在",
                            "the household does not exist",
                        ),
                        e => e,
                    })?;
            let h = tx_household(tx, scope, county_id, hid, "household_id").await?;
            Ok((county_id, h.division_code, Some(hid)))
        }
        (None, None) => Err(StoreError::invalid(
            "target",
            "缺少包联对象",
            "the duty has no target",
        )),
    }
}

impl Db {
    get_by_id!(
        get_contact_duty,
        ContactDuty,
        DUTY_COLS,
        "contact_duties",
        "contact_duties t"
    );

    pub async fn create_contact_duty(
        &self,
        scope: &Scope,
        input: &ContactDutyInput,
    ) -> Result<ContactDuty> {
        let v = input.validate()?;
        let mut tx = self.begin().await?;
        let (county_id, division, household) = duty_target(self, &mut tx, scope, &v).await?;
        let id = next_ids(&mut tx, county_id, "duty", 1).await?;
        let now = now_ms();
        let d = tx
            .one(&Q::with(
                &format!(
                    "INSERT INTO contact_duties (county_id, id, person_name, rank, unit, target, division_code, household_id, since, \
                     created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {}",
                    DUTY_COLS.replace("t.", "")
                ),
                vec![
                    county_id.into(),
                    id.into(),
                    v.person_name.into(),
                    v.rank.as_str().into(),
                    v.unit.into(),
                    v.target.as_str().into(),
                    division.into(),
                    household.into(),
                    v.since.into(),
                    now.into(),
                    now.into(),
                ],
            ))
            .await?;
        tx.commit().await?;
        Ok(d)
    }

    pub async fn update_contact_duty(
        &self,
        scope: &Scope,
        id: i64,
        input: &ContactDutyInput,
    ) -> Result<ContactDuty> {
        let v = input.validate()?;
        let cur = self.get_contact_duty(scope, id).await?;
        let version = expected_version(input.version, cur.version)?;
        let mut tx = self.begin().await?;
        let (county_id, division, household) = duty_target(self, &mut tx, scope, &v).await?;
        if county_id != cur.county_id {
            return Err(StoreError::NotFound);
        }
        let n = tx.exec(&Q::with(
            "UPDATE contact_duties SET person_name = ?, rank = ?, unit = ?, target = ?, division_code = ?, household_id = ?, \
             since = ?, updated_at = ?, version = version + 1 WHERE county_id = ? AND id = ? AND version = ?",
            vec![
                v.person_name.into(),
                v.rank.as_str().into(),
                v.unit.into(),
                v.target.as_str().into(),
                division.into(),
                household.into(),
                v.since.into(),
                now_ms().into(),
                county_id.into(),
                id.into(),
                version.into(),
            ],
        ))
        .await?;
        if n == 0 {
            return Err(stale());
        }
        tx.commit().await?;
        self.get_contact_duty(scope, id).await
    }

    pub async fn delete_contact_duty(&self, scope: &Scope, id: i64) -> Result<()> {
        let d = self.get_contact_duty(scope, id).await?;
        let mut tx = self.begin().await?;
        tx.delete_by_id("contact_duties", d.county_id, id).await?;
        tx.commit().await
    }

    pub async fn list_contact_duties(
        &self,
        scope: &Scope,
        lq: &ListQuery,
    ) -> Result<Page<ContactDuty>> {
        let scope = division_filter(scope, lq)?;
        let mut q = Q::new(&format!(
            "SELECT {DUTY_COLS} FROM contact_duties t WHERE 1=1"
        ));
        scope.filter(&mut q, "contact_duties", "t", "division_code");
        if let Some(rank) = parse_kind::<DutyRank>(lq)? {
            let p = q.arg(rank.as_str());
            q.push(&format!(" AND t.rank = {p}"));
        }
        if let Some(text) = q_text(lq) {
            starts_with(&mut q, "t.person_name", &text);
        }
        page(self, q, Order::Id, lq).await
    }

    /// 包联覆盖: villages with no county-level leader, households with no party-member contact,
    /// micro-grids with no micro-grid worker, all inside the scope.
    pub async fn coverage_report(&self, scope: &Scope) -> Result<CoverageReport> {
        let mut q = Q::new(&format!(
            "SELECT {DIVISION_COLS} FROM divisions t WHERE t.level = 'village' AND NOT EXISTS (\
             SELECT 1 FROM contact_duties d WHERE d.county_id = t.county_id AND d.division_code = t.code \
             AND d.target = 'village' AND d.rank = 'county_leader')"
        ));
        scope.filter(&mut q, "divisions", "t", "code");
        q.push(" ORDER BY t.code");
        let villages_without_county_leader: Vec<Division> = self.all(&q).await?;

        let no_contact = "FROM households t WHERE NOT EXISTS (SELECT 1 FROM member_contacts c \
             WHERE c.county_id = t.county_id AND c.household_id = t.id)";
        let mut q = Q::new(&format!("SELECT COUNT(*) {no_contact}"));
        scope.filter(&mut q, "households", "t", "division_code");
        let (households_without_member_contact,): (i64,) = self.one(&q).await?;
        let mut q = Q::new(&format!("SELECT {HOUSEHOLD_COLS} {no_contact}"));
        scope.filter(&mut q, "households", "t", "division_code");
        q.push(" ORDER BY t.county_id, t.id LIMIT 200");
        let households_without_member_contact_sample: Vec<Household> = self.all(&q).await?;

        let mut q = Q::new(&format!(
            "SELECT {GRID_COLS} FROM grids t WHERE t.level = 'micro' AND NOT EXISTS (\
             SELECT 1 FROM grid_staff s WHERE s.county_id = t.county_id AND s.grid_id = t.id AND s.role = 'micro')"
        ));
        scope.filter(&mut q, "grids", "t", "division_code");
        q.push(" ORDER BY t.county_id, t.id");
        let micro_grids_without_worker: Vec<Grid> = self.all(&q).await?;

        let count = |sql: &str, table: &str, col: &str| {
            let mut q = Q::new(sql);
            scope.filter(&mut q, table, "t", col);
            q
        };
        let (villages_total,): (i64,) = self
            .one(&count(
                "SELECT COUNT(*) FROM divisions t WHERE t.level = 'village'",
                "divisions",
                "code",
            ))
            .await?;
        let (households_total,): (i64,) = self
            .one(&count(
                "SELECT COUNT(*) FROM households t WHERE 1=1",
                "households",
                "division_code",
            ))
            .await?;
        let (micro_grids_total,): (i64,) = self
            .one(&count(
                "SELECT COUNT(*) FROM grids t WHERE t.level = 'micro'",
                "grids",
                "division_code",
            ))
            .await?;
        Ok(CoverageReport {
            villages_without_county_leader,
            households_without_member_contact,
            households_without_member_contact_sample,
            micro_grids_without_worker,
            villages_total,
            households_total,
            micro_grids_total,
        })
    }
}

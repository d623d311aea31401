//! 积分超市: a village's points store. Goods carry a price in points and a stock that moves only
//! with a recorded movement — a donation in (who gave it), a redemption out (paid by a ledger
//! entry), a stock-take (the count, and the difference) — each in one transaction with its
//! audit entry. A redemption takes the goods and the points in two atomic statements of one
//! transaction: never more than the stock, never more than the balance.

use crate::model::Entry;
use crate::rules::{EntryKind, Holder};
use crate::store::{
    account_for, acting_user, holder_table, insert_entry, move_balance, this_month, NewEntry,
};
use crate::tables::{STORE_GOODS, STORE_MOVES};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xiangzhi_domain::{Checker, DivisionCode, Invalid};
use xiangzhi_storage::list::{county_for, next_ids};
use xiangzhi_storage::sql::Q;
use xiangzhi_storage::{now_ms, Db, FieldError, Result, Scope, StoreError, Tx};

/// Goods of a village's points store.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Goods {
    pub county_id: i64,
    pub id: i64,
    /// The village whose store holds it.
    pub division_code: String,
    pub name: String,
    pub unit: String,
    /// Points for one unit.
    pub price: i64,
    pub stock: i64,
    pub active: bool,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct GoodsInput {
    /// The village whose store holds it.
    pub division_code: String,
    pub name: String,
    /// 袋, 桶, 件…
    pub unit: String,
    pub price: i64,
}

/// Goods given to the store: how many, and by whom.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct Donation {
    pub quantity: i64,
    /// Who gave them (a firm, a villager who did well, the township).
    pub donor: String,
}

/// A stock-take: the count on the shelf.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct StockTake {
    pub counted: i64,
    #[serde(default)]
    pub note: String,
}

/// Goods taken home by a member or a household, paid in points.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct GoodsRedemption {
    pub holder: String,
    pub holder_id: i64,
    pub quantity: i64,
}

/// One movement of a store's stock.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct StoreMove {
    pub county_id: i64,
    pub id: i64,
    pub goods_id: i64,
    /// `donation`, `redemption` or `stocktake`.
    pub kind: String,
    pub quantity: i64,
    /// Points paid (redemptions).
    pub points: i64,
    pub entry_id: Option<i64>,
    pub donor: Option<String>,
    pub note: String,
    pub recorded_by: i64,
    pub created_at: i64,
}

/// A store's reconciliation, goods by goods: what came in and went out, and whether the points
/// the ledger took for redemptions equal the goods out at their recorded prices.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Reconciliation {
    pub goods_id: i64,
    pub name: String,
    pub donated: i64,
    pub redeemed: i64,
    /// Stock-take differences (negative: missing from the shelf).
    pub adjusted: i64,
    pub stock: i64,
    /// Points the redemptions recorded at the counter.
    pub points_out: i64,
    /// Points the ledger took for them.
    pub ledger_points: i64,
    /// Stock = donated − redeemed + adjusted, and points out = ledger points.
    pub balanced: bool,
}

const GOODS_COLS: &str =
    "t.county_id, t.id, t.division_code, t.name, t.unit, t.price, t.stock, t.active, t.version";
const MOVE_COLS: &str =
    "t.county_id, t.id, t.goods_id, t.kind, t.quantity, t.points, t.entry_id, t.donor, t.note, \
     t.recorded_by, t.created_at";

fn bad(field: &str, zh: impl Into<String>, en: impl Into<String>) -> StoreError {
    StoreError::Invalid(vec![FieldError::new(field, Invalid::new(zh, en))])
}

async fn goods_in_tx(tx: &mut Tx, scope: &Scope, county_id: i64, id: i64) -> Result<Goods> {
    let mut q = Q::with(
        &format!("SELECT {GOODS_COLS} FROM store_goods t WHERE t.county_id = ? AND t.id = ?"),
        vec![county_id.into(), id.into()],
    );
    scope.filter(&mut q, &STORE_GOODS, "t", "division_code");
    tx.optional(&q).await?.ok_or(StoreError::NotFound)
}

#[allow(clippy::too_many_arguments)]
async fn insert_move(
    tx: &mut Tx,
    g: &Goods,
    kind: &str,
    quantity: i64,
    points: i64,
    entry_id: Option<i64>,
    donor: Option<String>,
    note: String,
    by: i64,
) -> Result<StoreMove> {
    let id = next_ids(tx, g.county_id, "store_move", 1).await?;
    tx.one(&Q::with(
        &format!(
            "INSERT INTO store_moves (county_id, id, goods_id, division_code, kind, quantity, points, entry_id, donor, note, \
             recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {}",
            MOVE_COLS.replace("t.", "")
        ),
        vec![
            g.county_id.into(),
            id.into(),
            g.id.into(),
            g.division_code.clone().into(),
            kind.into(),
            quantity.into(),
            points.into(),
            entry_id.into(),
            donor.into(),
            note.into(),
            by.into(),
            now_ms().into(),
        ],
    ))
    .await
}

/// Moves a goods' stock by `delta` in one statement, never below zero.
async fn move_stock(tx: &mut Tx, g: &Goods, delta: i64) -> Result<bool> {
    let q = Q::with(
        "UPDATE store_goods SET stock = stock + ?, updated_at = ?, version = version + 1 \
         WHERE county_id = ? AND id = ? AND stock + ? >= 0",
        vec![
            delta.into(),
            now_ms().into(),
            g.county_id.into(),
            g.id.into(),
            delta.into(),
        ],
    );
    Ok(tx.exec(&q).await? == 1)
}

#[easy_ext::ext(ShopStore)]
pub impl Db {
    /// The goods of the stores in the caller's reach (and `division`).
    async fn store_goods(&self, scope: &Scope, division: Option<&str>) -> Result<Vec<Goods>> {
        let scope = xiangzhi_storage::list::within(scope, division)?;
        let mut q = Q::new(&format!("SELECT {GOODS_COLS} FROM store_goods t WHERE 1=1"));
        scope.filter(&mut q, &STORE_GOODS, "t", "division_code");
        q.push(" ORDER BY t.county_id, t.division_code, t.name LIMIT 1000");
        self.all(&q).await
    }

    /// Puts goods on a village store's shelf (with no stock until a donation comes in).
    async fn create_goods(&self, scope: &Scope, input: &GoodsInput) -> Result<Goods> {
        let mut c = Checker::default();
        let division = c.parse("division_code", DivisionCode::parse(&input.division_code));
        let name = c.text("name", &input.name, 50);
        let unit = c.text("unit", &input.unit, 10);
        if input.price <= 0 || input.price > 100_000 {
            c.0.push(FieldError::new(
                "price",
                Invalid::new("价格应为1到100000分", "the price is 1 to 100000 points"),
            ));
        }
        let (division, (name, unit)) = c
            .finish(division.zip(name.zip(unit)))
            .map_err(StoreError::Invalid)?;
        if !scope.covers(division.as_str()) {
            return Err(bad(
                "division_code",
                "只能在自己管辖范围内的村设积分超市",
                "a store can be kept only in a village of your jurisdiction",
            ));
        }
        let county_id = division
            .county_id()
            .ok_or_else(|| bad("division_code", "请选择村（社区）", "choose a village"))?;
        let mut tx = self.begin().await?;
        let id = next_ids(&mut tx, county_id, "store_goods", 1).await?;
        let now = now_ms();
        let g: Goods = tx
            .one(&Q::with(
                &format!(
                    "INSERT INTO store_goods (county_id, id, division_code, name, unit, price, stock, active, created_at, updated_at) \
                     VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?) RETURNING {}",
                    GOODS_COLS.replace("t.", "")
                ),
                vec![
                    county_id.into(),
                    id.into(),
                    division.to_string().into(),
                    name.into(),
                    unit.into(),
                    input.price.into(),
                    xiangzhi_storage::sql::Arg::Bool(true),
                    now.into(),
                    now.into(),
                ],
            ))
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => StoreError::conflict("name", "该村已有同名物品", "the store already has goods of that name"),
                e => e,
            })?;
        tx.audit(
            scope.actor(),
            "create store goods",
            format!("store goods {county_id}:{id}"),
        )
        .await?;
        tx.commit().await?;
        Ok(g)
    }

    /// Goods given to the store: the stock goes up, the donor is kept.
    async fn donate_goods(
        &self,
        scope: &Scope,
        county_id: i64,
        id: i64,
        d: &Donation,
    ) -> Result<StoreMove> {
        let by = acting_user(scope)?;
        let donor: String = d.donor.trim().chars().take(100).collect();
        if donor.is_empty() {
            return Err(bad("donor", "请写明捐赠人", "say who gave them"));
        }
        if d.quantity <= 0 || d.quantity > 100_000 {
            return Err(bad(
                "quantity",
                "数量应为1到100000",
                "the quantity is 1 to 100000",
            ));
        }
        let mut tx = self.begin().await?;
        let g = goods_in_tx(&mut tx, scope, county_id, id).await?;
        move_stock(&mut tx, &g, d.quantity).await?;
        let m = insert_move(
            &mut tx,
            &g,
            "donation",
            d.quantity,
            0,
            None,
            Some(donor),
            String::new(),
            by,
        )
        .await?;
        tx.audit(
            scope.actor(),
            "donate store goods",
            format!("store goods {county_id}:{id}: +{}", d.quantity),
        )
        .await?;
        tx.commit().await?;
        Ok(m)
    }

    /// A stock-take: the counted stock replaces the kept one, the difference recorded.
    async fn stocktake(
        &self,
        scope: &Scope,
        county_id: i64,
        id: i64,
        s: &StockTake,
    ) -> Result<StoreMove> {
        let by = acting_user(scope)?;
        if s.counted < 0 || s.counted > 10_000_000 {
            return Err(bad("counted", "盘点数量无效", "the count is not valid"));
        }
        let mut tx = self.begin().await?;
        let g = goods_in_tx(&mut tx, scope, county_id, id).await?;
        let delta = s.counted - g.stock;
        if delta != 0 && s.note.trim().is_empty() {
            return Err(bad(
                "note",
                "盘点与账面不符，请写明原因",
                "the count differs from the books: say why",
            ));
        }
        move_stock(&mut tx, &g, delta).await?;
        let note: String = s.note.trim().chars().take(500).collect();
        let m = insert_move(&mut tx, &g, "stocktake", delta, 0, None, None, note, by).await?;
        tx.audit(
            scope.actor(),
            "stocktake store goods",
            format!("store goods {county_id}:{id}: {delta:+}"),
        )
        .await?;
        tx.commit().await?;
        Ok(m)
    }

    /// Goods taken home, paid in points: never more than the stock, never more than the balance.
    async fn redeem_goods(
        &self,
        scope: &Scope,
        county_id: i64,
        id: i64,
        r: &GoodsRedemption,
    ) -> Result<Entry> {
        let by = acting_user(scope)?;
        let holder: Holder = r
            .holder
            .parse()
            .map_err(|e| StoreError::Invalid(vec![FieldError::new("holder", e)]))?;
        if r.quantity <= 0 || r.quantity > 1_000 {
            return Err(bad(
                "quantity",
                "数量应为1到1000",
                "the quantity is 1 to 1000",
            ));
        }
        let table = holder_table(holder);
        let holder_county = county_for(self, scope, table, r.holder_id).await?;
        if holder_county != county_id {
            return Err(bad(
                "holder_id",
                "只能兑换本县的积分",
                "points are redeemed in their own county",
            ));
        }
        let mut tx = self.begin().await?;
        let g = goods_in_tx(&mut tx, scope, county_id, id).await?;
        if !g.active {
            return Err(bad(
                "goods",
                "该物品已下架",
                "the goods are no longer offered",
            ));
        }
        let points = g.price * r.quantity;
        if !move_stock(&mut tx, &g, -r.quantity).await? {
            return Err(StoreError::conflict(
                "quantity",
                format!("库存不足（现有{}{}）", g.stock, g.unit),
                format!("not enough in stock ({} left)", g.stock),
            ));
        }
        let account = account_for(&mut tx, scope, county_id, holder, r.holder_id).await?;
        if !move_balance(&mut tx, county_id, account.id, -points, Some(0)).await? {
            return Err(StoreError::conflict(
                "points",
                "积分不足，不能兑换",
                "not enough points for this",
            ));
        }
        let what = format!("{}×{}{}", g.name, r.quantity, g.unit);
        let e = insert_entry(
            &mut tx,
            NewEntry {
                account: &account,
                kind: EntryKind::Redemption,
                rule_id: None,
                claim_id: None,
                points: -points,
                month: &this_month(),
                evidence: &what,
                recorded_by: by,
                approved_by: None,
                reverses_id: None,
            },
        )
        .await?;
        insert_move(
            &mut tx,
            &g,
            "redemption",
            -r.quantity,
            points,
            Some(e.id),
            None,
            String::new(),
            by,
        )
        .await?;
        tx.audit(
            scope.actor(),
            "redeem store goods",
            format!("store goods {county_id}:{id}: {what}, {points} points"),
        )
        .await?;
        tx.commit().await?;
        Ok(e)
    }

    /// A store's reconciliation, goods by goods.
    async fn store_reconciliation(
        &self,
        scope: &Scope,
        division: Option<&str>,
    ) -> Result<Vec<Reconciliation>> {
        let goods = self.store_goods(scope, division).await?;
        let mut out = Vec::with_capacity(goods.len());
        for g in goods {
            let mut q = Q::with(
                &format!("SELECT {MOVE_COLS} FROM store_moves t WHERE t.county_id = ? AND t.goods_id = ?"),
                vec![g.county_id.into(), g.id.into()],
            );
            scope.filter(&mut q, &STORE_MOVES, "t", "division_code");
            let moves: Vec<StoreMove> = self.all(&q).await?;
            let sum = |k: &str| {
                moves
                    .iter()
                    .filter(|m| m.kind == k)
                    .map(|m| m.quantity)
                    .sum::<i64>()
            };
            let (donated, redeemed, adjusted) =
                (sum("donation"), -sum("redemption"), sum("stocktake"));
            let points_out: i64 = moves
                .iter()
                .filter(|m| m.kind == "redemption")
                .map(|m| m.points)
                .sum();
            let (ledger_points,): (i64,) = self
                .one(&Q::with(
                    "SELECT CAST(COALESCE(-SUM(e.points), 0) AS BIGINT) FROM points_entries e \
                     JOIN store_moves t ON t.county_id = e.county_id AND t.entry_id = e.id \
                     WHERE t.county_id = ? AND t.goods_id = ?",
                    vec![g.county_id.into(), g.id.into()],
                ))
                .await?;
            out.push(Reconciliation {
                goods_id: g.id,
                balanced: g.stock == donated - redeemed + adjusted && points_out == ledger_points,
                name: g.name,
                donated,
                redeemed,
                adjusted,
                stock: g.stock,
                points_out,
                ledger_points,
            });
        }
        Ok(out)
    }
}

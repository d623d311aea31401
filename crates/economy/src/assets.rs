//! 资产: the collective's asset register. Each asset keeps what it cost, its expected salvage
//! and useful life; its depreciation and book value on a day come from the rules
//! ([`crate::rules::depreciation`]). Its state (in use, idle, leased, disposed) moves by
//! compare-and-set on its version, so two clerks cannot both move it from what they saw; the
//! county reads the idle assets of every village in reach (闲变宝: idle assets put to work).

use crate::rules::depreciation;
use crate::tables::COLLECTIVE_ASSETS;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xiangzhi_storage::list::in_reach;
use xiangzhi_storage::list::next_ids;
use xiangzhi_storage::sql::{Arg, Q};
use xiangzhi_storage::{now_ms, Db, Result, Scope, StoreError};

/// Kinds of asset.
pub const CATEGORIES: [(&str, &str); 5] = [
    ("building", "房屋建筑"),
    ("facility", "基础设施"),
    ("equipment", "机器设备"),
    ("vehicle", "车辆"),
    ("other", "其他"),
];
/// States of an asset.
pub const STATES: [(&str, &str); 4] = [
    ("in_use", "在用"),
    ("idle", "闲置"),
    ("leased", "出租"),
    ("disposed", "已处置"),
];

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct AssetInput {
    pub division_code: String,
    pub name: String,
    /// `building`, `facility`, `equipment`, `vehicle` or `other`.
    pub category: String,
    #[serde(default)]
    pub location: String,
    /// In fen.
    pub cost: i64,
    /// Expected salvage at the end of its life, in fen.
    #[serde(default)]
    pub salvage: i64,
    /// Useful life in months.
    pub months: u32,
    pub acquired_on: String,
    /// `in_use`, `idle` or `leased`.
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Asset {
    pub county_id: i64,
    pub id: i64,
    pub division_code: String,
    pub name: String,
    pub category: String,
    pub location: String,
    pub cost: i64,
    pub salvage: i64,
    pub months: i64,
    pub acquired_on: NaiveDate,
    pub state: String,
    pub version: i64,
}

/// An asset with its depreciation on a day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssetView {
    pub asset: Asset,
    /// Whole months depreciated by the day (from the month after it was acquired).
    pub elapsed: i64,
    /// Depreciation so far, in fen.
    pub depreciated: i64,
    pub book_value: i64,
    pub on: NaiveDate,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct StateInput {
    pub state: String,
    /// The version the clerk saw.
    pub version: i64,
}

const COLS: &str =
    "t.county_id, t.id, t.division_code, t.name, t.category, t.location, t.cost, t.salvage, \
    t.months, t.acquired_on, t.state, t.version";

/// Months depreciated by `on`: straight-line depreciation starts the month after acquisition.
fn elapsed(acquired: NaiveDate, on: NaiveDate) -> i64 {
    let months = (on.year() - acquired.year()) * 12 + on.month() as i32 - acquired.month() as i32;
    i64::from(months.max(0))
}

/// An asset judged on `on`.
pub fn view(asset: Asset, on: NaiveDate) -> Result<AssetView> {
    let e = elapsed(asset.acquired_on, on);
    let book = depreciation::book_value(
        asset.cost,
        asset.salvage,
        asset.months as u32,
        e.min(i64::from(u32::MAX)) as u32,
    )
    .map_err(|f| StoreError::invalid(f.field, f.zh, f.en))?;
    Ok(AssetView {
        elapsed: e.min(asset.months),
        depreciated: asset.cost - book,
        book_value: book,
        on,
        asset,
    })
}

#[easy_ext::ext(AssetStore)]
pub impl Db {
    /// Registers an asset of a village in reach.
    async fn register_asset(&self, scope: &Scope, input: &AssetInput) -> Result<AssetView> {
        let by = scope.acting()?;
        let village = crate::members::village(scope, &input.division_code)?;
        let county_id = village.county_id().unwrap_or_default();
        let name = input.name.trim();
        let location = input.location.trim();
        if name.is_empty() || name.chars().count() > 100 || name.contains('\0') {
            return Err(StoreError::invalid(
                "name",
                "请填写资产名称（不超过100个字）",
                "a name of at most 100 characters",
            ));
        }
        if location.chars().count() > 100 || location.contains('\0') {
            return Err(StoreError::invalid(
                "location",
                "存放地点不超过100个字",
                "a location of at most 100 characters",
            ));
        }
        if !CATEGORIES.iter().any(|(k, _)| *k == input.category) {
            return Err(StoreError::invalid(
                "category",
                "请选择资产类别",
                "choose the kind of asset",
            ));
        }
        if !STATES[..3].iter().any(|(k, _)| *k == input.state) {
            return Err(StoreError::invalid(
                "state",
                "请选择在用、闲置或出租",
                "in use, idle or leased",
            ));
        }
        if input.cost > 100_000_000_000 {
            return Err(StoreError::invalid(
                "cost",
                "原值过大",
                "the cost is too large",
            ));
        }
        depreciation::schedule(input.cost, input.salvage, input.months)
            .map_err(|f| StoreError::invalid(f.field, f.zh, f.en))?;
        let acquired = crate::members::date("acquired_on", &input.acquired_on)?;
        let mut tx = self.begin().await?;
        let id = next_ids(&mut tx, county_id, "collective_asset", 1).await?;
        let a: Asset = tx
            .one(&Q::with(
                &format!(
                    "INSERT INTO collective_assets (county_id, id, division_code, name, category, location, cost, \
                     salvage, months, acquired_on, state, version, recorded_by, created_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING {}",
                    COLS.replace("t.", "")
                ),
                vec![
                    county_id.into(),
                    id.into(),
                    village.as_str().into(),
                    name.into(),
                    input.category.clone().into(),
                    location.into(),
                    input.cost.into(),
                    input.salvage.into(),
                    i64::from(input.months).into(),
                    Arg::Date(acquired),
                    input.state.clone().into(),
                    by.into(),
                    now_ms().into(),
                ],
            ))
            .await?;
        tx.audit(
            scope.actor(),
            "register asset",
            format!("asset {county_id}:{id}: {} fen", input.cost),
        )
        .await?;
        tx.commit().await?;
        view(a, xiangzhi_domain::china_today())
    }

    /// An asset in reach judged on `on`.
    async fn asset(
        &self,
        scope: &Scope,
        county_id: i64,
        id: i64,
        on: NaiveDate,
    ) -> Result<AssetView> {
        let mut q = Q::with(
            &format!("SELECT {COLS} FROM collective_assets t WHERE t.county_id = ? AND t.id = ?"),
            vec![county_id.into(), id.into()],
        );
        scope.filter(&mut q, &COLLECTIVE_ASSETS, "t", "division_code");
        view(self.optional(&q).await?.ok_or(StoreError::NotFound)?, on)
    }

    /// The assets in reach (and `division`, with `words` in the name or location, in `state`),
    /// judged on `on`.
    async fn assets(
        &self,
        scope: &Scope,
        division: Option<&str>,
        words: Option<&str>,
        state: Option<&str>,
        on: NaiveDate,
    ) -> Result<Vec<AssetView>> {
        let equal: Vec<(&str, &str)> = state.map(|s| ("t.state", s)).into_iter().collect();
        let mut q = in_reach(
            scope,
            division,
            &COLLECTIVE_ASSETS,
            COLS,
            &["t.name", "t.location"],
            words,
            &equal,
        )?;
        q.push(" ORDER BY t.division_code, t.id LIMIT 5000");
        let rows: Vec<Asset> = self.all(&q).await?;
        rows.into_iter().map(|a| view(a, on)).collect()
    }

    /// Moves an asset's state from the version the clerk saw.
    async fn move_asset(
        &self,
        scope: &Scope,
        county_id: i64,
        id: i64,
        input: &StateInput,
    ) -> Result<AssetView> {
        scope.acting()?;
        if !STATES.iter().any(|(k, _)| *k == input.state) {
            return Err(StoreError::invalid(
                "state",
                "请选择在用、闲置、出租或已处置",
                "in use, idle, leased or disposed",
            ));
        }
        let today = xiangzhi_domain::china_today();
        let before = self.asset(scope, county_id, id, today).await?;
        if before.asset.state == "disposed" {
            return Err(StoreError::conflict(
                "state",
                "资产已处置，不能再改状态",
                "a disposed asset keeps its state",
            ));
        }
        let mut tx = self.begin().await?;
        let n = tx
            .exec(&Q::with(
                "UPDATE collective_assets SET state = ?, version = version + 1 WHERE county_id = ? AND id = ? \
                 AND version = ?",
                vec![
                    input.state.clone().into(),
                    county_id.into(),
                    id.into(),
                    input.version.into(),
                ],
            ))
            .await?;
        if n != 1 {
            return Err(StoreError::conflict(
                "version",
                "这项资产刚被他人更新，请刷新后再试",
                "the asset was just changed by someone else; reload and try again",
            ));
        }
        tx.audit(
            scope.actor(),
            "move asset",
            format!(
                "asset {county_id}:{id}: {} -> {}",
                before.asset.state, input.state
            ),
        )
        .await?;
        tx.commit().await?;
        self.asset(scope, county_id, id, today).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn months_from_the_month_after() {
        assert_eq!(elapsed(d("2025-03-15"), d("2025-03-31")), 0);
        assert_eq!(elapsed(d("2025-03-15"), d("2025-04-01")), 1);
        assert_eq!(elapsed(d("2025-03-15"), d("2026-03-01")), 12);
        assert_eq!(elapsed(d("2025-03-15"), d("2024-01-01")), 0);
    }
}

//! The three assets seen from above: for every village in reach, the year's income, expense and
//! operating income from the funds journal, whether it is a strong village, its assets (how
//! many, at what cost, how many idle), its leases and the rent overdue, and where its latest
//! distribution stands; the share of strong villages against the county's target for the year.
//! Each figure is one grouped read over the scope, never a read per village.

use crate::funds::{INCOME, OPERATING};
use crate::rules::strong;
use crate::tables::{COLLECTIVE_ASSETS, COLLECTIVE_RESOURCES, DISTRIBUTIONS, FUND_ENTRIES};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use xiangzhi_domain::{DivisionCode, DivisionLevel};
use xiangzhi_registry::prelude::DivisionStore;
use xiangzhi_storage::sql::{Arg, Q};
use xiangzhi_storage::{now_ms, Db, Result, Scope, StoreError};

/// One village's books for a year.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct VillageBooks {
    pub division_code: String,
    /// `township · village`.
    pub name: String,
    /// In fen, the year's.
    pub income: i64,
    pub expense: i64,
    /// Business, contracting and investment income.
    pub operating_income: i64,
    pub strong: bool,
    pub assets: i64,
    /// What the assets cost, in fen.
    pub asset_cost: i64,
    pub idle_assets: i64,
    pub resources: i64,
    /// In hundredths of a mu.
    pub resource_area: i64,
    pub idle_resources: i64,
    pub leases: i64,
    /// Rent due and not received, in fen, today.
    pub overdue_rent: i64,
    /// The latest distribution's state (`draft` or `approved`), if any.
    pub distribution: Option<String>,
}

/// The villages in reach and the strong-village share for a year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Overview {
    pub year: i32,
    pub villages: Vec<VillageBooks>,
    pub strong: u64,
    /// Per ten thousand villages in reach.
    pub share: u32,
    /// The county's target per ten thousand, when one is set for the year.
    pub target: Option<u32>,
    pub target_met: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct TargetInput {
    pub year: i32,
    /// Per ten thousand villages: 2700 is 27%.
    pub share: u32,
}

#[easy_ext::ext(OverviewStore)]
pub impl Db {
    /// Every village in reach (or under `division`) with its books for `year`, judged on `on`.
    async fn overview(
        &self,
        scope: &Scope,
        division: Option<&str>,
        year: i32,
        on: NaiveDate,
    ) -> Result<Overview> {
        let within = xiangzhi_storage::list::within(scope, division)?;
        let from = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| {
            StoreError::invalid(
                "year",
                "年度应在2000到2100年之间",
                "the year is 2000 to 2100",
            )
        })?;
        let to = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(from);
        let mut by: BTreeMap<String, VillageBooks> = self
            .villages_in_reach(&within)
            .await?
            .into_iter()
            .map(|(code, name)| {
                (
                    code.clone(),
                    VillageBooks {
                        division_code: code,
                        name,
                        ..VillageBooks::default()
                    },
                )
            })
            .collect();
        let mut q = Q::with(
            "SELECT t.division_code, t.direction, t.category, CAST(SUM(t.amount) AS BIGINT) \
             FROM fund_entries t WHERE t.entry_on >= ? AND t.entry_on <= ?",
            vec![Arg::Date(from), Arg::Date(to)],
        );
        within.filter(&mut q, &FUND_ENTRIES, "t", "division_code");
        q.push(" GROUP BY t.division_code, t.direction, t.category");
        let sums: Vec<(String, String, String, i64)> = self.all(&q).await?;
        for (code, dir, cat, amount) in sums {
            let Some(b) = by.get_mut(&code) else { continue };
            if dir == "income" && INCOME.iter().any(|(k, _)| *k == cat) {
                b.income += amount;
                if OPERATING.contains(&cat.as_str()) {
                    b.operating_income += amount;
                }
            } else if dir == "expense" {
                b.expense += amount;
            }
        }
        let mut q = Q::new(
            "SELECT t.division_code, CAST(COUNT(*) AS BIGINT), CAST(SUM(t.cost) AS BIGINT), \
             CAST(SUM(CASE WHEN t.state = 'idle' THEN 1 ELSE 0 END) AS BIGINT) \
             FROM collective_assets t WHERE t.state <> 'disposed'",
        );
        within.filter(&mut q, &COLLECTIVE_ASSETS, "t", "division_code");
        q.push(" GROUP BY t.division_code");
        let assets: Vec<(String, i64, i64, i64)> = self.all(&q).await?;
        for (code, n, cost, idle) in assets {
            if let Some(b) = by.get_mut(&code) {
                (b.assets, b.asset_cost, b.idle_assets) = (n, cost, idle);
            }
        }
        let mut q = Q::new(
            "SELECT t.division_code, CAST(COUNT(*) AS BIGINT), CAST(SUM(t.area) AS BIGINT), \
             CAST(SUM(CASE WHEN t.state = 'idle' THEN 1 ELSE 0 END) AS BIGINT) \
             FROM collective_resources t WHERE 1=1",
        );
        within.filter(&mut q, &COLLECTIVE_RESOURCES, "t", "division_code");
        q.push(" GROUP BY t.division_code");
        let resources: Vec<(String, i64, i64, i64)> = self.all(&q).await?;
        for (code, n, area, idle) in resources {
            if let Some(b) = by.get_mut(&code) {
                (b.resources, b.resource_area, b.idle_resources) = (n, area, idle);
            }
        }
        // Rent overdue needs each lease's schedule: the leases are read once, judged here.
        for l in crate::leases::all_leases(self, &within).await? {
            let code = l.division_code.clone();
            let overdue = crate::leases::view(l, on)?.overdue;
            if let Some(b) = by.get_mut(&code) {
                b.leases += 1;
                b.overdue_rent += overdue;
            }
        }
        let mut q = Q::new("SELECT t.division_code, t.state FROM distributions t WHERE 1=1");
        within.filter(&mut q, &DISTRIBUTIONS, "t", "division_code");
        q.push(" ORDER BY t.division_code, t.year, t.id");
        let states: Vec<(String, String)> = self.all(&q).await?;
        for (code, state) in states {
            if let Some(b) = by.get_mut(&code) {
                b.distribution = Some(state);
            }
        }
        let mut strong_n = 0u64;
        for b in by.values_mut() {
            b.strong = strong::is_strong(b.operating_income);
            strong_n += u64::from(b.strong);
        }
        let villages: Vec<VillageBooks> = by.into_values().collect();
        let target = match scope.county_id() {
            Some(c) => self.strong_target(c, year).await?,
            None => None,
        };
        let (share, met) = strong::share(strong_n, villages.len() as u64, target.unwrap_or(0));
        Ok(Overview {
            year,
            strong: strong_n,
            share,
            target,
            target_met: target.map(|_| met),
            villages,
        })
    }

    /// The county's target for its share of strong villages in `year`, if set.
    async fn strong_target(&self, county_id: i64, year: i32) -> Result<Option<u32>> {
        let row: Option<(i64,)> = self
            .optional(&Q::with(
                "SELECT share FROM strong_targets WHERE county_id = ? AND year = ?",
                vec![county_id.into(), i64::from(year).into()],
            ))
            .await?;
        Ok(row.map(|(s,)| s.clamp(0, 10_000) as u32))
    }

    /// Sets the county's target for a year (the county's own accounts only).
    async fn set_strong_target(&self, scope: &Scope, input: &TargetInput) -> Result<u32> {
        let by = scope.acting()?;
        let county = scope
            .county_id()
            .and_then(|c| DivisionCode::parse(&format!("{c}000000")).ok())
            .filter(|c| c.level() == DivisionLevel::County && scope.covers(c.as_str()))
            .ok_or_else(|| {
                StoreError::invalid(
                    "year",
                    "强村占比目标由县里设定",
                    "the county sets the strong-village target",
                )
            })?;
        if !(2000..=2100).contains(&input.year) {
            return Err(StoreError::invalid(
                "year",
                "年度应在2000到2100年之间",
                "the year is 2000 to 2100",
            ));
        }
        if input.share == 0 || input.share > 10_000 {
            return Err(StoreError::invalid(
                "share",
                "目标占比应在0.01%到100%之间",
                "the target is 0.01% to 100%",
            ));
        }
        let county_id = county.county_id().unwrap_or_default();
        let mut tx = self.begin().await?;
        tx.exec(&Q::with(
            "INSERT INTO strong_targets (county_id, year, division_code, share, set_by, set_at) \
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (county_id, year) DO UPDATE SET \
             share = excluded.share, set_by = excluded.set_by, set_at = excluded.set_at",
            vec![
                county_id.into(),
                i64::from(input.year).into(),
                county.as_str().into(),
                i64::from(input.share).into(),
                by.into(),
                now_ms().into(),
            ],
        ))
        .await?;
        tx.audit(
            scope.actor(),
            "set strong-village target",
            format!(
                "county {county_id}, {}: {} per ten thousand",
                input.year, input.share
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(input.share)
    }
}

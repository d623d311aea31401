//! Produce sold for villagers (消费帮扶、农产品销售): each sale with its product, weight in
//! kilograms, amount in fen, buyer and channel, entered by the village or the township; and a
//! year's totals by product, by buyer and by channel in tonnes and yuan (the seed's Ganquan sold
//! 1,408 tonnes worth 6.8 million yuan). Weights are whole kilograms and amounts whole fen; the
//! totals are exact sums, never floats.

use crate::members::text;
use crate::tables::PRODUCE_SALES;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xiangzhi_storage::list::in_reach;
use xiangzhi_storage::list::next_ids;
use xiangzhi_storage::sql::{Arg, Q};
use xiangzhi_storage::{now_ms, Db, Result, Scope, StoreError};

/// Channels a sale goes through.
pub const CHANNELS: [(&str, &str); 5] = [
    ("unit", "机关单位消费帮扶"),
    ("market", "批发市场"),
    ("online", "电商直播"),
    ("enterprise", "企业订单"),
    ("other", "其他"),
];

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct SaleInput {
    pub division_code: String,
    pub sold_on: String,
    pub product: String,
    /// Whole kilograms.
    pub kilograms: i64,
    /// In fen.
    pub amount: i64,
    pub buyer: String,
    /// `unit`, `market`, `online`, `enterprise` or `other`.
    pub channel: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Sale {
    pub county_id: i64,
    pub id: i64,
    pub division_code: String,
    pub sold_on: NaiveDate,
    pub product: String,
    pub kilograms: i64,
    pub amount: i64,
    pub buyer: String,
    pub channel: String,
}

/// One group's sums.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SaleSum {
    pub key: String,
    pub kilograms: i64,
    /// In fen.
    pub amount: i64,
    pub sales: i64,
}

/// A year's sales in reach, summed three ways.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SalesYear {
    pub year: i32,
    pub kilograms: i64,
    pub amount: i64,
    pub by_product: Vec<SaleSum>,
    pub by_buyer: Vec<SaleSum>,
    pub by_channel: Vec<SaleSum>,
}

const COLS: &str = "t.county_id, t.id, t.division_code, t.sold_on, t.product, t.kilograms, \
    t.amount, t.buyer, t.channel";

#[easy_ext::ext(SaleStore)]
pub impl Db {
    /// Records a sale of a village's produce (a village in reach).
    async fn record_sale(&self, scope: &Scope, input: &SaleInput) -> Result<Sale> {
        let by = scope.acting()?;
        let village = crate::members::village(scope, &input.division_code)?;
        let county_id = village.county_id().unwrap_or_default();
        let product = text("product", &input.product, 40, true)?;
        let buyer = text("buyer", &input.buyer, 100, true)?;
        if !CHANNELS.iter().any(|(k, _)| *k == input.channel) {
            return Err(StoreError::invalid(
                "channel",
                "请选择销售渠道",
                "choose the channel",
            ));
        }
        // A hundred thousand tonnes and ten billion yuan at most: no single sale is larger.
        if !(1..=100_000_000).contains(&input.kilograms) {
            return Err(StoreError::invalid(
                "kilograms",
                "重量以千克计，应大于0",
                "the weight in kilograms, more than nothing",
            ));
        }
        if !(1..=1_000_000_000_000).contains(&input.amount) {
            return Err(StoreError::invalid(
                "amount",
                "金额应大于0",
                "the amount is more than nothing",
            ));
        }
        let on = crate::members::date("sold_on", &input.sold_on)?;
        if on > xiangzhi_domain::china_today() {
            return Err(StoreError::invalid(
                "sold_on",
                "销售日期不能晚于今天",
                "the sale cannot be after today",
            ));
        }
        let mut tx = self.begin().await?;
        let id = next_ids(&mut tx, county_id, "produce_sale", 1).await?;
        let s: Sale = tx
            .one(&Q::with(
                &format!(
                    "INSERT INTO produce_sales (county_id, id, division_code, sold_on, product, kilograms, amount, \
                     buyer, channel, recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {}",
                    COLS.replace("t.", "")
                ),
                vec![
                    county_id.into(),
                    id.into(),
                    village.as_str().into(),
                    Arg::Date(on),
                    product.into(),
                    input.kilograms.into(),
                    input.amount.into(),
                    buyer.into(),
                    input.channel.clone().into(),
                    by.into(),
                    now_ms().into(),
                ],
            ))
            .await?;
        tx.audit(
            scope.actor(),
            "record sale",
            format!(
                "sale {county_id}:{id}: {} kg, {} fen",
                input.kilograms, input.amount
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(s)
    }

    /// The sales in reach (and `division`, with `words` in the product or buyer), latest first.
    async fn sales(
        &self,
        scope: &Scope,
        division: Option<&str>,
        words: Option<&str>,
    ) -> Result<Vec<Sale>> {
        let mut q = in_reach(
            scope,
            division,
            &PRODUCE_SALES,
            COLS,
            &["t.product", "t.buyer"],
            words,
            &[],
        )?;
        q.push(" ORDER BY t.sold_on DESC, t.id DESC LIMIT 5000");
        self.all(&q).await
    }

    /// A year's sales in reach (and under `division`), by product, buyer and channel.
    async fn sales_year(
        &self,
        scope: &Scope,
        division: Option<&str>,
        year: i32,
    ) -> Result<SalesYear> {
        let scope = xiangzhi_storage::list::within(scope, division)?;
        let (from, to) = crate::funds::period(Some(year), None)?;
        let mut sums = Vec::new();
        for column in ["product", "buyer", "channel"] {
            let mut q = Q::with(
                &format!(
                    "SELECT t.{column}, CAST(SUM(t.kilograms) AS BIGINT), CAST(SUM(t.amount) AS BIGINT), \
                     CAST(COUNT(*) AS BIGINT) FROM produce_sales t WHERE t.sold_on >= ? AND t.sold_on <= ?"
                ),
                vec![Arg::Date(from), Arg::Date(to)],
            );
            scope.filter(&mut q, &PRODUCE_SALES, "t", "division_code");
            q.push(&format!(" GROUP BY t.{column}"));
            let rows: Vec<(String, i64, i64, i64)> = self.all(&q).await?;
            let mut list: Vec<SaleSum> = rows
                .into_iter()
                .map(|(key, kilograms, amount, sales)| SaleSum {
                    key,
                    kilograms,
                    amount,
                    sales,
                })
                .collect();
            list.sort_by(|a, b| b.amount.cmp(&a.amount).then(a.key.cmp(&b.key)));
            sums.push(list);
        }
        let by_channel = sums.pop().unwrap_or_default();
        let by_buyer = sums.pop().unwrap_or_default();
        let by_product = sums.pop().unwrap_or_default();
        Ok(SalesYear {
            year,
            kilograms: by_product.iter().map(|s| s.kilograms).sum(),
            amount: by_product.iter().map(|s| s.amount).sum(),
            by_product,
            by_buyer,
            by_channel,
        })
    }
}

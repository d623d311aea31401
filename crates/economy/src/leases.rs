//! 发包租赁: leases of the collective's land, forest, water and property, and the rent received.
//! A lease keeps its area, price, term and instalments; its schedule, what is due and what is
//! overdue on a day come from the rules ([`crate::rules::rent`]). Rent received is appended and
//! the lease's running total moves with it by one statement that also refuses more than the
//! whole term's rent, however many clerks race.

use crate::members::text;
use crate::rules::rent::{self, Due};
use crate::tables::{LEASES, LEASE_RECEIPTS};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xiangzhi_storage::list::in_reach;
use xiangzhi_storage::list::next_ids;
use xiangzhi_storage::sql::{Arg, Q};
use xiangzhi_storage::{now_ms, Db, Result, Scope, StoreError};

/// What is leased.
pub const KINDS: [(&str, &str); 4] = [
    ("land", "耕地"),
    ("forest", "林地"),
    ("water", "水面"),
    ("property", "房屋设施"),
];

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct LeaseInput {
    /// The village (12 digits).
    pub division_code: String,
    /// What is leased, in words (`东坡耕地`).
    pub resource: String,
    /// `land`, `forest`, `water` or `property`.
    pub kind: String,
    /// In hundredths of a mu: 1250 is 12.5 mu.
    pub area: i64,
    /// Fen per mu per year: 80000 is 800 yuan.
    pub price: i64,
    pub lessee: String,
    /// `2026-03-01`.
    pub start_on: String,
    pub years: u32,
    /// 1, 2, 4 or 12 instalments a year.
    pub per_year: u32,
}

/// A lease as stored.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Lease {
    pub county_id: i64,
    pub id: i64,
    pub division_code: String,
    pub resource: String,
    pub kind: String,
    pub area: i64,
    pub price: i64,
    pub lessee: String,
    pub start_on: NaiveDate,
    pub years: i64,
    pub per_year: i64,
    /// Rent received so far, in fen.
    pub received: i64,
}

/// One payment of the schedule.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DueView {
    pub on: NaiveDate,
    pub amount: i64,
}

/// A lease with its schedule and where it stands on a day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LeaseView {
    pub lease: Lease,
    /// A year's rent in fen.
    pub annual: i64,
    /// The whole term's rent.
    pub total: i64,
    pub schedule: Vec<DueView>,
    /// Due on or before the day.
    pub due: i64,
    /// Due and not received.
    pub overdue: i64,
    /// The day it was judged on.
    pub on: NaiveDate,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct ReceiptInput {
    /// In fen.
    pub amount: i64,
    pub received_on: String,
    pub voucher: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Receipt {
    pub county_id: i64,
    pub id: i64,
    pub lease_id: i64,
    pub amount: i64,
    pub received_on: NaiveDate,
    pub voucher: String,
}

const LEASE_COLS: &str =
    "t.county_id, t.id, t.division_code, t.resource, t.kind, t.area, t.price, t.lessee, \
    t.start_on, t.years, t.per_year, t.received";

fn schedule_of(l: &Lease) -> Result<Vec<Due>> {
    rent::schedule(
        l.start_on,
        l.years as u32,
        l.per_year as u32,
        l.area as u64,
        l.price,
    )
    .map_err(|e| StoreError::invalid(e.field, e.zh, e.en))
}

/// A lease judged on `on`.
pub fn view(lease: Lease, on: NaiveDate) -> Result<LeaseView> {
    let s = schedule_of(&lease)?;
    let annual = rent::annual(lease.area as u64, lease.price)
        .map_err(|e| StoreError::invalid(e.field, e.zh, e.en))?;
    let total = s.iter().map(|d| d.amount).sum();
    let due = s.iter().filter(|d| d.on <= on).map(|d| d.amount).sum();
    let overdue = rent::overdue(&s, lease.received, on);
    Ok(LeaseView {
        annual,
        total,
        schedule: s
            .into_iter()
            .map(|d| DueView {
                on: d.on,
                amount: d.amount,
            })
            .collect(),
        due,
        overdue,
        on,
        lease,
    })
}

/// Every lease in `scope`, for the figures that sum over them all.
pub(crate) async fn all_leases(db: &Db, scope: &Scope) -> Result<Vec<Lease>> {
    let mut q = Q::new(&format!("SELECT {LEASE_COLS} FROM leases t WHERE 1=1"));
    scope.filter(&mut q, &LEASES, "t", "division_code");
    q.push(" ORDER BY t.division_code, t.id");
    db.all(&q).await
}

#[easy_ext::ext(LeaseStore)]
pub impl Db {
    /// Records a lease of a village in reach.
    async fn create_lease(&self, scope: &Scope, input: &LeaseInput) -> Result<LeaseView> {
        let by = scope.acting()?;
        let village = crate::members::village(scope, &input.division_code)?;
        let county_id = village.county_id().unwrap_or_default();
        let resource = text("resource", &input.resource, 100, true)?;
        let lessee = text("lessee", &input.lessee, 100, true)?;
        if !KINDS.iter().any(|(k, _)| *k == input.kind) {
            return Err(StoreError::invalid(
                "kind",
                "请选择资源类别：耕地、林地、水面或房屋设施",
                "land, forest, water or property",
            ));
        }
        if input.area <= 0 || input.area > 100_000_000 {
            return Err(StoreError::invalid(
                "area",
                "面积应大于0（以百分之一亩为单位）",
                "the area is more than nothing, in hundredths of a mu",
            ));
        }
        if input.price < 0 || input.price > 100_000_000 {
            return Err(StoreError::invalid(
                "price",
                "租金单价应在0到100万元/亩·年之间（以分为单位）",
                "the price per mu per year is 0 to 1,000,000 yuan, in fen",
            ));
        }
        let start = crate::members::date("start_on", &input.start_on)?;
        let lease = Lease {
            county_id,
            id: 0,
            division_code: village.as_str().to_string(),
            resource,
            kind: input.kind.clone(),
            area: input.area,
            price: input.price,
            lessee,
            start_on: start,
            years: i64::from(input.years),
            per_year: i64::from(input.per_year),
            received: 0,
        };
        // The schedule's rules check the term and the instalments.
        schedule_of(&lease)?;
        let mut tx = self.begin().await?;
        let id = next_ids(&mut tx, county_id, "lease", 1).await?;
        tx.exec(&Q::with(
            "INSERT INTO leases (county_id, id, division_code, resource, kind, area, price, lessee, start_on, years, \
             per_year, received, recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
            vec![
                county_id.into(),
                id.into(),
                lease.division_code.clone().into(),
                lease.resource.clone().into(),
                lease.kind.clone().into(),
                lease.area.into(),
                lease.price.into(),
                lease.lessee.clone().into(),
                Arg::Date(start),
                lease.years.into(),
                lease.per_year.into(),
                by.into(),
                now_ms().into(),
            ],
        ))
        .await?;
        tx.audit(
            scope.actor(),
            "create lease",
            format!("lease {county_id}:{id}: {} fen a mu", lease.price),
        )
        .await?;
        tx.commit().await?;
        self.lease(scope, county_id, id, xiangzhi_domain::china_today())
            .await
    }

    /// A lease in reach, judged on `on`.
    async fn lease(
        &self,
        scope: &Scope,
        county_id: i64,
        id: i64,
        on: NaiveDate,
    ) -> Result<LeaseView> {
        let mut q = Q::with(
            &format!("SELECT {LEASE_COLS} FROM leases t WHERE t.county_id = ? AND t.id = ?"),
            vec![county_id.into(), id.into()],
        );
        scope.filter(&mut q, &LEASES, "t", "division_code");
        let lease: Lease = self.optional(&q).await?.ok_or(StoreError::NotFound)?;
        view(lease, on)
    }

    /// The leases in reach (and `division`, and with `words` in the resource or the lessee).
    async fn leases(
        &self,
        scope: &Scope,
        division: Option<&str>,
        words: Option<&str>,
    ) -> Result<Vec<Lease>> {
        let mut q = in_reach(
            scope,
            division,
            &LEASES,
            LEASE_COLS,
            &["t.resource", "t.lessee"],
            words,
            &[],
        )?;
        q.push(" ORDER BY t.division_code, t.id LIMIT 5000");
        self.all(&q).await
    }

    /// The leases in reach with rent overdue on `on`, most overdue first.
    async fn overdue_leases(
        &self,
        scope: &Scope,
        division: Option<&str>,
        words: Option<&str>,
        on: NaiveDate,
    ) -> Result<Vec<LeaseView>> {
        let mut out = Vec::new();
        for l in self.leases(scope, division, words).await? {
            let v = view(l, on)?;
            if v.overdue > 0 {
                out.push(v);
            }
        }
        out.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(a.lease.id.cmp(&b.lease.id)));
        Ok(out)
    }

    /// Records rent received; never more than the whole term's rent.
    async fn receive_rent(
        &self,
        scope: &Scope,
        county_id: i64,
        id: i64,
        input: &ReceiptInput,
    ) -> Result<Receipt> {
        let by = scope.acting()?;
        let v = self
            .lease(scope, county_id, id, xiangzhi_domain::china_today())
            .await?;
        if input.amount <= 0 {
            return Err(StoreError::invalid(
                "amount",
                "收款金额应大于0（以分为单位）",
                "the amount is more than nothing, in fen",
            ));
        }
        let voucher = text("voucher", &input.voucher, 50, true)?;
        let on = crate::members::date("received_on", &input.received_on)?;
        let mut tx = self.begin().await?;
        let moved = tx
            .exec(&Q::with(
                "UPDATE leases SET received = received + ? WHERE county_id = ? AND id = ? AND received + ? <= ?",
                vec![
                    input.amount.into(),
                    county_id.into(),
                    id.into(),
                    input.amount.into(),
                    v.total.into(),
                ],
            ))
            .await?;
        if moved != 1 {
            return Err(StoreError::conflict(
                "amount",
                "收款超出整个租期的租金",
                "more than the whole term's rent",
            ));
        }
        let rid = next_ids(&mut tx, county_id, "lease_receipt", 1).await?;
        let r: Receipt = tx
            .one(&Q::with(
                "INSERT INTO lease_receipts (county_id, id, lease_id, division_code, amount, received_on, voucher, \
                 recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
                 RETURNING county_id, id, lease_id, amount, received_on, voucher",
                vec![
                    county_id.into(),
                    rid.into(),
                    id.into(),
                    v.lease.division_code.clone().into(),
                    input.amount.into(),
                    Arg::Date(on),
                    voucher.into(),
                    by.into(),
                    now_ms().into(),
                ],
            ))
            .await?;
        tx.audit(
            scope.actor(),
            "receive rent",
            format!("lease {county_id}:{id}: {} fen", input.amount),
        )
        .await?;
        tx.commit().await?;
        Ok(r)
    }

    /// A lease's receipts, oldest first.
    async fn lease_receipts(&self, scope: &Scope, county_id: i64, id: i64) -> Result<Vec<Receipt>> {
        let mut q = Q::with(
            "SELECT t.county_id, t.id, t.lease_id, t.amount, t.received_on, t.voucher FROM lease_receipts t \
             WHERE t.county_id = ? AND t.lease_id = ?",
            vec![county_id.into(), id.into()],
        );
        scope.filter(&mut q, &LEASE_RECEIPTS, "t", "division_code");
        q.push(" ORDER BY t.received_on, t.id");
        self.all(&q).await
    }
}

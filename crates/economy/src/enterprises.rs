//! The companies and cooperatives a village's branch founds ("党支部+公司+农户",
//! "党支部+合作社+农户"): each with its business and unified social credit code, the households
//! that are its members with their shares (hundredths), and each year's figures — revenue,
//! profit, and what went to the collective and to the member households, in fen. A year is
//! reported once (a second report of the same year is a conflict, never an overwrite); what goes
//! out cannot exceed the profit.

use crate::members::text;
use crate::tables::{ENTERPRISES, ENTERPRISE_MEMBERS, ENTERPRISE_YEARS};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xiangzhi_registry::tables::HOUSEHOLDS;
use xiangzhi_storage::list::in_reach;
use xiangzhi_storage::list::next_ids;
use xiangzhi_storage::sql::{Arg, Q};
use xiangzhi_storage::{now_ms, Db, Result, Scope, StoreError};

/// Kinds of enterprise.
pub const KINDS: [(&str, &str); 2] = [("company", "公司"), ("cooperative", "专业合作社")];

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct EnterpriseInput {
    pub division_code: String,
    pub name: String,
    /// `company` or `cooperative`.
    pub kind: String,
    /// What it does (`蔬菜种植与销售`).
    pub business: String,
    /// The unified social credit code (18 characters), once registered.
    #[serde(default)]
    pub credit_code: String,
    pub founded_on: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Enterprise {
    pub county_id: i64,
    pub id: i64,
    pub division_code: String,
    pub name: String,
    pub kind: String,
    pub business: String,
    pub credit_code: String,
    pub founded_on: NaiveDate,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct EnterpriseMemberInput {
    pub household_id: i64,
    /// In hundredths of a share.
    pub shares: i64,
    pub joined_on: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct EnterpriseMember {
    pub household_id: i64,
    pub shares: i64,
    pub joined_on: NaiveDate,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct YearInput {
    pub year: i32,
    /// In fen.
    pub revenue: i64,
    /// In fen; negative for a loss.
    pub profit: i64,
    /// Paid to the village collective, in fen.
    pub to_collective: i64,
    /// Paid to the member households, in fen.
    pub to_members: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct EnterpriseYear {
    pub year: i64,
    pub revenue: i64,
    pub profit: i64,
    pub to_collective: i64,
    pub to_members: i64,
}

/// An enterprise with its members and years.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnterpriseView {
    pub enterprise: Enterprise,
    pub members: Vec<EnterpriseMember>,
    pub years: Vec<EnterpriseYear>,
}

const COLS: &str = "t.county_id, t.id, t.division_code, t.name, t.kind, t.business, \
    t.credit_code, t.founded_on";

/// A duplicate row as a conflict in words; any other failure as it is.
fn conflict_or(e: StoreError, field: &str, zh: &str, en: &str) -> StoreError {
    let e = match e {
        StoreError::Db(d) => StoreError::from_db(d),
        e => e,
    };
    match e {
        StoreError::Conflict(_) => StoreError::conflict(field, zh, en),
        e => e,
    }
}

#[easy_ext::ext(EnterpriseStore)]
pub impl Db {
    /// Records a company or cooperative of a village in reach.
    async fn found_enterprise(
        &self,
        scope: &Scope,
        input: &EnterpriseInput,
    ) -> Result<EnterpriseView> {
        let by = scope.acting()?;
        let village = crate::members::village(scope, &input.division_code)?;
        let county_id = village.county_id().unwrap_or_default();
        let name = text("name", &input.name, 100, true)?;
        let business = text("business", &input.business, 200, true)?;
        let credit = input.credit_code.trim().to_ascii_uppercase();
        if !credit.is_empty()
            && (credit.len() != 18 || !credit.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            return Err(StoreError::invalid(
                "credit_code",
                "统一社会信用代码为18位数字或字母",
                "the unified social credit code is 18 letters or digits",
            ));
        }
        if !KINDS.iter().any(|(k, _)| *k == input.kind) {
            return Err(StoreError::invalid(
                "kind",
                "请选择公司或专业合作社",
                "a company or a cooperative",
            ));
        }
        let founded = crate::members::date("founded_on", &input.founded_on)?;
        let mut tx = self.begin().await?;
        let id = next_ids(&mut tx, county_id, "enterprise", 1).await?;
        tx.exec(&Q::with(
            "INSERT INTO enterprises (county_id, id, division_code, name, kind, business, credit_code, \
             founded_on, recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                county_id.into(),
                id.into(),
                village.as_str().into(),
                name.into(),
                input.kind.clone().into(),
                business.into(),
                credit.into(),
                Arg::Date(founded),
                by.into(),
                now_ms().into(),
            ],
        ))
        .await?;
        tx.audit(
            scope.actor(),
            "found enterprise",
            format!("enterprise {county_id}:{id} of {}", village.as_str()),
        )
        .await?;
        tx.commit().await?;
        self.enterprise(scope, county_id, id).await
    }

    /// An enterprise in reach with its members and years.
    async fn enterprise(&self, scope: &Scope, county_id: i64, id: i64) -> Result<EnterpriseView> {
        let mut q = Q::with(
            &format!("SELECT {COLS} FROM enterprises t WHERE t.county_id = ? AND t.id = ?"),
            vec![county_id.into(), id.into()],
        );
        scope.filter(&mut q, &ENTERPRISES, "t", "division_code");
        let enterprise: Enterprise = self.optional(&q).await?.ok_or(StoreError::NotFound)?;
        let mut q = Q::with(
            "SELECT t.household_id, t.shares, t.joined_on FROM enterprise_members t \
             WHERE t.county_id = ? AND t.enterprise_id = ?",
            vec![county_id.into(), id.into()],
        );
        scope.filter(&mut q, &ENTERPRISE_MEMBERS, "t", "division_code");
        q.push(" ORDER BY t.household_id");
        let members = self.all(&q).await?;
        let mut q = Q::with(
            "SELECT t.year, t.revenue, t.profit, t.to_collective, t.to_members FROM enterprise_years t \
             WHERE t.county_id = ? AND t.enterprise_id = ?",
            vec![county_id.into(), id.into()],
        );
        scope.filter(&mut q, &ENTERPRISE_YEARS, "t", "division_code");
        q.push(" ORDER BY t.year DESC");
        let years = self.all(&q).await?;
        Ok(EnterpriseView {
            enterprise,
            members,
            years,
        })
    }

    /// The enterprises in reach (and `division`, with `words` in the name or business).
    async fn enterprises(
        &self,
        scope: &Scope,
        division: Option<&str>,
        words: Option<&str>,
    ) -> Result<Vec<Enterprise>> {
        let mut q = in_reach(
            scope,
            division,
            &ENTERPRISES,
            COLS,
            &["t.name", "t.business"],
            words,
            &[],
        )?;
        q.push(" ORDER BY t.division_code, t.id LIMIT 5000");
        self.all(&q).await
    }

    /// A household of the enterprise's village joins it (once).
    async fn join_enterprise(
        &self,
        scope: &Scope,
        county_id: i64,
        id: i64,
        input: &EnterpriseMemberInput,
    ) -> Result<EnterpriseView> {
        let by = scope.acting()?;
        let e = self.enterprise(scope, county_id, id).await?.enterprise;
        let mut q = Q::with(
            "SELECT t.division_code FROM households t WHERE t.county_id = ? AND t.id = ?",
            vec![county_id.into(), input.household_id.into()],
        );
        scope.filter(&mut q, &HOUSEHOLDS, "t", "division_code");
        let found: Option<(String,)> = self.optional(&q).await?;
        if !found.is_some_and(|(d,)| d.starts_with(&e.division_code)) {
            return Err(StoreError::invalid(
                "household_id",
                "只有本村的农户才能入股",
                "only a household of the village may join",
            ));
        }
        if !(0..=100_000_000).contains(&input.shares) {
            return Err(StoreError::invalid(
                "shares",
                "股份数不能为负数",
                "shares cannot be negative",
            ));
        }
        let joined = crate::members::date("joined_on", &input.joined_on)?;
        let mut tx = self.begin().await?;
        tx.exec(&Q::with(
            "INSERT INTO enterprise_members (county_id, enterprise_id, household_id, division_code, shares, \
             joined_on, recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                county_id.into(),
                id.into(),
                input.household_id.into(),
                e.division_code.clone().into(),
                input.shares.into(),
                Arg::Date(joined),
                by.into(),
                now_ms().into(),
            ],
        ))
        .await
        .map_err(|err| {
            conflict_or(
                err,
                "household_id",
                "这一户已是成员",
                "the household is a member already",
            )
        })?;
        tx.audit(
            scope.actor(),
            "join enterprise",
            format!(
                "household {county_id}:{} joins enterprise {county_id}:{id}",
                input.household_id
            ),
        )
        .await?;
        tx.commit().await?;
        self.enterprise(scope, county_id, id).await
    }

    /// An enterprise's figures for a year, reported once.
    async fn report_year(
        &self,
        scope: &Scope,
        county_id: i64,
        id: i64,
        input: &YearInput,
    ) -> Result<EnterpriseView> {
        let by = scope.acting()?;
        let e = self.enterprise(scope, county_id, id).await?.enterprise;
        if !(2000..=2100).contains(&input.year) {
            return Err(StoreError::invalid(
                "year",
                "年度应在2000到2100年之间",
                "the year is 2000 to 2100",
            ));
        }
        let most = 1_000_000_000_000i64;
        for (field, v) in [
            ("revenue", input.revenue),
            ("to_collective", input.to_collective),
            ("to_members", input.to_members),
        ] {
            if !(0..=most).contains(&v) {
                return Err(StoreError::invalid(
                    field,
                    "金额不能为负数，也不能过大",
                    "an amount is neither negative nor too large",
                ));
            }
        }
        if !(-most..=most).contains(&input.profit) {
            return Err(StoreError::invalid(
                "profit",
                "利润金额过大",
                "the profit is too large",
            ));
        }
        if input.to_collective + input.to_members > input.profit.max(0) {
            return Err(StoreError::invalid(
                "to_members",
                "分给集体和成员的合计不能超过利润",
                "what goes to the collective and the members cannot exceed the profit",
            ));
        }
        let mut tx = self.begin().await?;
        tx.exec(&Q::with(
            "INSERT INTO enterprise_years (county_id, enterprise_id, year, division_code, revenue, profit, \
             to_collective, to_members, recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                county_id.into(),
                id.into(),
                i64::from(input.year).into(),
                e.division_code.clone().into(),
                input.revenue.into(),
                input.profit.into(),
                input.to_collective.into(),
                input.to_members.into(),
                by.into(),
                now_ms().into(),
            ],
        ))
        .await
        .map_err(|err| {
            conflict_or(
                err,
                "year",
                "这一年的经营情况已经报过",
                "this year is reported already",
            )
        })?;
        tx.audit(
            scope.actor(),
            "report enterprise year",
            format!(
                "enterprise {county_id}:{id}, {}: revenue {} fen",
                input.year, input.revenue
            ),
        )
        .await?;
        tx.commit().await?;
        self.enterprise(scope, county_id, id).await
    }
}

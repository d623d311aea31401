//! Year-end plans drafted together: a township's (or the county's) economic management station
//! drafts every village's income distribution at once, each village with its own distributable
//! income and the same classes. The households of every village are read in the same four
//! grouped reads a single draft uses, every plan is split by the same rules, and all are written
//! in one transaction with one audit entry — all or nothing: a village that cannot be split
//! (a class nobody holds shares in) refuses the whole batch, named.

use crate::distributions::{
    bad, checked, outcome_of, shares_under, write_draft, write_lines, ClassInput, DistributionInput,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xiangzhi_domain::DivisionCode;
use xiangzhi_storage::list::next_ids;
use xiangzhi_storage::{Db, Result, Scope, StoreError};

/// One village's income for the year.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct VillageIncome {
    /// The village (12 digits).
    pub division_code: String,
    /// Its distributable income in fen.
    pub distributable: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct BatchInput {
    pub year: i32,
    pub title: String,
    /// The provident and welfare fund, per ten thousand.
    pub reserve: u32,
    pub classes: Vec<ClassInput>,
    /// Every village's income; at most 2,000 villages.
    pub villages: Vec<VillageIncome>,
}

/// A plan drafted in the batch.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Drafted {
    pub division_code: String,
    pub county_id: i64,
    pub id: i64,
    pub households: usize,
    pub lines: usize,
    /// Paid out to households, in fen.
    pub to_households: i64,
}

#[easy_ext::ext(BatchStore)]
pub impl Db {
    /// Drafts every listed village's plan in one transaction.
    async fn draft_distributions(&self, scope: &Scope, input: &BatchInput) -> Result<Vec<Drafted>> {
        let by = scope.acting()?;
        if input.villages.is_empty() || input.villages.len() > 2_000 {
            return Err(StoreError::invalid(
                "villages",
                "请列出1到2000个村及其可分配收益",
                "list 1 to 2,000 villages with their distributable income",
            ));
        }
        let mut plans = Vec::with_capacity(input.villages.len());
        for (k, v) in input.villages.iter().enumerate() {
            let plan = DistributionInput {
                division_code: v.division_code.clone(),
                year: input.year,
                title: input.title.clone(),
                distributable: v.distributable,
                reserve: input.reserve,
                classes: input.classes.clone(),
            };
            let (village, title) = checked(scope, &plan).map_err(|e| at(k, &v.division_code, e))?;
            plans.push((village, title, plan));
        }
        let mut seen: Vec<&str> = plans.iter().map(|p| p.0.as_str()).collect();
        seen.sort_unstable();
        if let Some(w) = seen.windows(2).find(|w| w[0] == w[1]) {
            return Err(StoreError::invalid(
                "villages",
                format!("村{}列了两次", w[0]),
                format!("the village {} is listed twice", w[0]),
            ));
        }
        let county_id = plans[0].0.county_id().unwrap_or_default();
        if plans
            .iter()
            .any(|p| p.0.county_id().unwrap_or_default() != county_id)
        {
            return Err(StoreError::invalid(
                "villages",
                "一次只能为一个县的村拟定方案",
                "one county's villages at a time",
            ));
        }
        // One read for the smallest division holding every listed village.
        let prefix = common_prefix(&plans.iter().map(|p| p.0.clone()).collect::<Vec<_>>());
        let started = std::time::Instant::now();
        let mut shares = shares_under(self, county_id, &prefix).await?;
        let read = started.elapsed();
        let mut outcomes = Vec::with_capacity(plans.len());
        for (k, (village, title, plan)) in plans.into_iter().enumerate() {
            let rows = shares.remove(village.as_str()).unwrap_or_default();
            let outcome = outcome_of(&plan, &rows).map_err(|e| at(k, village.as_str(), bad(e)))?;
            outcomes.push((village, title, plan, outcome));
        }
        let split = started.elapsed() - read;
        let mut tx = self.begin().await?;
        let first = next_ids(&mut tx, county_id, "distribution", outcomes.len() as i64).await?;
        let mut out = Vec::with_capacity(outcomes.len());
        let mut lines = 0;
        let mut line_rows = Vec::new();
        for (k, (village, title, plan, outcome)) in outcomes.into_iter().enumerate() {
            let households = outcome.households.len();
            let to_households = outcome.paid_out();
            let id = first + k as i64;
            let v = write_draft(
                &mut tx,
                county_id,
                id,
                village.as_str(),
                &plan,
                &title,
                outcome,
                by,
                &mut line_rows,
            )
            .await?;
            lines += v.lines.len();
            out.push(Drafted {
                division_code: village.as_str().to_string(),
                county_id,
                id,
                households,
                lines: v.lines.len(),
                to_households,
            });
        }
        // Every village's lines in one write (on PostgreSQL one `COPY` of them all).
        write_lines(&mut tx, line_rows).await?;
        tx.audit(
            scope.actor(),
            "draft distributions",
            format!(
                "{} villages under {prefix}, distributions {county_id}:{first}…{}, {lines} lines",
                out.len(),
                first + out.len() as i64 - 1
            ),
        )
        .await?;
        let written = started.elapsed() - read - split;
        tx.commit().await?;
        // The phases apart, for the benchmark (`RUST_LOG=xiangzhi_economy=debug`).
        tracing::debug!(
            villages = out.len(),
            lines,
            read_ms = read.as_millis() as u64,
            split_ms = split.as_millis() as u64,
            write_ms = written.as_millis() as u64,
            commit_ms = (started.elapsed() - read - split - written).as_millis() as u64,
            "distributions drafted"
        );
        Ok(out)
    }
}

/// An error of the `k`th village, naming it.
fn at(k: usize, village: &str, e: StoreError) -> StoreError {
    match e {
        StoreError::Invalid(errors) => StoreError::Invalid(
            errors
                .into_iter()
                .map(|mut f| {
                    f.field = format!("villages[{k}].{}", f.field);
                    f.zh = format!("村{village}：{}", f.zh);
                    f.en = format!("village {village}: {}", f.en);
                    f
                })
                .collect(),
        ),
        e => e,
    }
}

/// The longest division code prefix (by the code's levels) the villages share.
fn common_prefix(villages: &[DivisionCode]) -> String {
    let first = villages[0].as_str();
    // County (6), township (9), village (12).
    for len in [12, 9, 6] {
        let p = &first[..len];
        if villages.iter().all(|v| v.as_str().starts_with(p)) {
            return p.to_string();
        }
    }
    first[..6].to_string()
}

//! A Citus cluster (sharded PostgreSQL): the catalogue's county-owned tables distributed by
//! `county_id`, all in one co-location group, so a county's rows of every table lie on one
//! worker and a single-county query or join runs there as one task; the shared tables
//! (reference data and the system's own) copied to every node as reference tables.
//!
//! [`Db::distribute`] runs after the migrations, from the one list of tables, and only does what
//! is not done yet: a table already distributed is left as it is, so `xiangzhi migrate` may run
//! again after an upgrade adds tables.

use crate::db::Backend;
use crate::tables::{Owner, Table};
use crate::{Db, Result, StoreError};
use std::collections::{BTreeMap, BTreeSet};

/// What [`Db::distribute`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Distribution {
    /// Tables distributed by `county_id` now.
    pub by_county: Vec<&'static str>,
    /// Tables made reference tables now.
    pub reference: Vec<&'static str>,
    /// Tables that were distributed already.
    pub already: usize,
}

impl Db {
    /// Whether this is a Citus coordinator (PostgreSQL with the `citus` extension).
    pub async fn is_citus(&self) -> Result<bool> {
        let Backend::Postgres(p) = &self.inner else {
            return Ok(false);
        };
        let found: Option<(i32,)> =
            sqlx::query_as("SELECT 1 FROM pg_extension WHERE extname = 'citus'")
                .fetch_optional(p)
                .await?;
        Ok(found.is_some())
    }

    /// Distributes every table of `tables` not yet known to Citus: the county-owned ones by
    /// `county_id`, co-located with each other; the rest as reference tables. A table goes after
    /// the tables its foreign keys name. Does nothing on a database without Citus.
    pub async fn distribute(&self, tables: &[&'static Table]) -> Result<Distribution> {
        let mut done = Distribution::default();
        let Backend::Postgres(p) = &self.inner else {
            return Ok(done);
        };
        if !self.is_citus().await? {
            return Ok(done);
        }
        let known: BTreeSet<String> = sqlx::query_as::<_, (String,)>(
            "SELECT logicalrelid::regclass::text FROM pg_dist_partition",
        )
        .fetch_all(p)
        .await?
        .into_iter()
        .map(|(n,)| n)
        .collect();
        // Which of our tables each table's foreign keys name.
        let edges: Vec<(String, String)> = sqlx::query_as(
            "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c \
             WHERE c.contype = 'f' AND c.conrelid <> c.confrelid",
        )
        .fetch_all(p)
        .await?;
        let mut needs: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        for (from, to) in &edges {
            if let Some(t) = tables.iter().find(|t| t.name == from) {
                needs.entry(t.name).or_default().insert(to.clone());
            }
        }
        // The co-location group's first table: one already distributed by county, if any.
        let mut anchor: Option<String> = sqlx::query_as::<_, (String,)>(
            "SELECT logicalrelid::regclass::text FROM pg_dist_partition WHERE partmethod = 'h' \
             ORDER BY logicalrelid::regclass::text LIMIT 1",
        )
        .fetch_optional(p)
        .await?
        .map(|(n,)| n);
        let mut placed: BTreeSet<String> = known.clone();
        let mut left: Vec<&'static Table> = Vec::new();
        for t in tables {
            if known.contains(t.name) {
                done.already += 1;
            } else {
                left.push(t);
            }
        }
        // Reference tables first (a county table may name one, never the other way), then the
        // county tables, each after what it names.
        left.sort_by_key(|t| (t.owner == Owner::County, t.name));
        while !left.is_empty() {
            let ready = left.iter().position(|t| {
                needs
                    .get(t.name)
                    .is_none_or(|n| n.iter().all(|d| placed.contains(d) || d == t.name))
            });
            let Some(i) = ready else {
                let names: Vec<&str> = left.iter().map(|t| t.name).collect();
                return Err(StoreError::invalid(
                    "tables",
                    format!("外键成环，无法分布：{}", names.join("、")),
                    format!(
                        "foreign keys form a cycle; cannot distribute {}",
                        names.join(", ")
                    ),
                ));
            };
            let t = left.remove(i);
            match t.owner {
                Owner::County => {
                    let colocate = anchor.clone().unwrap_or_else(|| "default".into());
                    sqlx::query(
                        "SELECT create_distributed_table($1, 'county_id', colocate_with => $2)",
                    )
                    .bind(t.name)
                    .bind(&colocate)
                    .execute(p)
                    .await?;
                    anchor.get_or_insert_with(|| t.name.to_string());
                    done.by_county.push(t.name);
                }
                Owner::Reference | Owner::Global => {
                    sqlx::query("SELECT create_reference_table($1)")
                        .bind(t.name)
                        .execute(p)
                        .await?;
                    done.reference.push(t.name);
                }
            }
            placed.insert(t.name.to_string());
        }
        Ok(done)
    }
}

//! A township's (or the county's) year-end plans in one form (`/economy/distributions/batch`):
//! the same title, fund and classes for every village, each village's own distributable income
//! typed beside its year's figures; every village with an amount is drafted in one transaction,
//! all or none, and a village's fault is named with the village.

use crate::batch::{BatchInput, BatchStore, Drafted, VillageIncome};
use crate::distribution_pages::{classes_of, per_ten_thousand};
use crate::overview::{Overview, OverviewStore};
use crate::pages::{class_rows, fen_of, this_year};
use askama::Template;
use axum::extract::{Form, State};
use axum::response::IntoResponse;
use serde::Deserialize;
use std::collections::HashMap;
use xiangzhi_storage::StoreError;
use xiangzhi_web::console::{html, refused, status_of, store, Chrome, Message, St, Viewer, P};
use xiangzhi_web::Query;

#[derive(Template)]
#[template(path = "economy_batch.html")]
struct BatchPage {
    c: Chrome,
    o: Overview,
    year: i32,
    class_rows: Vec<(String, &'static str, &'static str)>,
    /// What the clerk typed, kept when the form is refused.
    typed: HashMap<String, String>,
    drafted: Vec<(String, Drafted)>,
    message: Message,
}

impl BatchPage {
    fn typed(&self, key: &str) -> String {
        self.typed.get(key).cloned().unwrap_or_default()
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct BatchQuery {
    pub year: Option<i32>,
}

async fn batch_page(
    s: &xiangzhi_web::AppState,
    v: &Viewer,
    year: i32,
    typed: HashMap<String, String>,
    drafted: Vec<Drafted>,
    message: Message,
) -> P {
    v.need(crate::RECORD_ECONOMY)?;
    let o =
        s.db.overview(&v.scope(), None, year, xiangzhi_domain::china_today())
            .await
            .map_err(store(v.l))?;
    let name = |code: &str| {
        o.villages
            .iter()
            .find(|b| b.division_code == code)
            .map(|b| b.name.clone())
            .unwrap_or_else(|| code.to_string())
    };
    let drafted = drafted
        .into_iter()
        .map(|d| (name(&d.division_code), d))
        .collect();
    let status = status_of(&message);
    let page = BatchPage {
        c: v.chrome(v.l.t("各村收益分配方案", "Every village's plan")),
        class_rows: class_rows(v.l),
        year,
        typed,
        drafted,
        o,
        message,
    };
    Ok((status, html(page)?).into_response())
}

/// `GET /economy/distributions/batch`
pub async fn form(State(s): St, v: Viewer, Query(q): Query<BatchQuery>) -> P {
    let year = q.year.unwrap_or_else(this_year);
    batch_page(&s, &v, year, HashMap::new(), Vec::new(), None).await
}

/// `POST /economy/distributions/batch`: drafts every village given an amount (`amount_{code}`).
pub async fn draft(State(s): St, v: Viewer, Form(f): Form<HashMap<String, String>>) -> P {
    v.need(crate::RECORD_ECONOMY)?;
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or_default();
    let year: i32 = get("year").trim().parse().unwrap_or_else(|_| this_year());
    let done = async {
        let mut villages = Vec::new();
        let mut keys: Vec<&String> = f.keys().filter(|k| k.starts_with("amount_")).collect();
        keys.sort();
        for k in keys {
            let text = get(k).trim();
            if text.is_empty() {
                continue;
            }
            let code = k.trim_start_matches("amount_").to_string();
            villages.push(VillageIncome {
                distributable: fen_of(k, text)?,
                division_code: code,
            });
        }
        if villages.is_empty() {
            return Err(StoreError::invalid(
                "villages",
                "请至少为一个村填写可分配收益",
                "give at least one village its distributable income",
            ));
        }
        let input = BatchInput {
            year,
            title: get("title").to_string(),
            reserve: per_ten_thousand("reserve", get("reserve"))?,
            classes: classes_of(&f)?,
            villages,
        };
        s.db.draft_distributions(&v.scope(), &input).await
    }
    .await;
    match done {
        Ok(drafted) => {
            let m = Some((
                format!("已为{}个村拟定方案，请逐村公示后提交成员大会表决", drafted.len()),
                format!(
                    "{} villages' plans drafted: post each for inspection before the members' assembly votes",
                    drafted.len()
                ),
                true,
            ));
            batch_page(&s, &v, year, HashMap::new(), drafted, m).await
        }
        Err(e) => batch_page(&s, &v, year, f.clone(), Vec::new(), refused(e)).await,
    }
}

//! 户查询: a household reads its own collective shares, distribution lines and payments on the
//! public board after typing the code its village handed it (`/economy/household`), as a
//! resident follows a report on `/report/track`. No account; a wrong code says only that it is
//! wrong; an address may try twenty codes an hour; nothing is written but the audit of each look.

use crate::codes::{CodeStore, HouseholdStatement};
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use xiangzhi_storage::{now_ms, StoreError};
use xiangzhi_web::console::{html, Chrome, PageError, St, L, P};

/// Codes one address may try in an hour.
const PER_HOUR: usize = 20;

#[derive(Template)]
#[template(path = "economy_household.html")]
struct HouseholdPage {
    c: Chrome,
    county: i64,
    s: Option<HouseholdStatement>,
    error: String,
}

impl HouseholdPage {
    fn kind(&self, k: &str) -> &'static str {
        match k {
            "land" => self.c.l.t("土地股（亩）", "land (mu)"),
            "capital" => self.c.l.t("资金股", "capital"),
            _ => self.c.l.t("其他股", "other"),
        }
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct CountyQuery {
    pub county: Option<i64>,
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    pub county: i64,
    pub code: String,
}

async fn page(l: L, county: i64, s: Option<HouseholdStatement>, error: String) -> P {
    let title = l.t("本户集体经济查询", "My household's collective shares");
    let status = if error.is_empty() {
        StatusCode::OK
    } else if s.is_none() {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    let mut r = (
        status,
        html(HouseholdPage {
            c: Chrome::bare(l, title, "/economy/household"),
            county,
            s,
            error,
        })?,
    )
        .into_response();
    r.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(r)
}

/// The county this server holds (the first, when it holds several and none is asked).
async fn county_of(s: &xiangzhi_web::AppState, asked: Option<i64>) -> Option<i64> {
    if asked.is_some() {
        return asked;
    }
    let row: Option<(i64,)> =
        s.db.optional(&xiangzhi_storage::sql::Q::new(
            "SELECT county_id FROM divisions WHERE level = 'county' ORDER BY county_id LIMIT 1",
        ))
        .await
        .ok()
        .flatten();
    row.map(|(c,)| c)
}

/// `GET /economy/household`: the form for the code.
pub async fn form(State(s): St, parts: Parts, Query(q): Query<CountyQuery>) -> P {
    let l = L::from_headers(&parts.headers);
    let county = county_of(&s, q.county)
        .await
        .ok_or(PageError::NotFound(l))?;
    page(l, county, None, String::new()).await
}

/// `POST /economy/household`: the household's statement for a right code.
pub async fn look(State(s): St, parts: Parts, Form(f): Form<CodeForm>) -> P {
    let l = L::from_headers(&parts.headers);
    let source = xiangzhi_web::source_of(&parts.extensions);
    if !s.limits.allow(
        &format!("household-code:{source}"),
        PER_HOUR,
        3_600_000,
        now_ms(),
    ) {
        let why = l.t(
            "查询次数过多，请一小时后再试，或到村委会查询",
            "too many tries from here; try again in an hour or ask at the village committee",
        );
        let mut r = page(l, f.county, None, why.into()).await?;
        *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        return Ok(r);
    }
    match s.db.household_statement(f.county, &f.code).await {
        Ok(st) => {
            let mut a = xiangzhi_web::actor_of(&parts.extensions);
            a.login = "公众 public".into();
            let mut tx = s.db.begin().await.map_err(|e| PageError::Store(l, e))?;
            tx.audit(
                &a,
                "household statement read",
                format!("household {}:{}", st.county_id, st.household_id),
            )
            .await
            .map_err(|e| PageError::Store(l, e))?;
            tx.commit().await.map_err(|e| PageError::Store(l, e))?;
            page(l, f.county, Some(st), String::new()).await
        }
        Err(StoreError::NotFound) => {
            page(
                l,
                f.county,
                None,
                l.t(
                    "查询码不对，请核对村里发的查询码",
                    "that code is not right; check the code the village gave you",
                )
                .into(),
            )
            .await
        }
        Err(e) => Err(PageError::Store(l, e)),
    }
}

//! 登记事项: filing a case from the console (a call taken at the township, a matter raised at a
//! meeting), with the area picker down to the micro-grid. The same intake as the API's
//! `POST /cases`: idempotent by the form's key, checked and audited by the store.

use crate::prelude::*;
use crate::rules::{ReporterKind, Urgency};
use crate::store::{CaseCategory, CaseInput};
use askama::Template;
use axum::extract::Form;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use xiangzhi_domain::{DivisionCode, Right};
use xiangzhi_storage::{now_ms, StoreError};
use xiangzhi_web::console::{html, store, Chrome, St, Viewer, P};

#[derive(Debug, Default, Deserialize)]
pub struct FilingForm {
    #[serde(default)]
    key: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    division_code: String,
    #[serde(default)]
    grid: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    urgency: String,
    #[serde(default)]
    reporter_kind: String,
    #[serde(default)]
    reporter_name: String,
    #[serde(default)]
    reporter_phone: String,
}

#[derive(Template)]
#[template(path = "case_new.html")]
struct FilingPage {
    c: Chrome,
    key: String,
    categories: Vec<CaseCategory>,
    urgencies: &'static [Urgency],
    kinds: &'static [ReporterKind],
    form: FilingForm,
    error: String,
}

async fn page(s: &xiangzhi_web::AppState, v: &Viewer, form: FilingForm, error: String) -> P {
    v.need(Right::WriteRegistry)?;
    let categories = match DivisionCode::parse(&v.user.division_code)
        .ok()
        .and_then(|d| d.county_id())
    {
        Some(county) => s.db.case_categories(county).await.map_err(store(v.l))?,
        None => Vec::new(),
    };
    let key = if form.key.starts_with("console-") && form.key.len() == 40 {
        form.key.clone()
    } else {
        format!("console-{}", super::random(b"0123456789abcdef", 32))
    };
    html(FilingPage {
        c: v.chrome(v.l.t("登记事项", "File a case")),
        key,
        categories,
        urgencies: Urgency::ALL,
        kinds: ReporterKind::ALL,
        form,
        error,
    })
}

pub async fn form(axum::extract::State(s): St, v: Viewer) -> P {
    let form = FilingForm {
        division_code: v.user.division_code.clone(),
        ..Default::default()
    };
    page(&s, &v, form, String::new()).await
}

pub async fn file(axum::extract::State(s): St, v: Viewer, Form(f): Form<FilingForm>) -> P {
    v.need(Right::WriteRegistry)?;
    let text = |t: &str| Some(t.trim().to_string()).filter(|t| !t.is_empty());
    let input = CaseInput {
        idempotency_key: f.key.clone(),
        category: f.category.clone(),
        description: f.description.clone(),
        division_code: f.division_code.trim().to_string(),
        household_id: None,
        // A grid worker's case belongs to their grid unless another is chosen.
        grid_id: f.grid.trim().parse().ok().or(v.user.grid_id),
        urgency: f.urgency.clone(),
        reporter_kind: f.reporter_kind.clone(),
        reporter_name: text(&f.reporter_name),
        anonymous: false,
        reporter_phone: text(&f.reporter_phone),
        tracking_hash: None,
        latitude: None,
        longitude: None,
    };
    if !f.key.starts_with("console-") {
        return page(&s, &v, f, String::new()).await;
    }
    match s
        .db
        .create_case(&v.scope(), &input, Some(v.user.id), now_ms())
        .await
    {
        Ok((case, _)) => Ok(Redirect::to(&format!("/cases/{}", case.id)).into_response()),
        Err(StoreError::Invalid(errors)) => {
            let why = errors
                .iter()
                .map(|e| {
                    format!(
                        "{}：{}",
                        super::field_words(v.l, &e.field),
                        v.l.t(&e.zh, &e.en)
                    )
                })
                .collect::<Vec<_>>()
                .join("；");
            page(&s, &v, f, why).await
        }
        Err(e) => Err(store(v.l)(e)),
    }
}

//! 群众上报: the public page where a resident reports a matter without an account, and follows,
//! confirms or reopens it with the case number and the tracking code they were given. The
//! reporter's name and phone go to the handlers only (the phone sealed at rest); nothing public
//! ever shows them. Submissions are idempotent (a key in the form), limited per address, and
//! audited.

use crate::pages::cases::step_label;
use crate::prelude::*;
use crate::rules::{Action, Actor, CaseState};
use crate::store::{By, Case, CaseCategory, CaseInput};
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;
use xiangzhi_domain::DivisionCode;
use xiangzhi_registry::prelude::*;
use xiangzhi_storage::{now_ms, ListQuery, Scope, StoreError};
use xiangzhi_web::console::{html, Chrome, PageError, L};
use xiangzhi_web::AppState;

type P = Result<Response, PageError>;

/// Reports one address may send in an hour.
const PER_HOUR: usize = 10;

#[derive(Debug, Default, Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    county: Option<i64>,
    #[serde(default)]
    key: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    division_code: String,
    /// The micro-grid chosen below the group, if any (the picker fills it).
    #[serde(default)]
    grid: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    anonymous: Option<String>,
    /// The spot, when the resident let the page read the phone's position (optional).
    #[serde(default)]
    latitude: String,
    #[serde(default)]
    longitude: String,
    /// Left empty by people; filled by form-filling robots.
    #[serde(default)]
    website: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    c: Chrome,
    county: i64,
    key: String,
    code: String,
    categories: Vec<CaseCategory>,
    divisions: Vec<(String, String)>,
    form: ReportForm,
    error: String,
}

fn chrome(l: L, title: &str) -> Chrome {
    Chrome::bare(l, title, "/report")
}

/// A new form's idempotency key and tracking code (no 0/O, 1/I to misread).
fn fresh_key_and_code() -> (String, String) {
    (
        format!("public-{}", super::random(b"0123456789abcdef", 32)),
        super::random(b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 8),
    )
}

fn county_scope(county: i64) -> Option<Scope> {
    DivisionCode::parse(&format!("{county}000000"))
        .ok()
        .map(|d| Scope::division(&d))
}

/// The county a page is for: as asked, else the first county this server holds.
async fn county_of(s: &AppState, asked: Option<i64>) -> Option<i64> {
    if asked.is_some() {
        return asked;
    }
    let lq = ListQuery {
        kind: Some("county".into()),
        limit: Some(1),
        ..Default::default()
    };
    let page = s.db.list_divisions(&Scope::everything(), &lq).await.ok()?;
    page.items.first().map(|d| d.county_id)
}

/// The county's villages, named with their township.
async fn villages(s: &AppState, county: i64) -> Result<Vec<(String, String)>, StoreError> {
    use xiangzhi_registry::places::all_divisions;
    let Some(scope) = county_scope(county) else {
        return Ok(Vec::new());
    };
    let kind = |k: &str| ListQuery {
        kind: Some(k.into()),
        ..Default::default()
    };
    let towns: HashMap<String, String> = all_divisions(&s.db, &scope, kind("township"))
        .await?
        .into_iter()
        .map(|d| (d.code[..9].to_string(), d.name))
        .collect();
    Ok(all_divisions(&s.db, &scope, kind("village"))
        .await?
        .into_iter()
        .map(|d| {
            let town = towns.get(&d.code[..9]).cloned().unwrap_or_default();
            (d.code, format!("{town} · {}", d.name))
        })
        .collect())
}

async fn form_page(s: &AppState, l: L, county: i64, form: ReportForm, error: String) -> P {
    let categories =
        s.db.case_categories(county)
            .await
            .map_err(|e| PageError::Store(l, e))?;
    if categories.is_empty() {
        return Err(PageError::NotFound(l));
    }
    let divisions = villages(s, county)
        .await
        .map_err(|e| PageError::Store(l, e))?;
    let (key, code) = if form.key.starts_with("public-") && form.code.len() == 8 {
        (form.key.clone(), form.code.clone())
    } else {
        fresh_key_and_code()
    };
    html(ReportPage {
        c: chrome(l, l.t("群众反映问题", "Report a matter")),
        county,
        key,
        code,
        categories,
        divisions,
        form,
        error,
    })
}

#[derive(Deserialize)]
pub struct CountyQuery {
    county: Option<i64>,
}

pub async fn report_form(
    State(s): State<AppState>,
    parts: Parts,
    Query(q): Query<CountyQuery>,
) -> P {
    let l = L::from_headers(&parts.headers);
    let county = county_of(&s, q.county)
        .await
        .ok_or(PageError::NotFound(l))?;
    form_page(&s, l, county, ReportForm::default(), String::new()).await
}

/// The public's actor of a request: the request's own (so the middleware sees the store's entry),
/// named as the public.
fn public(parts: &Parts) -> xiangzhi_storage::Actor {
    let mut a = xiangzhi_web::actor_of(&parts.extensions);
    a.login = "公众 public".into();
    a
}

/// The report form's fields and its photo, from a multipart body (a browser sends the form so when
/// it carries a file); the photo is (file name, bytes), `None` when no file was chosen.
async fn read_multipart(
    mut m: axum::extract::Multipart,
    l: L,
) -> Result<(ReportForm, Option<(String, Vec<u8>)>), PageError> {
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut photo = None;
    let too_big = || {
        PageError::Api(
            l,
            xiangzhi_web::error::ApiError::too_large(
                "照片超过10MB",
                "the photo is larger than 10 MB",
            ),
        )
    };
    while let Some(field) = m.next_field().await.map_err(|_| too_big())? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "photo" {
            let file = field.file_name().unwrap_or("photo.jpg").to_string();
            let data = field.bytes().await.map_err(|_| too_big())?;
            if !data.is_empty() {
                photo = Some((file, data.to_vec()));
            }
            continue;
        }
        fields.push((name, field.text().await.map_err(|_| too_big())?));
    }
    // The text fields read exactly as the URL-encoded form is (one definition: `ReportForm`).
    let f = serde_urlencoded::to_string(&fields)
        .ok()
        .and_then(|q| serde_urlencoded::from_str::<ReportForm>(&q).ok())
        .ok_or(PageError::NotFound(l))?;
    Ok((f, photo))
}

/// `POST /report`: the form, as a multipart body (with a photo) or URL-encoded (without).
pub async fn report(State(s): State<AppState>, req: axum::extract::Request) -> P {
    use axum::extract::FromRequest;
    let l = L::from_headers(req.headers());
    let multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (parts, body) = req.into_parts();
    let req = axum::extract::Request::from_parts(parts.clone(), body);
    let (f, photo) = if multipart {
        let m = axum::extract::Multipart::from_request(req, &s)
            .await
            .map_err(|_| PageError::NotFound(l))?;
        read_multipart(m, l).await?
    } else {
        let Form(f) = Form::<ReportForm>::from_request(req, &s)
            .await
            .map_err(|_| PageError::NotFound(l))?;
        (f, None)
    };
    filed(s, parts, f, photo).await
}

async fn filed(s: AppState, parts: Parts, f: ReportForm, photo: Option<(String, Vec<u8>)>) -> P {
    let l = L::from_headers(&parts.headers);
    let county = county_of(&s, f.county)
        .await
        .ok_or(PageError::NotFound(l))?;
    let source = xiangzhi_web::source_of(&parts.extensions);
    let now = now_ms();
    let scope = county_scope(county)
        .ok_or(PageError::NotFound(l))?
        .by(public(&parts));
    if !f.website.is_empty() {
        return Err(PageError::NotFound(l));
    }
    let missing = |v: &str| v.trim().is_empty();
    if missing(&f.name) || missing(&f.phone) || missing(&f.description) {
        let why = l.t(
            "请填写情况、姓名和联系电话",
            "please give what happened, your name and your phone",
        );
        return form_page(&s, l, county, f, why.into()).await;
    }
    if !f.key.starts_with("public-") || f.code.len() != 8 {
        return form_page(&s, l, county, ReportForm::default(), String::new()).await;
    }
    if !s
        .limits
        .allow(&format!("report:{source}"), PER_HOUR, 3_600_000, now)
    {
        let page = form_page(
            &s,
            l,
            county,
            f,
            l.t(
                "提交过于频繁，请一小时后再试或拨打12345",
                "too many reports from here; try again in an hour or call 12345",
            )
            .into(),
        )
        .await?;
        return Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response());
    }
    let input = CaseInput {
        idempotency_key: f.key.clone(),
        category: f.category.clone(),
        description: f.description.clone(),
        division_code: f.division_code.clone(),
        household_id: None,
        grid_id: f.grid.trim().parse().ok(),
        urgency: "normal".into(),
        reporter_kind: "resident".into(),
        reporter_name: Some(f.name.trim().to_string()),
        anonymous: f.anonymous.is_some(),
        reporter_phone: Some(f.phone.clone()),
        tracking_hash: Some(crate::store::tracking_hash(&f.code)),
        latitude: f
            .latitude
            .trim()
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite()),
        longitude: f
            .longitude
            .trim()
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite()),
    };
    let photo = photo.as_ref().map(|(n, d)| (n.as_str(), d.clone()));
    match s
        .db
        .create_case_with(&scope, &input, None, now, photo)
        .await
    {
        Ok((case, _)) => Ok(Redirect::to(&format!(
            "/report/track?county={county}&id={}&code={}&fresh=1",
            case.id, f.code
        ))
        .into_response()),
        Err(StoreError::Invalid(errors)) => {
            let why = errors
                .iter()
                .map(|e| format!("{}：{}", super::field_words(l, &e.field), l.t(&e.zh, &e.en)))
                .collect::<Vec<_>>()
                .join("；");
            form_page(&s, l, county, f, why).await
        }
        Err(e) => Err(PageError::Store(l, e)),
    }
}

#[derive(Template)]
#[template(path = "track.html")]
struct TrackPage {
    c: Chrome,
    county: i64,
    case: Option<Case>,
    code: String,
    category: String,
    timeline: Vec<crate::pages::cases::Step>,
    /// Photos of the result the handlers chose to show (seq, name).
    photos: Vec<(i64, String)>,
    /// "预计…前办结" while the case is in hand.
    expected: String,
    fresh: bool,
    can_confirm: bool,
    can_reopen: bool,
    error: String,
}

#[derive(Deserialize)]
pub struct TrackQuery {
    county: Option<i64>,
    id: Option<i64>,
    #[serde(default)]
    code: String,
    #[serde(default)]
    fresh: Option<String>,
}

async fn track_page(
    s: &AppState,
    l: L,
    county: i64,
    id: Option<i64>,
    code: &str,
    fresh: bool,
) -> P {
    let empty = |error: String| TrackPage {
        c: chrome(l, l.t("查询办理进度", "Follow a report")),
        county,
        case: None,
        code: String::new(),
        category: String::new(),
        timeline: Vec::new(),
        photos: Vec::new(),
        expected: String::new(),
        fresh: false,
        can_confirm: false,
        can_reopen: false,
        error,
    };
    let Some(id) = id.filter(|_| !code.is_empty()) else {
        return html(empty(String::new()));
    };
    let case = match s.db.case_by_tracking(county, id, code).await {
        Ok(c) => c,
        Err(StoreError::NotFound) => {
            let why = l.t("事项号或查询码不对", "no report with that number and code");
            return Ok((StatusCode::NOT_FOUND, html(empty(why.into()))?).into_response());
        }
        Err(e) => return Err(PageError::Store(l, e)),
    };
    let scope = county_scope(county).ok_or(PageError::NotFound(l))?;
    // The public sees what happened and when, not who said what.
    let timeline =
        s.db.case_timeline(&scope, id)
            .await
            .map_err(|e| PageError::Store(l, e))?
            .iter()
            .map(|e| step_label(l, e, &Default::default()))
            .collect();
    let category =
        s.db.case_category_names(county)
            .await
            .unwrap_or_default()
            .remove(&case.category)
            .unwrap_or_else(|| case.category.clone());
    let photos =
        s.db.public_case_files(county, id, code)
            .await
            .map_err(|e| PageError::Store(l, e))?
            .into_iter()
            .map(|f| (f.seq, f.name))
            .collect();
    let expected = match case.due_at {
        Some(d) if case.state.in_hand() => crate::pages::stats::day(d),
        _ => String::new(),
    };
    html(TrackPage {
        photos,
        expected,
        c: chrome(l, &format!("{} #{}", l.t("事项", "Case"), case.id)),
        county,
        code: code.trim().to_ascii_uppercase(),
        category,
        timeline,
        fresh,
        can_confirm: case.state == CaseState::Resolved,
        can_reopen: matches!(case.state, CaseState::Confirmed | CaseState::Closed),
        case: Some(case),
        error: String::new(),
    })
}

pub async fn track(State(s): State<AppState>, parts: Parts, Query(q): Query<TrackQuery>) -> P {
    let l = L::from_headers(&parts.headers);
    let county = county_of(&s, q.county)
        .await
        .ok_or(PageError::NotFound(l))?;
    track_page(&s, l, county, q.id, &q.code, q.fresh.is_some()).await
}

#[derive(Deserialize)]
pub struct AnswerForm {
    county: i64,
    id: i64,
    code: String,
    action: String,
    #[serde(default)]
    rating: Option<u8>,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize)]
pub struct PhotoQuery {
    county: i64,
    id: i64,
    code: String,
    seq: i64,
}

/// A photo of the result, for the reporter who holds the case number and tracking code.
pub async fn photo(State(s): State<AppState>, parts: Parts, Query(q): Query<PhotoQuery>) -> P {
    let l = L::from_headers(&parts.headers);
    let (f, data) =
        s.db.public_case_file(q.county, q.id, &q.code, q.seq)
            .await
            .map_err(|e| PageError::Store(l, e))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, f.content_type),
            (
                axum::http::header::CACHE_CONTROL,
                "private, max-age=3600".to_string(),
            ),
        ],
        data,
    )
        .into_response())
}

/// The resident's answer: confirm with a rating, or reopen.
pub async fn answer(State(s): State<AppState>, parts: Parts, Form(f): Form<AnswerForm>) -> P {
    let l = L::from_headers(&parts.headers);
    let case =
        s.db.case_by_tracking(f.county, f.id, &f.code)
            .await
            .map_err(|e| PageError::Store(l, e))?;
    let action = match f.action.as_str() {
        "confirm" => Action::Confirm { rating: f.rating },
        "reopen" => Action::Reopen,
        _ => return Err(PageError::NotFound(l)),
    };
    let scope = county_scope(f.county)
        .ok_or(PageError::NotFound(l))?
        .by(public(&parts));
    let note: String = f.note.chars().take(500).collect();
    let by = By {
        actor: Actor::Resident,
        user: None,
        note: &note,
        at: now_ms(),
        public: true,
    };
    s.db.case_step(&scope, case.id, &action, by)
        .await
        .map_err(|e| PageError::Store(l, e))?;
    Ok(Redirect::to(&format!(
        "/report/track?county={}&id={}&code={}",
        f.county, f.id, f.code
    ))
    .into_response())
}

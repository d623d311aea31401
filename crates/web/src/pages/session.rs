//! Signing in and out, and the language switch.

use crate::console::{html, record, Chrome, St, Viewer, L, LANG_COOKIE, P};
use crate::SESSION_COOKIE;
use askama::Template;
use axum::extract::{Form, Query};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use xiangzhi_storage::audit::AuditEntry;
use xiangzhi_storage::*;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    next: String,
    login: String,
    error: Option<(String, String)>,
    expired: bool,
    done: bool,
}

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// Where to go after logging in: a same-site path only (never another site, never back here).
fn safe_next(n: Option<&str>) -> String {
    match n.and_then(crate::edge::safe_path) {
        Some(n) if !n.starts_with("/login") => n.to_string(),
        _ => "/".into(),
    }
}

fn bare(l: L, title: &str) -> Chrome {
    Chrome::bare(l, title, "/login")
}

pub async fn login_form(headers: HeaderMap, Query(q): Query<Next>) -> P {
    let l = L::from_headers(&headers);
    html(LoginPage {
        c: bare(l, l.t("登录", "Log in")),
        next: safe_next(q.next.as_deref()),
        login: String::new(),
        error: None,
        expired: false,
        done: false,
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
    next: Option<String>,
    /// Set when changing an expired password from the login page.
    new_password: Option<String>,
}

pub async fn login(
    axum::extract::State(s): St,
    headers: HeaderMap,
    ext: axum::http::Extensions,
    Form(f): Form<LoginForm>,
) -> P {
    let l = L::from_headers(&headers);
    let source = crate::source_of(&ext);
    let next = safe_next(f.next.as_deref());
    let page = |error: Option<(String, String)>, expired: bool, done: bool| LoginPage {
        c: bare(l, l.t("登录", "Log in")),
        next: next.clone(),
        login: f.login.clone(),
        error,
        expired,
        done,
    };
    if let Some(new) = f.new_password.as_deref().filter(|p| !p.is_empty()) {
        let r =
            s.db.change_password(
                &xiangzhi_storage::accounts::LoginAttempt {
                    login: &f.login,
                    password: &f.password,
                    now: now_ms(),
                    source: &source,
                    device: crate::cookie(&headers, crate::DEVICE_COOKIE).as_deref(),
                    new_device: false,
                },
                new,
            )
            .await;
        // The store audits a changed password; a refused change is audited here.
        crate::mark_audited(&ext);
        if r.is_err() {
            let _ =
                s.db.audit(&AuditEntry {
                    user_id: None,
                    login: f.login.clone(),
                    action: "change password".into(),
                    object: format!("user {}", f.login),
                    outcome: "failed".into(),
                    source: source.clone(),
                    detail: "console".into(),
                    county_id: None,
                })
                .await;
        }
        return match r {
            Ok(()) => html(page(None, false, true)),
            Err(e) => {
                let (zh, en) = crate::error::ApiError::from(e).reasons();
                Ok((
                    StatusCode::UNPROCESSABLE_ENTITY,
                    html(page(Some((zh, en)), true, false))?,
                )
                    .into_response())
            }
        };
    }
    let device = crate::cookie(&headers, crate::DEVICE_COOKIE);
    match crate::sign_in(&s, &f.login, &f.password, &ext, device.as_deref()).await {
        Ok((_, token, new_device)) => {
            let attrs = crate::cookie_attrs(&s, &ext);
            let mut resp =
                (StatusCode::SEE_OTHER, [(header::LOCATION, next.clone())]).into_response();
            crate::set_login_cookies(resp.headers_mut(), &token, new_device.as_deref(), attrs);
            Ok(resp)
        }
        Err(e) => {
            let (zh, en) = e.reasons();
            let expired = en.contains("older than 90 days");
            let status = e.status_code();
            Ok((status, html(page(Some((zh, en)), expired, false))?).into_response())
        }
    }
}

pub async fn logout(axum::extract::State(s): St, v: Viewer, headers: HeaderMap) -> Response {
    if let Some((false, token)) = crate::credential(&headers) {
        let _ = s.db.end_session(&token).await;
    }
    record(
        &s,
        &v,
        "logout",
        format!("user {}", v.user.login),
        "ok",
        "console".into(),
    )
    .await;
    (
        StatusCode::SEE_OTHER,
        [
            (
                header::SET_COOKIE,
                format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
            ),
            (header::LOCATION, "/login".to_string()),
        ],
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct LangQuery {
    to: String,
    back: Option<String>,
}

pub async fn switch_lang(Query(q): Query<LangQuery>) -> Response {
    let lang = if q.to == "en" { "en" } else { "zh" };
    let back = q
        .back
        .as_deref()
        .and_then(crate::edge::safe_path)
        .unwrap_or("/")
        .to_string();
    (
        StatusCode::SEE_OTHER,
        [
            (
                header::SET_COOKIE,
                format!("{LANG_COOKIE}={lang}; Path=/; SameSite=Lax; Max-Age=31536000"),
            ),
            (header::LOCATION, back),
        ],
    )
        .into_response()
}

//! The village's public affairs board (`/publicity/{village}`): no account, made for a phone. It
//! shows the postings within their window with each one's fingerprint; personal data in a
//! posting's title and text is masked (numbers long enough to be an ID or a phone). Who voted
//! how is never posted: a meeting's roll and its votes by name stay in the console.

use crate::publicity_store::{Posting, PublicityStore};
use crate::rules::publicity::PublicityKind;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::response::IntoResponse;
use xiangzhi_domain::{DivisionCode, DivisionLevel};
use xiangzhi_web::console::{html, store, Chrome, PageError, St, L, P};

#[derive(Template)]
#[template(path = "publicity_public.html")]
struct PublicPage {
    c: Chrome,
    items: Vec<Posting>,
}

impl PublicPage {
    fn kind_word(&self, kind: &str) -> &'static str {
        match PublicityKind::named(kind) {
            Some(k) if self.c.l.en => k.as_str(),
            Some(k) => k.zh(),
            None => "",
        }
    }
}

/// `GET /publicity/{village}`
pub async fn board(State(s): St, parts: Parts, Path(code): Path<String>) -> P {
    let l = L::from_headers(&parts.headers);
    let village = DivisionCode::parse(&code)
        .ok()
        .filter(|c| c.level() == DivisionLevel::Village)
        .ok_or(PageError::NotFound(l))?;
    let today = xiangzhi_domain::china_today();
    let Some((name, items)) =
        s.db.public_postings(&village, today)
            .await
            .map_err(store(l))?
    else {
        return Err(PageError::NotFound(l));
    };
    let items = items
        .into_iter()
        .map(|p| Posting {
            title: xiangzhi_domain::public_text::mask_numbers(&p.title),
            body: xiangzhi_domain::public_text::mask_numbers(&p.body),
            ..p
        })
        .collect();
    let title = format!("{name} {}", l.t("村务公开", "village affairs"));
    let page = PublicPage {
        c: Chrome::bare(l, &title, "/publicity"),
        items,
    };
    let mut r = html(page)?.into_response();
    r.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("public, max-age=60"),
    );
    Ok(r)
}

//! The member's own page (`/my?c=…`, no account, a phone) and the branch's side of it: a link
//! issued from the member's statement, time away recorded there. A wrong code answers as a
//! missing page and counts against the address; a member's report waits for the branch.

use crate::member_links::{AwayInput, MemberCard, MemberLinks};
use crate::pages::{outcome, statement_page};
use crate::rules::Holder;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::request::Parts;
use axum::response::IntoResponse;
use serde::Deserialize;
use xiangzhi_storage::now_ms;
use xiangzhi_web::console::{html, store, Chrome, PageError, St, Viewer, L, P};

/// Wrong codes one address may try in an hour.
const WRONG_PER_HOUR: usize = 20;

#[derive(Deserialize, Default)]
pub struct CodeQuery {
    #[serde(default)]
    c: String,
}

#[derive(Template)]
#[template(path = "my_points.html")]
struct MyPage {
    c: Chrome,
    code: String,
    card: MemberCard,
    month: String,
    message: Option<(String, String, bool)>,
}

impl MyPage {
    fn stars(&self, n: &i64) -> String {
        crate::rules::star_text(*n)
    }
    fn kind_word(&self, kind: &str) -> &'static str {
        match crate::rules::EntryKind::try_from(kind.to_string()) {
            Ok(k) if self.c.l.en => k.as_str(),
            Ok(k) => k.zh(),
            Err(_) => "",
        }
    }
}

async fn my_page(
    s: &xiangzhi_web::AppState,
    parts: &Parts,
    code: &str,
    message: Option<(String, String, bool)>,
) -> P {
    let l = L::from_headers(&parts.headers);
    let source = xiangzhi_web::actor_of(&parts.extensions).source;
    let now = now_ms();
    let key = format!("my:{source}");
    if s.limits.exhausted(&key, WRONG_PER_HOUR, 3_600_000, now) {
        return Err(PageError::NotFound(l));
    }
    let Some(card) = s.db.member_card(code, now).await.map_err(store(l))? else {
        // Only wrong codes count against the address.
        s.limits.allow(&key, WRONG_PER_HOUR, 3_600_000, now);
        return Err(PageError::NotFound(l));
    };
    let status = crate::pages::status_of(&message);
    let page = MyPage {
        c: Chrome::bare(
            l,
            &format!("{} {}", card.name, l.t("的积分", "· my points")),
            "/my",
        ),
        code: code.to_string(),
        card,
        month: xiangzhi_domain::china_month(now),
        message,
    };
    let mut r = (status, html(page)?).into_response();
    r.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    r.headers_mut().insert(
        axum::http::header::REFERRER_POLICY,
        axum::http::HeaderValue::from_static("no-referrer"),
    );
    Ok(r)
}

/// `GET /my?c=`: the member's own points, stars and reports.
pub async fn my(State(s): St, parts: Parts, Query(q): Query<CodeQuery>) -> P {
    my_page(&s, &parts, q.c.trim(), None).await
}

#[derive(Deserialize)]
pub struct ReportForm {
    c: String,
    rule_id: i64,
    month: String,
    #[serde(default)]
    evidence: String,
}

/// `POST /my`: the member reports points themself; the branch reviews them.
pub async fn report(State(s): St, parts: Parts, Form(f): Form<ReportForm>) -> P {
    let l = L::from_headers(&parts.headers);
    let mut actor = xiangzhi_web::actor_of(&parts.extensions);
    actor.login = "党员本人 member".into();
    let r =
        s.db.self_report(
            f.c.trim(),
            f.rule_id,
            &f.month,
            &f.evidence,
            &actor,
            now_ms(),
        )
        .await;
    if matches!(r, Err(xiangzhi_storage::StoreError::NotFound)) {
        return Err(PageError::NotFound(l));
    }
    let m = outcome(r, |c| {
        (
            format!("已提交（{:+}分），待支部审核", c.points),
            format!("sent ({:+} points); the branch reviews it", c.points),
        )
    });
    my_page(&s, &parts, f.c.trim(), Some(m)).await
}

/// `POST /points/members/{county}/{member}/link`: a new link for the member, shown once.
pub async fn issue_link(State(s): St, v: Viewer, Path((county, member)): Path<(i64, i64)>) -> P {
    v.need(crate::RECORD_POINTS)?;
    let code =
        s.db.issue_member_link(&v.scope(), county, member)
            .await
            .map_err(store(v.l))?;
    statement_page(&s, &v, Holder::Member, member, Some(code), None).await
}

/// `POST /points/members/{county}/{member}/away`: the member's months away.
pub async fn away(
    State(s): St,
    v: Viewer,
    Path((county, member)): Path<(i64, i64)>,
    Form(f): Form<AwayForm>,
) -> P {
    v.need(crate::RECORD_POINTS)?;
    let input = AwayInput {
        member_id: member,
        from_month: f.from_month,
        to_month: Some(f.to_month),
        place: f.place,
    };
    let m = outcome(s.db.record_away(&v.scope(), county, &input).await, |a| {
        (
            format!("已登记外出：{}", a.place),
            format!("time away recorded: {}", a.place),
        )
    });
    statement_page(&s, &v, Holder::Member, member, None, Some(m)).await
}

#[derive(Deserialize)]
pub struct AwayForm {
    from_month: String,
    #[serde(default)]
    to_month: String,
    place: String,
}

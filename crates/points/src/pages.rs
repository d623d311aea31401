//! The console's pages of 积分: the approval list and the recording form for the secretary and
//! the township, and the points store's counter (a household search, goods and their stock,
//! redemptions, donations, the reconciliation).

use crate::model::{ClaimInput, Decision};
use crate::rules::Holder;
use crate::shop::{Donation, Goods, GoodsRedemption, Reconciliation, ShopStore};
use crate::store::{ClaimView, PointsStore, PointsViews, StatementViews};
use askama::Template;
use axum::extract::{Form, Path, Query};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use xiangzhi_registry::prelude::*;
use xiangzhi_registry::Household;
use xiangzhi_storage::ListQuery;
use xiangzhi_web::console::{html, store, Chrome, St, Viewer, P};
use xiangzhi_web::error::ApiError;

#[derive(Template)]
#[template(path = "points.html")]
struct PointsPage {
    c: Chrome,
    claims: Vec<ClaimView>,
    rules: Vec<(i64, String)>,
    month: String,
    may_record: bool,
    may_approve: bool,
    me: i64,
    message: Option<(String, String, bool)>,
}

/// A page's status after a change: 422 when the change was refused.
pub(crate) fn status_of(message: &Option<(String, String, bool)>) -> StatusCode {
    if message.as_ref().is_some_and(|m| !m.2) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

/// What a page says after a change: done in words, or why not.
pub(crate) fn outcome<T>(
    r: Result<T, xiangzhi_storage::StoreError>,
    done: impl FnOnce(T) -> (String, String),
) -> (String, String, bool) {
    match r {
        Ok(v) => {
            let (zh, en) = done(v);
            (zh, en, true)
        }
        Err(e) => {
            let (zh, en) = ApiError::from(e).reasons();
            (zh, en, false)
        }
    }
}

async fn points_page(
    s: &xiangzhi_web::AppState,
    v: &Viewer,
    message: Option<(String, String, bool)>,
) -> P {
    v.need(xiangzhi_domain::Right::ReadRegistry)?;
    let scope = v.scope();
    let claims = s.db.waiting_claims(&scope).await.map_err(store(v.l))?;
    let rules =
        s.db.points_rules(&scope)
            .await
            .map_err(store(v.l))?
            .into_iter()
            .filter(|r| r.holder == Holder::Household && r.active)
            .map(|r| {
                (
                    r.id,
                    format!("{} · {}（{:+}分）", r.dimension, r.item, r.points),
                )
            })
            .collect();
    let status = crate::pages::status_of(&message);
    let page = PointsPage {
        c: v.chrome(v.l.t("积分", "Points")),
        claims,
        rules,
        month: crate::store::this_month(),
        may_record: v.user.can(crate::RECORD_POINTS),
        may_approve: v.user.can(crate::APPROVE_POINTS),
        me: v.user.id,
        message,
    };
    Ok((status, html(page)?).into_response())
}

/// `GET /points`
pub async fn page(axum::extract::State(s): St, v: Viewer) -> P {
    points_page(&s, &v, None).await
}

/// The household a clerk names by its number, within their reach.
async fn household_by_number(
    s: &xiangzhi_web::AppState,
    v: &Viewer,
    number: &str,
) -> Result<Option<Household>, xiangzhi_storage::StoreError> {
    let lq = ListQuery {
        q: Some(number.trim().to_string()),
        limit: Some(5),
        ..Default::default()
    };
    let page = s.db.list_households(&v.scope(), &lq).await?;
    Ok(page.items.into_iter().find(|h| h.number == number.trim()))
}

#[derive(Deserialize)]
pub struct RecordForm {
    number: String,
    rule_id: i64,
    month: String,
    #[serde(default)]
    evidence: String,
}

/// `POST /points/record`: points for a household by its number, waiting for approval.
pub async fn record(axum::extract::State(s): St, v: Viewer, Form(f): Form<RecordForm>) -> P {
    v.need(crate::RECORD_POINTS)?;
    let Some(h) = household_by_number(&s, &v, &f.number)
        .await
        .map_err(store(v.l))?
    else {
        let m = (
            format!("没有户号为“{}”的户", f.number.trim()),
            format!("no household numbered '{}'", f.number.trim()),
            false,
        );
        return points_page(&s, &v, Some(m)).await;
    };
    let input = ClaimInput {
        holder: "household".into(),
        holder_id: h.id,
        rule_id: f.rule_id,
        month: f.month,
        evidence: f.evidence,
        case_id: None,
    };
    let m = outcome(s.db.record_points(&v.scope(), &input).await, |_| {
        (
            format!("已为户 {} 录入积分，待另一人审核", h.number),
            format!(
                "points recorded for household {}; another person approves them",
                h.number
            ),
        )
    });
    points_page(&s, &v, Some(m)).await
}

#[derive(Deserialize)]
pub struct DecideForm {
    approve: String,
    #[serde(default)]
    note: String,
}

/// `POST /points/claims/{county}/{id}`: approves or rejects recorded points.
pub async fn decide(
    axum::extract::State(s): St,
    v: Viewer,
    Path((county, id)): Path<(i64, i64)>,
    Form(f): Form<DecideForm>,
) -> P {
    v.need(crate::APPROVE_POINTS)?;
    let d = Decision {
        approve: f.approve == "1",
        note: f.note,
    };
    let m = outcome(s.db.decide_points(&v.scope(), county, id, &d).await, |c| {
        if d.approve {
            (
                format!("已审核通过（{:+}分）", c.points),
                format!("approved ({:+} points)", c.points),
            )
        } else {
            ("已退回".to_string(), "rejected".to_string())
        }
    });
    points_page(&s, &v, Some(m)).await
}

// ---------------------------------------------------------------------------------------------
// The points store's counter

#[derive(Template)]
#[template(path = "points_store.html")]
struct StorePage {
    c: Chrome,
    q: String,
    /// Each household found, its balance, and whether it has an account (a statement) yet.
    found: Vec<(Household, i64, bool)>,
    goods: Vec<Goods>,
    report: Vec<Reconciliation>,
    may_record: bool,
    message: Option<(String, String, bool)>,
}

#[derive(Deserialize, Default)]
pub struct StoreQuery {
    #[serde(default)]
    q: String,
}

async fn store_page(
    s: &xiangzhi_web::AppState,
    v: &Viewer,
    q: String,
    message: Option<(String, String, bool)>,
) -> P {
    v.need(xiangzhi_domain::Right::ReadRegistry)?;
    let scope = v.scope();
    let mut found = Vec::new();
    if !q.trim().is_empty() {
        let lq = ListQuery {
            q: Some(q.trim().to_string()),
            limit: Some(10),
            ..Default::default()
        };
        let hs =
            s.db.list_households(&scope, &lq)
                .await
                .map_err(store(v.l))?
                .items;
        let ids: Vec<i64> = hs.iter().map(|h| h.id).collect();
        let balances =
            s.db.household_balances(&scope, &ids)
                .await
                .map_err(store(v.l))?;
        found = hs
            .into_iter()
            .map(|h| {
                let b = balances.get(&h.id).copied();
                (h, b.unwrap_or(0), b.is_some())
            })
            .collect();
    }
    let goods = s.db.store_goods(&scope, None).await.map_err(store(v.l))?;
    let report =
        s.db.store_reconciliation(&scope, None)
            .await
            .map_err(store(v.l))?;
    let status = crate::pages::status_of(&message);
    let page = StorePage {
        c: v.chrome(v.l.t("积分超市", "Points store")),
        q,
        found,
        goods,
        report,
        may_record: v.user.can(crate::RECORD_POINTS),
        message,
    };
    Ok((status, html(page)?).into_response())
}

/// `GET /points/store?q=`: the counter, with a household search.
pub async fn counter(axum::extract::State(s): St, v: Viewer, Query(q): Query<StoreQuery>) -> P {
    store_page(&s, &v, q.q, None).await
}

#[derive(Deserialize)]
pub struct RedeemForm {
    goods: String,
    household_id: i64,
    quantity: i64,
    #[serde(default)]
    q: String,
}

/// `POST /points/store/redeem`: goods taken home by a household.
pub async fn redeem(axum::extract::State(s): St, v: Viewer, Form(f): Form<RedeemForm>) -> P {
    v.need(crate::RECORD_POINTS)?;
    let Some((county, id)) = f
        .goods
        .split_once(':')
        .and_then(|(c, i)| Some((c.parse().ok()?, i.parse().ok()?)))
    else {
        let m = (
            "请选择物品".to_string(),
            "choose the goods".to_string(),
            false,
        );
        return store_page(&s, &v, f.q, Some(m)).await;
    };
    let r = GoodsRedemption {
        holder: "household".into(),
        holder_id: f.household_id,
        quantity: f.quantity,
    };
    let m = outcome(s.db.redeem_goods(&v.scope(), county, id, &r).await, |e| {
        (
            format!("已兑换：{}（{}分）", e.evidence, -e.points),
            format!("redeemed: {} ({} points)", e.evidence, -e.points),
        )
    });
    store_page(&s, &v, f.q, Some(m)).await
}

#[derive(Deserialize)]
pub struct DonateForm {
    quantity: i64,
    donor: String,
}

/// `POST /points/store/goods/{county}/{id}/donate`: goods given to the store.
pub async fn donate(
    axum::extract::State(s): St,
    v: Viewer,
    Path((county, id)): Path<(i64, i64)>,
    Form(f): Form<DonateForm>,
) -> P {
    v.need(crate::RECORD_POINTS)?;
    let d = Donation {
        quantity: f.quantity,
        donor: f.donor,
    };
    let m = outcome(s.db.donate_goods(&v.scope(), county, id, &d).await, |_| {
        (
            "已登记捐赠入库".to_string(),
            "donation recorded".to_string(),
        )
    });
    store_page(&s, &v, String::new(), Some(m)).await
}

#[derive(Deserialize)]
pub struct GoodsForm {
    name: String,
    unit: String,
    price: i64,
}

/// `POST /points/store/goods`: new goods on the shelf of the viewer's own store.
pub async fn create_goods(axum::extract::State(s): St, v: Viewer, Form(f): Form<GoodsForm>) -> P {
    v.need(crate::RECORD_POINTS)?;
    let input = crate::shop::GoodsInput {
        division_code: v.user.division_code.clone(),
        name: f.name,
        unit: f.unit,
        price: f.price,
    };
    let m = outcome(s.db.create_goods(&v.scope(), &input).await, |g| {
        (
            format!("已上架：{}", g.name),
            format!("on the shelf: {}", g.name),
        )
    });
    store_page(&s, &v, String::new(), Some(m)).await
}

#[derive(Template)]
#[template(path = "points_statement.html")]
struct StatementPage {
    c: Chrome,
    balance: i64,
    entries: Vec<crate::store::EntryView>,
    /// A member's statement: (county, member id), for the link and time-away forms.
    member: Option<(i64, i64)>,
    may_record: bool,
    /// A link just issued, shown once.
    link: Option<String>,
    message: Option<(String, String, bool)>,
}

impl StatementPage {
    /// An entry's kind in the page's language.
    fn kind_word(&self, kind: &str) -> &'static str {
        let k = crate::rules::EntryKind::try_from(kind.to_string()).ok();
        match (k, self.c.l.en) {
            (Some(k), true) => k.as_str(),
            (Some(k), false) => k.zh(),
            (None, _) => "",
        }
    }
}

/// `GET /points/statement/{holder}/{id}`: every point of a member or a household and where it
/// came from.
pub async fn statement(
    axum::extract::State(s): St,
    v: Viewer,
    Path((holder, id)): Path<(String, i64)>,
) -> P {
    v.need(xiangzhi_domain::Right::ReadRegistry)?;
    let holder: Holder = holder
        .parse()
        .map_err(|_| store(v.l)(xiangzhi_storage::StoreError::NotFound))?;
    statement_page(&s, &v, holder, id, None, None).await
}

/// A statement, with a link just issued or what became of a change.
pub(crate) async fn statement_page(
    s: &xiangzhi_web::AppState,
    v: &Viewer,
    holder: Holder,
    id: i64,
    link: Option<String>,
    message: Option<(String, String, bool)>,
) -> P {
    let scope = v.scope();
    // A holder in reach without points yet has an empty statement.
    let (balance, county_id, entries) = match s.db.statement_view(&scope, holder, id).await {
        Ok((account, entries)) => (account.balance, account.county_id, entries),
        Err(xiangzhi_storage::StoreError::NotFound) => {
            let county_id = xiangzhi_storage::list::county_for(
                &s.db,
                &scope,
                crate::store::holder_table(holder),
                id,
            )
            .await
            .map_err(store(v.l))?;
            (0, county_id, Vec::new())
        }
        Err(e) => return Err(store(v.l)(e)),
    };
    let status = crate::pages::status_of(&message);
    let page = StatementPage {
        c: v.chrome(v.l.t("积分明细", "Points statement")),
        balance,
        entries,
        member: (holder == Holder::Member).then_some((county_id, id)),
        may_record: v.user.can(crate::RECORD_POINTS),
        link,
        message,
    };
    Ok((status, html(page)?).into_response())
}

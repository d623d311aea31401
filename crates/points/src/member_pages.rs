//! The pages of 党员积分·星级评定 for the branch's secretary and the township: the branches' months
//! in reach, a month put on the board, one month with each member's points and stars (made final
//! once its days are up), and the year's ranking with the lists for commendation and for a talk;
//! and the .xlsx exports of the points lists (a month, the ranking, a village's red and black
//! lists, the recordings waiting, the store's reconciliation, a statement).

use crate::board_pages::day;
use crate::boards::BoardStore;
use crate::months::{MemberMonth, MonthStore, MonthView, PublishInput, Ranked};
use crate::pages::outcome;
use crate::rules::Holder;
use crate::shop::ShopStore;
use crate::store::{PointsViews, StatementViews};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xiangzhi_domain::Right;
use xiangzhi_storage::now_ms;
use xiangzhi_tabular::table::Cell;
use xiangzhi_web::console::{html, store, Chrome, PageError, St, Viewer, P};

type Message = Option<(String, String, bool)>;

#[derive(Template)]
#[template(path = "points_members.html")]
struct MembersPage {
    c: Chrome,
    months: Vec<(MemberMonth, String)>,
    branches: Vec<(i64, String)>,
    month: String,
    year: i32,
    ranking: Vec<Ranked>,
    may_publish: bool,
    now: i64,
    message: Message,
}

impl MembersPage {
    fn day(&self, ms: &i64) -> String {
        day(*ms)
    }
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    year: Option<i32>,
}

fn this_year() -> i32 {
    use chrono::Datelike;
    xiangzhi_domain::china_date(now_ms()).year()
}

async fn members_page(s: &xiangzhi_web::AppState, v: &Viewer, year: i32, message: Message) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let months = s.db.member_months(&scope).await.map_err(store(v.l))?;
    let may_publish = v.user.can(crate::APPROVE_POINTS);
    let branches = if may_publish {
        s.db.branches_in_reach(&scope).await.map_err(store(v.l))?
    } else {
        Vec::new()
    };
    let ranking =
        s.db.member_ranking(&scope, year)
            .await
            .map_err(store(v.l))?;
    let status = crate::pages::status_of(&message);
    let page = MembersPage {
        c: v.chrome(v.l.t("党员积分评定", "Members' monthly evaluation")),
        months,
        branches,
        month: crate::store::this_month(),
        year,
        ranking,
        may_publish,
        now: now_ms(),
        message,
    };
    Ok((status, html(page)?).into_response())
}

/// `GET /points/members?year=`
pub async fn members(State(s): St, v: Viewer, Query(q): Query<YearQuery>) -> P {
    members_page(&s, &v, q.year.unwrap_or_else(this_year), None).await
}

/// `POST /points/members`: a branch's month computed from the ledger and put on the board.
pub async fn publish(State(s): St, v: Viewer, Form(f): Form<PublishInput>) -> P {
    v.need(crate::APPROVE_POINTS)?;
    match s.db.publish_month(&v.scope(), &f, now_ms()).await {
        Ok(m) => Ok(Redirect::to(&format!(
            "/points/members/{}/{}",
            m.month.county_id, m.month.id
        ))
        .into_response()),
        Err(e) => {
            let m = outcome::<()>(Err(e), |_| (String::new(), String::new()));
            members_page(&s, &v, this_year(), Some(m)).await
        }
    }
}

#[derive(Template)]
#[template(path = "points_month.html")]
struct MonthPage {
    c: Chrome,
    v: MonthView,
    may_publish: bool,
    now: i64,
    message: Message,
}

impl MonthPage {
    fn day(&self, ms: &i64) -> String {
        day(*ms)
    }
    fn stars(&self, n: &i64) -> String {
        crate::rules::star_text(*n)
    }
}

async fn month_page(
    s: &xiangzhi_web::AppState,
    v: &Viewer,
    county: i64,
    id: i64,
    message: Message,
) -> P {
    v.need(Right::ReadRegistry)?;
    let view =
        s.db.member_month(&v.scope(), county, id)
            .await
            .map_err(store(v.l))?;
    let name =
        s.db.branch_name(county, view.month.org_id)
            .await
            .map_err(store(v.l))?;
    let status = crate::pages::status_of(&message);
    let page = MonthPage {
        c: v.chrome(&format!("{name} {}", view.month.month)),
        v: view,
        may_publish: v.user.can(crate::APPROVE_POINTS),
        now: now_ms(),
        message,
    };
    Ok((status, html(page)?).into_response())
}

/// `GET /points/members/{county}/{id}`
pub async fn month(State(s): St, v: Viewer, Path((county, id)): Path<(i64, i64)>) -> P {
    month_page(&s, &v, county, id, None).await
}

/// `POST /points/members/{county}/{id}/final`
pub async fn finalize(State(s): St, v: Viewer, Path((county, id)): Path<(i64, i64)>) -> P {
    v.need(crate::APPROVE_POINTS)?;
    let m = outcome(
        s.db.finalize_month(&v.scope(), county, id, now_ms()).await,
        |_| {
            (
                "本月评定已确定".to_string(),
                "the month is final".to_string(),
            )
        },
    );
    month_page(&s, &v, county, id, Some(m)).await
}

// ---------------------------------------------------------------------------------------------
// Exports

/// An .xlsx of one list, audited as an export.
async fn export(
    s: &xiangzhi_web::AppState,
    v: &Viewer,
    name: &str,
    sheet: &str,
    headers: &[&str],
    rows: Vec<Vec<Cell>>,
) -> Result<Response, PageError> {
    xiangzhi_web::console::export_sheet(s, v, "export points list", name, sheet, headers, rows)
        .await
}

fn t(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

/// `GET /points/members/{county}/{id}/export`: a month as .xlsx.
pub async fn month_xlsx(
    State(s): St,
    v: Viewer,
    Path((county, id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    v.need(Right::ReadRegistry)?;
    let view =
        s.db.member_month(&v.scope(), county, id)
            .await
            .map_err(store(v.l))?;
    let rows = view
        .results
        .iter()
        .map(|r| {
            vec![
                t(&r.name),
                t(if r.probationary {
                    "预备党员"
                } else {
                    "正式党员"
                }),
                Cell::Int(r.points),
                Cell::Int(r.stars),
            ]
        })
        .collect();
    export(
        &s,
        &v,
        &format!("member-month-{}", view.month.month),
        "党员月度评定 Month",
        &["党员 Member", "类别 Status", "积分 Points", "星级 Stars"],
        rows,
    )
    .await
}

/// `GET /points/ranking.xlsx?year=`: the year's ranking with the two lists.
pub async fn ranking_xlsx(
    State(s): St,
    v: Viewer,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    v.need(Right::ReadRegistry)?;
    let year = q.year.unwrap_or_else(this_year);
    let ranking =
        s.db.member_ranking(&v.scope(), year)
            .await
            .map_err(store(v.l))?;
    let rows = ranking
        .iter()
        .map(|r| {
            vec![
                Cell::Int(r.rank as i64),
                t(&r.name),
                Cell::Int(r.points),
                Cell::Int(r.months),
                Cell::Int(r.five_star_months),
                Cell::Int(r.low_star_months),
                t(if r.commend { "拟表彰" } else { "" }),
                t(if r.talk { "乡镇党委约谈" } else { "" }),
            ]
        })
        .collect();
    export(
        &s,
        &v,
        &format!("member-ranking-{year}"),
        "年度排名 Ranking",
        &[
            "名次 Rank",
            "党员 Member",
            "积分 Points",
            "评定月数 Months",
            "五星月数 Top-star months",
            "无星月数 Months without a star",
            "表彰 Commend",
            "约谈 Talk",
        ],
        rows,
    )
    .await
}

/// `GET /points/boards/{county}/{id}/export`: a village's lists as the staff see them, .xlsx.
pub async fn board_xlsx(
    State(s): St,
    v: Viewer,
    Path((county, id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    v.need(Right::ReadRegistry)?;
    let b =
        s.db.points_board(&v.scope(), county, id)
            .await
            .map_err(store(v.l))?;
    let rows = b
        .entries
        .iter()
        .map(|e| {
            vec![
                t(if e.list == "red" { "红榜" } else { "黑榜" }),
                Cell::Int(e.place),
                t(&e.household_number),
                t(&e.head_name),
                t(&e.shown_name),
                Cell::Int(e.points),
                t(&e.items),
                t(if e.withdrawn {
                    "异议成立，已撤下"
                } else {
                    ""
                }),
            ]
        })
        .collect();
    export(
        &s,
        &v,
        &format!("red-black-{}-{}", b.board.division_code, b.board.month),
        "红黑榜 Lists",
        &[
            "榜 List",
            "名次 Place",
            "户号 Household",
            "户主 Head",
            "公示姓名 Name shown",
            "积分 Points",
            "事项 For",
            "撤下 Withdrawn",
        ],
        rows,
    )
    .await
}

/// `GET /points/claims.xlsx`: the recordings waiting for approval.
pub async fn claims_xlsx(State(s): St, v: Viewer) -> Result<Response, PageError> {
    v.need(Right::ReadRegistry)?;
    let claims = s.db.waiting_claims(&v.scope()).await.map_err(store(v.l))?;
    let rows = claims
        .iter()
        .map(|k| {
            vec![
                t(&k.holder),
                t(&k.dimension),
                t(&k.item),
                Cell::Int(k.points),
                t(&k.month),
                t(&k.evidence),
                t(&k.recorder),
            ]
        })
        .collect();
    export(
        &s,
        &v,
        "points-waiting",
        "待审核 Waiting",
        &[
            "对象 For",
            "维度 Dimension",
            "项目 Item",
            "分值 Points",
            "月份 Month",
            "事实依据 Evidence",
            "录入人 Recorded by",
        ],
        rows,
    )
    .await
}

/// `GET /points/store/report.xlsx`: the stores' reconciliation.
pub async fn store_xlsx(State(s): St, v: Viewer) -> Result<Response, PageError> {
    v.need(Right::ReadRegistry)?;
    let report =
        s.db.store_reconciliation(&v.scope(), None)
            .await
            .map_err(store(v.l))?;
    let rows = report
        .iter()
        .map(|r| {
            vec![
                t(&r.name),
                Cell::Int(r.donated),
                Cell::Int(r.redeemed),
                Cell::Int(r.adjusted),
                Cell::Int(r.stock),
                Cell::Int(r.points_out),
                Cell::Int(r.ledger_points),
                t(if r.balanced { "相符" } else { "不符" }),
            ]
        })
        .collect();
    export(
        &s,
        &v,
        "points-store",
        "对账 Reconciliation",
        &[
            "物品 Goods",
            "捐赠入库 Donated",
            "兑换出库 Redeemed",
            "盘点调整 Adjusted",
            "库存 Stock",
            "兑出积分 Points out",
            "台账积分 Ledger points",
            "对账 Balanced",
        ],
        rows,
    )
    .await
}

/// `GET /points/statement/{holder}/{id}/export`: a statement as .xlsx.
pub async fn statement_xlsx(
    State(s): St,
    v: Viewer,
    Path((holder, id)): Path<(String, i64)>,
) -> Result<Response, PageError> {
    v.need(Right::ReadRegistry)?;
    let holder: Holder = holder.parse().map_err(|_| PageError::NotFound(v.l))?;
    let (account, entries) =
        s.db.statement_view(&v.scope(), holder, id)
            .await
            .map_err(store(v.l))?;
    let rows = entries
        .iter()
        .map(|e| {
            let kind = crate::rules::EntryKind::try_from(e.kind.clone())
                .map(|k| k.zh())
                .unwrap_or("");
            vec![
                t(&e.month),
                t(kind),
                t(&e.item),
                Cell::Int(e.points),
                t(&e.evidence),
                t(&e.recorder),
                t(&e.approver),
            ]
        })
        .collect();
    export(
        &s,
        &v,
        &format!("points-statement-{}-{}", holder.as_str(), account.holder_id),
        "积分明细 Statement",
        &[
            "月份 Month",
            "类别 Kind",
            "项目 Item",
            "分值 Points",
            "依据或物品 Evidence or goods",
            "录入 Recorded by",
            "审核 Approved by",
        ],
        rows,
    )
    .await
}

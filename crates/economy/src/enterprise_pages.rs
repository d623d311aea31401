//! A company's or cooperative's page (`/economy/enterprises/{county}/{id}`): its member
//! households with their shares, and each year's revenue, profit and what went to the collective
//! and the members; a household joins by its number, a year is reported once, amounts typed in
//! yuan and kept in fen.

use crate::distributions::heads;
use crate::enterprises::{
    EnterpriseMemberInput, EnterpriseStore, EnterpriseView, YearInput, KINDS,
};
use crate::pages::{fen_of, name_in, this_year};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::IntoResponse;
use serde::Deserialize;
use std::collections::HashMap;
use xiangzhi_domain::{Fen, Right};
use xiangzhi_storage::StoreError;
use xiangzhi_web::console::{html, refused, status_of, store, Chrome, Message, St, Viewer, P};

#[derive(Template)]
#[template(path = "economy_enterprise.html")]
struct EnterprisePage {
    c: Chrome,
    v: EnterpriseView,
    /// Household id → (number, head).
    heads: HashMap<i64, (String, String)>,
    may_record: bool,
    today: String,
    year: i32,
    message: Message,
}

impl EnterprisePage {
    fn kind(&self) -> String {
        name_in(&KINDS, &self.v.enterprise.kind, self.c.l.en)
    }
    fn household(&self, id: &i64) -> String {
        self.heads
            .get(id)
            .map(|(n, h)| format!("{n} {h}"))
            .unwrap_or_else(|| id.to_string())
    }
}

async fn enterprise_page(
    s: &xiangzhi_web::AppState,
    v: &Viewer,
    county: i64,
    id: i64,
    message: Message,
) -> P {
    v.need(Right::ReadRegistry)?;
    let view =
        s.db.enterprise(&v.scope(), county, id)
            .await
            .map_err(store(v.l))?;
    let heads = heads(&s.db, county, &view.enterprise.division_code)
        .await
        .map_err(store(v.l))?;
    let status = status_of(&message);
    let page = EnterprisePage {
        c: v.chrome(&view.enterprise.name),
        heads,
        may_record: v.user.can(crate::RECORD_ECONOMY),
        today: xiangzhi_domain::china_today().to_string(),
        year: this_year() - 1,
        v: view,
        message,
    };
    Ok((status, html(page)?).into_response())
}

/// `GET /economy/enterprises/{county}/{id}`
pub async fn enterprise(State(s): St, v: Viewer, Path((county, id)): Path<(i64, i64)>) -> P {
    enterprise_page(&s, &v, county, id, None).await
}

#[derive(Debug, Deserialize)]
pub struct JoinForm {
    /// The household's number (户号).
    pub number: String,
    /// Shares with at most two decimals.
    pub shares: String,
    pub joined_on: String,
}

/// `POST /economy/enterprises/{county}/{id}/members`
pub async fn join(
    State(s): St,
    v: Viewer,
    Path((county, id)): Path<(i64, i64)>,
    Form(f): Form<JoinForm>,
) -> P {
    v.need(crate::RECORD_ECONOMY)?;
    let done = async {
        let e = s.db.enterprise(&v.scope(), county, id).await?.enterprise;
        let heads = heads(&s.db, county, &e.division_code).await?;
        let number = f.number.trim();
        let household = heads
            .iter()
            .find(|(_, (n, _))| n == number)
            .map(|(h, _)| *h)
            .ok_or_else(|| {
                StoreError::invalid(
                    "number",
                    format!("本村没有户号为“{number}”的户"),
                    format!("no household numbered '{number}' in the village"),
                )
            })?;
        let shares = Fen::parse_yuan(f.shares.trim().trim_end_matches('股'))
            .map(|s| s.0)
            .map_err(|_| {
                StoreError::invalid(
                    "shares",
                    "股份数最多两位小数，如 2.5",
                    "shares with at most two decimals, such as 2.5",
                )
            })?;
        s.db.join_enterprise(
            &v.scope(),
            county,
            id,
            &EnterpriseMemberInput {
                household_id: household,
                shares,
                joined_on: f.joined_on.clone(),
            },
        )
        .await
    }
    .await;
    let m = match done {
        Ok(_) => Some((
            format!("户 {} 已入社", f.number.trim()),
            format!("Household {} joined", f.number.trim()),
            true,
        )),
        Err(e) => refused(e),
    };
    enterprise_page(&s, &v, county, id, m).await
}

#[derive(Debug, Deserialize)]
pub struct YearForm {
    pub year: i32,
    pub revenue: String,
    pub profit: String,
    pub to_collective: String,
    pub to_members: String,
}

/// `POST /economy/enterprises/{county}/{id}/years`
pub async fn report(
    State(s): St,
    v: Viewer,
    Path((county, id)): Path<(i64, i64)>,
    Form(f): Form<YearForm>,
) -> P {
    v.need(crate::RECORD_ECONOMY)?;
    let done = async {
        let input = YearInput {
            year: f.year,
            revenue: fen_of("revenue", &f.revenue)?,
            profit: fen_of("profit", &f.profit)?,
            to_collective: fen_of("to_collective", &f.to_collective)?,
            to_members: fen_of("to_members", &f.to_members)?,
        };
        s.db.report_year(&v.scope(), county, id, &input).await
    }
    .await;
    let m = match done {
        Ok(_) => Some((
            format!("{}年的经营情况已报", f.year),
            format!("{} reported", f.year),
            true,
        )),
        Err(e) => refused(e),
    };
    enterprise_page(&s, &v, county, id, m).await
}

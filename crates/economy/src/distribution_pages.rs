//! A distribution in the console: drafting one from a village's books (the seed's classes filled
//! in), its page with every household's lines and what each has been paid, binding it to the
//! village's income-distribution matter once a resolution carried it (the decisions feature's
//! page where that matter goes through 四议两公开 is one click away), recording payments, and
//! the whole plan as .xlsx for the public board and the bank.

use crate::distributions::{
    ApprovalInput, Basis, ClassInput, DistributionInput, DistributionStore, DistributionView,
    PaymentInput, Who,
};
use crate::pages::{fen_of, yuan};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use xiangzhi_decisions::procedure_store::{Matter, MatterStore};
use xiangzhi_domain::{Fen, Right};
use xiangzhi_registry::prelude::DivisionStore;
use xiangzhi_storage::sql::Q;
use xiangzhi_storage::{Db, Scope, StoreError};
use xiangzhi_tabular::table::Cell;
use xiangzhi_web::console::{
    export_sheet, html, refused, status_of, store, Chrome, Message, St, Viewer, P,
};

/// A household's part of a plan.
pub struct HouseholdRow {
    pub household_id: i64,
    pub number: String,
    pub head: String,
    /// (class, shares, amount) per class.
    pub parts: Vec<(String, i64, i64)>,
    pub amount: i64,
    pub paid: i64,
}

/// What each household of a distribution has been paid.
async fn paid_by_household(
    db: &Db,
    scope: &Scope,
    county_id: i64,
    id: i64,
) -> xiangzhi_storage::Result<HashMap<i64, i64>> {
    let mut q = Q::with(
        "SELECT t.household_id, CAST(SUM(t.amount) AS BIGINT) FROM distribution_payments t \
         WHERE t.county_id = ? AND t.distribution_id = ?",
        vec![county_id.into(), id.into()],
    );
    scope.filter(
        &mut q,
        &crate::tables::DISTRIBUTION_PAYMENTS,
        "t",
        "division_code",
    );
    q.push(" GROUP BY t.household_id");
    let rows: Vec<(i64, i64)> = db.all(&q).await?;
    Ok(rows.into_iter().collect())
}

async fn rows_of(
    db: &Db,
    scope: &Scope,
    view: &DistributionView,
) -> xiangzhi_storage::Result<Vec<HouseholdRow>> {
    let d = &view.distribution;
    let heads = crate::distributions::heads(db, d.county_id, &d.division_code).await?;
    let paid = paid_by_household(db, scope, d.county_id, d.id).await?;
    let mut by: BTreeMap<i64, HouseholdRow> = BTreeMap::new();
    for l in &view.lines {
        let r = by.entry(l.household_id).or_insert_with(|| {
            let (number, head) = heads.get(&l.household_id).cloned().unwrap_or_default();
            HouseholdRow {
                household_id: l.household_id,
                number,
                head,
                parts: Vec::new(),
                amount: 0,
                paid: paid.get(&l.household_id).copied().unwrap_or(0),
            }
        });
        r.parts.push((l.class.clone(), l.shares, l.amount));
        r.amount += l.amount;
    }
    let mut rows: Vec<HouseholdRow> = by.into_values().collect();
    rows.sort_by(|a, b| a.number.cmp(&b.number));
    Ok(rows)
}

#[derive(Template)]
#[template(path = "economy_distribution.html")]
struct DistributionPage {
    c: Chrome,
    village: String,
    v: DistributionView,
    rows: Vec<HouseholdRow>,
    classes: Vec<ClassInput>,
    /// The village's matters of income distribution, to bind the plan to.
    matters: Vec<Matter>,
    may_record: bool,
    today: String,
    /// Ten days on: the earliest day the vote may come after a posting today.
    vote_from: String,
    message: Message,
}

impl DistributionPage {
    fn percent(&self, per_ten_thousand: &u32) -> String {
        format!("{}.{:02}%", per_ten_thousand / 100, per_ten_thousand % 100)
    }
    fn shares(&self, class: &str, shares: &i64) -> String {
        let basis = self
            .classes
            .iter()
            .find(|c| c.name == class)
            .map(|c| c.basis)
            .unwrap_or(Basis::Members);
        match basis {
            // Members are kept as hundredths of a share, like land and capital.
            Basis::Members => format!("{}{}", shares / 100, self.c.l.t("人", "")),
            Basis::Land => format!("{}{}", yuan(shares), self.c.l.t("亩", " mu")),
            Basis::Capital => format!("{}{}", yuan(shares), self.c.l.t("股", "")),
        }
    }
    fn outstanding(&self) -> i64 {
        self.rows.iter().map(|r| r.amount - r.paid).sum()
    }
    fn matter_state(&self, m: &Matter) -> &'static str {
        match m.state.as_str() {
            "decided" | "done" => self.c.l.t("已表决通过", "carried"),
            _ => self
                .c
                .l
                .t("办理中，尚未表决通过", "in progress; not carried yet"),
        }
    }
}

async fn distribution_page(
    s: &xiangzhi_web::AppState,
    v: &Viewer,
    county: i64,
    id: i64,
    message: Message,
) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let view =
        s.db.distribution(&scope, county, id)
            .await
            .map_err(store(v.l))?;
    let rows = rows_of(&s.db, &scope, &view).await.map_err(store(v.l))?;
    let villages = s.db.villages_in_reach(&scope).await.map_err(store(v.l))?;
    let village = villages
        .iter()
        .find(|(c, _)| *c == view.distribution.division_code)
        .map(|(_, n)| n.clone())
        .unwrap_or_default();
    let matters =
        s.db.matters(&scope, Some(&view.distribution.division_code), None)
            .await
            .map_err(store(v.l))?
            .into_iter()
            .filter(|m| m.kind == "income_distribution")
            .collect();
    let classes = serde_json::from_str(&view.distribution.classes).unwrap_or_default();
    let status = status_of(&message);
    let page = DistributionPage {
        c: v.chrome(&format!("{village} · {}", view.distribution.title)),
        village,
        rows,
        classes,
        matters,
        may_record: v.user.can(crate::RECORD_ECONOMY),
        today: xiangzhi_domain::china_today().to_string(),
        vote_from: (xiangzhi_domain::china_today() + chrono::Days::new(10)).to_string(),
        v: view,
        message,
    };
    Ok((status, html(page)?).into_response())
}

/// `GET /economy/distributions/{county}/{id}`
pub async fn distribution(State(s): St, v: Viewer, Path((county, id)): Path<(i64, i64)>) -> P {
    distribution_page(&s, &v, county, id, None).await
}

/// A percentage typed with at most two decimals, as ten-thousandths.
pub(crate) fn per_ten_thousand(field: &str, text: &str) -> Result<u32, StoreError> {
    match Fen::parse_yuan(text.trim().trim_end_matches('%')) {
        Ok(Fen(n)) if (0..=10_000).contains(&n) => Ok(n as u32),
        _ => Err(StoreError::invalid(
            field,
            "比例应为0到100之间的百分数，最多两位小数",
            "a percentage from 0 to 100 with at most two decimals",
        )),
    }
}

/// A plan's classes as a form gives them (`class{i}_name`, `_percent`, `_who`, `_basis`; rows left
/// without a name or a share are skipped).
pub(crate) fn classes_of(f: &HashMap<String, String>) -> Result<Vec<ClassInput>, StoreError> {
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or_default().to_string();
    let mut classes = Vec::new();
    for i in 0..8 {
        let name = get(&format!("class{i}_name")).trim().to_string();
        let pct = get(&format!("class{i}_percent"));
        if name.is_empty() && pct.trim().is_empty() {
            continue;
        }
        let weight = per_ten_thousand(&format!("class{i}_percent"), &pct)?;
        let who = get(&format!("class{i}_who"));
        let basis = match get(&format!("class{i}_basis")).as_str() {
            "land" => Basis::Land,
            "capital" => Basis::Capital,
            _ => Basis::Members,
        };
        classes.push(ClassInput {
            name,
            weight,
            kept: who == "kept",
            basis,
            who: match who.as_str() {
                "poverty_alleviated" => Who::PovertyAlleviated,
                "others" => Who::Others,
                _ => Who::All,
            },
        });
    }
    Ok(classes)
}

/// `POST /economy/villages/{code}/distributions`: drafts a plan from the form's classes (rows
/// left without a name or a share are skipped).
pub async fn draft(
    State(s): St,
    v: Viewer,
    Path(code): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> P {
    v.need(crate::RECORD_ECONOMY)?;
    let (code, _) = crate::pages::village_in_reach(&s, &v, &code).await?;
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or_default();
    let done = async {
        let classes = classes_of(&f)?;
        let input = DistributionInput {
            division_code: code.clone(),
            year: get("year").trim().parse().unwrap_or(0),
            title: get("title").to_string(),
            distributable: fen_of("distributable", get("distributable"))?,
            reserve: per_ten_thousand("reserve", get("reserve"))?,
            classes,
        };
        s.db.draft_distribution(&v.scope(), &input).await
    }
    .await;
    match done {
        Ok(d) => Ok(Redirect::to(&format!(
            "/economy/distributions/{}/{}",
            d.distribution.county_id, d.distribution.id
        ))
        .into_response()),
        Err(e) => {
            let q = crate::pages::BooksQuery::default();
            crate::pages::books_page(&s, &v, &code, &q, refused(e)).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ApproveForm {
    pub matter_id: i64,
}

/// `POST /economy/distributions/{county}/{id}/approval`
pub async fn approve(
    State(s): St,
    v: Viewer,
    Path((county, id)): Path<(i64, i64)>,
    Form(f): Form<ApproveForm>,
) -> P {
    v.need(crate::RECORD_ECONOMY)?;
    let m = match s
        .db
        .approve_distribution(
            &v.scope(),
            county,
            id,
            &ApprovalInput {
                matter_id: f.matter_id,
            },
        )
        .await
    {
        Ok(_) => Some((
            "方案已由表决通过的决议确认，可以发放".to_string(),
            "The plan is carried by the resolution; it may be paid".to_string(),
            true,
        )),
        Err(e) => refused(e),
    };
    distribution_page(&s, &v, county, id, m).await
}

#[derive(Debug, Deserialize)]
pub struct InspectionForm {
    pub matter_id: i64,
    pub posted_on: String,
    pub until_on: String,
}

/// The plan as the village affairs board shows it: the split, then each household's number,
/// head (name masked to the surname) and amount, never an ID number (at most about 45,000
/// characters; the rest is at the village committee).
fn plan_text(v: &DistributionView, rows: &[HouseholdRow], classes: &[ClassInput]) -> String {
    let d = &v.distribution;
    let mut body = format!(
        "可分配收益{}元，提取公积公益金{}元",
        yuan(d.distributable),
        yuan(d.reserve_amount)
    );
    for c in classes {
        body.push_str(&format!(
            "；{}占{}.{:02}%",
            c.name,
            c.weight / 100,
            c.weight % 100
        ));
    }
    body.push_str(&format!(
        "。集体留存{}元，分到户{}元，共{}户，金额精确到分。\n各户明细（户号 户主 金额；户主姓名部分遮挡）：\n",
        yuan(d.kept_amount - d.reserve_amount),
        yuan(d.distributable - d.kept_amount),
        rows.len()
    ));
    for (k, r) in rows.iter().enumerate() {
        let line = format!(
            "{} {} {}元\n",
            r.number,
            xiangzhi_domain::public_text::mask_name(&r.head),
            yuan(r.amount)
        );
        if body.chars().count() + line.chars().count() > 45_000 {
            body.push_str(&format!("……其余{}户的明细在村委会备查。\n", rows.len() - k));
            break;
        }
        body.push_str(&line);
    }
    body.push_str("对方案有意见的，请在公示期内向村集体经济组织理事会提出。");
    body
}

/// `POST /economy/distributions/{county}/{id}/inspection`: posts the plan on the village
/// affairs board for inspection, tied to its matter of income distribution (the vote may come
/// ten days after).
pub async fn inspection(
    State(s): St,
    v: Viewer,
    Path((county, id)): Path<(i64, i64)>,
    Form(f): Form<InspectionForm>,
) -> P {
    use xiangzhi_decisions::publicity_store::{PostingInput, PublicityStore};
    v.need(crate::RECORD_ECONOMY)?;
    let scope = v.scope();
    let view =
        s.db.distribution(&scope, county, id)
            .await
            .map_err(store(v.l))?;
    let rows = rows_of(&s.db, &scope, &view).await.map_err(store(v.l))?;
    let classes: Vec<ClassInput> =
        serde_json::from_str(&view.distribution.classes).unwrap_or_default();
    let d = &view.distribution;
    let done = async {
        let m = s.db.matter(&scope, county, f.matter_id).await?;
        if m.matter.division_code != d.division_code || m.matter.kind != "income_distribution" {
            return Err(StoreError::invalid(
                "matter_id",
                "须选择本村的“收益分配方案”事项",
                "name this village's matter of income distribution",
            ));
        }
        s.db.post_publicity(
            &scope,
            &PostingInput {
                division_code: d.division_code.clone(),
                kind: xiangzhi_decisions::rules::publicity::PublicityKind::DistributionPlan,
                title: format!("{}（公示）", d.title),
                body: plan_text(&view, &rows, &classes),
                matter_id: Some(f.matter_id),
                posted_on: f.posted_on.clone(),
                until_on: f.until_on.clone(),
            },
        )
        .await
    }
    .await;
    let m = match done {
        Ok(p) => Some((
            format!(
                "方案已在村务公开栏公示（{} 至 {}），内容指纹 {}",
                p.posted_on,
                p.until_on,
                &p.fingerprint[..16]
            ),
            format!(
                "The plan is posted for inspection ({} to {}), fingerprint {}",
                p.posted_on,
                p.until_on,
                &p.fingerprint[..16]
            ),
            true,
        )),
        Err(e) => refused(e),
    };
    distribution_page(&s, &v, county, id, m).await
}

#[derive(Debug, Deserialize)]
pub struct PayForm {
    pub household_id: i64,
    pub amount: String,
    pub paid_on: String,
    pub voucher: String,
}

/// `POST /economy/distributions/{county}/{id}/payments`
pub async fn pay(
    State(s): St,
    v: Viewer,
    Path((county, id)): Path<(i64, i64)>,
    Form(f): Form<PayForm>,
) -> P {
    v.need(crate::RECORD_ECONOMY)?;
    let done = async {
        let amount = fen_of("amount", &f.amount)?;
        s.db.pay(
            &v.scope(),
            county,
            id,
            &PaymentInput {
                household_id: f.household_id,
                amount,
                paid_on: f.paid_on.clone(),
                voucher: f.voucher.clone(),
            },
        )
        .await
    }
    .await;
    let m = match done {
        Ok(p) => Some((
            format!("已发放 {} 元（{}）", yuan(p.amount), p.voucher),
            format!("Paid {} yuan ({})", yuan(p.amount), p.voucher),
            true,
        )),
        Err(e) => refused(e),
    };
    distribution_page(&s, &v, county, id, m).await
}

/// `GET /economy/distributions/{county}/{id}/plan.xlsx`: every household's lines and payments.
pub async fn plan_xlsx(State(s): St, v: Viewer, Path((county, id)): Path<(i64, i64)>) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let view =
        s.db.distribution(&scope, county, id)
            .await
            .map_err(store(v.l))?;
    let rows = rows_of(&s.db, &scope, &view).await.map_err(store(v.l))?;
    let d = &view.distribution;
    let mut out: Vec<Vec<Cell>> = [
        ("可分配收益", d.distributable),
        ("公积公益金", d.reserve_amount),
        ("集体留存", d.kept_amount - d.reserve_amount),
    ]
    .into_iter()
    .map(|(what, fen)| {
        vec![
            Cell::Text(what.into()),
            Cell::Text(String::new()),
            Cell::Text(String::new()),
            Cell::Text(String::new()),
            Cell::Int(fen),
            Cell::Int(0),
        ]
    })
    .collect();
    for r in &rows {
        for (class, shares, amount) in &r.parts {
            out.push(vec![
                Cell::Text(r.number.clone()),
                Cell::Text(r.head.clone()),
                Cell::Text(class.clone()),
                Cell::Int(*shares),
                Cell::Int(*amount),
                Cell::Int(0),
            ]);
        }
        out.push(vec![
            Cell::Text(r.number.clone()),
            Cell::Text(r.head.clone()),
            Cell::Text("本户合计".into()),
            Cell::Text(String::new()),
            Cell::Int(r.amount),
            Cell::Int(r.paid),
        ]);
    }
    export_sheet(
        &s,
        &v,
        "export distribution",
        &format!("{}-{}.xlsx", d.title, d.id),
        "收益分配",
        &[
            "户号",
            "户主",
            "类别",
            "股份（百分之一）",
            "金额（分）",
            "已发放（分）",
        ],
        out,
    )
    .await
}

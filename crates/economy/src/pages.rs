//! The console's pages of 集体经济. `/economy` is the township's and the county's view of the
//! three assets: every village in reach with the year's income, expense and operating income,
//! strong or not, its assets and idle ones, its leases and the rent overdue, where its latest
//! distribution stands; the share of strong villages against the county's target (which the
//! county sets there); and the idle assets to be put to use (闲变宝). A village's books
//! (`/economy/villages/{code}`) are the accountant's: the journal of a month or a year with its
//! statement, entering and reversing entries, the asset register, the leases with rent to
//! receive, and the distributions ([`crate::distribution_pages`]). Every list downloads as .xlsx.

use crate::assets::{AssetStore, AssetView, CATEGORIES, STATES};
use crate::distributions::{Distribution, DistributionStore};
use crate::funds::{
    FundEntry, FundInput, FundStatement, FundStore, ReversalInput, EXPENSE, INCOME,
};
use crate::leases::{LeaseStore, LeaseView, ReceiptInput};
use crate::overview::{Overview, OverviewStore, TargetInput};
use crate::resources::{Resource, ResourceStore, KINDS, USES};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::IntoResponse;
use chrono::Datelike;
use serde::Deserialize;
use xiangzhi_domain::{DivisionCode, DivisionLevel, Fen, Right};
use xiangzhi_registry::prelude::DivisionStore;
use xiangzhi_storage::StoreError;
use xiangzhi_web::console::{
    html, refused, status_of, store, Chrome, Message, PageError, St, Viewer, P,
};
use xiangzhi_web::Query;

/// Tonnes with three decimals, from whole kilograms.
pub(crate) fn tonnes<T: AsFen>(kilograms: T) -> String {
    let kg = kilograms.fen();
    format!("{}.{:03}", kg / 1000, (kg % 1000).abs())
}

/// Yuan with two decimals, from fen.
pub(crate) fn yuan<T: AsFen>(fen: T) -> String {
    Fen(fen.fen()).to_string()
}

/// An amount in fen however the template holds it (by value or through references).
pub(crate) trait AsFen {
    fn fen(&self) -> i64;
}

impl AsFen for i64 {
    fn fen(&self) -> i64 {
        *self
    }
}

impl<T: AsFen + ?Sized> AsFen for &T {
    fn fen(&self) -> i64 {
        (**self).fen()
    }
}

/// An amount typed in yuan, to fen exactly (never through a float).
pub(crate) fn fen_of(field: &str, text: &str) -> Result<i64, StoreError> {
    Fen::parse_yuan(text.trim().replace([',', '，', '¥', '元'], "").as_str())
        .map(|f| f.0)
        .map_err(|_| {
            StoreError::invalid(
                field,
                "金额应为元，最多两位小数，如 1234.50",
                "an amount in yuan with at most two decimals, such as 1234.50",
            )
        })
}

pub(crate) fn name_in(list: &[(&str, &str)], key: &str, en: bool) -> String {
    if en {
        key.replace('_', " ")
    } else {
        list.iter()
            .find(|(k, _)| *k == key)
            .map(|(_, zh)| zh.to_string())
            .unwrap_or_else(|| key.to_string())
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct OverviewQuery {
    pub division: Option<String>,
    pub year: Option<i32>,
}

#[derive(Template)]
#[template(path = "economy.html")]
struct OverviewPage {
    c: Chrome,
    o: Overview,
    townships: Vec<(String, String)>,
    division: String,
    years: Vec<i32>,
    idle: Vec<AssetView>,
    idle_resources: Vec<Resource>,
    sales: crate::sales::SalesYear,
    may_target: bool,
    may_batch: bool,
    totals: (i64, i64, i64, i64),
    message: Message,
}

impl OverviewPage {
    fn percent(&self, per_ten_thousand: &u32) -> String {
        format!("{}.{:02}%", per_ten_thousand / 100, per_ten_thousand % 100)
    }
    fn village(&self, code: &str) -> String {
        self.o
            .villages
            .iter()
            .find(|b| b.division_code == code)
            .map(|b| b.name.clone())
            .unwrap_or_else(|| code.to_string())
    }
    fn category(&self, k: &str) -> String {
        name_in(&CATEGORIES, k, self.c.l.en)
    }
    fn kind(&self, k: &str) -> String {
        name_in(&KINDS, k, self.c.l.en)
    }
}

/// The townships of a list of villages named `township · village`.
pub(crate) fn townships_of(villages: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (code, name) in villages {
        let t = code.get(..9).unwrap_or_default();
        if out.last().is_none_or(|(c, _)| c != t) {
            let n = name.split(" · ").next().unwrap_or_default();
            out.push((t.to_string(), n.to_string()));
        }
    }
    out.dedup();
    out
}

pub(crate) fn this_year() -> i32 {
    xiangzhi_domain::china_today().year()
}

async fn overview_page(
    s: &xiangzhi_web::AppState,
    v: &Viewer,
    q: &OverviewQuery,
    message: Message,
) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let division = q
        .division
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    let year = q.year.unwrap_or_else(this_year);
    let today = xiangzhi_domain::china_today();
    let o =
        s.db.overview(&scope, division, year, today)
            .await
            .map_err(store(v.l))?;
    let idle =
        s.db.assets(&scope, division, None, Some("idle"), today)
            .await
            .map_err(store(v.l))?;
    let idle_resources =
        s.db.resources(&scope, division, None, Some("idle"))
            .await
            .map_err(store(v.l))?;
    let sales = {
        use crate::sales::SaleStore;
        s.db.sales_year(&scope, division, year)
            .await
            .map_err(store(v.l))?
    };
    let townships = townships_of(&s.db.villages_in_reach(&scope).await.map_err(store(v.l))?);
    let totals = o.villages.iter().fold((0, 0, 0, 0), |t, b| {
        (
            t.0 + b.income,
            t.1 + b.expense,
            t.2 + b.operating_income,
            t.3 + b.overdue_rent,
        )
    });
    let status = status_of(&message);
    let page = OverviewPage {
        c: v.chrome(v.l.t("集体经济", "Collective economy")),
        townships,
        division: division.unwrap_or_default().to_string(),
        years: (today.year() - 4..=today.year()).rev().collect(),
        idle,
        idle_resources,
        sales,
        may_target: v.user.can(crate::SET_TARGETS),
        // A township or the county drafts its villages' plans at once; a village, its own.
        may_batch: v.user.can(crate::RECORD_ECONOMY)
            && scope
                .root()
                .is_none_or(|r| r.level() != DivisionLevel::Village),
        totals,
        o,
        message,
    };
    Ok((status, html(page)?).into_response())
}

/// `GET /economy`
pub async fn overview(State(s): St, v: Viewer, Query(q): Query<OverviewQuery>) -> P {
    overview_page(&s, &v, &q, None).await
}

#[derive(Debug, Deserialize)]
pub struct TargetForm {
    pub year: i32,
    /// Percent with at most two decimals (`27` or `27.5`).
    pub percent: String,
}

/// `POST /economy/strong-target`: the county sets its target for a year.
pub async fn set_target(State(s): St, v: Viewer, Form(f): Form<TargetForm>) -> P {
    v.need(crate::SET_TARGETS)?;
    let q = OverviewQuery {
        division: None,
        year: Some(f.year),
    };
    // Percent with two decimals is a whole number of ten-thousandths, parsed like yuan.
    let done = match Fen::parse_yuan(f.percent.trim().trim_end_matches('%')) {
        Ok(Fen(n)) if (1..=10_000).contains(&n) => {
            s.db.set_strong_target(
                &v.scope(),
                &TargetInput {
                    year: f.year,
                    share: n as u32,
                },
            )
            .await
        }
        _ => Err(StoreError::invalid(
            "percent",
            "目标占比应为0.01到100之间的百分数",
            "the target is a percentage from 0.01 to 100",
        )),
    };
    let m = match done {
        Ok(_) => Some((
            format!("{}年强村占比目标已设定为{}%", f.year, f.percent.trim()),
            format!("The {} target is set to {}%", f.year, f.percent.trim()),
            true,
        )),
        Err(e) => refused(e),
    };
    overview_page(&s, &v, &q, m).await
}

#[derive(Debug, Deserialize, Default)]
pub struct BooksQuery {
    pub year: Option<i32>,
    /// 1–12; the whole year when absent or empty.
    pub month: Option<String>,
}

impl BooksQuery {
    pub(crate) fn month(&self) -> Option<u32> {
        self.month.as_deref().and_then(|m| m.trim().parse().ok())
    }
}

#[derive(Template)]
#[template(path = "economy_village.html")]
struct BooksPage {
    c: Chrome,
    code: String,
    year: i32,
    month: Option<u32>,
    years: Vec<i32>,
    statement: FundStatement,
    entries: Vec<FundEntry>,
    assets: Vec<AssetView>,
    leases: Vec<LeaseView>,
    resources: Vec<Resource>,
    enterprises: Vec<crate::enterprises::Enterprise>,
    sales: Vec<crate::sales::Sale>,
    channels: Vec<(&'static str, &'static str)>,
    distributions: Vec<Distribution>,
    may_record: bool,
    today: String,
    income: Vec<(&'static str, &'static str)>,
    expense: Vec<(&'static str, &'static str)>,
    states: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    uses: Vec<(&'static str, &'static str)>,
    /// The draft form's rows: (name, percent, for whom), the seed's classes first.
    class_rows: Vec<(String, &'static str, &'static str)>,
    message: Message,
}

impl BooksPage {
    fn category(&self, direction: &str, k: &str) -> String {
        if direction == "income" {
            name_in(&INCOME, k, self.c.l.en)
        } else {
            name_in(&EXPENSE, k, self.c.l.en)
        }
    }
    fn state(&self, k: &str) -> String {
        name_in(&STATES, k, self.c.l.en)
    }
    fn asset_category(&self, k: &str) -> String {
        name_in(&CATEGORIES, k, self.c.l.en)
    }
    fn kind(&self, k: &str) -> String {
        name_in(&KINDS, k, self.c.l.en)
    }
    fn channel(&self, k: &str) -> String {
        name_in(&crate::sales::CHANNELS, k, self.c.l.en)
    }
    fn enterprise_kind(&self, k: &str) -> String {
        name_in(&crate::enterprises::KINDS, k, self.c.l.en)
    }
    fn use_name(&self, k: &str) -> String {
        name_in(&USES, k, self.c.l.en)
    }
    fn period(&self) -> String {
        match self.month {
            Some(m) => self
                .c
                .l
                .t(
                    &format!("{}年{}月", self.year, m),
                    &format!("{}-{m:02}", self.year),
                )
                .to_string(),
            None => self
                .c
                .l
                .t(
                    &format!("{}年全年", self.year),
                    &format!("the year {}", self.year),
                )
                .to_string(),
        }
    }
    fn query(&self) -> String {
        match self.month {
            Some(m) => format!("?year={}&month={m}", self.year),
            None => format!("?year={}", self.year),
        }
    }
    fn reversed(&self, id: &i64) -> bool {
        self.entries.iter().any(|e| e.reverses == Some(*id))
    }
}

/// The village named in a path, in reach, with its name.
pub(crate) async fn village_in_reach(
    s: &xiangzhi_web::AppState,
    v: &Viewer,
    code: &str,
) -> Result<(String, String), PageError> {
    let scope = v.scope();
    let ok = DivisionCode::parse(code)
        .ok()
        .filter(|c| c.level() == DivisionLevel::Village && scope.covers(c.as_str()));
    let Some(code) = ok else {
        return Err(PageError::NotFound(v.l));
    };
    let name =
        s.db.villages_in_reach(&scope)
            .await
            .map_err(store(v.l))?
            .into_iter()
            .find(|(c, _)| c == code.as_str())
            .map(|(_, n)| n)
            .ok_or(PageError::NotFound(v.l))?;
    Ok((code.as_str().to_string(), name))
}

/// A village's statement and journal for the period a page asks.
pub(crate) struct Period {
    pub code: String,
    pub name: String,
    pub year: i32,
    pub month: Option<u32>,
    pub statement: FundStatement,
    pub entries: Vec<FundEntry>,
}

/// The village in reach, its statement and its journal for the asked month or year.
pub(crate) async fn period_books(
    s: &xiangzhi_web::AppState,
    v: &Viewer,
    code: &str,
    q: &BooksQuery,
) -> Result<Period, PageError> {
    v.need(Right::ReadRegistry)?;
    let (code, name) = village_in_reach(s, v, code).await?;
    let scope = v.scope();
    let year = q.year.unwrap_or_else(this_year);
    let month = q.month();
    let (from, to) = crate::funds::period(Some(year), month).map_err(store(v.l))?;
    let statement =
        s.db.fund_statement(&scope, &code, from, to)
            .await
            .map_err(store(v.l))?;
    let entries = crate::funds::entries_between(&s.db, &scope, &code, from, to)
        .await
        .map_err(store(v.l))?;
    Ok(Period {
        code,
        name,
        year,
        month,
        statement,
        entries,
    })
}

pub(crate) async fn books_page(
    s: &xiangzhi_web::AppState,
    v: &Viewer,
    code: &str,
    q: &BooksQuery,
    message: Message,
) -> P {
    let Period {
        code,
        name,
        year,
        month,
        statement,
        entries,
    } = period_books(s, v, code, q).await?;
    let scope = v.scope();
    let today = xiangzhi_domain::china_today();
    let assets =
        s.db.assets(&scope, Some(&code), None, None, today)
            .await
            .map_err(store(v.l))?;
    let mut leases = Vec::new();
    for l in
        s.db.leases(&scope, Some(&code), None)
            .await
            .map_err(store(v.l))?
    {
        leases.push(crate::leases::view(l, today).map_err(store(v.l))?);
    }
    let resources =
        s.db.resources(&scope, Some(&code), None, None)
            .await
            .map_err(store(v.l))?;
    let enterprises = {
        use crate::enterprises::EnterpriseStore;
        s.db.enterprises(&scope, Some(&code), None)
            .await
            .map_err(store(v.l))?
    };
    let sales = {
        use crate::sales::SaleStore;
        s.db.sales(&scope, Some(&code), None)
            .await
            .map_err(store(v.l))?
            .into_iter()
            .filter(|x| x.sold_on.year() == year)
            .collect()
    };
    let distributions =
        s.db.distributions(&scope, Some(&code), None)
            .await
            .map_err(store(v.l))?;
    let status = status_of(&message);
    let page = BooksPage {
        c: v.chrome(&format!(
            "{name} · {}",
            v.l.t("集体经济", "Collective economy")
        )),
        code,
        year,
        month,
        years: (today.year() - 4..=today.year()).rev().collect(),
        statement,
        entries,
        assets,
        leases,
        resources,
        enterprises,
        sales,
        channels: crate::sales::CHANNELS.to_vec(),
        distributions,
        may_record: v.user.can(crate::RECORD_ECONOMY),
        today: today.to_string(),
        income: INCOME.to_vec(),
        expense: EXPENSE.to_vec(),
        states: STATES.to_vec(),
        kinds: KINDS.to_vec(),
        uses: USES.to_vec(),
        class_rows: class_rows(v.l),
        message,
    };
    Ok((status, html(page)?).into_response())
}

/// A draft form's class rows: (name, percent, for whom), the seed's classes first and one free.
pub(crate) fn class_rows(l: xiangzhi_web::console::L) -> Vec<(String, &'static str, &'static str)> {
    vec![
        (
            l.t("集体留存", "Kept by the collective").to_string(),
            "20",
            "kept",
        ),
        (
            l.t("脱贫户", "Poverty-alleviated households").to_string(),
            "10",
            "poverty_alleviated",
        ),
        (
            l.t("其他农户", "Other households").to_string(),
            "70",
            "others",
        ),
        (String::new(), "", "all"),
    ]
}

/// `GET /economy/villages/{code}`
pub async fn books(
    State(s): St,
    v: Viewer,
    Path(code): Path<String>,
    Query(q): Query<BooksQuery>,
) -> P {
    books_page(&s, &v, &code, &q, None).await
}

#[derive(Debug, Deserialize)]
pub struct EntryForm {
    pub entry_on: String,
    /// `income:business` — the direction and the category in one choice.
    pub category: String,
    pub amount: String,
    pub summary: String,
    pub voucher: String,
}

/// `POST /economy/villages/{code}/funds`: enters an income or expense.
pub async fn enter(
    State(s): St,
    v: Viewer,
    Path(code): Path<String>,
    Form(f): Form<EntryForm>,
) -> P {
    v.need(crate::RECORD_ECONOMY)?;
    let (code, _) = village_in_reach(&s, &v, &code).await?;
    let done = async {
        let amount = fen_of("amount", &f.amount)?;
        let (direction, category) = f.category.split_once(':').ok_or_else(|| {
            StoreError::invalid("category", "请选择收支科目", "choose the category")
        })?;
        s.db.enter_fund(
            &v.scope(),
            &FundInput {
                division_code: code.clone(),
                entry_on: f.entry_on.clone(),
                direction: direction.to_string(),
                category: category.to_string(),
                amount,
                summary: f.summary.clone(),
                voucher: f.voucher.clone(),
            },
        )
        .await
    }
    .await;
    let q = month_of(&f.entry_on);
    let m = match done {
        Ok(e) => Some((
            format!("已记账：{} {} 元", e.voucher, yuan(e.amount)),
            format!("Entered: {} {} yuan", e.voucher, yuan(e.amount)),
            true,
        )),
        Err(e) => refused(e),
    };
    books_page(&s, &v, &code, &q, m).await
}

/// The month of a typed date, to show the page the entry went to.
fn month_of(day: &str) -> BooksQuery {
    match chrono::NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d") {
        Ok(d) => BooksQuery {
            year: Some(d.year()),
            month: Some(d.month().to_string()),
        },
        Err(_) => BooksQuery::default(),
    }
}

#[derive(Debug, Deserialize)]
pub struct ReverseForm {
    pub county: i64,
    pub id: i64,
    pub reason: String,
    pub entry_on: String,
}

/// `POST /economy/villages/{code}/reversal`: reverses an entry by a new one.
pub async fn reverse(
    State(s): St,
    v: Viewer,
    Path(code): Path<String>,
    Form(f): Form<ReverseForm>,
) -> P {
    v.need(crate::RECORD_ECONOMY)?;
    let (code, _) = village_in_reach(&s, &v, &code).await?;
    let done =
        s.db.reverse_fund(
            &v.scope(),
            f.county,
            f.id,
            &ReversalInput {
                reason: f.reason.clone(),
                entry_on: f.entry_on.clone(),
            },
        )
        .await;
    let m = match done {
        Ok(e) => Some((
            format!("已红字冲销：{}", e.voucher),
            format!("Reversed: {}", e.voucher),
            true,
        )),
        Err(e) => refused(e),
    };
    books_page(&s, &v, &code, &month_of(&f.entry_on), m).await
}

#[derive(Debug, Deserialize)]
pub struct AssetStateForm {
    pub county: i64,
    pub id: i64,
    pub state: String,
    pub version: i64,
}

/// `POST /economy/villages/{code}/asset-state`: an asset put in use, left idle, leased out or
/// disposed of.
pub async fn asset_state(
    State(s): St,
    v: Viewer,
    Path(code): Path<String>,
    Form(f): Form<AssetStateForm>,
) -> P {
    v.need(crate::RECORD_ECONOMY)?;
    let (code, _) = village_in_reach(&s, &v, &code).await?;
    let done =
        s.db.move_asset(
            &v.scope(),
            f.county,
            f.id,
            &crate::assets::StateInput {
                state: f.state.clone(),
                version: f.version,
            },
        )
        .await;
    let m = match done {
        Ok(a) => Some((
            format!(
                "{}：{}",
                a.asset.name,
                name_in(&STATES, &a.asset.state, false)
            ),
            format!("{}: {}", a.asset.name, a.asset.state.replace('_', " ")),
            true,
        )),
        Err(e) => refused(e),
    };
    books_page(&s, &v, &code, &BooksQuery::default(), m).await
}

#[derive(Debug, Deserialize)]
pub struct RentForm {
    pub county: i64,
    pub id: i64,
    pub amount: String,
    pub received_on: String,
    pub voucher: String,
}

/// `POST /economy/villages/{code}/rent`: rent received on a lease.
pub async fn rent(State(s): St, v: Viewer, Path(code): Path<String>, Form(f): Form<RentForm>) -> P {
    v.need(crate::RECORD_ECONOMY)?;
    let (code, _) = village_in_reach(&s, &v, &code).await?;
    let done = async {
        let amount = fen_of("amount", &f.amount)?;
        s.db.receive_rent(
            &v.scope(),
            f.county,
            f.id,
            &ReceiptInput {
                amount,
                received_on: f.received_on.clone(),
                voucher: f.voucher.clone(),
            },
        )
        .await
    }
    .await;
    let m = match done {
        Ok(r) => Some((
            format!("已收租金 {} 元（{}）", yuan(r.amount), r.voucher),
            format!("Rent received: {} yuan ({})", yuan(r.amount), r.voucher),
            true,
        )),
        Err(e) => refused(e),
    };
    books_page(&s, &v, &code, &BooksQuery::default(), m).await
}

#[derive(Debug, Deserialize)]
pub struct CodesForm {
    /// One household's number only (a lost slip); every household of the village when empty.
    #[serde(default)]
    pub household: String,
}

#[derive(Template)]
#[template(path = "economy_slips.html")]
struct SlipsPage {
    c: Chrome,
    name: String,
    slips: Vec<crate::codes::Slip>,
}

/// `POST /economy/villages/{code}/codes`: new codes for the village's households (or one), on
/// slips to print and hand out; shown once, never again.
pub async fn codes(
    State(s): St,
    v: Viewer,
    Path(code): Path<String>,
    Form(f): Form<CodesForm>,
) -> P {
    use crate::codes::CodeStore;
    v.need(crate::RECORD_ECONOMY)?;
    let (code, name) = village_in_reach(&s, &v, &code).await?;
    let household = Some(f.household.trim()).filter(|h| !h.is_empty());
    match s.db.issue_codes(&v.scope(), &code, household).await {
        Ok(slips) => {
            let mut r = html(SlipsPage {
                c: v.chrome(&format!(
                    "{name} · {}",
                    v.l.t("户查询码", "Household codes")
                )),
                name,
                slips,
            })?
            .into_response();
            r.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            Ok(r)
        }
        Err(e) => books_page(&s, &v, &code, &BooksQuery::default(), refused(e)).await,
    }
}

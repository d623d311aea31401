//! The resources register and produce sales in a village's books: registering land, forest,
//! water or barren land with its area typed in mu (kept exactly in hundredths) and its rights
//! registration, changing how a resource is used, and recording a sale typed in kilograms and
//! yuan (kept in fen).

use crate::pages::{books_page, fen_of, name_in, village_in_reach, yuan, BooksQuery};
use crate::resources::{ResourceInput, ResourceStore, UseInput, USES};
use axum::extract::{Form, Path, State};
use serde::Deserialize;
use xiangzhi_domain::Fen;
use xiangzhi_storage::StoreError;
use xiangzhi_web::console::{refused, St, Viewer, P};

#[derive(Debug, Deserialize)]
pub struct ResourceForm {
    pub name: String,
    pub kind: String,
    /// In mu, with at most two decimals.
    pub area: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub certificate: String,
    #[serde(default)]
    pub registered_on: String,
    #[serde(default)]
    pub used_by: String,
    pub state: String,
}

/// `POST /economy/villages/{code}/resources`: registers a resource.
pub async fn add_resource(
    State(s): St,
    v: Viewer,
    Path(code): Path<String>,
    Form(f): Form<ResourceForm>,
) -> P {
    v.need(crate::RECORD_ECONOMY)?;
    let (code, _) = village_in_reach(&s, &v, &code).await?;
    let done = async {
        // Mu with two decimals are whole hundredths, parsed exactly like yuan.
        let area = Fen::parse_yuan(f.area.trim()).map(|a| a.0).map_err(|_| {
            StoreError::invalid(
                "area",
                "面积以亩计，最多两位小数，如 12.5",
                "the area in mu with at most two decimals, such as 12.5",
            )
        })?;
        s.db.register_resource(
            &v.scope(),
            &ResourceInput {
                division_code: code.clone(),
                name: f.name.clone(),
                kind: f.kind.clone(),
                area,
                location: f.location.clone(),
                certificate: f.certificate.clone(),
                registered_on: Some(f.registered_on.clone()),
                used_by: f.used_by.clone(),
                state: f.state.clone(),
            },
        )
        .await
    }
    .await;
    let m = match done {
        Ok(r) => Some((
            format!("已登记资源：{}（{} 亩）", r.name, yuan(r.area)),
            format!("Registered: {} ({} mu)", r.name, yuan(r.area)),
            true,
        )),
        Err(e) => refused(e),
    };
    books_page(&s, &v, &code, &BooksQuery::default(), m).await
}

#[derive(Debug, Deserialize)]
pub struct ResourceUseForm {
    pub county: i64,
    pub id: i64,
    pub state: String,
    #[serde(default)]
    pub used_by: String,
    pub version: i64,
}

/// `POST /economy/villages/{code}/resource-use`: a resource contracted, leased, run by the
/// collective or left idle.
pub async fn resource_use(
    State(s): St,
    v: Viewer,
    Path(code): Path<String>,
    Form(f): Form<ResourceUseForm>,
) -> P {
    v.need(crate::RECORD_ECONOMY)?;
    let (code, _) = village_in_reach(&s, &v, &code).await?;
    let done =
        s.db.use_resource(
            &v.scope(),
            f.county,
            f.id,
            &UseInput {
                state: f.state.clone(),
                used_by: f.used_by.clone(),
                version: f.version,
            },
        )
        .await;
    let m = match done {
        Ok(r) => Some((
            format!("{}：{}", r.name, name_in(&USES, &r.state, false)),
            format!("{}: {}", r.name, r.state),
            true,
        )),
        Err(e) => refused(e),
    };
    books_page(&s, &v, &code, &BooksQuery::default(), m).await
}

#[derive(Debug, Deserialize)]
pub struct SaleForm {
    pub sold_on: String,
    pub product: String,
    pub kilograms: String,
    pub amount: String,
    pub buyer: String,
    pub channel: String,
}

/// `POST /economy/villages/{code}/sales`: records a sale of the village's produce.
pub async fn add_sale(
    State(s): St,
    v: Viewer,
    Path(code): Path<String>,
    Form(f): Form<SaleForm>,
) -> P {
    use crate::sales::{SaleInput, SaleStore};
    v.need(crate::RECORD_ECONOMY)?;
    let (code, _) = village_in_reach(&s, &v, &code).await?;
    let done = async {
        let kilograms = f
            .kilograms
            .trim()
            .replace([',', '，'], "")
            .parse::<i64>()
            .map_err(|_| {
                StoreError::invalid(
                    "kilograms",
                    "重量以千克计，填整数",
                    "the weight in whole kilograms",
                )
            })?;
        s.db.record_sale(
            &v.scope(),
            &SaleInput {
                division_code: code.clone(),
                sold_on: f.sold_on.clone(),
                product: f.product.clone(),
                kilograms,
                amount: fen_of("amount", &f.amount)?,
                buyer: f.buyer.clone(),
                channel: f.channel.clone(),
            },
        )
        .await
    }
    .await;
    let m = match done {
        Ok(x) => Some((
            format!(
                "已登记销售：{} {} 千克，{} 元",
                x.product,
                x.kilograms,
                yuan(x.amount)
            ),
            format!(
                "Recorded: {} {} kg, {} yuan",
                x.product,
                x.kilograms,
                yuan(x.amount)
            ),
            true,
        )),
        Err(e) => refused(e),
    };
    books_page(&s, &v, &code, &BooksQuery::default(), m).await
}

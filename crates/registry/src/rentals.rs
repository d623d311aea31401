//! 出租房屋 in the console: the rented houses of the viewer's area with their tenants (流动人口),
//! ID numbers and phones masked.

use crate::model::*;
use crate::prelude::*;
use askama::Template;
use axum::extract::{Path, Query};
use serde::Deserialize;
use xiangzhi_domain::id_number::mask;
use xiangzhi_domain::Right;
use xiangzhi_storage::*;
use xiangzhi_web::console::{encode, html, store, Chrome, St, Viewer, P};

#[derive(Template)]
#[template(path = "rentals.html")]
struct RentalsPage {
    c: Chrome,
    q: String,
    rows: Vec<Rental>,
    next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RentalsQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    cursor: String,
}

/// 出租房屋: the rented houses of the viewer's area, an address search.
pub async fn rentals(axum::extract::State(s): St, v: Viewer, Query(q): Query<RentalsQuery>) -> P {
    v.need(Right::ReadRegistry)?;
    let lq = ListQuery {
        q: Some(q.q.trim().to_string()).filter(|t| !t.is_empty()),
        cursor: Some(q.cursor.clone()).filter(|c| !c.is_empty()),
        limit: Some(100),
        ..Default::default()
    };
    let page =
        s.db.list_rentals(&v.scope(), &lq)
            .await
            .map_err(store(v.l))?;
    let next = page
        .next_cursor
        .map(|c| format!("/rentals?q={}&cursor={}", encode(&q.q), encode(&c)));
    let rows = page
        .items
        .into_iter()
        .map(|mut r| {
            r.owner_phone = r.owner_phone.map(|p| mask(&p, 3, 4));
            r
        })
        .collect();
    html(RentalsPage {
        c: v.chrome(v.l.t("出租房屋", "Rented houses")),
        q: q.q,
        rows,
        next,
    })
}

#[derive(Template)]
#[template(path = "rental.html")]
struct RentalPage {
    c: Chrome,
    r: Rental,
    tenants: Vec<Tenant>,
}

/// One rented house and its tenants, past and present.
pub async fn rental(axum::extract::State(s): St, v: Viewer, Path(id): Path<i64>) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let mut r = s.db.get_rental(&scope, id).await.map_err(store(v.l))?;
    r.owner_phone = r.owner_phone.map(|p| mask(&p, 3, 4));
    let tenants =
        s.db.rental_tenants(&scope, id)
            .await
            .map_err(store(v.l))?
            .into_iter()
            .map(|mut t| {
                t.id_number = mask(&t.id_number, 3, 4);
                t.phone = t.phone.map(|p| mask(&p, 3, 4));
                t
            })
            .collect();
    html(RentalPage {
        c: v.chrome(&r.address),
        r,
        tenants,
    })
}

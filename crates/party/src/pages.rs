//! The party's pages: organisations with their members, and contact-duty coverage.

use crate::model::*;
use crate::prelude::*;
use askama::Template;
use axum::extract::Path;
use xiangzhi_domain::Right;
use xiangzhi_storage::*;
use xiangzhi_web::console::{html, store, Chrome, St, Viewer, P};

// ------------------------------------------------------------------------------------------
// Party organisations

#[derive(Template)]
#[template(path = "party.html")]
struct PartyPage {
    c: Chrome,
    orgs: Vec<PartyOrg>,
}

pub async fn party(axum::extract::State(s): St, v: Viewer) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let all =
        s.db.list_party_orgs(
            &scope,
            &ListQuery {
                limit: Some(500),
                ..Default::default()
            },
        )
        .await
        .map_err(store(v.l))?
        .items;
    // The roots of what this account can see: organisations whose parent lies outside the view.
    let ids: std::collections::HashSet<i64> = all.iter().map(|o| o.id).collect();
    let orgs = all
        .into_iter()
        .filter(|o| o.parent_id.is_none_or(|p| !ids.contains(&p)))
        .collect();
    html(PartyPage {
        c: v.chrome(v.l.t("党组织", "Party organisations")),
        orgs,
    })
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage {
    c: Chrome,
    o: PartyOrg,
    parent: Option<PartyOrg>,
    children: Vec<PartyOrg>,
    members: Vec<PartyMember>,
    more_members: bool,
}

pub async fn party_org(axum::extract::State(s): St, v: Viewer, Path(id): Path<i64>) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let err = store(v.l);
    let o = s.db.get_party_org(&scope, id).await.map_err(&err)?;
    let parent = match o.parent_id {
        Some(p) => s.db.get_party_org(&scope, p).await.ok(),
        None => None,
    };
    let by_parent = ListQuery {
        parent: Some(id.to_string()),
        limit: Some(500),
        ..Default::default()
    };
    let children =
        s.db.list_party_orgs(&scope, &by_parent)
            .await
            .map_err(&err)?
            .items;
    let members =
        s.db.list_party_members(&scope, &by_parent)
            .await
            .map_err(&err)?;
    html(OrgPage {
        c: v.chrome(&o.name),
        o,
        parent,
        children,
        more_members: members.next_cursor.is_some(),
        members: members.items,
    })
}

// ------------------------------------------------------------------------------------------
// Contact-duty coverage

#[derive(Template)]
#[template(path = "coverage.html")]
struct CoveragePage {
    c: Chrome,
    r: CoverageReport,
}

pub async fn coverage(axum::extract::State(s): St, v: Viewer) -> P {
    v.need(Right::ReadRegistry)?;
    let r = s.db.coverage_report(&v.scope()).await.map_err(store(v.l))?;
    html(CoveragePage {
        c: v.chrome(v.l.t("包联覆盖", "Contact-duty coverage")),
        r,
    })
}

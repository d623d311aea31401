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

/// The party's part of a household's page: the members who keep contact with it, the cadres
/// with a duty for it.
async fn household_cards(
    s: &xiangzhi_web::AppState,
    v: &Viewer,
    id: i64,
) -> Result<Vec<xiangzhi_web::home::Card>, StoreError> {
    use xiangzhi_web::home::{Card, Item};
    if !v.user.can(Right::ReadRegistry) {
        return Ok(Vec::new());
    }
    let l = v.l;
    let scope = v.scope();
    let contacts = s.db.household_contacts(&scope, id).await?;
    let duties = s.db.household_duties(&scope, id).await?;
    let mut items: Vec<Item> = contacts
        .into_iter()
        .map(|(org_id, name, org)| Item {
            label: format!("{name}（{}）", l.t("联系党员", "party member in contact")),
            href: format!("/party/{org_id}"),
            note: org,
            late: false,
        })
        .collect();
    items.extend(duties.into_iter().map(|d| Item {
        label: format!("{}（{}）", d.person_name, l.t(d.rank.zh(), d.rank.as_str())),
        href: "/coverage".into(),
        note: d.unit.unwrap_or_default(),
        late: false,
    }));
    Ok(vec![Card {
        order: 1,
        title: l.t("联系党员与包联干部", "Party contact and cadres").into(),
        count: items.len() as i64,
        items,
        empty: l
            .t(
                "本户还没有联系党员",
                "No party member keeps contact with this household yet",
            )
            .into(),
        more: None,
    }])
}

/// The feature's part of a household's page.
pub fn household<'a>(
    s: &'a xiangzhi_web::AppState,
    v: &'a Viewer,
    id: i64,
) -> std::pin::Pin<
    Box<
        dyn std::future::Future<Output = Result<Vec<xiangzhi_web::home::Card>, StoreError>>
            + Send
            + 'a,
    >,
> {
    Box::pin(household_cards(s, v, id))
}

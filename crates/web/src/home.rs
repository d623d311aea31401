//! 首页: what waits for an account each morning. The platform draws the page; every feature adds
//! its part through a [`HomeBuilder`] (its to-do lists, its figures of the week, its quick actions),
//! so the home page knows no feature.

use crate::console::{html, Chrome, PageError, Viewer, P};
use crate::AppState;
use askama::Template;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use xiangzhi_domain::Right;

/// One line of a to-do list: what, where it leads, and a note (a deadline, a place).
#[derive(Debug, Clone)]
pub struct Item {
    pub label: String,
    pub href: String,
    pub note: String,
    /// Past its deadline: shown first and marked.
    pub late: bool,
}

/// A to-do list of the home page.
#[derive(Debug, Clone)]
pub struct Card {
    /// Lists are shown by this key, then in feature order.
    pub order: u8,
    pub title: String,
    /// How many there are in all (the list may show fewer).
    pub count: i64,
    pub items: Vec<Item>,
    /// What the list says when it is empty.
    pub empty: String,
    /// Where the whole list is: (label, link).
    pub more: Option<(String, String)>,
}

/// A figure of the caller's area, with the list behind it.
#[derive(Debug, Clone)]
pub struct Figure {
    pub label: String,
    pub value: String,
    pub href: String,
}

/// A quick action: (label, link).
#[derive(Debug, Clone)]
pub struct Action {
    pub label: String,
    pub href: String,
}

/// What a feature adds to an account's home page.
#[derive(Debug, Clone, Default)]
pub struct HomeParts {
    pub cards: Vec<Card>,
    pub figures: Vec<Figure>,
    pub actions: Vec<Action>,
}

/// A feature's part of the home page, for the viewer's account and jurisdiction.
pub type HomeBuilder = for<'a> fn(
    &'a AppState,
    &'a Viewer,
) -> Pin<
    Box<dyn Future<Output = Result<HomeParts, xiangzhi_storage::StoreError>> + Send + 'a>,
>;

/// A feature's part of a household's page (its cases, its contact party member, its cadres), as
/// lists like the home page's: for the viewer, about household `id` in the viewer's reach.
pub type HouseholdBuilder = for<'a> fn(
    &'a AppState,
    &'a Viewer,
    i64,
) -> Pin<
    Box<dyn Future<Output = Result<Vec<Card>, xiangzhi_storage::StoreError>> + Send + 'a>,
>;

/// The composed console's household builders, in feature order.
#[derive(Clone, Default)]
pub struct HouseholdParts(pub Arc<Vec<HouseholdBuilder>>);

impl HouseholdParts {
    /// Every feature's lists about household `id`, by their order key.
    pub async fn cards(&self, s: &AppState, v: &Viewer, id: i64) -> Result<Vec<Card>, PageError> {
        let mut all = Vec::new();
        for build in self.0.iter() {
            all.extend(
                build(s, v, id)
                    .await
                    .map_err(|e| PageError::Store(v.l, e))?,
            );
        }
        all.sort_by_key(|c| c.order);
        Ok(all)
    }
}

/// The composed console's home builders, in feature order.
#[derive(Clone, Default)]
pub struct Homes(pub Arc<Vec<HomeBuilder>>);

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
    cards: Vec<Card>,
    figures: Vec<Figure>,
    actions: Vec<Action>,
}

/// The platform's own part: account requests waiting for a decision, the audit log.
async fn platform(s: &AppState, v: &Viewer) -> Result<HomeParts, xiangzhi_storage::StoreError> {
    let mut parts = HomeParts::default();
    let l = v.l;
    if v.user.can(Right::ManageAccounts) || v.user.can(Right::ApproveAccounts) {
        let pending: Vec<_> =
            s.db.account_requests(&v.user)
                .await?
                .into_iter()
                .filter(|r| r.state == "pending" && r.requested_by != v.user.id)
                .collect();
        parts.cards.push(Card {
            order: 5,
            title: l.t("待批准的账号申请", "Account requests to decide").into(),
            count: pending.len() as i64,
            items: pending
                .iter()
                .take(8)
                .map(|r| Item {
                    label: format!("#{} {} {}", r.id, r.login, r.display_name),
                    href: "/users".into(),
                    note: r.division_code.clone(),
                    late: false,
                })
                .collect(),
            empty: l.t("没有待批准的申请", "No request waiting").into(),
            more: Some((l.t("用户管理", "Users").into(), "/users".into())),
        });
        parts.actions.push(Action {
            label: l.t("新建账号", "New account").into(),
            href: "/users#new".into(),
        });
    }
    if v.user.can(Right::ReadAudit) {
        parts.actions.push(Action {
            label: l.t("查看审计日志", "Read the audit log").into(),
            href: "/audit".into(),
        });
    }
    Ok(parts)
}

/// `/`: the account's home page.
pub async fn home(
    axum::extract::State(s): axum::extract::State<AppState>,
    v: Viewer,
    axum::Extension(homes): axum::Extension<Homes>,
) -> P {
    let mut all = platform(&s, &v)
        .await
        .map_err(|e| PageError::Store(v.l, e))?;
    for build in homes.0.iter() {
        let p = build(&s, &v).await.map_err(|e| PageError::Store(v.l, e))?;
        all.cards.extend(p.cards);
        all.figures.extend(p.figures);
        all.actions.extend(p.actions);
    }
    all.cards.sort_by_key(|c| c.order);
    for c in &mut all.cards {
        // Overdue first, keeping each feature's order otherwise.
        c.items.sort_by_key(|i| !i.late);
    }
    html(HomePage {
        c: v.chrome(v.l.t("首页", "Home")),
        cards: all.cards,
        figures: all.figures,
        actions: all.actions,
    })
}

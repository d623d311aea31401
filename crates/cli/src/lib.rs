//! The composition of xiangzhi: the list of feature areas the binary serves. Adding an area is a
//! new crate that exports one `Feature`, its migrations, and one line in [`FEATURES`].
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use axum::Router;
use xiangzhi_web::{AppState, Feature};

/// Every feature area, in the order the console's navigation and the OpenAPI document list them.
pub const FEATURES: &[Feature] = &[
    xiangzhi_registry::FEATURE,  // 区划网格与人口 registry
    xiangzhi_party::FEATURE,     // 党组织与包联 party
    xiangzhi_cases::FEATURE,     // 诉求与矛盾纠纷 cases
    xiangzhi_alliances::FEATURE, // 跨村联建 alliances
    xiangzhi_points::FEATURE,    // 积分 points
    xiangzhi_decisions::FEATURE, // 议事与公开 decisions
    xiangzhi_economy::FEATURE,   // 集体经济 economy
];

/// The whole HTTP application: the API with its OpenAPI document and Swagger UI, the console, and
/// Open311, behind the edge.
pub fn app(state: AppState) -> Router {
    xiangzhi_web::feature::app(state, FEATURES)
}

/// The API router and its OpenAPI document (without the edge).
pub fn api(state: AppState) -> (Router, utoipa::openapi::OpenApi) {
    xiangzhi_web::feature::api(state, FEATURES)
}

/// Every table: the platform's and each feature's.
pub fn tables() -> Vec<&'static xiangzhi_storage::tables::Table> {
    let mut all: Vec<_> = xiangzhi_storage::tables::TABLES.to_vec();
    for f in FEATURES {
        all.extend_from_slice(f.tables);
    }
    all
}

/// Opens the database at `url` with its migrations applied; on a Citus coordinator also
/// distributes every table not yet distributed (by county, or as a reference table).
pub async fn open(url: &str) -> xiangzhi_storage::Result<xiangzhi_storage::Db> {
    open_with_cache(url, 65_536).await
}

/// [`open`], with SQLite's page cache per connection set to `cache_kib` KiB.
pub async fn open_with_cache(
    url: &str,
    cache_kib: i64,
) -> xiangzhi_storage::Result<xiangzhi_storage::Db> {
    let db = xiangzhi_storage::Db::connect_with_cache(url, cache_kib).await?;
    if db.is_citus().await? {
        db.distribute(&tables()).await?;
    }
    Ok(db)
}

/// The file layout called `name` among every feature's (for `import` and `export`).
pub fn layout(name: &str) -> Result<&'static xiangzhi_tabular::FileLayout, String> {
    let all: Vec<&'static xiangzhi_tabular::FileLayout> = FEATURES
        .iter()
        .flat_map(|f| f.layouts.iter().copied())
        .collect();
    xiangzhi_tabular::find(&all, name)
}

/// Builds the demo county into `db` (which should be empty): the registry's divisions, grids,
/// people and party, the demo accounts (with passwords nobody is told), then what each feature
/// adds to it.
pub async fn demo(
    db: &xiangzhi_storage::Db,
    seed: u64,
    progress: impl FnMut(&str),
) -> xiangzhi_storage::Result<(xiangzhi_registry::demo::Summary, Vec<String>)> {
    let mut unknown = |_: &str| random_password();
    let (summary, lines, _) = demo_with(db, seed, progress, &mut unknown).await?;
    Ok((summary, lines))
}

/// [`demo`], with each demo account's password from `password(login)`; also answers the accounts.
pub async fn demo_with(
    db: &xiangzhi_storage::Db,
    seed: u64,
    progress: impl FnMut(&str),
    password: &mut (dyn FnMut(&str) -> String + Send),
) -> xiangzhi_storage::Result<(
    xiangzhi_registry::demo::Summary,
    Vec<String>,
    Vec<xiangzhi_storage::accounts::User>,
)> {
    let (summary, mut county) = xiangzhi_registry::demo::build(db, seed, progress).await?;
    county.accounts = demo_accounts(db, password).await?;
    let mut lines = Vec::new();
    for f in FEATURES {
        if let Some(build) = f.demo {
            lines.push(build(db, &county).await?);
        }
    }
    Ok((summary, lines, county.accounts))
}

/// One account per role for the demo county: (login, name, role, division).
pub const DEMO_ACCOUNTS: [(&str, &str, &str, &str); 6] = [
    ("admin", "县级管理员", "county_admin", "141029000000"),
    (
        "changning",
        "昌宁镇干部",
        "township_officer",
        "141029100000",
    ),
    ("longbi", "龙鼻村书记", "village_secretary", "141029100224"),
    ("wangge", "龙鼻村网格员", "grid_worker", "141029100224001"),
    ("auditor", "审计员", "auditor", "141029000000"),
    ("security", "安全管理员", "security_admin", "141029000000"),
];

/// Creates [`DEMO_ACCOUNTS`] (the grid worker bound to the first micro-grid of their group), and
/// an officer for each other township (`town101` for 141029101000…), who handles its cases in the
/// demo's history.
async fn demo_accounts(
    db: &xiangzhi_storage::Db,
    password: &mut (dyn FnMut(&str) -> String + Send),
) -> xiangzhi_storage::Result<Vec<xiangzhi_storage::accounts::User>> {
    use xiangzhi_registry::prelude::{DivisionStore, GridStore};
    let by = xiangzhi_storage::Actor::system("demo builder");
    let mut wanted: Vec<(String, String, &str, String)> = DEMO_ACCOUNTS
        .iter()
        .map(|(l, n, r, d)| (l.to_string(), n.to_string(), *r, d.to_string()))
        .collect();
    let townships = db
        .list_divisions(
            &xiangzhi_storage::Scope::everything(),
            &xiangzhi_storage::ListQuery {
                kind: Some("township".into()),
                limit: Some(500),
                ..Default::default()
            },
        )
        .await?
        .items;
    for t in townships {
        if !wanted.iter().any(|w| w.3 == t.code) {
            let login = format!("town{}", &t.code[6..9]);
            wanted.push((login, format!("{}干部", t.name), "township_officer", t.code));
        }
    }
    let mut out = Vec::new();
    for (login, name, role, division) in wanted {
        let grid_id = if role == "grid_worker" {
            db.list_grids(
                &xiangzhi_storage::Scope::everything(),
                &xiangzhi_storage::ListQuery {
                    division: Some(division.clone()),
                    kind: Some("micro".into()),
                    limit: Some(1),
                    ..Default::default()
                },
            )
            .await?
            .items
            .first()
            .map(|g| g.id)
        } else {
            None
        };
        let u = db
            .create_user(
                &by,
                &xiangzhi_storage::accounts::NewUser {
                    password: password(&login),
                    login,
                    display_name: name,
                    role: role.into(),
                    division_code: division,
                    grid_id,
                },
            )
            .await?;
        out.push(u);
    }
    Ok(out)
}

/// A password the policy accepts: 16 characters from four sets, none that is easy to misread.
pub fn random_password() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    let sets: [&[u8]; 4] = [
        b"abcdefghijkmnpqrstuvwxyz",
        b"ABCDEFGHJKLMNPQRSTUVWXYZ",
        b"23456789",
        b"-_.!@#%+",
    ];
    let mut p: Vec<u8> = (0..16)
        .map(|i| {
            let set = sets[i % 4];
            set[rng.random_range(0..set.len())]
        })
        .collect();
    for i in (1..p.len()).rev() {
        p.swap(i, rng.random_range(0..=i));
    }
    String::from_utf8(p).unwrap_or_default()
}

/// Serves [`app`] on `addr` until Ctrl-C.
pub async fn serve(state: AppState, addr: std::net::SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}

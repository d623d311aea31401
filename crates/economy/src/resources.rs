//! The collective's resources (资源, the third of the three assets): land, forest, water and
//! barren land with their area (hundredths of a mu), where they lie, their rights registration
//! (确权登记: the certificate and the day), who uses them and how — contracted to households,
//! leased out, run by the collective, or idle. Idle resources are listed for the county with the
//! idle assets (闲变宝). A state moves only from the version the clerk saw.

use crate::members::text;
use crate::tables::COLLECTIVE_RESOURCES;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xiangzhi_storage::list::in_reach;
use xiangzhi_storage::list::next_ids;
use xiangzhi_storage::sql::{Arg, Q};
use xiangzhi_storage::{now_ms, Db, Result, Scope, StoreError};

/// Kinds of resource.
pub const KINDS: [(&str, &str); 4] = [
    ("land", "耕地"),
    ("forest", "林地"),
    ("water", "水面"),
    ("barren", "四荒地"),
];
/// How a resource is used.
pub const USES: [(&str, &str); 4] = [
    ("contracted", "承包到户"),
    ("leased", "发包出租"),
    ("collective", "集体经营"),
    ("idle", "闲置"),
];

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct ResourceInput {
    pub division_code: String,
    pub name: String,
    /// `land`, `forest`, `water` or `barren`.
    pub kind: String,
    /// In hundredths of a mu: 1250 is 12.5 mu.
    pub area: i64,
    #[serde(default)]
    pub location: String,
    /// The rights certificate's number (确权登记), if registered.
    #[serde(default)]
    pub certificate: String,
    #[serde(default)]
    pub registered_on: Option<String>,
    /// Who uses it (households, a cooperative, a lessee), in words.
    #[serde(default)]
    pub used_by: String,
    /// `contracted`, `leased`, `collective` or `idle`.
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Resource {
    pub county_id: i64,
    pub id: i64,
    pub division_code: String,
    pub name: String,
    pub kind: String,
    pub area: i64,
    pub location: String,
    pub certificate: String,
    pub registered_on: Option<NaiveDate>,
    pub used_by: String,
    pub state: String,
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct UseInput {
    pub state: String,
    #[serde(default)]
    pub used_by: String,
    /// The version the clerk saw.
    pub version: i64,
}

const COLS: &str = "t.county_id, t.id, t.division_code, t.name, t.kind, t.area, t.location, \
    t.certificate, t.registered_on, t.used_by, t.state, t.version";

fn use_of(state: &str) -> Result<()> {
    if USES.iter().any(|(k, _)| *k == state) {
        Ok(())
    } else {
        Err(StoreError::invalid(
            "state",
            "请选择承包到户、发包出租、集体经营或闲置",
            "contracted, leased, run by the collective, or idle",
        ))
    }
}

#[easy_ext::ext(ResourceStore)]
pub impl Db {
    /// Registers a resource of a village in reach.
    async fn register_resource(&self, scope: &Scope, input: &ResourceInput) -> Result<Resource> {
        let by = scope.acting()?;
        let village = crate::members::village(scope, &input.division_code)?;
        let county_id = village.county_id().unwrap_or_default();
        let name = text("name", &input.name, 100, true)?;
        let location = text("location", &input.location, 100, false)?;
        let certificate = text("certificate", &input.certificate, 60, false)?;
        let used_by = text("used_by", &input.used_by, 100, false)?;
        if !KINDS.iter().any(|(k, _)| *k == input.kind) {
            return Err(StoreError::invalid(
                "kind",
                "请选择耕地、林地、水面或四荒地",
                "land, forest, water or barren land",
            ));
        }
        use_of(&input.state)?;
        // Up to ten million mu: more than any county holds.
        if !(1..=1_000_000_000).contains(&input.area) {
            return Err(StoreError::invalid(
                "area",
                "面积应大于0（以百分之一亩计）",
                "the area is more than nothing (in hundredths of a mu)",
            ));
        }
        let registered = match input.registered_on.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(d) => Some(crate::members::date("registered_on", d)?),
        };
        let mut tx = self.begin().await?;
        let id = next_ids(&mut tx, county_id, "collective_resource", 1).await?;
        let r: Resource = tx
            .one(&Q::with(
                &format!(
                    "INSERT INTO collective_resources (county_id, id, division_code, name, kind, area, location, \
                     certificate, registered_on, used_by, state, version, recorded_by, created_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING {}",
                    COLS.replace("t.", "")
                ),
                vec![
                    county_id.into(),
                    id.into(),
                    village.as_str().into(),
                    name.into(),
                    input.kind.clone().into(),
                    input.area.into(),
                    location.into(),
                    certificate.into(),
                    Arg::OptDate(registered),
                    used_by.into(),
                    input.state.clone().into(),
                    by.into(),
                    now_ms().into(),
                ],
            ))
            .await?;
        tx.audit(
            scope.actor(),
            "register resource",
            format!(
                "resource {county_id}:{id}: {} hundredths of a mu",
                input.area
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(r)
    }

    /// A resource in reach.
    async fn resource(&self, scope: &Scope, county_id: i64, id: i64) -> Result<Resource> {
        let mut q = Q::with(
            &format!(
                "SELECT {COLS} FROM collective_resources t WHERE t.county_id = ? AND t.id = ?"
            ),
            vec![county_id.into(), id.into()],
        );
        scope.filter(&mut q, &COLLECTIVE_RESOURCES, "t", "division_code");
        self.optional(&q).await?.ok_or(StoreError::NotFound)
    }

    /// The resources in reach (and `division`, with `words` in the name, location, certificate or
    /// user, in `state`).
    async fn resources(
        &self,
        scope: &Scope,
        division: Option<&str>,
        words: Option<&str>,
        state: Option<&str>,
    ) -> Result<Vec<Resource>> {
        let equal: Vec<(&str, &str)> = state.map(|s| ("t.state", s)).into_iter().collect();
        let mut q = in_reach(
            scope,
            division,
            &COLLECTIVE_RESOURCES,
            COLS,
            &["t.name", "t.location", "t.certificate", "t.used_by"],
            words,
            &equal,
        )?;
        q.push(" ORDER BY t.division_code, t.id LIMIT 5000");
        self.all(&q).await
    }

    /// Changes how a resource is used, from the version the clerk saw.
    async fn use_resource(
        &self,
        scope: &Scope,
        county_id: i64,
        id: i64,
        input: &UseInput,
    ) -> Result<Resource> {
        scope.acting()?;
        use_of(&input.state)?;
        let used_by = text("used_by", &input.used_by, 100, false)?;
        let before = self.resource(scope, county_id, id).await?;
        let mut tx = self.begin().await?;
        let n = tx
            .exec(&Q::with(
                "UPDATE collective_resources SET state = ?, used_by = ?, version = version + 1 \
                 WHERE county_id = ? AND id = ? AND version = ?",
                vec![
                    input.state.clone().into(),
                    used_by.into(),
                    county_id.into(),
                    id.into(),
                    input.version.into(),
                ],
            ))
            .await?;
        if n != 1 {
            return Err(StoreError::conflict(
                "version",
                "这项资源刚被他人更新，请刷新后再试",
                "the resource was just changed by someone else; reload and try again",
            ));
        }
        tx.audit(
            scope.actor(),
            "use resource",
            format!(
                "resource {county_id}:{id}: {} -> {}",
                before.state, input.state
            ),
        )
        .await?;
        tx.commit().await?;
        self.resource(scope, county_id, id).await
    }
}

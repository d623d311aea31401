//! Party endpoints: organisations, members and their contact households, contact duties, and the
//! coverage report.

use crate::model::*;
use crate::prelude::*;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xiangzhi_registry::model::*;
use xiangzhi_storage::*;
use xiangzhi_web::error::{ApiError, Problem};
use xiangzhi_web::personal::{show_one, show_page, Personal};
use xiangzhi_web::rights::{Authorized, ReadRegistry, WriteRegistry};
use xiangzhi_web::{resource, AppState, Json, Path, Query, Reveal};

type R<T> = Result<T, ApiError>;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_party_orgs, create_party_org))
        .routes(routes!(get_party_org, update_party_org, delete_party_org))
        .routes(routes!(list_party_members, create_party_member))
        .routes(routes!(
            get_party_member,
            update_party_member,
            delete_party_member
        ))
        .routes(routes!(member_contacts))
        .routes(routes!(add_member_contact, remove_member_contact))
        .routes(routes!(list_contact_duties, create_contact_duty))
        .routes(routes!(
            get_contact_duty,
            update_contact_duty,
            delete_contact_duty
        ))
        .routes(routes!(coverage_report))
}

impl Personal for PartyOrg {}
impl Personal for PartyMember {}
impl Personal for ContactDuty {}

resource!(
    "party",
    "/party-orgs",
    "/party-orgs/{id}",
    PartyOrg,
    PartyOrgInput,
    list_party_orgs,
    create_party_org,
    get_party_org,
    update_party_org,
    delete_party_org
);
resource!(
    "party",
    "/party-members",
    "/party-members/{id}",
    PartyMember,
    PartyMemberInput,
    list_party_members,
    create_party_member,
    get_party_member,
    update_party_member,
    delete_party_member
);
resource!(
    "party",
    "/contact-duties",
    "/contact-duties/{id}",
    ContactDuty,
    ContactDutyInput,
    list_contact_duties,
    create_contact_duty,
    get_contact_duty,
    update_contact_duty,
    delete_contact_duty
);

/// The households a party member keeps in touch with (党员联系户).
#[utoipa::path(get, path = "/party-members/{id}/contacts", tag = "party", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Household>), (status = 404, body = Problem)))]
pub async fn member_contacts(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path(id): Path<i64>,
) -> R<Json<Vec<Household>>> {
    Ok(Json(s.db.member_contacts(&c.scope, id).await?))
}

#[utoipa::path(put, path = "/party-members/{id}/contacts/{household_id}", tag = "party",
    params(("id" = i64, Path), ("household_id" = i64, Path)),
    responses((status = 200, body = MemberContact), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_member_contact(
    State(s): State<AppState>,
    c: Authorized<WriteRegistry>,
    Path((id, hid)): Path<(i64, i64)>,
) -> R<Json<MemberContact>> {
    Ok(Json(s.db.add_member_contact(&c.scope, id, hid).await?))
}

#[utoipa::path(delete, path = "/party-members/{id}/contacts/{household_id}", tag = "party",
    params(("id" = i64, Path), ("household_id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn remove_member_contact(
    State(s): State<AppState>,
    c: Authorized<WriteRegistry>,
    Path((id, hid)): Path<(i64, i64)>,
) -> R<StatusCode> {
    s.db.remove_member_contact(&c.scope, id, hid).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 包联覆盖情况: villages without a county-level leader, households without a party-member
/// contact, micro-grids without a worker.
#[utoipa::path(get, path = "/reports/coverage", tag = "party", responses((status = 200, body = CoverageReport)))]
pub async fn coverage_report(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
) -> R<Json<CoverageReport>> {
    Ok(Json(s.db.coverage_report(&c.scope).await?))
}

//! Personal data masked unless the caller's role may see it and states a purpose; every full view
//! written to the audit log. And the handlers of an id-addressed resource, generated.

use crate::error::ApiError;
use crate::{AppState, Caller, Reveal};
use xiangzhi_storage::audit::AuditEntry;
use xiangzhi_storage::Page;

type R<T> = Result<T, ApiError>;

/// Records that may carry personal data (ID numbers, phones), masked unless revealed.
pub trait Personal: Sized {
    const PERSONAL: bool = false;
    fn masked(self) -> Self {
        self
    }
    fn label(&self) -> String {
        String::new()
    }
}
/// Masks personal data, or — for a caller with the right and a purpose — shows it and writes the
/// view to the audit log (who, what, when, why, from where).
pub async fn show<T: Personal>(s: &AppState, c: &Caller, rv: &Reveal, items: Vec<T>) -> R<Vec<T>> {
    if !T::PERSONAL {
        return Ok(items);
    }
    match c.reveal(rv)? {
        None => Ok(items.into_iter().map(Personal::masked).collect()),
        Some(purpose) => {
            if !items.is_empty() {
                let labels: Vec<String> = items.iter().take(50).map(Personal::label).collect();
                let more = if items.len() > 50 {
                    format!(" +{}", items.len() - 50)
                } else {
                    String::new()
                };
                s.db.audit(&AuditEntry {
                    user_id: Some(c.user.id),
                    login: c.user.login.clone(),
                    action: "unmask".into(),
                    object: format!("{}{more}", labels.join(",")),
                    outcome: "ok".into(),
                    source: c.source.clone(),
                    detail: purpose,
                    county_id: c.user.county_id(),
                })
                .await?;
            }
            Ok(items)
        }
    }
}

pub async fn show_one<T: Personal>(s: &AppState, c: &Caller, rv: &Reveal, item: T) -> R<T> {
    show(s, c, rv, vec![item])
        .await?
        .pop()
        .ok_or_else(ApiError::not_found)
}

pub async fn show_page<T: Personal>(
    s: &AppState,
    c: &Caller,
    rv: &Reveal,
    p: Page<T>,
) -> R<Page<T>> {
    Ok(Page {
        items: show(s, c, rv, p.items).await?,
        next_cursor: p.next_cursor,
    })
}

/// Generates list / create / get / replace / delete handlers for an id-addressed resource.
#[macro_export]
macro_rules! resource {
    ($tag:literal, $path:literal, $item:literal, $ty:ty, $input:ty,
     $list:ident, $create:ident, $get:ident, $update:ident, $delete:ident) => {
        #[utoipa::path(get, path = $path, tag = $tag, params(ListQuery, Reveal),
            responses((status = 200, body = Page<$ty>), (status = 422, body = Problem)))]
        pub async fn $list(State(s): State<AppState>, c: Authorized<ReadRegistry>, Query(q): Query<ListQuery>, Query(rv): Query<Reveal>) -> R<Json<Page<$ty>>> {
            let page = s.db.$list(&c.scope, &q).await?;
            Ok(Json(show_page(&s, &c, &rv, page).await?))
        }

        #[utoipa::path(post, path = $path, tag = $tag, request_body = $input,
            responses((status = 201, body = $ty), (status = 422, body = Problem), (status = 409, body = Problem)))]
        pub async fn $create(State(s): State<AppState>, c: Authorized<WriteRegistry>, Json(i): Json<$input>) -> R<(StatusCode, Json<$ty>)> {
            let item = s.db.$create(&c.scope, &i).await?;
            Ok((StatusCode::CREATED, Json(item.masked())))
        }

        #[utoipa::path(get, path = $item, tag = $tag, params(("id" = i64, Path), Reveal),
            responses((status = 200, body = $ty), (status = 404, body = Problem)))]
        pub async fn $get(State(s): State<AppState>, c: Authorized<ReadRegistry>, Path(id): Path<i64>, Query(rv): Query<Reveal>) -> R<Json<$ty>> {
            let item = s.db.$get(&c.scope, id).await?;
            Ok(Json(show_one(&s, &c, &rv, item).await?))
        }

        #[utoipa::path(put, path = $item, tag = $tag, params(("id" = i64, Path)), request_body = $input,
            responses((status = 200, body = $ty), (status = 404, body = Problem), (status = 422, body = Problem)))]
        pub async fn $update(State(s): State<AppState>, c: Authorized<WriteRegistry>, Path(id): Path<i64>, Json(i): Json<$input>) -> R<Json<$ty>> {
            Ok(Json(s.db.$update(&c.scope, id, &i).await?.masked()))
        }

        #[utoipa::path(delete, path = $item, tag = $tag, params(("id" = i64, Path)),
            responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
        pub async fn $delete(State(s): State<AppState>, c: Authorized<WriteRegistry>, Path(id): Path<i64>) -> R<StatusCode> {
            s.db.$delete(&c.scope, id).await?;
            Ok(StatusCode::NO_CONTENT)
        }
    };
}

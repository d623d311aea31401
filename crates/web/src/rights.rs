//! Rights attached to routes: a handler asks for `Authorized<R>`, where `R` names the right the
//! route needs; the extractor checks the logged-in account has it and hands over the caller with
//! its jurisdiction. This is the one place rights are checked; a feature declares a marker for
//! each right it defines with [`needs!`](crate::needs).

use crate::error::ApiError;
use crate::{source_of, Authenticated, Caller};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::marker::PhantomData;
use xiangzhi_domain::Right;

/// A right a route can require.
pub trait Needs: Send + Sync + 'static {
    const RIGHT: Right;
}

/// Declares a marker type for a right, for `Authorized<Marker>`: `needs!(AwardPoints =
/// crate::AWARD_POINTS);` in a feature that brings its own right.
#[macro_export]
macro_rules! needs {
    ($(#[$m:meta])* $name:ident = $right:expr) => {
        $(#[$m])*
        pub struct $name;
        impl $crate::rights::Needs for $name {
            const RIGHT: xiangzhi_domain::Right = $right;
        }
    };
}

macro_rules! rights {
    ($($(#[$m:meta])* $name:ident),+ $(,)?) => {
        $(
            $(#[$m])*
            pub struct $name;
            impl Needs for $name {
                const RIGHT: Right = Right::$name;
            }
        )+
    };
}

rights!(
    /// Read the registry, cases and plans of one's jurisdiction.
    ReadRegistry,
    /// Change households, residents, staff, party records and cases.
    WriteRegistry,
    /// Change divisions, grids, case categories and clocks, village profiles and plans.
    WriteStructure,
);

/// The caller of a route that needs the right `R`.
pub struct Authorized<R: Needs> {
    caller: Caller,
    _right: PhantomData<R>,
}

impl<R: Needs> std::ops::Deref for Authorized<R> {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.caller
    }
}

impl<S: Send + Sync, R: Needs> FromRequestParts<S> for Authorized<R> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let Some(Authenticated(user)) = parts.extensions.get::<Authenticated>().cloned() else {
            return Err(ApiError::unauthorized());
        };
        if !user.can(R::RIGHT) {
            return Err(ApiError::forbidden(
                "您的角色无权进行此操作",
                "your role may not do this",
            ));
        }
        Ok(Authorized {
            caller: Caller {
                scope: user.scope().by(crate::actor_of(&parts.extensions)),
                user,
                source: source_of(&parts.extensions),
            },
            _right: PhantomData,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xiangzhi_domain::Role;

    const AWARD: Right = Right::new(
        "points.award",
        "评定积分",
        "award points",
        &[Role::VillageSecretary],
    );
    crate::needs!(
        /// A feature's own right.
        Award = AWARD
    );

    #[test]
    fn a_feature_declares_its_own_right() {
        assert_eq!(Award::RIGHT.key, "points.award");
        assert!(Role::VillageSecretary.has(Award::RIGHT));
        assert!(!Role::GridWorker.has(Award::RIGHT));
        assert!(!Role::CountyAdmin.has(Award::RIGHT));
        // The platform's rights are unchanged by it.
        assert!(Role::GridWorker.has(ReadRegistry::RIGHT));
    }
}

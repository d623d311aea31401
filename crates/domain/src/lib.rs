//! Pure domain rules of xiangzhi (乡治): the identifiers, codes, enumerations and arithmetic that every
//! other crate relies on. Nothing here does I/O; values are parsed once at the edge (`TryFrom`/`parse`)
//! so the rest of the program never re-validates.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod access;
pub mod china_time;
pub mod division;
pub mod enums;
pub mod error;
pub mod id_number;
pub mod money;
pub mod phone;
pub mod public_text;
pub mod validate;

pub use access::{Right, Role};
pub use china_time::{age_on, china_date, china_month, china_today};
pub use division::{DivisionCode, DivisionLevel};
pub use enums::*;
pub use error::Invalid;
pub use id_number::{Gender, IdNumber};
pub use money::Fen;
pub use phone::Phone;
pub use validate::{Checker, FieldError};

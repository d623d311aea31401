//! The console's case pages: the inbox and a case's page, the public report and tracking pages,
//! the phone page for grid workers, statistics, and notifications.

pub mod cases;
pub mod filing;
pub mod home;
pub mod ledger;
pub mod mobile;
pub mod notifications;
pub mod public;
pub mod stats;

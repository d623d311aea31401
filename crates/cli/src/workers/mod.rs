//! The workers `xiangzhi serve` runs beside the HTTP server, each on its own timer.

pub mod checkpoints;
pub mod clock;
pub mod imports;
pub mod webhook;

//! The pure rules of village decisions (no I/O): meetings, matters and the procedure.

pub mod matters;
pub mod meetings;
pub mod procedure;
pub mod publicity;

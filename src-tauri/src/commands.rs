//! The app's commands, by concern. Each locks the device, converts its input
//! (`dto`), calls the device, and converts the answer (`convert`).

pub mod deliberation;
pub mod device;
pub mod exports;
pub mod households;
pub mod imports;
pub mod issues;
pub mod lock;
pub mod mediation;
pub mod photos;
pub mod summary;
pub mod sync;
pub mod wishes;

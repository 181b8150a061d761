//! Synthetic demo data in the proportions of DESIGN §6, deterministic for a seed.

use gridline_model::Instant;

use crate::{Device, Result};

/// How much to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// One grid: ≈300 households with five years of visits, issues and wishes.
    Grid,
    /// A street: ≈80 grids in 8 communities.
    Street,
}

impl Scale {
    pub fn parse(s: &str) -> std::result::Result<Scale, gridline_model::Invalid> {
        match s.trim() {
            "grid" => Ok(Scale::Grid),
            "street" => Ok(Scale::Street),
            other => Err(gridline_model::Invalid::new("scale", format!("未知规模 \"{other}\" (unknown scale)"), "请用 grid 或 street (use grid or street)")),
        }
    }
}

/// What a seed wrote, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedStats {
    pub grids: usize,
    pub households: usize,
    pub private_parts: usize,
    pub residents: usize,
    pub visits: usize,
    pub issues: usize,
    pub wishes: usize,
    /// Generated but outside this device's scope, so not stored.
    pub skipped: usize,
}

impl SeedStats {
    pub fn documents(&self) -> usize {
        self.households + self.private_parts + self.visits + self.issues + self.wishes
    }
}

/// Fills the device's store with demo data within its scope. Demo records are
/// marked as such and never sync.
pub fn seed(device: &mut Device, scale: Scale, seed: u64, now: Instant) -> Result<SeedStats> {
    let _ = (device, scale, seed, now);
    todo!("demo seed")
}

//! Dependency pins from manifests, lock files and install commands.

/// The package ecosystem a pin belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ecosystem {
    Python,
    Node,
}

//! camguard-sim (placeholder; being written).

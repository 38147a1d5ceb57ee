//! camguard-probe (placeholder; being written).

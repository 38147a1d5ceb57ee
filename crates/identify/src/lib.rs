//! camguard-identify (placeholder; being written).

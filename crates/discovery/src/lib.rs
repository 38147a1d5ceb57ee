//! camguard-discovery (placeholder; being written).

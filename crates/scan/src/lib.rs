//! camguard-scan (placeholder; being written).

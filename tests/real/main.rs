//! Tests against real third-party servers (being written).

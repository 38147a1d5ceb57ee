//! The service's integration tests, in one binary (each module was a binary of its own; one
//! link of the service with typst, sqlx and axum instead of six).

mod api;
mod browser;
mod registry_api;
mod tenancy;
mod tls;
mod web;
mod web_pages;

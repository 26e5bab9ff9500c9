//! End-to-end tests of the simulator over real HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod connections;
mod contacts;
mod invoices;
mod limits_and_faults;
mod oauth;
mod spec_conformance;
mod strict;

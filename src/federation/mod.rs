//! Federated identities: who may obtain a short-lived credential (SPEC section 14). Subject patterns and
//! their breadth ([`pattern`]), and IAM trust policies read from exports ([`trust`]).

pub mod pattern;
pub mod trust;

pub use pattern::{issuer_kind, matches, too_broad, IssuerKind};

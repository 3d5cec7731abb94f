//! The integration suite: one test binary (one link) whose modules each prove one part of the contract.

mod cases;
mod cli;
mod common;
mod edit;
mod first_hour;
mod formats;
mod github;
mod hostile;
mod independent;
mod properties;
mod record;
mod sarif;
mod secrets;
mod sync;
mod tree;
mod yaml_suite;

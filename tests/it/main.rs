//! The integration suite: one test binary (one link) whose modules each prove one part of the contract.
//! `common` and `support` hold the helpers of the checking and the discovery tests, `graphutil` those of the
//! graph tests; `commands` runs the command cases of `tests/cmd/`.

mod azure;
mod blast_cli;
mod cases;
mod cli;
mod commands;
mod common;
mod directory;
mod drift;
mod due;
mod due_agrees;
mod due_issues;
mod edit;
mod federation;
mod first_hour;
mod formats;
mod github;
mod github_files;
mod gitlab;
mod graphutil;
mod history;
mod hostile;
mod import;
mod import_shapes;
mod independent;
mod install;
mod junit;
mod leak;
mod leaks;
mod pr_workflow;
mod properties;
mod record;
mod sarif;
mod scale_smoke;
mod secrets;
mod site;
mod site_drift;
mod site_runbook;
mod sources;
mod support;
mod sync;
mod trace;
mod tree;
mod yaml_suite;

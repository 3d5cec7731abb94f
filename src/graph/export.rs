//! Exports of the whole graph.

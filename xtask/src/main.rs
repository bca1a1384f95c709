// Not yet called by the command-line entry points.
#[allow(dead_code)]
mod docs;
#[allow(dead_code)]
mod models;
#[allow(dead_code)]
mod naming;

fn main() {}

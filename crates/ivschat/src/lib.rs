//! Amazon IVS Chat client.

//! A local Amazon IVS Chat control-plane service.

//! The errors the IVS Chat model lists for each operation (the `errors` of
//! each operation shape in `ivschat.json`, service version 2020-07-14).
//!
//! The service answers an operation only with errors from its row, so that
//! every typed client sees a modelled error, never an unhandled one; the
//! front end's errors (routing, authentication, body limits) come before any
//! operation and are not listed by any model. A test checks this table
//! against the model whenever `../shared/models/ivschat.json` is present
//! (`tests/local_service/modelled_errors.rs`), and debug builds of the
//! service check every answer against it.
//!
//! This file depends on nothing else in the crate so that the tests can
//! include it as it is.

/// Operation name to the error codes the model lists for it, sorted.
pub(crate) const MODELLED_ERRORS: &[(&str, &[&str])] = &[
    (
        "CreateChatToken",
        &[
            "AccessDeniedException",
            "PendingVerification",
            "ResourceNotFoundException",
            "ValidationException",
        ],
    ),
    (
        "CreateLoggingConfiguration",
        &[
            "AccessDeniedException",
            "ConflictException",
            "PendingVerification",
            "ResourceNotFoundException",
            "ServiceQuotaExceededException",
            "ValidationException",
        ],
    ),
    (
        "CreateRoom",
        &[
            "AccessDeniedException",
            "ConflictException",
            "PendingVerification",
            "ResourceNotFoundException",
            "ServiceQuotaExceededException",
            "ValidationException",
        ],
    ),
    (
        "DeleteLoggingConfiguration",
        &[
            "AccessDeniedException",
            "ConflictException",
            "PendingVerification",
            "ResourceNotFoundException",
            "ValidationException",
        ],
    ),
    (
        "DeleteMessage",
        &[
            "AccessDeniedException",
            "PendingVerification",
            "ResourceNotFoundException",
            "ThrottlingException",
            "ValidationException",
        ],
    ),
    (
        "DeleteRoom",
        &[
            "AccessDeniedException",
            "PendingVerification",
            "ResourceNotFoundException",
            "ValidationException",
        ],
    ),
    (
        "DisconnectUser",
        &[
            "AccessDeniedException",
            "PendingVerification",
            "ResourceNotFoundException",
            "ThrottlingException",
            "ValidationException",
        ],
    ),
    (
        "GetLoggingConfiguration",
        &[
            "AccessDeniedException",
            "ResourceNotFoundException",
            "ValidationException",
        ],
    ),
    (
        "GetRoom",
        &[
            "AccessDeniedException",
            "ResourceNotFoundException",
            "ValidationException",
        ],
    ),
    (
        "ListLoggingConfigurations",
        &["AccessDeniedException", "ValidationException"],
    ),
    (
        "ListRooms",
        &[
            "AccessDeniedException",
            "ResourceNotFoundException",
            "ValidationException",
        ],
    ),
    (
        "ListTagsForResource",
        &[
            "InternalServerException",
            "ResourceNotFoundException",
            "ValidationException",
        ],
    ),
    (
        "SendEvent",
        &[
            "AccessDeniedException",
            "PendingVerification",
            "ResourceNotFoundException",
            "ThrottlingException",
            "ValidationException",
        ],
    ),
    (
        "TagResource",
        &[
            "InternalServerException",
            "ResourceNotFoundException",
            "ValidationException",
        ],
    ),
    (
        "UntagResource",
        &[
            "InternalServerException",
            "ResourceNotFoundException",
            "ValidationException",
        ],
    ),
    (
        "UpdateLoggingConfiguration",
        &[
            "AccessDeniedException",
            "ConflictException",
            "PendingVerification",
            "ResourceNotFoundException",
            "ValidationException",
        ],
    ),
    (
        "UpdateRoom",
        &[
            "AccessDeniedException",
            "PendingVerification",
            "ResourceNotFoundException",
            "ValidationException",
        ],
    ),
];

/// Whether the model lists `code` among `operation`'s errors.
pub(crate) fn is_modelled(operation: &str, code: &str) -> bool {
    MODELLED_ERRORS
        .iter()
        .any(|(op, codes)| *op == operation && codes.contains(&code))
}

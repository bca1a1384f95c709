//! Errors the service answers with, rendered as restJson1 errors.

use serde_json::{Map, Value, json};

/// One entry of a `ValidationException`'s `fieldList`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldError {
    pub(crate) name: String,
    pub(crate) message: String,
}

/// `ValidationExceptionReason` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    FieldValidationFailed,
    Other,
}

impl Reason {
    fn as_str(self) -> &'static str {
        match self {
            Reason::FieldValidationFailed => "FIELD_VALIDATION_FAILED",
            Reason::Other => "OTHER",
        }
    }
}

/// Every error response the service produces. The first group is modelled in
/// the IVS Chat Smithy model (each operation answers only those its model
/// lists, see `modelled.rs`); the second group is what the AWS front end
/// answers before a request reaches an operation.
#[derive(Debug, Clone)]
pub(crate) enum ServiceError {
    Validation {
        message: String,
        reason: Reason,
        fields: Vec<FieldError>,
    },
    ResourceNotFound {
        message: String,
        resource_id: String,
    },
    Conflict {
        message: String,
        resource_id: String,
    },
    AccessDenied {
        message: String,
    },
    UnknownOperation {
        message: String,
    },
    MethodNotAllowed {
        message: String,
        allow: &'static str,
    },
    PayloadTooLarge {
        limit: usize,
    },
    RequestTimeout,
    MissingAuthenticationToken,
    IncompleteSignature {
        message: String,
    },
    UnrecognizedClient,
    InvalidSignature {
        message: String,
    },
}

/// `ResourceId` is `^[a-zA-Z0-9]+$`: keep only those characters so the body
/// stays valid against the model even for odd identifiers.
pub(crate) fn resource_id(raw: &str) -> String {
    let tail = raw.rsplit('/').next().unwrap_or(raw);
    let id: String = tail.chars().filter(char::is_ascii_alphanumeric).collect();
    if id.is_empty() { "unknown".into() } else { id }
}

impl ServiceError {
    /// A `ValidationException` with reason `FIELD_VALIDATION_FAILED` for the given fields.
    pub(crate) fn fields(fields: Vec<FieldError>) -> ServiceError {
        let n = fields.len();
        let details: Vec<String> = fields
            .iter()
            .map(|f| {
                format!(
                    "Value at '{}' failed to satisfy constraint: {}",
                    f.name, f.message
                )
            })
            .collect();
        let message = format!(
            "{n} validation error{} detected: {}",
            if n == 1 { "" } else { "s" },
            details.join("; ")
        );
        ServiceError::Validation {
            message,
            reason: Reason::FieldValidationFailed,
            fields,
        }
    }

    /// A `ValidationException` for one field.
    pub(crate) fn field(name: &str, message: impl Into<String>) -> ServiceError {
        ServiceError::fields(vec![FieldError {
            name: name.to_string(),
            message: message.into(),
        }])
    }

    /// A `ValidationException` with reason `OTHER` (e.g. unparseable body).
    pub(crate) fn other(message: impl Into<String>) -> ServiceError {
        ServiceError::Validation {
            message: message.into(),
            reason: Reason::Other,
            fields: Vec::new(),
        }
    }

    pub(crate) fn not_found(kind: &str, raw_id: &str) -> ServiceError {
        let id = resource_id(raw_id);
        ServiceError::ResourceNotFound {
            message: format!("{kind} {id} not found"),
            resource_id: id,
        }
    }

    pub(crate) fn status(&self) -> u16 {
        match self {
            ServiceError::Validation { .. } => 400,
            ServiceError::ResourceNotFound { .. } | ServiceError::UnknownOperation { .. } => 404,
            ServiceError::Conflict { .. } => 409,
            ServiceError::AccessDenied { .. }
            | ServiceError::MissingAuthenticationToken
            | ServiceError::IncompleteSignature { .. }
            | ServiceError::UnrecognizedClient
            | ServiceError::InvalidSignature { .. } => 403,
            ServiceError::MethodNotAllowed { .. } => 405,
            ServiceError::RequestTimeout => 408,
            ServiceError::PayloadTooLarge { .. } => 413,
        }
    }

    /// The value of `x-amzn-ErrorType`.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            ServiceError::Validation { .. } => "ValidationException",
            ServiceError::ResourceNotFound { .. } => "ResourceNotFoundException",
            ServiceError::Conflict { .. } => "ConflictException",
            ServiceError::AccessDenied { .. } => "AccessDeniedException",
            ServiceError::UnknownOperation { .. } | ServiceError::MethodNotAllowed { .. } => {
                "UnknownOperationException"
            }
            ServiceError::PayloadTooLarge { .. } => "RequestEntityTooLargeException",
            ServiceError::RequestTimeout => "RequestTimeoutException",
            ServiceError::MissingAuthenticationToken => "MissingAuthenticationTokenException",
            ServiceError::IncompleteSignature { .. } => "IncompleteSignatureException",
            ServiceError::UnrecognizedClient => "UnrecognizedClientException",
            ServiceError::InvalidSignature { .. } => "InvalidSignatureException",
        }
    }

    /// Whether the front end answers this before any operation runs
    /// (routing, authentication, body limits): such errors are common to
    /// every operation and no model lists them.
    pub(crate) fn is_front_end(&self) -> bool {
        !matches!(
            self,
            ServiceError::Validation { .. }
                | ServiceError::ResourceNotFound { .. }
                | ServiceError::Conflict { .. }
                | ServiceError::AccessDenied { .. }
        )
    }

    pub(crate) fn allow(&self) -> Option<&'static str> {
        match self {
            ServiceError::MethodNotAllowed { allow, .. } => Some(allow),
            _ => None,
        }
    }

    /// The JSON body: the error shape's members.
    pub(crate) fn body(&self) -> Value {
        match self {
            ServiceError::Validation {
                message,
                reason,
                fields,
            } => {
                let mut obj = Map::new();
                obj.insert("message".into(), json!(message));
                obj.insert("reason".into(), json!(reason.as_str()));
                if !fields.is_empty() {
                    let list: Vec<Value> = fields
                        .iter()
                        .map(|f| json!({"name": f.name, "message": f.message}))
                        .collect();
                    obj.insert("fieldList".into(), Value::Array(list));
                }
                Value::Object(obj)
            }
            ServiceError::ResourceNotFound {
                message,
                resource_id,
            }
            | ServiceError::Conflict {
                message,
                resource_id,
            } => json!({"message": message, "resourceId": resource_id, "resourceType": "ROOM"}),
            ServiceError::AccessDenied { message }
            | ServiceError::UnknownOperation { message }
            | ServiceError::MethodNotAllowed { message, .. }
            | ServiceError::IncompleteSignature { message }
            | ServiceError::InvalidSignature { message } => json!({"message": message}),
            ServiceError::PayloadTooLarge { limit } => json!({
                "message": format!("Request body is larger than the {limit}-byte limit")
            }),
            ServiceError::RequestTimeout => {
                json!({"message": "Timed out while reading the request body"})
            }
            ServiceError::MissingAuthenticationToken => {
                json!({"message": "Missing Authentication Token"})
            }
            ServiceError::UnrecognizedClient => {
                json!({"message": "The security token included in the request is invalid."})
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_id_keeps_only_alphanumerics_of_the_last_segment() {
        assert_eq!(
            resource_id("arn:aws:ivschat:us-west-2:1:room/AbC-12"),
            "AbC12"
        );
        assert_eq!(resource_id("abc123"), "abc123");
        assert_eq!(resource_id("---"), "unknown");
    }

    #[test]
    fn validation_message_counts_fields() {
        let e = ServiceError::fields(vec![
            FieldError {
                name: "a".into(),
                message: "x".into(),
            },
            FieldError {
                name: "b".into(),
                message: "y".into(),
            },
        ]);
        assert_eq!(
            e.body()["message"],
            "2 validation errors detected: Value at 'a' failed to satisfy constraint: x; \
             Value at 'b' failed to satisfy constraint: y"
        );
        assert_eq!(e.status(), 400);
        assert_eq!(e.code(), "ValidationException");
    }
}

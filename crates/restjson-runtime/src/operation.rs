//! What generated code tells the runtime about each operation, and the run of one call: the
//! input builder is checked (every missing required member and violated constraint at once),
//! built, serialized, sent, and the response read.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use crate::client::{Handle, OperationMeta, RequestParts};
use crate::error::{BuildError, ErrorMetadata, SdkError};
use crate::http::HttpResponse;
use crate::json::DeserializeError;
use crate::paginator::Paginator;
use crate::validate::checks::Validator;

/// One operation: its metadata and the functions that check, build, serialize and read it.
/// `B` is its input builder, `I` its input.
pub struct OperationSpec<B, I, O, E> {
    /// Name and retry facts.
    pub meta: &'static OperationMeta,
    /// Checks the input builder: required members and constraints.
    pub validate: fn(&B, &mut Validator),
    /// Builds the input (after `validate` found nothing wrong).
    pub build: fn(B) -> Result<I, BuildError>,
    /// Turns the input into a request.
    pub ser: fn(&I) -> Result<RequestParts, BuildError>,
    /// Reads a successful response.
    pub de_ok: fn(&HttpResponse) -> Result<O, DeserializeError>,
    /// Reads an error response.
    pub de_err: fn(&ErrorMetadata, &HttpResponse) -> Result<E, DeserializeError>,
}

impl<B, I, O, E> fmt::Debug for OperationSpec<B, I, O, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OperationSpec")
            .field("operation", &self.meta.name)
            .finish()
    }
}

/// Runs one operation with the input in `builder`.
pub async fn run_operation<B, I, O, E>(
    handle: Handle,
    spec: &'static OperationSpec<B, I, O, E>,
    builder: B,
) -> Result<O, SdkError<E>> {
    let input = checked_input(&handle, spec.meta, spec.validate, spec.build, builder)?;
    handle
        .invoke(spec.meta, (spec.ser)(&input), spec.de_ok, spec.de_err)
        .await
}

/// The input in `builder`, checked (strictly if the client's configuration says so) and built;
/// failures are construction errors holding a `ValidationError` that lists every problem.
pub(crate) fn checked_input<B, I, E>(
    handle: &Handle,
    meta: &'static OperationMeta,
    validate: fn(&B, &mut Validator),
    build: fn(B) -> Result<I, BuildError>,
    builder: B,
) -> Result<I, SdkError<E>> {
    let mut validator = Validator::new(handle.config().strict_validation());
    validate(&builder, &mut validator);
    validator
        .finish()
        .map_err(|e| SdkError::construction(meta.name, e))?;
    build(builder).map_err(|e| SdkError::construction(meta.name, e))
}

/// An operation whose output streams the response body: like [`OperationSpec`], with `de_ok`
/// taking the body.
#[cfg(feature = "streaming")]
pub struct StreamingOperationSpec<B, I, O, E> {
    /// Name, retry and auth facts.
    pub meta: &'static OperationMeta,
    /// Checks the input builder: required members and constraints.
    pub validate: fn(&B, &mut Validator),
    /// Builds the input (after `validate` found nothing wrong).
    pub build: fn(B) -> Result<I, BuildError>,
    /// Turns the input into a request.
    pub ser: fn(&I) -> Result<RequestParts, BuildError>,
    /// Reads a successful response's headers and takes its body.
    pub de_ok: fn(&HttpResponse, crate::byte_stream::ByteStream) -> Result<O, DeserializeError>,
    /// Reads an error response.
    pub de_err: fn(&ErrorMetadata, &HttpResponse) -> Result<E, DeserializeError>,
}

#[cfg(feature = "streaming")]
impl<B, I, O, E> fmt::Debug for StreamingOperationSpec<B, I, O, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamingOperationSpec")
            .field("operation", &self.meta.name)
            .finish()
    }
}

/// Runs an operation whose output streams the response body (see [`run_operation`]).
#[cfg(feature = "streaming")]
pub async fn run_streaming_operation<B, I, O, E>(
    handle: Handle,
    spec: &'static StreamingOperationSpec<B, I, O, E>,
    builder: B,
) -> Result<O, SdkError<E>> {
    let input = checked_input(&handle, spec.meta, spec.validate, spec.build, builder)?;
    handle
        .invoke_streaming(spec.meta, (spec.ser)(&input), spec.de_ok, spec.de_err)
        .await
}

/// How the pages of one paginated operation chain together (generated code fills it in). `B`
/// is the operation's input builder: each page is its own call, checked and built from it.
pub struct PaginationSpec<B: 'static, I: 'static, O: 'static, E: 'static, T: 'static> {
    /// The operation.
    pub operation: &'static OperationSpec<B, I, O, E>,
    /// The token the input carries.
    pub input_token: fn(&B) -> Option<&str>,
    /// Sets the input token.
    pub set_input_token: fn(&mut B, Option<String>),
    /// The token of the next page, from an output.
    pub output_token: fn(&O) -> Option<&str>,
    /// Sets the page size, when the operation has one.
    pub set_page_size: Option<fn(&mut B, i32)>,
    /// Takes the listed items out of a page.
    pub items: fn(O) -> Vec<T>,
    /// How many items a page lists; `None` when the operation's pages list none.
    pub item_count: Option<fn(&O) -> usize>,
}

impl<B: 'static, I: 'static, O: 'static, E: 'static, T: 'static> fmt::Debug
    for PaginationSpec<B, I, O, E, T>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaginationSpec")
            .field("operation", &self.operation.meta.name)
            .finish()
    }
}

/// A [`PaginationSpec`] without its input type, which a paginator never names.
pub(crate) trait Pages<B, O, E, T>: Sync {
    fn name(&self) -> &'static str;
    fn input_token<'a>(&self, input: &'a B) -> Option<&'a str>;
    fn set_input_token(&self, input: &mut B, token: Option<String>);
    fn output_token<'a>(&self, page: &'a O) -> Option<&'a str>;
    fn set_page_size(&self, input: &mut B, size: i32);
    fn items(&self, page: O) -> Vec<T>;
    /// `None` when the operation's pages list no items.
    fn item_count(&self, page: &O) -> Option<usize>;
    fn send(&self, handle: Handle, input: B) -> PageFuture<O, E>;
}

impl<B, I, O, E, T> Pages<B, O, E, T> for PaginationSpec<B, I, O, E, T>
where
    B: Send + 'static,
    I: Send + 'static,
    O: Send + 'static,
    E: Send + 'static,
    T: 'static,
{
    fn name(&self) -> &'static str {
        self.operation.meta.name
    }
    fn input_token<'a>(&self, input: &'a B) -> Option<&'a str> {
        (self.input_token)(input)
    }
    fn set_input_token(&self, input: &mut B, token: Option<String>) {
        (self.set_input_token)(input, token)
    }
    fn output_token<'a>(&self, page: &'a O) -> Option<&'a str> {
        (self.output_token)(page)
    }
    fn set_page_size(&self, input: &mut B, size: i32) {
        if let Some(set) = self.set_page_size {
            set(input, size);
        }
    }
    fn items(&self, page: O) -> Vec<T> {
        (self.items)(page)
    }
    fn item_count(&self, page: &O) -> Option<usize> {
        self.item_count.map(|count| count(page))
    }
    fn send(&self, handle: Handle, input: B) -> PageFuture<O, E> {
        Box::pin(run_operation(handle, self.operation, input))
    }
}

pub(crate) type PageFuture<O, E> = Pin<Box<dyn Future<Output = Result<O, SdkError<E>>> + Send>>;

/// A paginator of the operation `spec`, starting with the input in `input`.
pub fn paginator<B, I, O, E, T>(
    handle: Handle,
    spec: &'static PaginationSpec<B, I, O, E, T>,
    input: B,
) -> Paginator<B, O, E, T>
where
    B: Clone + Send + 'static,
    I: Send + 'static,
    O: Send + 'static,
    E: Send + 'static,
    T: 'static,
{
    Paginator::start(handle, spec, input)
}

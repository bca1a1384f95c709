//! Paginators: streams over the pages (and the listed items) of `@paginated` operations.
//!
//! A generated fluent builder of a paginated operation offers `into_paginator()`, which returns a
//! [`Paginator`]: a [`Stream`] of pages (`Result<Output, SdkError<Error>>`). [`Paginator::items`]
//! flattens the pages into the listed items.
//!
//! Behaviour, shared by every generated client:
//! - lazy: nothing is sent until the stream is polled;
//! - one request at a time, each with the token of the previous page; the stream ends after a page
//!   whose token is absent or empty;
//! - a failed page is yielded as an `Err` item (after everything the earlier pages listed) and
//!   ends the stream;
//! - a walk that makes no progress ends with an error holding [`PaginationError`], yielded after
//!   the page that showed it:
//!   - [`RepeatedToken`](PaginationError::RepeatedToken): the service answered with a token the
//!     paginator sent within its last 256 requests (following it would request the same pages
//!     again, forever). Like the AWS SDKs, which compare each token with the one just sent, the
//!     paginator keeps no list of every token: it remembers a 64-bit keyed hash of each of the
//!     last 256 tokens, so its memory stays the same however many pages and however long the
//!     tokens;
//!   - [`TooManyEmptyPages`](PaginationError::TooManyEmptyPages): [`DEFAULT_MAX_EMPTY_PAGES`]
//!     pages in a row listed no items yet each carried a new token (a service that keeps doing
//!     so would otherwise keep [`Items`] busy forever). Services can legitimately return empty
//!     pages, for example when they filter after paging, so the bound is generous and
//!     [`Paginator::max_empty_pages`] changes or lifts it. Operations whose pages list no items
//!     are not subject to it;
//! - memory stays bounded whatever the service sends: one page, one request and the fixed token
//!   memory at a time (plus what the caller keeps; [`Paginator::try_collect`] and
//!   [`Items::try_collect`] keep everything);
//! - cancellation-safe: dropping a `next()` future keeps the request in flight inside the
//!   paginator, and the next call of `next()` resumes it; dropping the paginator cancels it.
//!
//! [`Paginator`] implements `futures_core::Stream` (so `futures::StreamExt` works on it) and has
//! an inherent async [`next`](Paginator::next), so no extra crate is needed to drain it.

use std::collections::VecDeque;
use std::error::Error as StdError;
use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::pin::Pin;
use std::task::{Context, Poll};

pub use futures_core::Stream;

use crate::client::Handle;
use crate::error::{SdkError, SdkErrorKind};
use crate::operation::{PageFuture, Pages};

/// How many of the latest tokens a paginator remembers (as 64-bit keyed hashes) to detect a
/// repeated token.
const TOKEN_MEMORY: usize = 256;

/// How many pages in a row may list no items while carrying a new token before a paginator
/// stops (see [`Paginator::max_empty_pages`]). 1000 pages of 50 items cover 50,000 resources
/// that a filtering service may skip without a match.
pub const DEFAULT_MAX_EMPTY_PAGES: usize = 1000;

/// Why a paginator stopped although the service did not fail.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PaginationError {
    /// The service answered page `page` (counted from 1) with a pagination token the paginator
    /// had already sent: following it would request the same pages again, forever.
    RepeatedToken {
        /// The page that carried the repeated token.
        page: usize,
    },
    /// `limit` pages in a row, up to page `page` (counted from 1), listed no items although each
    /// carried a new token.
    TooManyEmptyPages {
        /// The last page received.
        page: usize,
        /// The limit in force (see [`Paginator::max_empty_pages`]).
        limit: usize,
    },
}

impl PaginationError {
    /// The pagination error inside `error`, if that is what stopped a paginator.
    pub fn from_sdk_error<E>(error: &SdkError<E>) -> Option<&PaginationError> {
        match error.kind() {
            SdkErrorKind::Construction(source) => source.downcast_ref::<PaginationError>(),
            _ => None,
        }
    }
}

impl fmt::Display for PaginationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RepeatedToken { page } => write!(
                f,
                "page {page} carried a pagination token that was already sent; stopping instead of requesting the same pages again"
            ),
            Self::TooManyEmptyPages { page, limit } => write!(
                f,
                "{limit} pages in a row, up to page {page}, listed nothing while carrying a new token; stopping (`max_empty_pages` changes the limit)"
            ),
        }
    }
}

impl StdError for PaginationError {}

/// A stream of the pages of a paginated operation. See the [module documentation](self).
///
/// `B` is the operation's input builder, `O` its output, `E` its error and `T` the listed item;
/// a generated client names each paginator with an alias (`ListRoomsPaginator`).
#[must_use = "a paginator does nothing until it is polled"]
pub struct Paginator<B: 'static, O: 'static, E: 'static, T: 'static> {
    handle: Handle,
    spec: &'static dyn Pages<B, O, E, T>,
    /// The input of the next request (its token already set).
    input: Option<B>,
    in_flight: Option<PageFuture<O, E>>,
    /// An error to yield after the page just yielded.
    pending: Option<SdkError<E>>,
    /// Keyed hashes of the latest tokens sent, oldest first, at most [`TOKEN_MEMORY`].
    sent_tokens: VecDeque<u64>,
    token_hasher: RandomState,
    pages: usize,
    /// Pages in a row that listed nothing but carried a token.
    empty_pages: usize,
    max_empty_pages: Option<usize>,
}

// The input and outputs are never pinned in place; only the boxed request future is.
impl<B: 'static, O: 'static, E: 'static, T: 'static> Unpin for Paginator<B, O, E, T> {}

impl<B: 'static, O: 'static, E: 'static, T: 'static> Paginator<B, O, E, T> {
    fn is_done(&self) -> bool {
        self.input.is_none() && self.in_flight.is_none() && self.pending.is_none()
    }
}

impl<B: 'static, O: 'static, E: 'static, T: 'static> fmt::Debug for Paginator<B, O, E, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paginator")
            .field("operation", &self.spec.name())
            .field("pages", &self.pages)
            .field("in_flight", &self.in_flight.is_some())
            .field("done", &self.is_done())
            .finish()
    }
}

impl<B: 'static, O: 'static, E: 'static, T: 'static> Paginator<B, O, E, T> {
    /// A paginator of the operation `spec`, starting with the input in `input`.
    pub(crate) fn start(handle: Handle, spec: &'static dyn Pages<B, O, E, T>, input: B) -> Self {
        Self {
            handle,
            spec,
            input: Some(input),
            in_flight: None,
            pending: None,
            sent_tokens: VecDeque::new(),
            token_hasher: RandomState::new(),
            pages: 0,
            empty_pages: 0,
            max_empty_pages: Some(DEFAULT_MAX_EMPTY_PAGES),
        }
    }
}

impl<B: 'static, O: 'static, E: 'static, T: 'static> Paginator<B, O, E, T>
where
    B: Clone + Send + 'static,
    O: Send + 'static,
    E: Send + 'static,
{
    /// The stream of pages: the paginator itself, which is already one. For code written for
    /// the AWS SDK for Rust (`into_paginator().send()`).
    pub fn send(self) -> Self {
        self
    }

    /// Asks for `size` results per page (the operation's page-size member). Operations without
    /// a page-size member ignore it.
    pub fn page_size(mut self, size: i32) -> Self {
        if let Some(input) = self.input.as_mut() {
            self.spec.set_page_size(input, size);
        }
        self
    }

    /// How many pages in a row may list no items while carrying a new token: the stream ends
    /// with [`PaginationError::TooManyEmptyPages`] after the `limit`th (default
    /// [`DEFAULT_MAX_EMPTY_PAGES`]; 0 counts as 1). `None` follows such pages for as long as the
    /// service sends them. Operations whose pages list no items ignore it.
    pub fn max_empty_pages(mut self, limit: Option<usize>) -> Self {
        self.max_empty_pages = limit.map(|n| n.max(1));
        self
    }

    /// A stream of the items the pages list, in order. An error ends it after every item of
    /// the pages before the failed one.
    pub fn items(self) -> Items<B, O, E, T> {
        Items {
            pages: self,
            buffer: Vec::new().into_iter(),
        }
    }

    /// The next page: `None` once the stream has ended.
    pub async fn next(&mut self) -> Option<Result<O, SdkError<E>>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// The next page, `Ok(None)` once the stream has ended, or the error that ended it.
    pub async fn try_next(&mut self) -> Result<Option<O>, SdkError<E>> {
        self.next().await.transpose()
    }

    /// Collects every page, or the error that ended the stream.
    pub async fn try_collect(self) -> Result<Vec<O>, SdkError<E>> {
        self.collect().await
    }

    /// Collects every item of the stream (pages and the error that ended it, if any) into `C`,
    /// e.g. `Vec<Result<_, _>>` or `Result<Vec<_>, _>`.
    pub async fn collect<C>(self) -> C
    where
        C: FromIterator<Result<O, SdkError<E>>>,
    {
        collect_all(self).await
    }

    /// How many pages have been received so far.
    pub fn pages_received(&self) -> usize {
        self.pages
    }

    /// Starts the next request, or returns why it cannot be sent.
    fn start_next(&mut self) {
        let Some(input) = self.input.take() else {
            return;
        };
        if let Some(token) = self.spec.input_token(&input) {
            if self.sent_tokens.len() == TOKEN_MEMORY {
                self.sent_tokens.pop_front();
            }
            self.sent_tokens
                .push_back(self.token_hasher.hash_one(token));
        }
        self.input = Some(input.clone());
        self.in_flight = Some(self.spec.send(self.handle.clone(), input));
    }

    fn on_page(&mut self, page: &O) {
        self.pages += 1;
        let Some(token) = self.spec.output_token(page).filter(|t| !t.is_empty()) else {
            self.input = None;
            return;
        };
        let empty = self.spec.item_count(page) == Some(0);
        self.empty_pages = if empty { self.empty_pages + 1 } else { 0 };
        let stop = if self
            .sent_tokens
            .contains(&self.token_hasher.hash_one(token))
        {
            Some(PaginationError::RepeatedToken { page: self.pages })
        } else {
            self.max_empty_pages
                .filter(|limit| self.empty_pages >= *limit)
                .map(|limit| PaginationError::TooManyEmptyPages {
                    page: self.pages,
                    limit,
                })
        };
        match stop {
            Some(error) => {
                self.input = None;
                self.pending = Some(SdkError::construction(self.spec.name(), error));
            }
            None => {
                if let Some(input) = self.input.as_mut() {
                    self.spec.set_input_token(input, Some(token.to_owned()));
                }
            }
        }
    }
}

impl<B: 'static, O: 'static, E: 'static, T: 'static> Stream for Paginator<B, O, E, T>
where
    B: Clone + Send + 'static,
    O: Send + 'static,
    E: Send + 'static,
{
    type Item = Result<O, SdkError<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.in_flight.is_none() {
            if let Some(error) = this.pending.take() {
                return Poll::Ready(Some(Err(error)));
            }
            this.start_next();
        }
        let Some(fut) = this.in_flight.as_mut() else {
            return Poll::Ready(None);
        };
        match fut.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(result) => {
                this.in_flight = None;
                match result {
                    Ok(page) => {
                        this.on_page(&page);
                        Poll::Ready(Some(Ok(page)))
                    }
                    Err(error) => {
                        this.input = None;
                        Poll::Ready(Some(Err(error)))
                    }
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.is_done() {
            (0, Some(0))
        } else {
            (0, None)
        }
    }
}

/// A stream of the items listed by the pages of a paginated operation.
#[must_use = "a paginator does nothing until it is polled"]
pub struct Items<B: 'static, O: 'static, E: 'static, T: 'static> {
    pages: Paginator<B, O, E, T>,
    buffer: std::vec::IntoIter<T>,
}

impl<B: 'static, O: 'static, E: 'static, T: 'static> Unpin for Items<B, O, E, T> {}

impl<B: 'static, O: 'static, E: 'static, T: 'static> fmt::Debug for Items<B, O, E, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items")
            .field("pages", &self.pages)
            .field("buffered", &self.buffer.len())
            .finish()
    }
}

impl<B: 'static, O: 'static, E: 'static, T: 'static> Items<B, O, E, T>
where
    B: Clone + Send + 'static,
    O: Send + 'static,
    E: Send + 'static,
{
    /// The stream of items: `self`, which is already one. For code written for the AWS SDK for
    /// Rust (`into_paginator().items().send()`).
    pub fn send(self) -> Self {
        self
    }

    /// The next item: `None` once the stream has ended.
    pub async fn next(&mut self) -> Option<Result<T, SdkError<E>>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// The next item, `Ok(None)` once the stream has ended, or the error that ended it.
    pub async fn try_next(&mut self) -> Result<Option<T>, SdkError<E>> {
        self.next().await.transpose()
    }

    /// Collects every item of the stream (and the error that ended it, if any) into `C`, e.g.
    /// `Vec<Result<_, _>>` or `Result<Vec<_>, _>`.
    pub async fn collect<C>(self) -> C
    where
        C: FromIterator<Result<T, SdkError<E>>>,
    {
        collect_all(self).await
    }

    /// Collects every item, or the error that ended the stream.
    pub async fn try_collect(self) -> Result<Vec<T>, SdkError<E>> {
        self.collect().await
    }
}

impl<B: 'static, O: 'static, E: 'static, T: 'static> Stream for Items<B, O, E, T>
where
    B: Clone + Send + 'static,
    O: Send + 'static,
    E: Send + 'static,
{
    type Item = Result<T, SdkError<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffer.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match Pin::new(&mut this.pages).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(page))) => {
                    this.buffer = this.pages.spec.items(page).into_iter();
                }
            }
        }
    }
}

/// Every item of `stream` into `C` (a paginator's stream ends after its first error).
async fn collect_all<S, C>(stream: S) -> C
where
    S: Stream + Unpin,
    C: FromIterator<S::Item>,
{
    let mut stream = stream;
    let mut items = Vec::new();
    while let Some(item) = std::future::poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await {
        items.push(item);
    }
    items.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use bytes::Bytes;

    use super::*;
    use crate::client::{OperationMeta, RequestParts, ServiceMeta};
    use crate::config::Config;
    use crate::http::{ConnectorFuture, HttpConnector, HttpRequest};
    use crate::operation::{OperationSpec, PaginationSpec};

    /// Answers the `n`th request (from 0) with `body(n)`, and records each request body.
    #[derive(Debug, Clone)]
    struct Pages {
        body: fn(usize) -> String,
        sent: Arc<Mutex<Vec<String>>>,
    }

    impl HttpConnector for Pages {
        fn call(&self, request: HttpRequest) -> ConnectorFuture<'_> {
            let mut sent = self.sent.lock().expect("lock");
            sent.push(String::from_utf8_lossy(request.body()).into_owned());
            let body = (self.body)(sent.len() - 1);
            Box::pin(async move {
                Ok(http::Response::builder()
                    .status(200)
                    .body(Bytes::from(body))
                    .expect("response"))
            })
        }
    }

    /// A page is its body: `TOKEN` or `TOKEN ITEM...`; a blank body has no token.
    #[derive(Clone, Default)]
    struct Input(Option<String>);
    struct Output(Option<String>, Vec<String>);
    type TestPaginator = Paginator<Input, Output, (), String>;
    type Sent = Arc<Mutex<Vec<String>>>;

    static SERVICE: ServiceMeta = ServiceMeta {
        sdk_id: "test",
        signing_name: "test",
        crate_name: "test",
        crate_version: "0",
        endpoint_prefix: "test",
        resolve_endpoint: None,
    };
    static META: OperationMeta = OperationMeta {
        name: "List",
        idempotent: true,
        auth: &[crate::client::AuthScheme::SigV4],
    };
    static OPERATION: OperationSpec<Input, Input, Output, ()> = OperationSpec {
        meta: &META,
        validate: |_, _| {},
        build: Ok,
        ser: |input| {
            Ok(RequestParts {
                method: http::Method::POST,
                path_and_query: "/".into(),
                headers: http::HeaderMap::new(),
                body: Bytes::from(input.0.clone().unwrap_or_default()),
                ..RequestParts::default()
            })
        },
        de_ok: |response| {
            let text = String::from_utf8_lossy(response.body()).into_owned();
            let mut words = text.split(' ').map(str::to_owned);
            Ok(Output(
                words.next().filter(|t| !t.is_empty()),
                words.collect(),
            ))
        },
        de_err: |_, _| Ok(()),
    };
    static WITH_ITEMS: PaginationSpec<Input, Input, Output, (), String> = PaginationSpec {
        operation: &OPERATION,
        input_token: |i| i.0.as_deref(),
        set_input_token: |i, t| i.0 = t,
        output_token: |o| o.0.as_deref(),
        set_page_size: None,
        items: |o| o.1,
        item_count: Some(|o| o.1.len()),
    };
    static WITHOUT_ITEMS: PaginationSpec<Input, Input, Output, (), String> = PaginationSpec {
        item_count: None,
        ..WITH_ITEMS
    };

    fn paginator(
        spec: &'static PaginationSpec<Input, Input, Output, (), String>,
        body: fn(usize) -> String,
    ) -> (TestPaginator, Sent) {
        let pages = Pages {
            body,
            sent: Arc::default(),
        };
        let sent = pages.sent.clone();
        let config = Config::builder()
            .region("us-east-1")
            .endpoint_url("http://127.0.0.1:1")
            .anonymous()
            .http_connector(pages)
            .build();
        let handle = Handle::new(config, &SERVICE);
        (
            crate::operation::paginator(handle, spec, Input::default()),
            sent,
        )
    }

    /// Drains `pages`: how many pages came, and the error that ended them.
    async fn drain(mut pages: TestPaginator) -> (usize, Option<PaginationError>) {
        let mut count = 0;
        while let Some(page) = pages.next().await {
            match page {
                Ok(_) => count += 1,
                Err(e) => return (count, PaginationError::from_sdk_error(&e).cloned()),
            }
        }
        (count, None)
    }

    #[tokio::test]
    async fn pages_without_items_are_not_held_to_the_empty_page_limit() {
        let (pages, _) = paginator(&WITHOUT_ITEMS, |n| {
            if n < 40 {
                format!("t{n}")
            } else {
                String::new()
            }
        });
        assert_eq!(drain(pages.max_empty_pages(Some(2))).await, (41, None));
        let (pages, _) = paginator(&WITH_ITEMS, |n| {
            if n < 40 {
                format!("t{n}")
            } else {
                String::new()
            }
        });
        assert_eq!(
            drain(pages.max_empty_pages(Some(2))).await,
            (
                2,
                Some(PaginationError::TooManyEmptyPages { page: 2, limit: 2 })
            )
        );
    }

    #[tokio::test]
    async fn a_token_repeated_within_the_memory_is_caught_and_memory_stays_fixed() {
        // Tokens t0..t299, then t45: 255 requests ago, still remembered.
        let (pages, sent) = paginator(&WITH_ITEMS, |n| match n {
            0..300 => format!("t{n} item"),
            _ => "t45 item".to_owned(),
        });
        let mut pages = pages;
        let mut count = 0;
        let error = loop {
            match pages.next().await.expect("an error ends the walk") {
                Ok(_) => count += 1,
                Err(e) => break PaginationError::from_sdk_error(&e).cloned(),
            }
            assert!(pages.sent_tokens.len() <= TOKEN_MEMORY);
        };
        assert_eq!(error, Some(PaginationError::RepeatedToken { page: 301 }));
        assert_eq!(count, 301);
        assert_eq!(sent.lock().expect("lock").len(), 301);
        assert_eq!(pages.sent_tokens.len(), TOKEN_MEMORY);

        // t0 repeated 300 requests later has been forgotten: the walk goes on (and ends when the
        // service stops sending tokens).
        let (pages, sent) = paginator(&WITH_ITEMS, |n| match n {
            0..300 => format!("t{n} item"),
            300 => "t0 item".to_owned(),
            _ => String::new(),
        });
        assert_eq!(drain(pages).await, (302, None));
        assert_eq!(sent.lock().expect("lock")[301], "t0");
    }
}

//! Streaming payloads (feature `streaming`, turned on by the generator for services whose
//! operations have `@streaming` blob payloads).
//!
//! A [`ByteStream`] is the body of such an operation, in either direction:
//! - sent: bytes in memory, a file (read as it is sent) or any stream of chunks, with a known
//!   or an unknown length;
//! - received: the response body, read incrementally as it arrives and never buffered whole.
//!
//! Bytes and files can be sent again when a call is retried (a file is reopened); a stream of
//! chunks can be sent once, so a call with one is not retried.
//!
//! Reading a received stream is bounded by the client's read timeout (each chunk must arrive
//! within it); the operation and attempt timeouts end when the response headers arrive, so they
//! never cut off a body the caller is still reading.

use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;

use crate::error::BoxError;

/// How much of a file is read at a time.
const FILE_CHUNK: usize = 64 * 1024;

type ChunkStream = Pin<Box<dyn Stream<Item = Result<Bytes, BoxError>> + Send>>;
type OpenFuture = Pin<Box<dyn Future<Output = std::io::Result<tokio::fs::File>> + Send>>;

/// A body that is streamed rather than held in memory: what operations with a streaming
/// payload send and return.
///
/// Build one from bytes (`ByteStream::from(vec)`), a file ([`from_path`](Self::from_path)) or a
/// stream of chunks ([`from_stream`](Self::from_stream)). Read one with
/// [`next`](Self::next), [`collect`](Self::collect) or as a [`Stream`].
pub struct ByteStream {
    // A mutex only to be `Sync` and to hand the body over from a shared reference when the
    // request is built; reading takes `&mut self` and never locks.
    inner: Mutex<Inner>,
}

enum Inner {
    /// In memory; `None` once read.
    Bytes(Option<Bytes>),
    File(FileBody),
    Stream {
        stream: ChunkStream,
        len: Option<u64>,
    },
    /// A response body as the transport receives it.
    Response {
        body: reqwest::Body,
        len: Option<u64>,
    },
    /// Handed over to a request.
    Taken,
}

struct FileBody {
    path: PathBuf,
    len: u64,
    read: u64,
    state: FileState,
}

enum FileState {
    Closed,
    Opening(OpenFuture),
    Open(tokio::fs::File),
    Done,
}

/// Reading a body failed (the connection broke, a read timed out, a file could not be read, or
/// the stream of chunks returned an error).
#[derive(Debug)]
pub struct ByteStreamError {
    source: BoxError,
}

impl ByteStreamError {
    fn new(source: impl Into<BoxError>) -> Self {
        Self {
            source: source.into(),
        }
    }
}

impl fmt::Display for ByteStreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "reading the body failed: {}", self.source)
    }
}

impl std::error::Error for ByteStreamError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.source.as_ref())
    }
}

impl ByteStream {
    fn with(inner: Inner) -> Self {
        Self {
            inner: Mutex::new(inner),
        }
    }

    fn inner_mut(&mut self) -> &mut Inner {
        self.inner
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A body of `bytes`.
    pub fn from_static(bytes: &'static [u8]) -> Self {
        Self::from(Bytes::from_static(bytes))
    }

    /// The file at `path`, read in chunks as it is sent. Its length is taken now (the file must
    /// not change until the call ends); it is opened when the request is sent, again on each
    /// retry.
    pub async fn from_path(path: impl AsRef<Path>) -> std::io::Result<Self> {
        let path = path.as_ref().to_path_buf();
        let meta = tokio::fs::metadata(&path).await?;
        if !meta.is_file() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{} is not a file", path.display()),
            ));
        }
        Ok(Self::with(Inner::File(FileBody {
            path,
            len: meta.len(),
            read: 0,
            state: FileState::Closed,
        })))
    }

    /// A body of the chunks `stream` yields, of unknown length until
    /// [`with_length`](Self::with_length) declares it. It can be sent once: a call with it is
    /// not retried.
    pub fn from_stream<S, E>(stream: S) -> Self
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<BoxError>,
    {
        let mapped = MapErr(Box::pin(stream));
        Self::with(Inner::Stream {
            stream: Box::pin(mapped),
            len: None,
        })
    }

    /// Declares the length of a stream of chunks (operations marked as requiring a length
    /// refuse a stream without one). A stream that then yields a different number of bytes
    /// fails the call. Bytes and files know their length; for them this does nothing.
    pub fn with_length(mut self, len: u64) -> Self {
        if let Inner::Stream { len: l, .. } = self.inner_mut() {
            *l = Some(len);
        }
        self
    }

    /// The length of the body, when it is known before reading it.
    pub fn known_length(&self) -> Option<u64> {
        match &*self.inner.lock().unwrap_or_else(|p| p.into_inner()) {
            Inner::Bytes(b) => Some(b.as_ref().map_or(0, |b| b.len() as u64)),
            Inner::File(f) => Some(f.len),
            Inner::Stream { len, .. } | Inner::Response { len, .. } => *len,
            Inner::Taken => Some(0),
        }
    }

    /// The next chunk of the body; `None` at its end.
    pub async fn next(&mut self) -> Option<Result<Bytes, ByteStreamError>> {
        std::future::poll_fn(|cx| self.inner_mut().poll_chunk(cx)).await
    }

    /// Reads the whole body into memory. Prefer reading chunk by chunk for bodies that may be
    /// large.
    pub async fn collect(mut self) -> Result<Bytes, ByteStreamError> {
        let mut out = bytes::BytesMut::new();
        let mut first: Option<Bytes> = None;
        while let Some(chunk) = self.next().await {
            let chunk = chunk?;
            // A body of one chunk is handed over without copying it.
            match first.take() {
                None if out.is_empty() => first = Some(chunk),
                None => out.extend_from_slice(&chunk),
                Some(f) => {
                    out.extend_from_slice(&f);
                    out.extend_from_slice(&chunk);
                }
            }
        }
        Ok(first.unwrap_or_else(|| out.freeze()))
    }

    /// The whole body, when it is in memory (built from bytes).
    pub(crate) fn in_memory(&self) -> Option<Bytes> {
        match &*self.inner.lock().unwrap_or_else(|p| p.into_inner()) {
            Inner::Bytes(b) => Some(b.clone().unwrap_or_default()),
            _ => None,
        }
    }

    /// A response body received by the transport.
    pub(crate) fn from_response_body(body: reqwest::Body, len: Option<u64>) -> Self {
        Self::with(Inner::Response { body, len })
    }

    /// The body to send with a request, taken from the input that holds it: bytes and files
    /// are copied (the input keeps them), a stream of chunks is moved out. `None` when a
    /// stream was already sent.
    pub(crate) fn take_for_request(&self) -> Option<ByteStream> {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        match &*inner {
            Inner::Stream { .. } | Inner::Response { .. } => {
                Some(Self::with(std::mem::replace(&mut *inner, Inner::Taken)))
            }
            _ => inner.copy().map(Self::with),
        }
    }

    /// A fresh copy of the body for another attempt, when it can be sent again.
    pub(crate) fn retry_copy(&self) -> Option<ByteStream> {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .copy()
            .map(Self::with)
    }
}

impl Inner {
    /// Bytes and files, from their start; streams cannot be copied.
    fn copy(&self) -> Option<Inner> {
        match self {
            Inner::Bytes(b) => Some(Inner::Bytes(b.clone())),
            Inner::File(f) => Some(Inner::File(FileBody {
                path: f.path.clone(),
                len: f.len,
                read: 0,
                state: FileState::Closed,
            })),
            _ => None,
        }
    }

    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, ByteStreamError>>> {
        match self {
            Inner::Bytes(b) => Poll::Ready(b.take().filter(|b| !b.is_empty()).map(Ok)),
            Inner::Taken => Poll::Ready(None),
            Inner::Stream { stream, .. } => stream
                .as_mut()
                .poll_next(cx)
                .map(|item| item.map(|r| r.map_err(ByteStreamError::new))),
            Inner::Response { body, .. } => loop {
                match http_body::Body::poll_frame(Pin::new(&mut *body), cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(None) => return Poll::Ready(None),
                    Poll::Ready(Some(Err(e))) => {
                        return Poll::Ready(Some(Err(ByteStreamError::new(e))));
                    }
                    Poll::Ready(Some(Ok(frame))) => {
                        // Trailers carry no data.
                        if let Ok(data) = frame.into_data()
                            && !data.is_empty()
                        {
                            return Poll::Ready(Some(Ok(data)));
                        }
                    }
                }
            },
            Inner::File(f) => f.poll_chunk(cx),
        }
    }
}

impl FileBody {
    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, ByteStreamError>>> {
        loop {
            match &mut self.state {
                FileState::Done => return Poll::Ready(None),
                FileState::Closed => {
                    let path = self.path.clone();
                    self.state = FileState::Opening(Box::pin(tokio::fs::File::open(path)));
                }
                FileState::Opening(open) => match open.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Ok(file)) => self.state = FileState::Open(file),
                    Poll::Ready(Err(e)) => {
                        self.state = FileState::Done;
                        let msg = format!("cannot open {}: {e}", self.path.display());
                        return Poll::Ready(Some(Err(ByteStreamError::new(msg))));
                    }
                },
                FileState::Open(file) => {
                    let left = self.len - self.read;
                    if left == 0 {
                        self.state = FileState::Done;
                        return Poll::Ready(None);
                    }
                    let want = usize::try_from(left).unwrap_or(FILE_CHUNK).min(FILE_CHUNK);
                    let mut buf = vec![0u8; want];
                    let mut read_buf = tokio::io::ReadBuf::new(&mut buf);
                    match tokio::io::AsyncRead::poll_read(Pin::new(file), cx, &mut read_buf) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(Err(e)) => {
                            self.state = FileState::Done;
                            let msg = format!("cannot read {}: {e}", self.path.display());
                            return Poll::Ready(Some(Err(ByteStreamError::new(msg))));
                        }
                        Poll::Ready(Ok(())) => {
                            let n = read_buf.filled().len();
                            if n == 0 {
                                self.state = FileState::Done;
                                let msg = format!(
                                    "{} is shorter than the {} bytes it had when the body was made",
                                    self.path.display(),
                                    self.len
                                );
                                return Poll::Ready(Some(Err(ByteStreamError::new(msg))));
                            }
                            buf.truncate(n);
                            self.read += n as u64;
                            return Poll::Ready(Some(Ok(Bytes::from(buf))));
                        }
                    }
                }
            }
        }
    }
}

impl Stream for ByteStream {
    type Item = Result<Bytes, ByteStreamError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().inner_mut().poll_chunk(cx)
    }
}

impl Default for ByteStream {
    /// An empty body.
    fn default() -> Self {
        Self::from(Bytes::new())
    }
}

impl From<Bytes> for ByteStream {
    fn from(bytes: Bytes) -> Self {
        Self::with(Inner::Bytes(Some(bytes)))
    }
}

impl From<Vec<u8>> for ByteStream {
    fn from(bytes: Vec<u8>) -> Self {
        Self::from(Bytes::from(bytes))
    }
}

impl From<String> for ByteStream {
    fn from(text: String) -> Self {
        Self::from(Bytes::from(text))
    }
}

impl From<crate::types::Blob> for ByteStream {
    fn from(blob: crate::types::Blob) -> Self {
        Self::from(blob.into_inner())
    }
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &*self.inner.lock().unwrap_or_else(|p| p.into_inner()) {
            Inner::Bytes(_) => "bytes",
            Inner::File(_) => "file",
            Inner::Stream { .. } => "stream",
            Inner::Response { .. } => "response",
            Inner::Taken => "sent",
        };
        f.debug_struct("ByteStream")
            .field("kind", &kind)
            .field("known_length", &self.known_length())
            .finish()
    }
}

/// A stream of chunks with its error boxed (pinned in a box of its own, so no projection).
struct MapErr<S>(Pin<Box<S>>);

impl<S, E> Stream for MapErr<S>
where
    S: Stream<Item = Result<Bytes, E>>,
    E: Into<BoxError>,
{
    type Item = Result<Bytes, BoxError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut()
            .0
            .as_mut()
            .poll_next(cx)
            .map(|item| item.map(|r| r.map_err(Into::into)))
    }
}

/// The body a request sends: a byte stream as an HTTP body.
pub(crate) struct RequestBody(pub(crate) ByteStream);

impl http_body::Body for RequestBody {
    type Data = Bytes;
    type Error = ByteStreamError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, ByteStreamError>>> {
        self.get_mut()
            .0
            .inner_mut()
            .poll_chunk(cx)
            .map(|item| item.map(|r| r.map(http_body::Frame::data)))
    }

    fn size_hint(&self) -> http_body::SizeHint {
        match self.0.known_length() {
            Some(n) => http_body::SizeHint::with_exact(n),
            None => http_body::SizeHint::default(),
        }
    }
}

impl From<ByteStream> for reqwest::Body {
    fn from(mut stream: ByteStream) -> Self {
        if let Inner::Bytes(b) = stream.inner_mut() {
            return reqwest::Body::from(b.take().unwrap_or_default());
        }
        reqwest::Body::wrap(RequestBody(stream))
    }
}

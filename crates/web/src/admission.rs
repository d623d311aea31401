//! Admission: a bounded number of requests at work at once, and a short wait for a place. Past
//! capacity a request is answered at once — 503 with `Retry-After` — instead of queueing behind
//! the database until it times out; the phone page and Open311 clients retry with their
//! idempotency keys, so a shed report is filed once when it is sent again.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// The places for requests at work, and how long a request may wait for one.
#[derive(Clone)]
pub struct Admission {
    slots: Arc<Semaphore>,
    size: usize,
    wait: Duration,
}

impl Admission {
    /// Requests at work at once by default: a few per database connection, so a request that
    /// gets in finds a connection soon.
    pub const DEFAULT_SLOTS: usize = 64;
    /// How long a request waits for a place before it is told to come back.
    pub const WAIT: Duration = Duration::from_millis(500);

    pub fn new(slots: usize, wait: Duration) -> Admission {
        let size = slots.max(1);
        Admission {
            slots: Arc::new(Semaphore::new(size)),
            size,
            wait,
        }
    }

    /// How many places there are.
    pub fn size(&self) -> usize {
        self.size
    }

    /// How many requests are at work now.
    pub fn busy(&self) -> usize {
        self.size - self.slots.available_permits()
    }
}

impl Default for Admission {
    fn default() -> Self {
        Admission::new(Self::DEFAULT_SLOTS, Self::WAIT)
    }
}

/// The middleware: a request with a place goes on (and frees it when answered); one without a
/// place within [`Admission::WAIT`] gets 503 and `Retry-After: 1`.
pub async fn admit(State(a): State<Admission>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(a.wait, a.slots.clone().acquire_owned()).await {
        Ok(Ok(place)) => {
            let r = next.run(req).await;
            drop(place);
            r
        }
        _ => {
            tracing::warn!(busy = a.busy(), "overloaded: request shed");
            crate::error::ApiError::overloaded().into_response()
        }
    }
}

//! The accept loop: HTTP/1.1 connections (over TLS when configured) handed to the router,
//! with the bounds a slow or greedy client must not get around. At most `max_connections`
//! are served at once (a TLS handshake in progress counts): past that, new connections wait
//! in the kernel's listen backlog. A client has `header_read_timeout` to send a request's
//! headers, counted from the connection's start or the end of the previous response, so a
//! connection that trickles its headers, or sits idle between requests, is closed.
//!
//! `axum::serve` offers neither bound, hence this loop (hyper's own connection builder).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::tls::HANDSHAKE_TIMEOUT;

/// What one connection may hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_read_timeout: Duration,
    pub max_connections: usize,
}

/// Serves until `shutdown` completes, then lets every connection finish its request in
/// flight (idle ones close at once) and returns when the last has.
pub async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (stop, stopping) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = accept(&listener, &slots) => accepted,
        };
        let Some((stream, peer, slot)) = accepted else {
            continue;
        };
        let connection = Connection {
            peer,
            router: router.clone(),
            header_read_timeout: limits.header_read_timeout,
            stopping: stopping.clone(),
            _slot: slot,
        };
        tokio::spawn(connection.run(stream, tls.clone()));
    }
    drop(listener);
    let _ = stop.send(true);
    // Each connection holds its slot to the end: all of them back means all are done.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = slots.acquire_many(all).await;
}

/// The next connection, once a slot is free for it; `None` after an accept error (out of
/// file descriptors and the like), after a pause rather than a spin.
async fn accept(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
) -> Option<(TcpStream, SocketAddr, OwnedSemaphorePermit)> {
    // The semaphore is never closed, so this only waits.
    let slot = slots.clone().acquire_owned().await.ok()?;
    match listener.accept().await {
        Ok((stream, peer)) => Some((stream, peer, slot)),
        Err(e) => {
            tracing::warn!(error = %e, "cannot accept a connection");
            tokio::time::sleep(Duration::from_millis(100)).await;
            None
        }
    }
}

struct Connection {
    peer: SocketAddr,
    router: Router,
    header_read_timeout: Duration,
    stopping: watch::Receiver<bool>,
    /// Returned when the connection ends.
    _slot: OwnedSemaphorePermit,
}

impl Connection {
    async fn run(self, stream: TcpStream, tls: Option<TlsAcceptor>) {
        let Some(acceptor) = tls else {
            return self.http(stream).await;
        };
        let peer = self.peer;
        match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
            Ok(Ok(tls)) => self.http(tls).await,
            Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
            Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
        }
    }

    async fn http<I>(mut self, io: I)
    where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let (peer, router) = (self.peer, self.router.clone());
        // Handlers read the peer address as axum's `ConnectInfo`.
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request)
        });
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(self.header_read_timeout);
        let connection = builder.serve_connection(TokioIo::new(io), service);
        tokio::pin!(connection);
        tokio::select! {
            result = connection.as_mut() => return log_end(peer, result),
            _ = self.stopping.wait_for(|stop| *stop) => {}
        }
        connection.as_mut().graceful_shutdown();
        log_end(peer, connection.await);
    }
}

fn log_end(peer: SocketAddr, result: hyper::Result<()>) {
    if let Err(e) = result {
        // A client that went away or timed out: nothing for an operator to act on.
        tracing::debug!(%peer, error = %e, "connection ended");
    }
}

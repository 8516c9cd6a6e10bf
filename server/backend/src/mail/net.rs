//! Connections to mail servers: TCP with a timeout, TLS from the first byte or after
//! STARTTLS (rustls on ring, the system's root certificates), and failures in plain words an
//! admin can act on: name not resolved, connection refused, no answer, TLS failure.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, LazyLock};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::error::{Error, Result};
use model::MailFault;

/// A connection to a mail server, plain (loopback, or before STARTTLS) or under TLS.
#[derive(Debug)]
pub enum MailStream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for MailStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            MailStream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            MailStream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for MailStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            MailStream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            MailStream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            MailStream::Plain(s) => Pin::new(s).poll_flush(cx),
            MailStream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            MailStream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            MailStream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// The system's root certificates, loaded once.
static TLS: LazyLock<Arc<rustls::ClientConfig>> = LazyLock::new(|| {
    let mut roots = rustls::RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    for cert in found.certs {
        let _ = roots.add(cert);
    }
    // ring named here, so no process-wide default provider is needed (see TOOLCHAIN.md).
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map(|builder| builder.with_root_certificates(roots).with_no_client_auth());
    match config {
        Ok(config) => Arc::new(config),
        // ring supports the default versions; this cannot happen, and a TLS connection will
        // then fail with its own words rather than the whole process.
        Err(_) => Arc::new(
            rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_protocol_versions(&[&rustls::version::TLS13])
                .map(|b| b.with_root_certificates(rustls::RootCertStore::empty()).with_no_client_auth())
                .unwrap_or_else(|_| unreachable!("TLS 1.3 on ring")),
        ),
    }
});

/// Opens TCP to `host:port`, naming what failed.
pub async fn connect_tcp(host: &str, port: u16, limit: Duration) -> Result<TcpStream> {
    let addrs: Vec<_> = tokio::time::timeout(limit, tokio::net::lookup_host((host, port)))
        .await
        .map_err(|_| Error::Remote(MailFault::NameTimeout { host: host.to_string(), secs: limit.as_secs() }))?
        .map_err(|_| Error::Remote(MailFault::NameUnknown { host: host.to_string() }))?
        .collect();
    let mut last = Error::Remote(MailFault::NameUnknown { host: host.to_string() });
    for addr in addrs {
        match tokio::time::timeout(limit, TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => {
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Ok(Err(e)) if e.kind() == io::ErrorKind::ConnectionRefused => {
                last = Error::Remote(MailFault::PortRefused { host: host.to_string(), port });
            }
            Ok(Err(e)) => {
                last = Error::Remote(MailFault::Unreachable { host: host.to_string(), port, detail: e.to_string() })
            }
            Err(_) => last = Error::Remote(MailFault::NoAnswer { host: host.to_string(), port, secs: limit.as_secs() }),
        }
    }
    Err(last)
}

/// Wraps a connection in TLS for `host`, naming what failed.
pub async fn start_tls(tcp: TcpStream, host: &str, limit: Duration) -> Result<MailStream> {
    let name = rustls::pki_types::ServerName::try_from(host.to_string())
        .map_err(|_| Error::Remote(MailFault::NotATlsName { host: host.to_string() }))?;
    let connector = TlsConnector::from(TLS.clone());
    let stream = tokio::time::timeout(limit, connector.connect(name, tcp))
        .await
        .map_err(|_| Error::Remote(MailFault::TlsTimeout { host: host.to_string(), secs: limit.as_secs() }))?
        .map_err(|e| Error::Remote(MailFault::TlsFailed { host: host.to_string(), detail: e.to_string() }))?;
    Ok(MailStream::Tls(Box::new(stream)))
}

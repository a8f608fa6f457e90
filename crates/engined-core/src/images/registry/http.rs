//! One HTTP/1 exchange with a registry: a fresh connection per request
//! (TLS with the system's roots and the host's certs.d CAs; for an
//! insecure registry TLS without verification, or plain TCP when it
//! speaks no TLS), hyper's client connection on it, a time limit on
//! connecting and on the answer's headers.

use std::net::IpAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, Uri};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

use super::{RegistryError, Settings};

/// How long connecting, and then waiting for an answer's headers, may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// How long the TLS probe of an insecure registry may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// `scheme://host[:port]` of a registry: HTTPS; for an insecure registry
/// (loopback, `insecure-registries`) HTTPS when a TLS handshake there
/// succeeds, else plain HTTP, the order in which dockerd tries an
/// insecure registry's endpoints.
pub async fn base_url(settings: &Settings, host_port: &str) -> String {
    if settings.is_insecure(host_port) && !speaks_tls(settings, host_port).await {
        return format!("http://{host_port}");
    }
    format!("https://{host_port}")
}

/// Whether a TLS handshake with `host_port` (port 443 when none is given)
/// succeeds within [`PROBE_TIMEOUT`].
async fn speaks_tls(settings: &Settings, host_port: &str) -> bool {
    let Ok(uri) = format!("https://{host_port}/").parse::<Uri>() else {
        return false;
    };
    let Ok((host, port)) = dial_target(&uri) else {
        return false;
    };
    let (Ok(name), Ok(config)) = (
        ServerName::try_from(host.to_string()),
        tls_config(settings, host_port),
    ) else {
        return false;
    };
    let handshake = async {
        let tcp = TcpStream::connect((host, port)).await?;
        tokio_rustls::TlsConnector::from(config)
            .connect(name, tcp)
            .await
    };
    match tokio::time::timeout(PROBE_TIMEOUT, handshake).await {
        Ok(Ok(_)) => true,
        Ok(Err(e)) => {
            tracing::debug!("registry {host_port} speaks no TLS ({e}): using plain HTTP");
            false
        }
        Err(_) => false,
    }
}

/// The CA bundle Debian's ca-certificates writes.
const SYSTEM_ROOTS: &str = "/etc/ssl/certs/ca-certificates.crt";

/// What engined calls itself towards registries.
const USER_AGENT: &str = concat!("engined/", env!("CARGO_PKG_VERSION"));

/// True for the hosts dockerd treats as insecure registries by default
/// (127.0.0.0/8 and `localhost`, also `::1`): spoken to in plain HTTP.
pub fn is_insecure(host_port: &str) -> bool {
    let host = host_of(host_port);
    if host == "localhost" {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.is_loopback(),
        Ok(IpAddr::V6(v6)) => v6.is_loopback(),
        Err(_) => false,
    }
}

/// `host` of `host[:port]` (brackets of an IPv6 literal dropped).
pub fn host_of(host_port: &str) -> &str {
    if let Some(rest) = host_port.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match host_port.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host_port,
    }
}

/// The system's CA roots, read once.
fn system_roots() -> Result<RootCertStore, RegistryError> {
    static ROOTS: OnceLock<Result<RootCertStore, String>> = OnceLock::new();
    ROOTS
        .get_or_init(|| {
            engine_api::rt::pem::read_roots(std::path::Path::new(SYSTEM_ROOTS))
                .map_err(|e| e.to_string())
        })
        .clone()
        .map_err(|e| RegistryError::unavailable(format!("TLS setup: {e}")))
}

/// The TLS client configuration for `host_port`: the system's roots plus
/// the CA files of its certs.d directory, and its client certificate; for
/// an insecure registry, no verification at all.
fn tls_config(settings: &Settings, host_port: &str) -> Result<Arc<ClientConfig>, RegistryError> {
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| RegistryError::unavailable(format!("TLS setup: {e}")))?;
    if settings.is_insecure(host_port) {
        let verifier = engine_api::rt::tls::danger_any_server(provider);
        return Ok(Arc::new(
            builder
                .dangerous()
                .with_custom_certificate_verifier(verifier)
                .with_no_client_auth(),
        ));
    }
    let mut roots = system_roots()?;
    for file in settings.ca_files(host_port) {
        let extra = engine_api::rt::pem::read_roots(&file).map_err(|e| {
            RegistryError::invalid(format!("reading CA certificate {}: {e}", file.display()))
        })?;
        for cert in extra.roots {
            roots.roots.push(cert);
        }
    }
    let builder = builder.with_root_certificates(roots);
    let config = match settings.client_pair(host_port) {
        None => builder.with_no_client_auth(),
        Some((cert, key)) => {
            let bad = |e: &dyn std::fmt::Display| {
                RegistryError::invalid(format!(
                    "client certificate {} for {host_port}: {e}",
                    cert.display()
                ))
            };
            let chain = engine_api::rt::pem::read_certs(&cert).map_err(|e| bad(&e))?;
            let key = engine_api::rt::pem::read_key(&key).map_err(|e| bad(&e))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| bad(&e))?
        }
    };
    Ok(Arc::new(config))
}

/// A TLS handshake failure in Go's words where it has them (an unknown
/// CA is `x509: certificate signed by unknown authority`).
fn tls_failure(e: &std::io::Error) -> String {
    use tokio_rustls::rustls::{CertificateError, Error};
    let inner = e.get_ref().and_then(|inner| inner.downcast_ref::<Error>());
    match inner {
        Some(Error::InvalidCertificate(CertificateError::UnknownIssuer)) => {
            "tls: failed to verify certificate: x509: certificate signed by unknown authority"
                .to_string()
        }
        Some(Error::InvalidCertificate(CertificateError::NotValidForName)) => {
            "tls: failed to verify certificate: x509: certificate is not valid for this host"
                .to_string()
        }
        Some(Error::InvalidCertificate(other)) => {
            format!("tls: failed to verify certificate: x509: {other:?}")
        }
        _ => e.to_string(),
    }
}

/// A request body: nothing, bytes in memory, or a stream (a layer read
/// from the store).
pub type Body = UnsyncBoxBody<Bytes, std::io::Error>;

/// No body.
pub fn empty() -> Body {
    Empty::<Bytes>::new()
        .map_err(|never| match never {})
        .boxed_unsync()
}

/// `bytes` as the body.
pub fn full(bytes: Bytes) -> Body {
    Full::new(bytes)
        .map_err(|never| match never {})
        .boxed_unsync()
}

/// Sends a GET for `uri` with `headers` and returns the answer, whose body
/// is still to be read.
pub async fn get(
    settings: &Settings,
    uri: &Uri,
    headers: &[(&str, String)],
) -> Result<Response<Incoming>, RegistryError> {
    send(settings, Method::GET, uri, headers, empty()).await
}

/// Go's spelling of a method in an error (`Get`, `Put`, `Head`).
fn method_word(method: &Method) -> String {
    let text = method.as_str();
    let mut out = text[..1].to_string();
    out.push_str(&text[1..].to_lowercase());
    out
}

/// The host (an IPv6 literal without its brackets) and port to dial for
/// `uri`: its own port, else the scheme's.
fn dial_target(uri: &Uri) -> Result<(&str, u16), RegistryError> {
    let authority = uri
        .authority()
        .ok_or_else(|| RegistryError::invalid(format!("no host in URL {uri}")))?;
    let host = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']');
    let port = authority
        .port_u16()
        .unwrap_or(if uri.scheme_str() == Some("http") {
            80
        } else {
            443
        });
    Ok((host, port))
}

/// Sends `method` for `uri` with `headers` and `body`, and returns the
/// answer, whose body is still to be read.
pub async fn send(
    settings: &Settings,
    method: Method,
    uri: &Uri,
    headers: &[(&str, String)],
    body: Body,
) -> Result<Response<Incoming>, RegistryError> {
    let word = method_word(&method);
    let authority = uri
        .authority()
        .ok_or_else(|| RegistryError::invalid(format!("no host in URL {uri}")))?;
    let scheme = uri.scheme_str().unwrap_or("https");
    let (host, port) = dial_target(uri)?;
    let unreachable = |e: &dyn std::fmt::Display| {
        RegistryError::unavailable(format!("{word} \"{uri}\": dial tcp {host}:{port}: {e}"))
    };
    let tcp = match tokio::time::timeout(TIMEOUT, TcpStream::connect((host, port))).await {
        Ok(Ok(tcp)) => tcp,
        Ok(Err(e)) => return Err(unreachable(&e)),
        Err(_) => return Err(unreachable(&"i/o timeout")),
    };
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(hyper::header::HOST, authority.as_str())
        .header(hyper::header::USER_AGENT, USER_AGENT);
    for (name, value) in headers {
        request = request.header(*name, value.as_str());
    }
    let request = request
        .body(body)
        .map_err(|e| RegistryError::invalid(format!("request for {uri}: {e}")))?;
    if scheme == "http" {
        exchange(tcp, request, uri, &word).await
    } else {
        let name = ServerName::try_from(host.to_string())
            .map_err(|e| RegistryError::invalid(format!("host {host}: {e}")))?;
        let connector = tokio_rustls::TlsConnector::from(tls_config(settings, authority.as_str())?);
        let tls = match tokio::time::timeout(TIMEOUT, connector.connect(name, tcp)).await {
            Ok(Ok(tls)) => tls,
            Ok(Err(e)) => {
                return Err(RegistryError::unavailable(format!(
                    "{word} \"{uri}\": {}",
                    tls_failure(&e)
                )))
            }
            Err(_) => return Err(unreachable(&"TLS handshake timeout")),
        };
        exchange(tls, request, uri, &word).await
    }
}

async fn exchange<T>(
    io: T,
    request: Request<Body>,
    uri: &Uri,
    word: &str,
) -> Result<Response<Incoming>, RegistryError>
where
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let failed =
        |e: &dyn std::fmt::Display| RegistryError::unavailable(format!("{word} \"{uri}\": {e}"));
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .map_err(|e| failed(&e))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!("registry connection: {e}");
        }
    });
    // A streamed body (a layer) may take longer than the limit to send:
    // its answer's headers come after it, so only the send's own idle
    // checks bound it.
    use hyper::body::Body as _;
    let streamed = request.body().size_hint().exact().is_none();
    if streamed {
        return sender.send_request(request).await.map_err(|e| failed(&e));
    }
    match tokio::time::timeout(TIMEOUT, sender.send_request(request)).await {
        Ok(Ok(response)) => Ok(response),
        Ok(Err(e)) => Err(failed(&e)),
        Err(_) => Err(failed(&"timeout awaiting response headers")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;
    use tokio::net::TcpListener;

    fn settings() -> Settings {
        Settings {
            certs_dirs: Vec::new(),
            ..Settings::default()
        }
    }

    #[test]
    fn the_dialled_port_is_the_urls_or_the_schemes() {
        let target = |url: &str| {
            let uri: Uri = url.parse().unwrap();
            let (host, port) = dial_target(&uri).unwrap();
            (host.to_string(), port)
        };
        assert_eq!(target("https://[::1]:5000/"), ("::1".to_string(), 5000));
        assert_eq!(
            target("https://reg.example/v2/"),
            ("reg.example".to_string(), 443)
        );
        assert_eq!(
            target("http://127.0.0.1/v2/"),
            ("127.0.0.1".to_string(), 80)
        );
    }

    #[tokio::test]
    async fn a_secure_registry_is_https_without_a_probe() {
        // Nothing is dialled: these hosts do not resolve here.
        let s = settings();
        assert_eq!(
            base_url(&s, "registry-1.docker.io").await,
            "https://registry-1.docker.io"
        );
        assert_eq!(base_url(&s, "10.0.0.1:5000").await, "https://10.0.0.1:5000");
    }

    #[tokio::test]
    async fn an_insecure_registry_without_tls_is_plain_http() {
        // Something that answers a ClientHello as a plain HTTP server does.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                let _ = conn
                    .write_all(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
                    .await;
            }
        });
        let host = format!("127.0.0.1:{}", addr.port());
        assert_eq!(base_url(&settings(), &host).await, format!("http://{host}"));
        // Nothing listening: plain HTTP too, whose dial then reports it.
        drop(TcpListener::bind("127.0.0.1:0").await.unwrap());
        assert_eq!(
            base_url(&settings(), "localhost:1").await,
            "http://localhost:1"
        );
    }

    #[tokio::test]
    async fn an_insecure_registry_with_a_self_signed_certificate_is_https() {
        let key_pair = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
            .unwrap()
            .self_signed(&key_pair)
            .unwrap();
        let chain = vec![cert.der().clone()];
        let key =
            tokio_rustls::rustls::pki_types::PrivateKeyDer::Pkcs8(key_pair.serialize_der().into());
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                let _ = acceptor.accept(conn).await;
            }
        });
        let host = format!("127.0.0.1:{}", addr.port());
        assert_eq!(
            base_url(&settings(), &host).await,
            format!("https://{host}")
        );
    }
}

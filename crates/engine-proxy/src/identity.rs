//! Who is asking. A listener given a name (`-H URL#alice`, one socket
//! per identity) makes every client of it that identity; on a TLS
//! listener without one, each client is the subject CN of the
//! certificate the handshake verified. The runtime's server hands the
//! connection's [`Peer`] to every request; this reads it.

use engine_api_rt::server::Peer;
use x509_parser::prelude::{FromDer, X509Certificate};

/// The identity of one request's client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identity {
    /// A plain listener without a name: nobody in particular (not scoped).
    Anonymous,
    /// A named listener's clients, or a TLS client whose certificate has
    /// this subject CN.
    Named(String),
    /// A TLS client whose verified certificate names no subject CN.
    Nameless,
}

impl Identity {
    /// The identity of a request on the listener named `listener` (when
    /// given) that came from `peer`. The listener's name wins: a socket
    /// per identity stays that identity whatever certificate is shown.
    pub fn of(listener: Option<&str>, peer: Option<&Peer>) -> Identity {
        if let Some(name) = listener {
            return Identity::Named(name.to_string());
        }
        match peer.and_then(Peer::client_certificate) {
            None => Identity::Anonymous,
            Some(der) => match common_name(der) {
                Some(cn) => Identity::Named(cn),
                None => Identity::Nameless,
            },
        }
    }

    /// The name owner scoping and the policy's `identities` go by.
    pub fn name(&self) -> Option<&str> {
        match self {
            Identity::Named(n) => Some(n),
            Identity::Anonymous | Identity::Nameless => None,
        }
    }
}

/// The first subject CN of the DER certificate `der`, when it has one
/// that is a string; `None` for an empty one or a certificate that does
/// not parse (the handshake verified it, so that does not happen).
pub fn common_name(der: &[u8]) -> Option<String> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let cn = cert.subject().iter_common_name().next()?;
    let cn = cn.as_str().ok()?.trim();
    (!cn.is_empty()).then(|| cn.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use x509_parser::pem::parse_x509_pem;

    fn der_of(path: &std::path::Path) -> Vec<u8> {
        let pem = std::fs::read(path).unwrap();
        parse_x509_pem(&pem).unwrap().1.contents
    }

    #[test]
    fn a_certificate_names_its_client() {
        let dir = test_support::scratch::fresh_dir("engine-proxy-identity");
        let (pki, clients) = test_support::certs::generate_with_clients(&dir, "id", &["alice", ""]);
        let alice = der_of(&clients[0].cert);
        assert_eq!(common_name(&alice).as_deref(), Some("alice"));
        let peer = Peer::new("tcp://127.0.0.1:1".into(), vec![alice]);
        assert_eq!(
            Identity::of(None, Some(&peer)),
            Identity::Named("alice".into())
        );
        // The listener's own name wins over the certificate's.
        assert_eq!(
            Identity::of(Some("bob"), Some(&peer)),
            Identity::Named("bob".into())
        );
        assert_eq!(
            common_name(&der_of(&pki.client.cert)).as_deref(),
            Some("test client")
        );
        let none = der_of(&clients[1].cert);
        assert_eq!(common_name(&none), None);
        let nameless = Peer::new("tcp://127.0.0.1:1".into(), vec![none]);
        assert_eq!(Identity::of(None, Some(&nameless)), Identity::Nameless);
        let plain = Peer::new("unix:///x.sock".into(), Vec::new());
        assert_eq!(Identity::of(None, Some(&plain)), Identity::Anonymous);
        assert_eq!(common_name(b"not a certificate"), None);
        test_support::scratch::remove_dir(&dir);
    }
}

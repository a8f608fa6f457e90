//! Throwaway TLS material for tests: a CA, a server certificate for
//! localhost / 127.0.0.1, and a client certificate, written as the PEM
//! files dockerd and the docker CLI use (ca.pem, cert.pem, key.pem).

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair,
};

/// Paths of one party's files.
pub struct Party {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// A CA with one server and one client certificate under `dir`.
pub struct Pki {
    pub server: Party,
    pub client: Party,
}

fn write(path: &Path, text: &str) -> PathBuf {
    std::fs::write(path, text).expect("write PEM");
    path.to_path_buf()
}

/// Generates a CA named `name` and writes `dir/{ca,server-cert,server-key,
/// client-cert,client-key}.pem`.
pub fn generate(dir: &Path, name: &str) -> Pki {
    generate_with_clients(dir, name, &[]).0
}

/// As [`generate`], plus one more client certificate per name in
/// `common_names`, with that subject CN (`dir/<cn>-cert.pem`, `<cn>-key.pem`);
/// an empty name makes one without any subject (`nameless-cert.pem`).
pub fn generate_with_clients(dir: &Path, name: &str, common_names: &[&str]) -> (Pki, Vec<Party>) {
    std::fs::create_dir_all(dir).expect("cert dir");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, format!("{name} test CA"));
    let ca =
        CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("key")).expect("CA");
    let ca_path = write(&dir.join("ca.pem"), &ca.pem());

    let mut server_params =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .expect("params");
    server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_key = KeyPair::generate().expect("key");
    let server_cert = server_params
        .signed_by(&server_key, &ca)
        .expect("server cert");

    let mut client_params = CertificateParams::new(Vec::<String>::new()).expect("params");
    client_params
        .distinguished_name
        .push(DnType::CommonName, "test client");
    client_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let client_key = KeyPair::generate().expect("key");
    let client_cert = client_params
        .signed_by(&client_key, &ca)
        .expect("client cert");

    let extra = common_names
        .iter()
        .map(|cn| {
            let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
            params.distinguished_name = DistinguishedName::new();
            if !cn.is_empty() {
                params.distinguished_name.push(DnType::CommonName, *cn);
            }
            let stem = if cn.is_empty() { "nameless" } else { cn };
            params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
            let key = KeyPair::generate().expect("key");
            let cert = params.signed_by(&key, &ca).expect("client cert");
            Party {
                ca: ca_path.clone(),
                cert: write(&dir.join(format!("{stem}-cert.pem")), &cert.pem()),
                key: write(&dir.join(format!("{stem}-key.pem")), &key.serialize_pem()),
            }
        })
        .collect();

    let pki = Pki {
        server: Party {
            ca: ca_path.clone(),
            cert: write(&dir.join("server-cert.pem"), &server_cert.pem()),
            key: write(&dir.join("server-key.pem"), &server_key.serialize_pem()),
        },
        client: Party {
            ca: ca_path,
            cert: write(&dir.join("client-cert.pem"), &client_cert.pem()),
            key: write(&dir.join("client-key.pem"), &client_key.serialize_pem()),
        },
    };
    (pki, extra)
}

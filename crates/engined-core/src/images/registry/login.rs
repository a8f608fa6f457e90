//! `docker login` (`POST /auth`): the server address as the CLI sends it
//! (`https://index.docker.io/v1/` for Docker Hub, else `host[:port]`,
//! perhaps with a scheme) turned into a registry, and `GET /v2/` with
//! the credentials answering its challenge (basic, or a token for no
//! repository). Nothing here logs the credentials.

use std::sync::Arc;

use super::{Credentials, RegistryError, RemoteName, Session, Settings, Target, DEFAULT_DOMAIN};

/// The registry host a login's `serveraddress` names.
pub fn login_host(server: &str) -> String {
    let bare = server
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let host = bare.split('/').next().unwrap_or_default();
    match host {
        "" | "index.docker.io" | "docker.io" | "registry-1.docker.io" => DEFAULT_DOMAIN.into(),
        other => other.to_string(),
    }
}

/// Checks `credentials` against the registry `server` names.
pub async fn login(
    server: &str,
    credentials: Credentials,
    settings: Arc<Settings>,
) -> Result<(), RegistryError> {
    let name = RemoteName {
        domain: login_host(server),
        path: String::new(),
        target: Target::Tag("latest".into()),
    };
    Session::with_settings(&name, Some(credentials), settings)
        .await
        .check_login()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_addresses() {
        assert_eq!(login_host("https://index.docker.io/v1/"), "docker.io");
        assert_eq!(login_host(""), "docker.io");
        assert_eq!(login_host("127.0.0.1:5000"), "127.0.0.1:5000");
        assert_eq!(
            login_host("https://reg.example:5443/v2/"),
            "reg.example:5443"
        );
    }
}

//! The optional `/v1.NN` prefix of Engine API paths and the version rules
//! that go with it (minimum and maximum supported versions).

use crate::version::ApiVersion;

/// Why a prefixed version was refused (answered with 400).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// Above [`ApiVersion::CURRENT`].
    #[error("client version {0} is too new. Maximum supported API version is {max}", max = ApiVersion::CURRENT)]
    TooNew(ApiVersion),
    /// Below [`ApiVersion::MIN_SUPPORTED`].
    #[error("client version {0} is too old. Minimum supported API version is {min}, please upgrade your client to a newer version", min = ApiVersion::MIN_SUPPORTED)]
    TooOld(ApiVersion),
    /// `/v` followed by something that is not `MAJOR.MINOR`.
    #[error("invalid API version in path: {0}")]
    Malformed(String),
}

/// Splits `/v1.41/containers/json` into (1.41, `/containers/json`). A path
/// without a prefix is served at the newest version.
pub fn split(path: &str) -> Result<(ApiVersion, &str), VersionError> {
    let Some(rest) = path.strip_prefix("/v") else {
        return Ok((ApiVersion::CURRENT, path));
    };
    let (version, tail) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    // `/volumes` also starts with `/v`: only digits make a version prefix.
    if !version.starts_with(|c: char| c.is_ascii_digit()) {
        return Ok((ApiVersion::CURRENT, path));
    }
    let v: ApiVersion = version
        .parse()
        .map_err(|_| VersionError::Malformed(version.to_string()))?;
    if v > ApiVersion::CURRENT {
        return Err(VersionError::TooNew(v));
    }
    if v < ApiVersion::MIN_SUPPORTED {
        return Err(VersionError::TooOld(v));
    }
    Ok((v, if tail.is_empty() { "/" } else { tail }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_checks_versions() {
        assert_eq!(
            split("/v1.41/containers/json"),
            Ok((ApiVersion::new(1, 41), "/containers/json"))
        );
        assert_eq!(split("/_ping"), Ok((ApiVersion::CURRENT, "/_ping")));
        assert_eq!(split("/volumes/x"), Ok((ApiVersion::CURRENT, "/volumes/x")));
        assert_eq!(
            split("/v1.99/info"),
            Err(VersionError::TooNew(ApiVersion::new(1, 99)))
        );
        assert_eq!(
            split("/v1.12/info"),
            Err(VersionError::TooOld(ApiVersion::new(1, 12)))
        );
        assert!(matches!(
            split("/v1.x4/info"),
            Err(VersionError::Malformed(_))
        ));
        assert!(matches!(
            split("/v1..4/info"),
            Err(VersionError::Malformed(_))
        ));
        assert_eq!(
            VersionError::TooNew(ApiVersion::new(1, 99)).to_string(),
            "client version 1.99 is too new. Maximum supported API version is 1.44"
        );
    }
}

//! Engine API versions (`1.44`): parsing, ordering, the range this crate
//! speaks, and the negotiation rule shared by client and server.

use std::fmt;
use std::str::FromStr;

/// An Engine API version such as `1.44`. Ordered numerically (1.9 < 1.10).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ApiVersion {
    /// The number before the dot (always 1 so far).
    pub major: u16,
    /// The number after the dot, compared as a number.
    pub minor: u16,
}

impl ApiVersion {
    /// The version `major.minor`; usable in constants.
    pub const fn new(major: u16, minor: u16) -> Self {
        ApiVersion { major, minor }
    }

    /// The highest version the runtime speaks: that of the repository's
    /// swagger.yaml (v1.44), whatever spec a generated crate came from.
    pub const CURRENT: ApiVersion = ApiVersion::new(1, 44);
    /// The oldest version a server built on this crate accepts (as dockerd 25).
    pub const MIN_SUPPORTED: ApiVersion = ApiVersion::new(1, 24);

    /// The version a client uses with a server that reported `server`:
    /// the lower of the two, never above [`ApiVersion::CURRENT`]. A server
    /// that reports nothing usable keeps the client at its own version.
    pub fn negotiate(server: Option<ApiVersion>) -> ApiVersion {
        match server {
            Some(v) if v < Self::CURRENT => v,
            _ => Self::CURRENT,
        }
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// Why a version string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an API version (expected MAJOR.MINOR, such as 1.44)")]
pub struct BadVersion(pub String);

impl FromStr for ApiVersion {
    type Err = BadVersion;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || BadVersion(text.to_string());
        let (major, minor) = text.split_once('.').ok_or_else(bad)?;
        let number = |s: &str| -> Result<u16, BadVersion> {
            if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            s.parse().map_err(|_| bad())
        };
        Ok(ApiVersion::new(number(major)?, number(minor)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders_numerically() {
        let v: ApiVersion = "1.9".parse().unwrap();
        assert!(v < "1.10".parse().unwrap());
        assert_eq!("1.44".parse::<ApiVersion>().unwrap(), ApiVersion::CURRENT);
        for bad in [
            "", "1", "1.", ".4", "1.x", "v1.4", "1.4.1", "1.-4", "99999.1",
        ] {
            assert!(bad.parse::<ApiVersion>().is_err(), "{bad}");
        }
    }

    #[test]
    fn negotiation_only_goes_down() {
        let old = ApiVersion::new(1, 41);
        assert_eq!(ApiVersion::negotiate(Some(old)), old);
        assert_eq!(
            ApiVersion::negotiate(Some(ApiVersion::new(1, 47))),
            ApiVersion::CURRENT
        );
        assert_eq!(ApiVersion::negotiate(None), ApiVersion::CURRENT);
    }
}

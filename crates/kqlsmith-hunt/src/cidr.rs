//! Address ranges in CIDR notation (`169.254.0.0/16`, `fc00::/7`), IPv4 or IPv6.

use std::fmt;
use std::str::FromStr;

use ipnet::IpNet;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An IPv4 or IPv6 network in CIDR notation. The address must be the network's first address
/// (`10.0.0.0/8`, not `10.1.2.3/8`): a range written with host bits set is usually a typo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cidr(IpNet);

/// Why a text is not a CIDR range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CidrError {
    #[error(
        "`{0}` is not a CIDR range: write an IPv4 or IPv6 address, a slash and a prefix length, such as 169.254.0.0/16 or fc00::/7"
    )]
    Syntax(String),
    #[error("`{given}` has host bits set: the range starts at {network}")]
    HostBits { given: String, network: String },
}

impl Cidr {
    /// The network.
    pub fn net(&self) -> IpNet {
        self.0
    }

    /// True for an IPv4 range.
    pub fn is_ipv4(&self) -> bool {
        matches!(self.0, IpNet::V4(_))
    }
}

impl FromStr for Cidr {
    type Err = CidrError;

    fn from_str(text: &str) -> Result<Cidr, CidrError> {
        // A bare address (no prefix length) is rejected too: the profile must say what it means.
        let net: IpNet = text
            .parse()
            .map_err(|_| CidrError::Syntax(text.to_string()))?;
        if net.trunc() != net {
            return Err(CidrError::HostBits {
                given: text.to_string(),
                network: net.trunc().to_string(),
            });
        }
        Ok(Cidr(net))
    }
}

/// Canonical CIDR notation, e.g. `169.254.0.0/16`, `fc00::/7`.
impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for Cidr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Cidr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Cidr, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_families_and_renders_canonically() {
        let link_local: Cidr = "169.254.0.0/16".parse().unwrap();
        assert!(link_local.is_ipv4());
        assert_eq!(link_local.to_string(), "169.254.0.0/16");
        let ula: Cidr = "fc00::/7".parse().unwrap();
        assert!(!ula.is_ipv4());
        assert_eq!(ula.to_string(), "fc00::/7");
        assert_eq!(
            "FE80:0:0::/10".parse::<Cidr>().unwrap().to_string(),
            "fe80::/10"
        );
    }

    #[test]
    fn rejects_text_that_is_not_a_range() {
        for text in [
            "169.254.0.0",
            "169.254.0.0/33",
            "fc00::/129",
            "300.1.1.1/8",
            "10.0.0.0/",
            "/8",
            "",
            "10.0.0.0/8 ",
            "localhost/8",
        ] {
            assert_eq!(
                text.parse::<Cidr>(),
                Err(CidrError::Syntax(text.to_string())),
                "{text}"
            );
        }
    }

    #[test]
    fn rejects_host_bits_and_names_the_network() {
        let err = "10.1.2.3/8".parse::<Cidr>().unwrap_err();
        assert_eq!(
            err,
            CidrError::HostBits {
                given: "10.1.2.3/8".into(),
                network: "10.0.0.0/8".into()
            }
        );
        assert!(err.to_string().contains("10.0.0.0/8"));
    }
}

//! `--ulimit name=soft[:hard]` as the process's rlimits. The daemon's own
//! `RLIMIT_NOFILE` is the base (as before), a container's ulimits replace
//! a limit of the same type.

use engine_api::types::ResourcesUlimitsItem;
use oci_spec::runtime::{PosixRlimit, PosixRlimitBuilder, PosixRlimitType};

use super::error::SpecError;

fn value(v: i64) -> u64 {
    // -1 is "unlimited" (RLIM_INFINITY).
    u64::try_from(v).unwrap_or(u64::MAX)
}

/// One rlimit.
pub fn rlimit(typ: PosixRlimitType, soft: u64, hard: u64) -> PosixRlimit {
    // Every field is given: the builder cannot fail; the default (an
    // RLIMIT_CPU of 0) is never reached.
    PosixRlimitBuilder::default()
        .typ(typ)
        .soft(soft)
        .hard(hard)
        .build()
        .unwrap_or_default()
}

/// The container's `--ulimit`s, checked.
pub fn parse(ulimits: &[ResourcesUlimitsItem]) -> Result<Vec<PosixRlimit>, SpecError> {
    ulimits
        .iter()
        .map(|u| {
            let name = u.name.clone().unwrap_or_default();
            let typ = format!("RLIMIT_{}", name.to_ascii_uppercase())
                .parse::<PosixRlimitType>()
                .map_err(|_| SpecError::invalid(format!("invalid ulimit type: {name}")))?;
            let (soft, hard) = (u.soft.unwrap_or(0), u.hard.unwrap_or(0));
            if soft != -1 && hard != -1 && soft > hard {
                return Err(SpecError::invalid(format!(
                    "ulimit soft limit must be less than or equal to hard limit: {soft} > {hard}"
                )));
            }
            Ok(rlimit(typ, value(soft), value(hard)))
        })
        .collect()
}

/// `base` with `overrides` replacing limits of the same type.
pub fn merge(base: Vec<PosixRlimit>, overrides: &[PosixRlimit]) -> Vec<PosixRlimit> {
    let mut out: Vec<PosixRlimit> = base
        .into_iter()
        .filter(|b| !overrides.iter().any(|o| o.typ() == b.typ()))
        .collect();
    out.extend_from_slice(overrides);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(name: &str, soft: i64, hard: i64) -> ResourcesUlimitsItem {
        ResourcesUlimitsItem {
            name: Some(name.into()),
            soft: Some(soft),
            hard: Some(hard),
            ..Default::default()
        }
    }

    #[test]
    fn ulimits_to_rlimits() {
        let r = parse(&[item("nofile", 100, 200), item("core", -1, -1)]).unwrap();
        assert_eq!(r[0].typ(), PosixRlimitType::RlimitNofile);
        assert_eq!((r[0].soft(), r[0].hard()), (100, 200));
        assert_eq!(r[1].hard(), u64::MAX);
        let merged = merge(vec![rlimit(PosixRlimitType::RlimitNofile, 1024, 4096)], &r);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].soft(), 100);
        assert_eq!(
            parse(&[item("bogus", 1, 1)]).unwrap_err().to_string(),
            "invalid ulimit type: bogus"
        );
        assert!(parse(&[item("nproc", 5, 1)]).is_err());
    }
}

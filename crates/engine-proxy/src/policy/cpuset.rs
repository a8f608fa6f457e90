//! CPU and memory-node lists as cpusets write them (`0-3,5`), kept as
//! merged ranges so that a request naming `0-4000000000` costs no more
//! than `0`, and the check that one list lies within another.

/// A list of CPUs or memory nodes, as sorted, disjoint, non-adjacent
/// inclusive ranges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CpuSet {
    ranges: Vec<(u32, u32)>,
}

impl CpuSet {
    /// Reads `0-3,5` (numbers and ranges split by commas, empty parts
    /// skipped as the daemons skip them); `None` when any part is not a
    /// number or a rising range, or when nothing is named.
    pub fn parse(text: &str) -> Option<CpuSet> {
        let mut ranges = Vec::new();
        for part in text.split(',').filter(|p| !p.is_empty()) {
            let (a, b) = match part.split_once('-') {
                Some((a, b)) => (number(a)?, number(b)?),
                None => {
                    let n = number(part)?;
                    (n, n)
                }
            };
            if a > b {
                return None;
            }
            ranges.push((a, b));
        }
        if ranges.is_empty() {
            return None;
        }
        ranges.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
        for (a, b) in ranges {
            match merged.last_mut() {
                Some(last) if u64::from(a) <= u64::from(last.1) + 1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        Some(CpuSet { ranges: merged })
    }

    /// Whether every member of `self` is in `outer`.
    pub fn within(&self, outer: &CpuSet) -> bool {
        // `outer`'s ranges are disjoint and not adjacent, so a range of
        // `self` is inside `outer` only when it is inside one of them.
        self.ranges
            .iter()
            .all(|&(a, b)| outer.ranges.iter().any(|&(x, y)| x <= a && b <= y))
    }
}

impl std::fmt::Display for CpuSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (a, b)) in self.ranges.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if a == b {
                write!(f, "{a}")?;
            } else {
                write!(f, "{a}-{b}")?;
            }
        }
        Ok(())
    }
}

/// Decimal digits only: no sign, no spaces (Go's strconv, which dockerd
/// reads these with, takes neither).
fn number(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(text: &str) -> CpuSet {
        CpuSet::parse(text).unwrap()
    }

    #[test]
    fn lists_merge_and_print_back() {
        assert_eq!(set("3,0-1,2").to_string(), "0-3");
        assert_eq!(set("5,0,,7-9").to_string(), "0,5,7-9");
        assert_eq!(set("0-4000000000").to_string(), "0-4000000000");
        assert_eq!(set("4294967295").to_string(), "4294967295");
        for bad in [
            "",
            ",",
            "3-1",
            "a",
            "1-",
            "-1",
            " 1",
            "0-1:2",
            "+1",
            "4294967296",
        ] {
            assert_eq!(CpuSet::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn within_means_every_member_is_allowed() {
        let allowed = set("0-1,4");
        assert!(set("0").within(&allowed));
        assert!(set("1,0,4").within(&allowed));
        assert!(!set("0-2").within(&allowed));
        assert!(!set("3").within(&allowed));
        assert!(!set("4-5").within(&allowed));
        assert!(!set("0-4").within(&allowed));
        // Adjacent pieces of the ceiling count as one range.
        assert!(set("1-2").within(&set("0-1,2-3")));
    }
}

//! Both cgroup versions read from fake trees written into a temp dir, the
//! files laid out and worded as the kernel does.

use std::path::Path;

use super::sample::BlkioEntry;
use super::*;

const ID: &str = "0123456789abcdef";

fn put(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn v1_tree(root: &Path) {
    let c = format!("engined/{ID}");
    put(
        root,
        &format!("memory/{c}/memory.usage_in_bytes"),
        "10485760\n",
    );
    put(
        root,
        &format!("memory/{c}/memory.max_usage_in_bytes"),
        "20971520\n",
    );
    put(root, &format!("memory/{c}/memory.failcnt"), "3\n");
    put(
        root,
        &format!("memory/{c}/memory.limit_in_bytes"),
        "16777216\n",
    );
    put(
        root,
        &format!("memory/{c}/memory.stat"),
        "cache 4096\nrss 8388608\ntotal_inactive_file 1048576\n",
    );
    put(
        root,
        &format!("memory/{c}/memory.oom_control"),
        "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n",
    );
    put(root, &format!("cpuacct/{c}/cpuacct.usage"), "3000000000\n");
    put(
        root,
        &format!("cpuacct/{c}/cpuacct.usage_percpu"),
        "1000000000 2000000000 \n",
    );
    put(
        root,
        &format!("cpuacct/{c}/cpuacct.stat"),
        "user 150\nsystem 50\n",
    );
    put(
        root,
        &format!("cpu/{c}/cpu.stat"),
        "nr_periods 10\nnr_throttled 4\nthrottled_time 5000000\n",
    );
    put(root, &format!("pids/{c}/pids.current"), "3\n");
    put(root, &format!("pids/{c}/pids.max"), "max\n");
    // No CFQ files with content: the throttling layer's are used.
    put(
        root,
        &format!("blkio/{c}/blkio.io_service_bytes_recursive"),
        "Total 0\n",
    );
    put(
        root,
        &format!("blkio/{c}/blkio.throttle.io_service_bytes_recursive"),
        "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Async 12288\n8:0 Total 12288\nTotal 12288\n",
    );
    put(
        root,
        &format!("blkio/{c}/blkio.throttle.io_serviced_recursive"),
        "8:0 Read 1\n8:0 Write 2\nTotal 3\n",
    );
}

fn v2_tree(root: &Path) {
    let c = format!("engined/{ID}");
    put(root, "cgroup.controllers", "cpuset cpu io memory pids\n");
    put(
        root,
        &format!("{c}/cpu.stat"),
        "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\nnr_periods 7\nnr_throttled 1\nthrottled_usec 300\n",
    );
    put(root, &format!("{c}/memory.current"), "5242880\n");
    put(root, &format!("{c}/memory.max"), "max\n");
    put(
        root,
        &format!("{c}/memory.stat"),
        "anon 4194304\nfile 1048576\ninactive_file 524288\n",
    );
    put(
        root,
        &format!("{c}/memory.events"),
        "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n",
    );
    put(root, &format!("{c}/pids.current"), "5\n");
    put(root, &format!("{c}/pids.max"), "64\n");
    put(
        root,
        &format!("{c}/io.stat"),
        "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n",
    );
}

fn entry(op: &str, value: u64) -> BlkioEntry {
    BlkioEntry {
        major: 8,
        minor: 0,
        op: op.into(),
        value,
    }
}

#[test]
fn versions_are_told_apart_by_the_unified_root() {
    let one = tempfile::tempdir().unwrap();
    v1_tree(one.path());
    let two = tempfile::tempdir().unwrap();
    v2_tree(two.path());
    assert_eq!(Version::detect(one.path()), Version::V1);
    assert_eq!(Version::detect(two.path()), Version::V2);
    assert_eq!(Cgroup::of_container(one.path(), ID).version(), Version::V1);
    assert_eq!(Cgroup::of_container(two.path(), ID).version(), Version::V2);
    assert_eq!(container_path(ID), format!("/engined/{ID}"));
}

#[test]
fn a_v1_tree_reads_every_figure() {
    let root = tempfile::tempdir().unwrap();
    v1_tree(root.path());
    let Cgroup::V1(cgroup) = Cgroup::of_container(root.path(), ID) else {
        panic!("not v1");
    };
    assert_eq!(
        cgroup.dir("memory"),
        root.path().join(format!("memory/engined/{ID}"))
    );
    let s = cgroup.sample(100).unwrap();
    assert_eq!(s.cpu.total_ns, 3_000_000_000);
    assert_eq!(s.cpu.per_cpu_ns, Some(vec![1_000_000_000, 2_000_000_000]));
    assert_eq!(s.cpu.user_ns, 1_500_000_000);
    assert_eq!(s.cpu.kernel_ns, 500_000_000);
    assert_eq!(
        (s.cpu.periods, s.cpu.throttled_periods, s.cpu.throttled_ns),
        (10, 4, 5_000_000)
    );
    assert_eq!(s.memory.usage, 10 << 20);
    assert_eq!(s.memory.max_usage, Some(20 << 20));
    assert_eq!(s.memory.failcnt, Some(3));
    assert_eq!(s.memory.limit, Some(16 << 20));
    assert_eq!(s.memory.stats["total_inactive_file"], 1 << 20);
    assert_eq!(s.pids.current, 3);
    assert_eq!(s.pids.limit, None);
    assert_eq!(
        s.blkio.service_bytes,
        vec![
            entry("Read", 4096),
            entry("Write", 8192),
            entry("Sync", 0),
            entry("Async", 12288),
            entry("Total", 12288)
        ]
    );
    assert_eq!(s.blkio.serviced, vec![entry("Read", 1), entry("Write", 2)]);
    assert_eq!(cgroup.oom_kills().unwrap(), 2);
}

#[test]
fn a_v2_tree_reads_every_figure() {
    let root = tempfile::tempdir().unwrap();
    v2_tree(root.path());
    let cgroup = Cgroup::of_container(root.path(), ID);
    let s = cgroup.sample().unwrap();
    assert_eq!(s.cpu.total_ns, 2_500_000_000);
    assert_eq!(s.cpu.per_cpu_ns, None);
    assert_eq!(s.cpu.user_ns, 2_000_000_000);
    assert_eq!(s.cpu.kernel_ns, 500_000_000);
    assert_eq!(
        (s.cpu.periods, s.cpu.throttled_periods, s.cpu.throttled_ns),
        (7, 1, 300_000)
    );
    assert_eq!(s.memory.usage, 5 << 20);
    assert_eq!(s.memory.max_usage, None);
    assert_eq!(s.memory.limit, None);
    assert_eq!(s.memory.stats["inactive_file"], 512 << 10);
    assert_eq!(s.pids.current, 5);
    assert_eq!(s.pids.limit, Some(64));
    assert_eq!(
        s.blkio.service_bytes,
        vec![entry("read", 4096), entry("write", 8192)]
    );
    assert_eq!(s.blkio.serviced, vec![entry("read", 1), entry("write", 2)]);
    assert_eq!(cgroup.oom_kills().unwrap(), 1);
}

#[test]
fn a_missing_cgroup_is_its_own_kind_on_both_versions() {
    let one = tempfile::tempdir().unwrap();
    v1_tree(one.path());
    let two = tempfile::tempdir().unwrap();
    v2_tree(two.path());
    for root in [one.path(), two.path()] {
        let gone = Cgroup::of_container(root, "feedface");
        let err = gone.sample().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Missing, "{err}");
        assert!(err.to_string().contains("feedface"), "{err}");
        assert_eq!(gone.oom_kills().unwrap_err().kind(), ErrorKind::Missing);
    }
}

#[test]
fn controllers_the_kernel_lacks_read_as_zero_and_bad_files_fail() {
    let root = tempfile::tempdir().unwrap();
    let c = format!("engined/{ID}");
    // Only the memory controller, with an old kernel's oom_control.
    put(
        root.path(),
        &format!("memory/{c}/memory.usage_in_bytes"),
        "4096\n",
    );
    put(
        root.path(),
        &format!("memory/{c}/memory.oom_control"),
        "oom_kill_disable 0\nunder_oom 0\n",
    );
    let cgroup = Cgroup::of_container(root.path(), ID);
    let s = cgroup.sample().unwrap();
    assert_eq!(s.memory.usage, 4096);
    assert_eq!(s.cpu, Default::default());
    assert_eq!(s.pids.current, 0);
    assert_eq!(cgroup.oom_kills().unwrap(), 0);
    put(root.path(), &format!("pids/{c}/pids.current"), "many\n");
    let err = cgroup.sample().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Parse);
    assert!(err.to_string().contains("pids.current"), "{err}");
}

#[test]
fn absolute_and_relative_paths_name_the_same_cgroup() {
    let root = Path::new("/sys/fs/cgroup");
    let a = Cgroup::at(root, Version::V2, Path::new("/engined/x"));
    let b = Cgroup::at(root, Version::V2, Path::new("engined/x"));
    assert_eq!(a, b);
    let Cgroup::V2(v2) = a else { panic!() };
    assert_eq!(v2.dir(), Path::new("/sys/fs/cgroup/engined/x"));
}

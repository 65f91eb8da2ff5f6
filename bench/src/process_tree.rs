//! The memory of a program that runs as several processes, as Linux accounts it: the
//! proportional set size (PSS) of a process and of all its descendants, summed. A desktop
//! window on WebKitGTK is the app's process plus the `WebKitWebProcess` and
//! `WebKitNetworkProcess` it starts; PSS counts each shared page once across them (a page that
//! three processes map counts a third in each), so the sum is what the program holds.
//!
//! Deliberately absent: anything but Linux's `/proc` (the benches that use this run on the
//! station's platform), and processes that left the tree (a daemon that re-parents itself
//! away is not counted; WebKit's helpers stay the app's children).

use std::path::Path;

/// One process of the tree and its PSS.
#[derive(Debug, Clone)]
pub struct ProcessMemory {
    pub pid: u32,
    /// The file name of its executable (`WebKitWebProcess`), or its `comm` when that cannot
    /// be read.
    pub name: String,
    pub pss_kib: u64,
}

/// `root` and every process below it, root first: what [`memory`] sums.
pub fn tree(root: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = all_processes().filter_map(|pid| Some((pid, parent_of(pid)?))).collect();
    let mut found = vec![root];
    let mut next = 0;
    while next < found.len() {
        let parent = found[next];
        found.extend(parents.iter().filter(|(_, p)| *p == parent).map(|(pid, _)| *pid));
        next += 1;
    }
    found
}

/// The PSS of `root` and each of its descendants that is still there to be read.
pub fn memory(root: u32) -> Vec<ProcessMemory> {
    tree(root)
        .into_iter()
        .filter_map(|pid| {
            Some(ProcessMemory {
                pid,
                name: name_of(pid),
                pss_kib: pss_kib(pid)?,
            })
        })
        .collect()
}

/// The processes outside `tree` that map a file whose path holds `library` (such as
/// `libwebkit2gtk`). PSS splits a shared page among every process that maps it, so while such
/// processes run (another WebKit window, a test's), the tree's PSS reads lower than alone.
pub fn others_mapping(library: &str, tree: &[u32]) -> Vec<u32> {
    all_processes()
        .filter(|pid| !tree.contains(pid))
        .filter(|pid| std::fs::read_to_string(format!("/proc/{pid}/maps")).is_ok_and(|maps| maps.contains(library)))
        .collect()
}

/// The tree's processes together.
pub fn total_kib(processes: &[ProcessMemory]) -> u64 {
    processes.iter().map(|process| process.pss_kib).sum()
}

fn all_processes() -> impl Iterator<Item = u32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
}

/// Whether `pid` still runs: it exists and is not a zombie waiting for a parent that may never
/// reap it (a process re-parented to a container's init that does not).
pub fn is_running(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    let state = stat
        .rfind(')')
        .and_then(|end| stat[end + 1..].split_whitespace().next());
    !matches!(state, Some("Z" | "X") | None)
}

/// The parent's pid from `/proc/<pid>/stat`: the field after the state, which follows the
/// command name in parentheses (a name may hold spaces and parentheses: read from the last).
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(1)?.parse().ok()
}

/// `Pss:` of `/proc/<pid>/smaps_rollup`, in KiB (the file's unit, which it calls kB).
fn pss_kib(pid: u32) -> Option<u64> {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    rollup
        .lines()
        .find_map(|line| line.strip_prefix("Pss:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn name_of(pid: u32) -> String {
    let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok();
    if let Some(name) = exe.as_deref().and_then(Path::file_name) {
        return name.to_string_lossy().into_owned();
    }
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|comm| comm.trim().to_string())
        .unwrap_or_else(|_| format!("pid {pid}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tree_holds_a_child_and_its_memory_counts() {
        let mut child = std::process::Command::new("sleep").arg("30").spawn().unwrap();
        let me = std::process::id();
        let processes = memory(me);
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(processes[0].pid, me, "the root comes first");
        let sleeping = processes
            .iter()
            .find(|process| process.pid == child.id())
            .expect("the child is in the tree");
        assert_eq!(sleeping.name, "sleep");
        assert!(processes[0].pss_kib > 0, "a running test holds some memory");
        assert!(total_kib(&processes) >= processes[0].pss_kib + sleeping.pss_kib);
        assert!(!is_running(child.id()), "killed and reaped");
        assert!(is_running(me));
    }

    #[test]
    fn processes_that_share_a_library_are_found_outside_the_tree() {
        let mut child = std::process::Command::new("sleep").arg("30").spawn().unwrap();
        // Both map the C library; only the child is outside the tree of this process.
        let others = others_mapping("libc.so", &tree(std::process::id()));
        let in_tree = others_mapping("libc.so", &[]);
        let _ = child.kill();
        let _ = child.wait();
        assert!(!others.contains(&child.id()), "the child is in this process's tree");
        assert!(in_tree.contains(&child.id()) && in_tree.contains(&std::process::id()));
    }
}

//! Resource readings from Linux `/proc`: CPU time of a process (summed over its threads) and
//! peak resident set size.

use std::fs;
use std::time::Duration;

/// CPU time (user + system) of process `pid` (`"self"` for this one), summed over its threads
/// from `/proc/<pid>/task/*/schedstat` (nanoseconds), or from `/proc/<pid>/stat` (clock ticks,
/// assumed 100 Hz) when schedstat is not available.
pub fn cpu_time(pid: &str) -> Result<Duration, String> {
    let task_dir = format!("/proc/{pid}/task");
    let entries = fs::read_dir(&task_dir).map_err(|e| format!("cannot read {task_dir}: {e}"))?;
    let mut total_ns: u64 = 0;
    let mut any = false;
    for entry in entries.flatten() {
        let path = entry.path().join("schedstat");
        // Threads may exit between listing and reading; they no longer count.
        let ns = fs::read_to_string(&path)
            .ok()
            .and_then(|text| text.split_whitespace().next()?.parse::<u64>().ok());
        if let Some(ns) = ns {
            total_ns += ns;
            any = true;
        }
    }
    if any {
        return Ok(Duration::from_nanos(total_ns));
    }
    let stat_path = format!("/proc/{pid}/stat");
    let stat =
        fs::read_to_string(&stat_path).map_err(|e| format!("cannot read {stat_path}: {e}"))?;
    cpu_from_stat(&stat).ok_or_else(|| format!("cannot parse {stat_path}"))
}

/// User and system CPU time of process `pid` from `/proc/<pid>/stat` (clock ticks, assumed
/// 100 Hz: 10 ms resolution).
pub fn user_and_system(pid: &str) -> Result<(Duration, Duration), String> {
    let path = format!("/proc/{pid}/stat");
    let stat = fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
    user_and_system_from_stat(&stat).ok_or_else(|| format!("cannot parse {path}"))
}

fn user_and_system_from_stat(stat: &str) -> Option<(Duration, Duration)> {
    // The command name is in parentheses and may contain spaces: fields start after the last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Field 14 (utime) and 15 (stime) of the whole line are 12 and 13 after the name.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((
        Duration::from_millis(utime * 10),
        Duration::from_millis(stime * 10),
    ))
}

/// utime + stime from the text of `/proc/<pid>/stat`, at 100 ticks per second.
pub fn cpu_from_stat(stat: &str) -> Option<Duration> {
    user_and_system_from_stat(stat).map(|(user, system)| user + system)
}

/// Peak resident set size of this process in KiB (`VmHWM`).
pub fn peak_rss_kib() -> Result<u64, String> {
    let status = fs::read_to_string("/proc/self/status")
        .map_err(|e| format!("cannot read /proc/self/status: {e}"))?;
    vm_hwm(&status).ok_or_else(|| "no VmHWM line in /proc/self/status".to_owned())
}

/// A KiB field (`"VmRSS:"`, `"VmHWM:"`...) of `/proc/<pid>/status` (`"self"` for this process).
pub fn status_kib(pid: &str, field: &str) -> Result<u64, String> {
    let path = format!("/proc/{pid}/status");
    let status = fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| format!("no {field} line in {path}"))
}

/// The `VmHWM` value (KiB) of a `/proc/<pid>/status` text.
pub fn vm_hwm(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stat_and_status() {
        let stat = "1234 (my (odd) name) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 1 0";
        assert_eq!(cpu_from_stat(stat), Some(Duration::from_millis(3000)));
        assert_eq!(cpu_from_stat("garbage"), None);
        assert_eq!(
            vm_hwm("Name:\tx\nVmHWM:\t   10240 kB\nVmRSS: 1 kB\n"),
            Some(10240)
        );
        assert_eq!(vm_hwm("Name: x\n"), None);
    }

    #[test]
    fn reads_own_process() {
        assert!(peak_rss_kib().unwrap() > 0);
        assert!(cpu_time("self").is_ok());
    }
}

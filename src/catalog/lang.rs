//! The one list of POSIX shells, by program name, for every reader that
//! asks whether a program is a shell (`CMD ["sh", "-c", …]` in an image
//! config, shebangs, pipes into a shell). The languages themselves are the
//! command rules' [`super::RuleLang`].

/// POSIX shells, by program name (`busybox` runs its `sh` applet).
pub const SHELLS: &[&str] = &[
    "sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "yash", "rbash", "fish", "busybox",
];

#[cfg(test)]
mod tests {
    use super::SHELLS;

    #[test]
    fn the_shell_list_names_each_shell_once() {
        let mut names = SHELLS.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), SHELLS.len());
        assert!(SHELLS.contains(&"dash") && !SHELLS.contains(&"curl"));
    }
}

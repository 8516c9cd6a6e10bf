//! Puts the commit the binary was built from into `SANDUQ_COMMIT`, for `sanduq --version`.
//! `SANDUQ_COMMIT` in the build's environment wins (a build from a tarball has no git); with
//! neither, the version says "unknown commit".

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=SANDUQ_COMMIT");
    let from_env = std::env::var("SANDUQ_COMMIT").ok().filter(|c| !c.trim().is_empty());
    let commit = from_env.or_else(git_commit).unwrap_or_else(|| "unknown commit".to_string());
    println!("cargo:rustc-env=SANDUQ_COMMIT={commit}");
}

/// The short hash of HEAD; `None` outside a git checkout.
fn git_commit() -> Option<String> {
    let git = |args: &[&str]| {
        let out = Command::new("git").args(args).output().ok().filter(|o| o.status.success())?;
        String::from_utf8(out.stdout).ok().map(|s| s.trim().to_string())
    };
    // HEAD's reflog grows with every commit, checkout and reset; HEAD and the ref it names
    // cover a repository without a reflog.
    let git_dir = git(&["rev-parse", "--absolute-git-dir"])?;
    // (A path that does not exist would make cargo rerun this every build.)
    let watch = |path: String| {
        if std::path::Path::new(&path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    };
    watch(format!("{git_dir}/HEAD"));
    if let Some(log) = git(&["rev-parse", "--path-format=absolute", "--git-path", "logs/HEAD"]) {
        watch(log);
    }
    if let Some(head_ref) = git(&["symbolic-ref", "-q", "HEAD"]) {
        for path in [head_ref.as_str(), "packed-refs"] {
            if let Some(path) = git(&["rev-parse", "--path-format=absolute", "--git-path", path]) {
                watch(path);
            }
        }
    }
    git(&["rev-parse", "--short=12", "HEAD"])
}

//! The errors of the runtimes module: validation, script store, resolution.
//!
//! Every message names the runtime and, for configuration errors, the
//! `daemon.json` key at fault (`runtimes.<name>.runtimeArgs`, `default-runtime`).
//! The wording of dockerd's messages is kept where dockerd has one.

use std::fmt;
use std::io;
use std::path::PathBuf;

use crate::config::ConfigError;

/// Why a runtime configuration was refused, or a runtime cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// A key of `runtimes` is not an acceptable runtime name.
    #[error("runtimes: invalid runtime name {name:?}: {problem}")]
    InvalidName {
        /// The name as configured.
        name: String,
        /// What is wrong with it.
        problem: NameProblem,
    },
    /// A built-in runtime's name was configured.
    #[error("runtimes.{name}: runtime name '{name}' is reserved")]
    Reserved {
        /// The built-in name.
        name: String,
    },
    /// Neither `path` nor `runtimeType` is set.
    #[error("runtimes.{name}: either a runtimeType or a path must be configured")]
    MissingPathAndType {
        /// The runtime.
        name: String,
    },
    /// Both `path` and `runtimeType` are set.
    #[error("runtimes.{name}: cannot configure both path and runtimeType for the same runtime")]
    PathAndType {
        /// The runtime.
        name: String,
    },
    /// `options` is set on a `path` runtime.
    #[error("runtimes.{name}.options: options cannot be used with a path runtime")]
    OptionsWithPath {
        /// The runtime.
        name: String,
    },
    /// `runtimeArgs` is set on a `runtimeType` runtime.
    #[error("runtimes.{name}.runtimeArgs: runtimeArgs cannot be used with a runtimeType runtime")]
    ArgsWithType {
        /// The runtime.
        name: String,
    },
    /// A value cannot be passed to a program (a NUL byte, a leading `-`).
    #[error("runtimes.{name}.{key}: {problem}")]
    InvalidValue {
        /// The runtime.
        name: String,
        /// The key, like `path` or `runtimeArgs[2]`.
        key: String,
        /// What is wrong with the value.
        problem: &'static str,
    },
    /// `default-runtime` names no built-in and no configured runtime.
    #[error("default-runtime: specified default runtime '{name}' does not exist")]
    UnknownDefault {
        /// The name given.
        name: String,
    },
    /// A key checked on its own was refused.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A reload tried to move the data root.
    #[error(
        "data-root: cannot change from {} to {} by a reload; restart the daemon",
        old.display(),
        new.display()
    )]
    DataRootChanged {
        /// The data root in use.
        old: PathBuf,
        /// The one the new config asks for.
        new: PathBuf,
    },
    /// A file system operation on the script store failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done, like `writing runtime script`.
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// Something other than a regular file sits where a script belongs.
    #[error("runtime {name}: {} exists but is not a regular file", path.display())]
    ScriptNotAFile {
        /// The runtime.
        name: String,
        /// The script's path.
        path: PathBuf,
    },
    /// No runtime of that name exists in the snapshot.
    #[error("unknown or invalid runtime name: {name}")]
    Unknown {
        /// The name asked for.
        name: String,
    },
    /// The runtime is a containerd shim (`runtimeType`), which engined does
    /// not run: it runs OCI runtime binaries itself, without containerd.
    #[error(
        "runtime {name}: runtimeType {runtime_type} is a containerd shim, which engined cannot run"
    )]
    ShimUnsupported {
        /// The runtime.
        name: String,
        /// Its `runtimeType`.
        runtime_type: String,
    },
    /// The runtime's configured binary is missing or not executable.
    #[error(
        "runtime {name}: error while looking up the specified runtime path {path:?}: {source}"
    )]
    TargetUnavailable {
        /// The runtime.
        name: String,
        /// The configured path (never the wrapper script's).
        path: String,
        /// What is wrong with it.
        source: LookupError,
    },
    /// The wrapper script of a runtime is missing or not executable.
    #[error("runtime {name}: wrapper script {} (for {target:?}): {source}", path.display())]
    WrapperUnavailable {
        /// The runtime.
        name: String,
        /// The wrapper script.
        path: PathBuf,
        /// The configured path it runs.
        target: String,
        /// What is wrong with it.
        source: LookupError,
    },
}

/// Why a program could not be found or run.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    /// A bare name was not found in any directory of `PATH`.
    #[error("executable file not found in $PATH")]
    NotOnPath,
    /// The path does not exist or cannot be inspected.
    #[error("{0}")]
    Inaccessible(io::Error),
    /// The path is a directory or another non-file.
    #[error("is not a regular file")]
    NotAFile,
    /// The file has no execute permission bit.
    #[error("permission denied: not executable")]
    NotExecutable,
}

/// What makes a runtime name unacceptable.
///
/// A name becomes part of a file name (`<name>.<digest>`) and appears in
/// logs and commands, so only ASCII letters, digits, `.`, `_`, `+` and `-` are
/// allowed, the first character not being `.` or `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameProblem {
    /// The name is empty.
    Empty,
    /// The name is longer than [`super::MAX_NAME_LEN`] bytes.
    TooLong(usize),
    /// The name starts with `.` (hidden files, `.` and `..`).
    LeadingDot,
    /// The name starts with `-` (it would read as an option).
    LeadingDash,
    /// The name contains `/` or `\`.
    PathSeparator(char),
    /// The name contains whitespace.
    Whitespace(char),
    /// The name contains a control character.
    Control(char),
    /// The name contains a character a shell gives a meaning to.
    ShellMetacharacter(char),
    /// The name contains another character outside the allowed set.
    Disallowed(char),
}

impl fmt::Display for NameProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("the name is empty"),
            Self::TooLong(len) => write!(
                f,
                "the name is {len} bytes long, more than {}",
                super::MAX_NAME_LEN
            ),
            Self::LeadingDot => f.write_str("the name must not start with '.'"),
            Self::LeadingDash => f.write_str("the name must not start with '-'"),
            Self::PathSeparator(c) => write!(f, "the name contains a path separator {c:?}"),
            Self::Whitespace(c) => write!(f, "the name contains whitespace {c:?}"),
            Self::Control(c) => write!(f, "the name contains a control character {c:?}"),
            Self::ShellMetacharacter(c) => {
                write!(f, "the name contains a shell metacharacter {c:?}")
            }
            Self::Disallowed(c) => write!(
                f,
                "the name contains {c:?}; allowed are ASCII letters, digits, '.', '_', '+' and '-'"
            ),
        }
    }
}

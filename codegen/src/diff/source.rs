//! Reading one side of a diff: a file, or a file at a git revision (`REV:path`, read with
//! `git show`, as in `origin/main:spec/openapi.yaml`).

use std::path::Path;
use std::process::Command;

use crate::spec::{LoadError, Spec};

/// One side of a diff: the loaded document, its text, and where it came from.
#[derive(Debug, Clone)]
pub struct Source {
    /// The document.
    pub spec: Spec,
    /// Its YAML text (for line numbers in annotations).
    pub text: String,
    /// The file, as a path relative to the repository root where known: the path
    /// given, or the `path` of `REV:path`.
    pub file: String,
    /// The argument it was read from, for messages (`origin/main:spec/openapi.yaml`).
    pub origin: String,
}

/// Why one side of a diff could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// Neither a file nor of the form `REV:path`.
    #[error(
        "{arg}: no such file, and not of the form REV:path (for example origin/main:spec/openapi.yaml)"
    )]
    NotFound {
        /// The argument.
        arg: String,
    },
    /// git could not be run at all.
    #[error("cannot run git to read {arg}: {source}; install git, or pass the spec as a file")]
    GitMissing {
        /// The argument.
        arg: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// git could not read the file at that revision.
    #[error(
        "git cannot read {arg}: {message}; check that the revision exists (fetch it first, e.g. `git fetch origin main`) and that the path is relative to the repository root"
    )]
    Git {
        /// The argument.
        arg: String,
        /// git's own message.
        message: String,
    },
    /// The file at that revision is not UTF-8 text.
    #[error("{arg} is not UTF-8 text")]
    NotText {
        /// The argument.
        arg: String,
    },
    /// The file was read, but is not an OpenAPI 3.0 document.
    #[error(transparent)]
    Load(#[from] LoadError),
}

impl Source {
    /// Reads `arg`: a file when one exists at that path, otherwise `REV:path` from git
    /// (run in the current directory).
    pub fn read(arg: &str) -> Result<Self, SourceError> {
        Self::read_in(arg, Path::new("."))
    }

    /// Like [`Source::read`], with relative files and git resolved in `dir`.
    pub fn read_in(arg: &str, dir: &Path) -> Result<Self, SourceError> {
        let file = dir.join(arg);
        if file.is_file() {
            let text = std::fs::read_to_string(&file).map_err(|source| LoadError::Io {
                path: file.clone(),
                source,
            })?;
            return Self::from_text(text, arg, arg);
        }
        let Some((rev, path)) = arg.split_once(':') else {
            return Err(SourceError::NotFound {
                arg: arg.to_string(),
            });
        };
        // A leading `-` would reach git as an option.
        if rev.is_empty() || path.is_empty() || rev.starts_with('-') {
            return Err(SourceError::NotFound {
                arg: arg.to_string(),
            });
        }
        let output = Command::new("git")
            .arg("show")
            .arg("--no-textconv")
            .arg(arg)
            .arg("--")
            .current_dir(dir)
            .output()
            .map_err(|source| SourceError::GitMissing {
                arg: arg.to_string(),
                source,
            })?;
        if !output.status.success() {
            let message = String::from_utf8_lossy(&output.stderr)
                .trim()
                .trim_start_matches("fatal: ")
                .to_string();
            return Err(SourceError::Git {
                arg: arg.to_string(),
                message,
            });
        }
        let text = String::from_utf8(output.stdout).map_err(|_| SourceError::NotText {
            arg: arg.to_string(),
        })?;
        Self::from_text(text, path, arg)
    }

    /// Parses a document from `text`.
    pub fn from_text(text: String, file: &str, origin: &str) -> Result<Self, SourceError> {
        let spec = Spec::from_yaml(&text, origin)?;
        Ok(Source {
            spec,
            text,
            file: file.trim_start_matches("./").to_string(),
            origin: origin.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revision_that_looks_like_an_option_is_refused_before_git_runs() {
        let dir = std::env::temp_dir();
        let err = Source::read_in("--output=x:y", &dir).unwrap_err();
        assert!(matches!(err, SourceError::NotFound { .. }), "{err}");
    }

    #[test]
    fn neither_a_file_nor_rev_path_says_so() {
        let err = Source::read_in("no-such-file.yaml", &std::env::temp_dir()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no-such-file.yaml: no such file, and not of the form REV:path (for example origin/main:spec/openapi.yaml)"
        );
    }
}

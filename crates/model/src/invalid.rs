//! The one error a validation returns: which field, what is wrong, how to fix it.

use std::fmt;

/// Bad input, named by field, with a sentence on how to put it right.
///
/// Messages are bilingual (Chinese first) because they reach users directly
/// through the CLI and the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The field at fault, as the user named it (`id_number`, `phone`, `grid` …).
    pub field: String,
    /// What is wrong.
    pub problem: String,
    /// What to do about it.
    pub fix: String,
}

impl Invalid {
    pub fn new(
        field: impl Into<String>,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            problem: problem.into(),
            fix: fix.into(),
        }
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}; {}", self.field, self.problem, self.fix)
    }
}

impl std::error::Error for Invalid {}

//! The one error a validation returns: which field, what is wrong, how to fix it.

use std::fmt;

use crate::Text;

/// Bad input, named by field, with a sentence on how to put it right.
///
/// The problem and the fix are [`Text`]s, Chinese and English apart, because
/// they reach users directly through the CLI and the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The field at fault, as the user named it (`id_number`, `phone`, `grid` …).
    pub field: String,
    /// What is wrong.
    pub problem: Text,
    /// What to do about it.
    pub fix: Text,
}

impl Invalid {
    pub fn new(field: impl Into<String>, problem: Text, fix: Text) -> Self {
        Self {
            field: field.into(),
            problem,
            fix,
        }
    }
}

impl Invalid {
    /// The problem and its fix as one message, without the field.
    pub fn message(&self) -> Text {
        self.problem.then(&self.fix)
    }

    /// The whole message with the field first (`phone：…` / `phone: …`), as
    /// every error that wraps an `Invalid` says it.
    pub fn text(&self) -> Text {
        let m = self.message();
        Text::new(
            format!("{}：{}", self.field, m.zh),
            format!("{}: {}", self.field, m.en),
        )
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message())
    }
}

impl std::error::Error for Invalid {}

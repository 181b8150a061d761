use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    #[error("automerge: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    /// The document does not have the shape of a Gridline record.
    #[error("document field {field}: {problem}")]
    Shape { field: String, problem: String },
    /// A field holds a value the domain refuses.
    /// Boxed: an `Invalid` holds its messages in both languages, and every
    /// call returns this error.
    #[error("document field {0}")]
    Invalid(Box<gridline_model::Invalid>),
}

impl From<gridline_model::Invalid> for Error {
    fn from(e: gridline_model::Invalid) -> Self {
        Error::Invalid(Box::new(e))
    }
}

impl Error {
    pub fn shape(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Error::Shape {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

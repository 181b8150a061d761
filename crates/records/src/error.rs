use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    #[error("automerge: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    /// The document does not have the shape of a Gridline record.
    #[error("document field {field}: {problem}")]
    Shape { field: String, problem: String },
    /// A field holds a value the domain refuses.
    #[error("document field {0}")]
    Invalid(#[from] gridline_model::Invalid),
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

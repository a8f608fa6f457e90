//! The build's output, in the classic builder's JSON stream shape: text
//! (`Step 2/5 : RUN ...`, ` ---> abc123def456`, the RUN's own output),
//! the image ID as `aux`, and a failure as `errorDetail`. Quiet builds
//! send only the ID (also as text) and the failure.

use tokio::sync::mpsc;

/// One message of the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Stream(String),
    /// The built image's ID (`{"aux":{"ID":...}}`).
    Aux(String),
    Error(String),
}

/// Where a build writes its messages.
#[derive(Debug, Clone)]
pub struct Output {
    tx: mpsc::Sender<Message>,
    quiet: bool,
}

impl Output {
    /// An output and the receiving end the reply streams from.
    pub fn new(quiet: bool) -> (Output, mpsc::Receiver<Message>) {
        let (tx, rx) = mpsc::channel(64);
        (Output { tx, quiet }, rx)
    }

    /// Text for the user (dropped when quiet).
    pub async fn text(&self, text: impl Into<String>) {
        if !self.quiet {
            let _ = self.tx.send(Message::Stream(text.into())).await;
        }
    }

    /// The built image's ID: as `aux`, and for a quiet build also as
    /// the one line of text (what the CLI prints with `-q`).
    pub async fn aux(&self, id: &str) {
        let _ = self.tx.send(Message::Aux(id.to_string())).await;
        if self.quiet {
            let _ = self.tx.send(Message::Stream(format!("{id}\n"))).await;
        }
    }

    pub async fn error(&self, message: String) {
        let _ = self.tx.send(Message::Error(message)).await;
    }

    /// Whether the client stopped listening.
    pub fn gone(&self) -> bool {
        self.tx.is_closed()
    }
}

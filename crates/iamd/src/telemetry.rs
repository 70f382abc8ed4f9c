//! Logging: `tracing` to stderr, as text or JSON lines. Secrets never reach a log line
//! because nothing logs request bodies, headers or the types that hold secrets.
//!
//! Values that come from a request (a client id that failed, a login name, a path) are
//! logged too, so the text format escapes control characters in every field value: a `\n` or
//! an ANSI escape in a client id must not forge a log line or repaint a terminal. JSON lines
//! are escaped by the JSON encoder already.

use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::FormatFields;
use tracing_subscriber::fmt::format::Writer;

use crate::config::LogFormat;

/// Installs the global subscriber once; later calls (tests start many servers) are no-ops.
pub fn init(format: LogFormat, level: &str) {
    let filter = EnvFilter::try_new(level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.fmt_fields(EscapedFields).try_init(),
    };
}

/// The text format's fields (`message` first, then `name=value`, as tracing's default
/// formatter writes them) with control characters escaped in every value.
pub struct EscapedFields;

impl<'writer> FormatFields<'writer> for EscapedFields {
    fn format_fields<R: RecordFields>(&self, writer: Writer<'writer>, fields: R) -> fmt::Result {
        let mut visitor = EscapingVisitor {
            writer,
            first: true,
            result: Ok(()),
        };
        fields.record(&mut visitor);
        visitor.result
    }
}

struct EscapingVisitor<'writer> {
    writer: Writer<'writer>,
    first: bool,
    result: fmt::Result,
}

impl EscapingVisitor<'_> {
    fn write(&mut self, field: &Field, value: fmt::Arguments<'_>) -> fmt::Result {
        if !std::mem::take(&mut self.first) {
            self.writer.write_char(' ')?;
        }
        if field.name() != "message" {
            write!(self.writer, "{}=", field.name())?;
        }
        Escaping(&mut self.writer).write_fmt(value)
    }
}

impl Visit for EscapingVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.record_debug(field, &format_args!("{value}"));
        } else {
            self.record_debug(field, &value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if self.result.is_ok() {
            self.result = self.write(field, format_args!("{value:?}"));
        }
    }
}

/// A writer that passes text through with each control character (and each Unicode line or
/// paragraph separator) written as its Rust escape (`\n`, `\u{1b}`).
struct Escaping<'a, W: fmt::Write>(&'a mut W);

impl<W: fmt::Write> fmt::Write for Escaping<'_, W> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let mut plain = 0;
        for (i, c) in text.char_indices() {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                self.0.write_str(&text[plain..i])?;
                write!(self.0, "{}", c.escape_default())?;
                plain = i + c.len_utf8();
            }
        }
        self.0.write_str(&text[plain..])
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn log_text(emit: impl FnOnce()) -> String {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .fmt_fields(EscapedFields)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, emit);
        let bytes = captured.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn control_characters_in_values_cannot_forge_lines() {
        let evil = "x\n2026-01-01T00:00:00Z  INFO forged\r\0\u{1b}[31mred\u{2028}";
        let text = log_text(|| {
            tracing::info!(client_id = %evil, debug = ?evil, plain = evil, "failed {evil}");
        });
        assert_eq!(
            text.matches('\n').count(),
            1,
            "one event, one line: {text:?}"
        );
        assert!(text.ends_with('\n'), "{text:?}");
        let line = text.trim_end_matches('\n');
        assert!(
            !line.chars().any(|c| c.is_control() || c == '\u{2028}'),
            "{line:?}"
        );
        assert!(line.contains(r"client_id=x\n2026"), "{line:?}");
        assert!(line.contains(r"\r\u{0}\u{1b}[31mred\u{2028}"), "{line:?}");
        assert!(line.contains(r"failed x\n"), "the message too: {line:?}");
    }

    #[test]
    fn ordinary_values_are_written_as_before() {
        let text = log_text(|| tracing::info!(who = %"xx1111-ovh/alice", n = 3, "signed in"));
        assert!(
            text.trim_end()
                .ends_with("signed in who=xx1111-ovh/alice n=3"),
            "{text:?}"
        );
    }
}

package main

import (
	"io"
	"log/slog"
	"os"

	"golang.org/x/term"

	"citygeo/cmd/citygeo/internal/api"
)

// newLogger returns the process logger: JSON lines (one object a line, for a log collector) or
// text, at the given level. "auto" is text on a terminal and JSON otherwise, so a person trying
// citygeo reads plain lines and a service manager's journal gets structured ones.
func newLogger(w io.Writer, format, level string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level)) // validated with the config; info otherwise
	opts := &slog.HandlerOptions{Level: lv}
	if format == "auto" {
		format = "json"
		if isTerminal(w) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(api.NewJSONLog(w, opts))
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

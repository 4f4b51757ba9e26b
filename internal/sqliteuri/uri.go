// Package sqliteuri builds the "file:" URIs that open SQLite databases through the
// modernc.org/sqlite driver.
//
// The driver hands a "file:" name to SQLite as a URI, where '?' starts the query and '#' a
// fragment, and '%' starts an escape: a path joined in as it is opens the wrong file ("a?b.gpkg"
// opens "a") or silently drops the options after a '#' (mode=ro). Every SQLite file of the
// project is opened through File.
package sqliteuri

import (
	"net/url"
	"strings"
)

// File returns the URI opening the database file at path with the options in q (nil or empty:
// none). The path is escaped whole, separators included, so no character in it, and no leading
// "//", can be read as URI syntax; SQLite decodes it back to the same bytes.
func File(path string, q url.Values) string {
	var b strings.Builder
	b.WriteString("file:")
	b.WriteString(url.PathEscape(path))
	if len(q) > 0 {
		b.WriteByte('?')
		b.WriteString(q.Encode())
	}
	return b.String()
}

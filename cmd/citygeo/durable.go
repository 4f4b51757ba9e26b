package main

import (
	"os"
	"path/filepath"

	"github.com/google/renameio/v2"
)

// writeDurably replaces the file at path with data whole or not at all, and on disk once it
// returns: renameio writes a temporary file beside it, fsyncs it and renames it over path, so a
// reader sees the old file or the new one, never half; the directory is then fsynced so that the
// rename itself survives an OS crash (renameio leaves that to its caller).
func writeDurably(path string, data []byte, perm os.FileMode) error {
	if err := renameio.WriteFile(path, data, perm); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

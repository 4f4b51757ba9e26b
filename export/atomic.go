package export

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// inTempDir has write fill a new temporary directory beside out, then moves its files into
// out: by renaming the directory when out does not exist, else file by file (replacing files
// of the same name), then removes the files of out that owned says an export like this one
// writes but this one did not (a layer of the last export that is empty now: left, a
// re-import would bring its features back); other files are left alone. Renames within one
// directory's parent cannot run out of space, so once write has succeeded the files arrive
// whole; when it fails, the temporary directory is removed and out is as it was.
// write returns the names of the files a caller reads back, in the order written (a
// Shapefile's .shp, not its .dbf and the rest).
func inTempDir(out string, owned func(name string) bool, write func(dir string) ([]string, error)) ([]string, error) {
	parent := filepath.Dir(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".tmp-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp) // a no-op once it has been renamed
	main, err := write(tmp)
	if err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(tmp)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(out)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.Chmod(tmp, 0o755); err != nil {
			return nil, err
		}
		if err := os.Rename(tmp, out); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	case !st.IsDir():
		return nil, fmt.Errorf("export to %s: not a directory", out)
	default:
		written := map[string]bool{}
		for _, e := range ents {
			if err := os.Rename(filepath.Join(tmp, e.Name()), filepath.Join(out, e.Name())); err != nil {
				return nil, err
			}
			written[e.Name()] = true
		}
		old, err := os.ReadDir(out)
		if err != nil {
			return nil, err
		}
		for _, e := range old {
			if !written[e.Name()] && !e.IsDir() && owned(e.Name()) {
				if err := os.Remove(filepath.Join(out, e.Name())); err != nil {
					return nil, fmt.Errorf("export to %s: remove the last export's %s: %w", out, e.Name(), err)
				}
			}
		}
	}
	files := make([]string, len(main))
	for i, n := range main {
		files[i] = filepath.Join(out, n)
	}
	return files, nil
}

// inTempFile has write create a temporary file beside out, then renames it to out.
func inTempFile(out string, write func(path string) error) ([]string, error) {
	parent := filepath.Dir(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(parent, "."+filepath.Base(out)+".tmp-")
	if err != nil {
		return nil, err
	}
	tmp := f.Name()
	f.Close()
	defer os.Remove(tmp)
	if err := os.Remove(tmp); err != nil { // the writer creates it; the name stays ours
		return nil, err
	}
	if err := write(tmp); err != nil {
		return nil, err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, out); err != nil {
		return nil, err
	}
	return []string{out}, nil
}

// layerFiles returns the predicate of the files an export of these layer names writes in
// format f: name.ext for a layer, or for a part of it split off by geometry (name_line …), with
// the extensions of the format.
func layerFiles(names []string, f Format) func(file string) bool {
	exts := map[string]bool{".geojson": true}
	if f == Shapefile {
		exts = map[string]bool{".shp": true, ".shx": true, ".dbf": true, ".prj": true, ".cpg": true}
	}
	base := map[string]bool{}
	for _, n := range names {
		base[n] = true
		for _, s := range classSuffix {
			base[n+s] = true
		}
	}
	return func(file string) bool {
		ext := filepath.Ext(file)
		return exts[strings.ToLower(ext)] && base[strings.TrimSuffix(file, ext)]
	}
}

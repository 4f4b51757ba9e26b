package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"citygeo/cmd/citygeo/internal/audit"
	"citygeo/cmd/citygeo/internal/config"
)

func newAuditCmd() *cobra.Command {
	var (
		file, store, since, until string
		f                         audit.Filter
		asJSON                    bool
	)
	cmd := &cobra.Command{
		Use:   "audit [--store PATH | --file PATH] [--since 24h] [--who NAME] [--action TEXT] [--result ok|refused|invalid|failed|started]",
		Short: "list the audit trail of writes (imports, activations, rollbacks, events): who, role, what, version, result",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case file != "" && store != "":
				return &exitError{code: 2, err: errors.New("audit: give --file or --store, not both")}
			case file == "" && store == "":
				return &exitError{code: 2, err: errors.New("audit needs --store PATH (reads PATH.audit.jsonl) or --file PATH")}
			case file == "":
				file = audit.PathBeside(store)
			}
			var err error
			if f.Since, err = parseWhen("since", since); err != nil {
				return err
			}
			if f.Until, err = parseWhen("until", until); err != nil {
				return err
			}
			in, err := os.Open(file)
			if err != nil {
				return fmt.Errorf("audit: %w", err)
			}
			defer in.Close()
			return printAudit(cmd.OutOrStdout(), in, f, asJSON)
		},
	}
	cmd.Flags().StringVar(&store, "store", "", "the store whose audit log (<store>.audit.jsonl) to read")
	cmd.Flags().StringVar(&file, "file", "", "the audit log to read (serve's audit.file)")
	cmd.Flags().StringVar(&since, "since", "", "only entries from this time on: RFC 3339, or a duration back from now (24h)")
	cmd.Flags().StringVar(&until, "until", "", "only entries up to this time: RFC 3339, or a duration back from now")
	cmd.Flags().StringVar(&f.Who, "who", "", "only this token name (or cli:<user>)")
	cmd.Flags().StringVar(&f.Action, "action", "", "only actions containing this text (activate, /v1/events, rollback)")
	cmd.Flags().StringVar(&f.Result, "result", "", "only this result: ok, refused, invalid, failed, or started (a write cut off: no result followed)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the entries as JSON lines")
	return cmd
}

func parseWhen(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return time.Now().Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, &exitError{code: 2, err: fmt.Errorf("--%s %q: want RFC 3339 (2026-11-01T08:00:00+08:00) or a duration (24h)", flag, s)}
	}
	return t, nil
}

func printAudit(w io.Writer, r io.Reader, f audit.Filter, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		var werr error
		err := audit.Read(r, f, func(e audit.Entry) bool { werr = enc.Encode(e); return werr == nil })
		return errors.Join(err, werr)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tWHO\tROLE\tACTION\tTARGET\tVERSION\tRESULT\tSTATUS\tMESSAGE")
	err := audit.Read(r, f, func(e audit.Entry) bool {
		v, st := "", ""
		if e.Version != 0 {
			v = strconv.FormatInt(e.Version, 10)
		}
		if e.Status != 0 {
			st = strconv.Itoa(e.Status)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Time.Local().Format("2006-01-02 15:04:05"), dash(e.Who), dash(e.Role),
			e.Action, dash(e.Target), v, e.Result, st, e.Message)
		return true
	})
	return errors.Join(err, tw.Flush())
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// auditCLI records a write made by a command on a store file in the audit log beside it, as
// "cli:<user>". A store that is a database URL has no file beside it and is not recorded here.
// The write is done already, so a failure to record it is reported, not returned.
func auditCLI(errw io.Writer, store string, e audit.Entry) {
	if store == "" || config.IsURL(store) {
		return
	}
	auditCLIFile(errw, audit.PathBeside(store), e)
}

// auditCLIFile appends e to the audit log at path as a command's change ("cli:<user>").
func auditCLIFile(errw io.Writer, path string, e audit.Entry) {
	who := "cli"
	if u, err := user.Current(); err == nil {
		who += ":" + u.Username
	}
	e.Who = who
	l, err := audit.Open(path)
	if err == nil {
		err = errors.Join(l.Write(e), l.Close())
	}
	if err != nil {
		fmt.Fprintf(errw, "citygeo: %s done, but not recorded in the audit log: %v\n", e.Action, err)
	}
}

// baseNames lists files by name, for an audit target.
func baseNames(files []string) string {
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = filepath.Base(f)
	}
	return strings.Join(names, " ")
}

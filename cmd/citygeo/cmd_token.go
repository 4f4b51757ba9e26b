package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"citygeo/cmd/citygeo/internal/api"
	"citygeo/cmd/citygeo/internal/audit"
)

func newTokenCmd() *cobra.Command {
	var name, role string
	cmd := &cobra.Command{
		Use:   "token",
		Short: "make a new bearer token: prints the token once and the entry to add to the --auth file (token add writes the file itself)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tok, hash, err := api.NewToken()
			if err != nil {
				return err
			}
			entry := api.TokenHash{Name: name, Role: api.Role(role), SHA256: hash}
			if _, err := api.NewAuth(&api.AuthConfig{Tokens: []api.TokenHash{entry}}); err != nil {
				return err
			}
			line, _ := json.Marshal(entry)
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "token (give it to the client; it is not stored): %s\n", tok)
			fmt.Fprintf(out, "auth file entry: %s\n", line)
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "who the token is for")
	cmd.Flags().StringVar(&role, "role", "reader", "reader, dispatcher, gis, device or admin")
	_ = cmd.MarkFlagRequired("name")
	cmd.AddCommand(newTokenAddCmd(), newTokenListCmd(), newTokenRevokeCmd())
	return cmd
}

// tokenFileFlags name the token file a token subcommand edits, and the audit log it records
// the change in.
type tokenFileFlags struct {
	file, audit string
}

func (f *tokenFileFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.file, "file", "", "the token file serve reads (--auth)")
	cmd.Flags().StringVar(&f.audit, "audit", "", "audit log to record the change in (serve's audit.file, or <store>.audit.jsonl)")
	_ = cmd.MarkFlagRequired("file")
}

func newTokenAddCmd() *cobra.Command {
	var (
		f                tokenFileFlags
		name, role, area string
	)
	cmd := &cobra.Command{
		Use:   "add --file tokens.json --name NAME --role ROLE [--area CODE]",
		Short: "make a token and add its digest to the token file (created if missing); the token is printed once and never stored",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := readTokenFile(f.file, true)
			if err != nil {
				return err
			}
			for _, t := range cfg.Tokens {
				if t.Name == name {
					return &exitError{code: 2, err: fmt.Errorf("token file %s: a token named %q exists; revoke it first", f.file, name)}
				}
			}
			tok, hash, err := api.NewToken()
			if err != nil {
				return err
			}
			cfg.Tokens = append(cfg.Tokens, api.TokenHash{Name: name, Role: api.Role(role), SHA256: hash, Area: area})
			if err := writeTokenFile(f.file, cfg); err != nil {
				return err
			}
			what := role
			if area != "" {
				what += ", area " + area
			}
			recordTokenChange(cmd, f, "token add", name+" ("+what+")")
			fmt.Fprintf(cmd.OutOrStdout(), "token for %s (%s), shown once — give it to the client: %s\n", name, what, tok)
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&name, "name", "", "who the token is for")
	cmd.Flags().StringVar(&role, "role", "reader", "reader, dispatcher, gis, device or admin")
	cmd.Flags().StringVar(&area, "area", "", "limit the token to a district, city or province (6-digit code: 440303, 440300); empty: no limit")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func newTokenListCmd() *cobra.Command {
	var f tokenFileFlags
	cmd := &cobra.Command{
		Use:   "list --file tokens.json",
		Short: "list the tokens of the token file: name, role and the start of the digest (a token itself is never stored)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := readTokenFile(f.file, false)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintf(w, "NAME\tROLE\tAREA\tSHA256\n")
			for _, t := range cfg.Tokens {
				area := t.Area
				if area == "" {
					area = "-"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s…\n", t.Name, t.Role, area, t.SHA256[:12])
			}
			fmt.Fprintf(w, "guard_reads: %v\n", cfg.GuardReads)
			return w.Flush()
		},
	}
	f.register(cmd)
	return cmd
}

func newTokenRevokeCmd() *cobra.Command {
	var (
		f    tokenFileFlags
		name string
	)
	cmd := &cobra.Command{
		Use:   "revoke --file tokens.json --name NAME",
		Short: "remove a token from the token file (a running server keeps it until restarted)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := readTokenFile(f.file, false)
			if err != nil {
				return err
			}
			n := len(cfg.Tokens)
			cfg.Tokens = slices.DeleteFunc(cfg.Tokens, func(t api.TokenHash) bool { return t.Name == name })
			if len(cfg.Tokens) == n {
				return fmt.Errorf("token file %s: no token named %q", f.file, name)
			}
			if err := writeTokenFile(f.file, cfg); err != nil {
				return err
			}
			recordTokenChange(cmd, f, "token revoke", name)
			fmt.Fprintf(cmd.OutOrStdout(), "token %s revoked; restart serve to drop it\n", name)
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&name, "name", "", "the token to remove")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

// readTokenFile reads and checks a token file; a missing file is an empty one when create.
func readTokenFile(path string, create bool) (*api.AuthConfig, error) {
	cfg, err := api.LoadAuthConfig(path)
	if errors.Is(err, fs.ErrNotExist) && create {
		return &api.AuthConfig{Tokens: []api.TokenHash{}}, nil
	}
	if err != nil {
		return nil, err
	}
	if _, err := api.NewAuth(cfg); err != nil {
		return nil, fmt.Errorf("token file %s: %w", path, err)
	}
	return cfg, nil
}

// writeTokenFile replaces the token file at once (writeDurably), mode 0600, so a server starting
// meanwhile reads the old file or the new one, never half.
func writeTokenFile(path string, cfg *api.AuthConfig) error {
	if _, err := api.NewAuth(cfg); err != nil {
		return err
	}
	b, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return err
	}
	if err := writeDurably(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write token file: %w", err)
	}
	return nil
}

// recordTokenChange appends a token change to the audit log, when one is named.
func recordTokenChange(cmd *cobra.Command, f tokenFileFlags, action, target string) {
	if f.audit == "" {
		return
	}
	auditCLIFile(cmd.ErrOrStderr(), f.audit, audit.Entry{Action: action, Target: target, Result: audit.ResultOK})
}

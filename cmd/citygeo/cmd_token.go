package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"citygeo/cmd/citygeo/internal/api"
)

func newTokenCmd() *cobra.Command {
	var name, role string
	cmd := &cobra.Command{
		Use:   "token",
		Short: "make a new bearer token: prints the token once and the entry to add to the --auth file",
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
	return cmd
}

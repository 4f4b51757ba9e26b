package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"citygeo/cmd/citygeo/internal/config"
)

func newConfigCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "check a serve configuration file, or print one with every key and its default",
	}
	check := &cobra.Command{
		Use:   "check FILE",
		Short: "validate a YAML configuration (keys, values, the files it names, the token file) and print the effective settings, secrets masked",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := config.Load(args[0])
			if err != nil {
				return err
			}
			errs := []error{cfg.Validate(), cfg.CheckFiles()}
			if cfg.Auth != "" {
				if _, err := loadAuth(cfg.Auth); err != nil {
					errs = append(errs, &config.Error{Key: "auth", Message: err.Error()})
				}
			}
			if err := errors.Join(errs...); err != nil {
				return fmt.Errorf("config %s:\n%w", args[0], err)
			}
			out := cmd.OutOrStdout()
			for _, v := range cfg.Values() {
				fmt.Fprintf(out, "%s = %s\n", v.Key, v.Value)
			}
			fmt.Fprintf(out, "%s: ok\n", args[0])
			return nil
		},
	}
	example := &cobra.Command{
		Use:   "example",
		Short: "print a YAML configuration with every key at its default, each with its help, variable and flag",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return config.Default().WriteYAML(cmd.OutOrStdout())
		},
	}
	cmd.AddCommand(check, example)
	return cmd
}

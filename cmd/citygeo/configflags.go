package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"citygeo/cmd/citygeo/internal/config"
)

// configFlag is a command-line flag for one configuration key. It keeps the text it was given
// and checks it at parse time, so `--http-read-timeout soon` fails before the server starts;
// the value is applied last, over the file and the environment (flags win).
type configFlag struct {
	key config.Key
	val string
}

var _ pflag.Value = (*configFlag)(nil)

func (f *configFlag) String() string { return f.val }
func (f *configFlag) Type() string   { return f.key.Type }
func (f *configFlag) Set(s string) error {
	if err := config.Default().Set(f.key.Name, s); err != nil {
		return err
	}
	f.val = s
	return nil
}

// configFlags registers a flag for every configuration key, plus --config, on cmd.
func configFlags(cmd *cobra.Command) *string {
	def := config.Default()
	for _, k := range config.Keys() {
		v, _ := def.Get(k.Name)
		fl := cmd.Flags().VarPF(&configFlag{key: k, val: v}, k.Flag, "", k.Help+" ["+k.Env+"]")
		if k.Type == "bool" {
			fl.NoOptDefVal = "true"
		}
	}
	return cmd.Flags().String("config", "", "YAML configuration file (citygeo config example prints one); keys there are overridden by CITYGEO_… variables and by flags [CITYGEO_CONFIG]")
}

// resolveConfig builds the configuration of a command from its --config file (or
// CITYGEO_CONFIG), the environment and the flags set on the command line, in that order of
// precedence, and validates it. Problems are bad use (exit 2), each naming its key.
func resolveConfig(cmd *cobra.Command, file string) (*config.Config, error) {
	if file == "" {
		file = os.Getenv("CITYGEO_CONFIG")
	}
	cfg := config.Default()
	if file != "" {
		var err error
		if cfg, err = config.Load(file); err != nil {
			return nil, &exitError{code: 2, err: err}
		}
	}
	if err := cfg.ApplyEnv(os.LookupEnv); err != nil {
		return nil, &exitError{code: 2, err: fmt.Errorf("environment: %w", err)}
	}
	var errs []error
	cmd.Flags().Visit(func(fl *pflag.Flag) {
		if cf, ok := fl.Value.(*configFlag); ok {
			errs = append(errs, cfg.Set(cf.key.Name, cf.val))
		}
	})
	if err := errors.Join(errs...); err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	if err := cfg.Validate(); err != nil {
		return nil, &exitError{code: 2, err: fmt.Errorf("config: %w", err)}
	}
	return cfg, nil
}

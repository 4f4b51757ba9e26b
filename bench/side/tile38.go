package main

import (
	"context"
	"fmt"
)

func runTile38(ctx context.Context, c *Config, pin pinning, city *City, res *Results) error {
	return fmt.Errorf("not yet")
}

//go:build race

package api_test

// raceEnabled: the race detector is on (sync.Pool drops items at random, so pooled paths allocate).
const raceEnabled = true

// Package bench holds citygeo's workloads and measurement tools: the HTTP load generator
// (bench/load) and the accuracy harnesses. Nothing here is needed by the server.
package bench

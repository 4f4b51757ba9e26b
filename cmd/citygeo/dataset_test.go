package main

import "testing"

// TestStoreNames: which --store values pick PostgreSQL, and that a URL's password never reaches
// a message.
func TestStoreNames(t *testing.T) {
	for _, tc := range []struct {
		where string
		pg    bool
		name  string
	}{
		{"city.db", false, "city.db"},
		{"/data/城市 a?b.db", false, "/data/城市 a?b.db"},
		{"postgres://citygeo:s3cret@db:5432/city?sslmode=disable", true, "postgres://citygeo:xxxxx@db:5432/city?sslmode=disable"},
		{"postgresql://replica@10.0.0.5/city", true, "postgresql://replica@10.0.0.5/city"},
		{"postgres.db", false, "postgres.db"},
	} {
		if got := isPostgres(tc.where); got != tc.pg {
			t.Errorf("isPostgres(%q) = %v, want %v", tc.where, got, tc.pg)
		}
		if got := storeName(tc.where); got != tc.name {
			t.Errorf("storeName(%q) = %q, want %q", tc.where, got, tc.name)
		}
	}
}

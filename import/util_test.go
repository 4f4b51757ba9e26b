package importer_test

import "strings"

type stringsBuilder = strings.Builder

// Package schema is the field schema of every layer kind of the city model: for each field its
// key, the source column names it goes by (the project's own, CJ/T 214-2007, GB/T 47678.5 and
// common spellings), its type, and how a value is read into the model and written out of it.
//
// The importer maps source columns with it and the export profiles name their columns by its
// keys, so a column name is spelled here once. It knows no file format and reads no files.
package schema

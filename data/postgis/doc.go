// Package postgis is the scale-out data.Store: dataset versions in PostgreSQL with PostGIS
// (driver github.com/jackc/pgx/v5), where every replica pointed at one database serves the
// version its active row names and follows it when it changes. It also keeps the events feed
// (Events) in the same database.
//
// It is not a cache, a migration tool or a query layer for GIS users: it holds no state between
// calls beyond its connection pool, and the tables are plain PostGIS tables that QGIS or psql can
// read directly. Tables live in the connection's current schema (the first existing schema of
// its search_path), which must also reach the schema PostGIS is installed in (public by default).
//
// # Tables
//
//	dataset_version(version, name, created_at, source, counts jsonb)  -- one row per version
//	active(id = 1, version, changed_at)                               -- the version served
//	area, grid, component, department, road, address, building, poi  -- one table per layer
//
// Each layer table has typed columns (codes and names as text, dates as timestamptz, a
// component's per-class attributes as jsonb, a POI's aliases as text[]) and its geometry as
// geometry(…, 4490), CGCS2000 longitude/latitude; its primary key (version, seq) keeps the
// dataset's order and every geometry column has a GiST index. A layer table is partitioned by
// version: version 12 of the components is the partition component_v12. Save fills each new
// partition with a binary COPY while it is still a standalone table and only then attaches it,
// so that its primary key and GiST indexes are built in bulk (sorted) instead of row by row, and
// the whole version, partitions and active row, becomes visible at one commit.
//
// # Notification
//
// A trigger on active sends pg_notify('citygeo_active', '<schema>:<version>') whenever the row
// changes, so the notice goes out at the commit that made the change whoever made it: Save,
// Activate, or an operator's UPDATE in psql. Watch listens on a dedicated connection and polls
// as well, which covers a missed notification and a dropped connection.
package postgis

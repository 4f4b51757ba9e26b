#!/bin/sh
# Regenerates the reader fixtures from components.geojson with GDAL (apt-get install gdal-bin).
# Run from import/testdata. Each output holds the same 5 components.
set -eu
rm -rf shp_gbk shp_nocpg shp_utf8 && mkdir shp_gbk shp_nocpg shp_utf8
ogr2ogr -f "ESRI Shapefile" -t_srs EPSG:4547 -lco ENCODING=GBK shp_gbk/components.shp components.geojson
ogr2ogr -f "ESRI Shapefile" -t_srs EPSG:4547 -lco ENCODING=GBK shp_nocpg/components.shp components.geojson
rm shp_nocpg/components.cpg
ogr2ogr -f "ESRI Shapefile" -t_srs EPSG:4490 -lco ENCODING=UTF-8 shp_utf8/components.shp components.geojson
rm -f components_gbk.zip && (cd shp_gbk && zip -q ../components_gbk.zip components.*)
rm -f components.gpkg && ogr2ogr -f GPKG -t_srs EPSG:4526 components.gpkg components.geojson
ogr2ogr -f CSV -lco GEOMETRY=AS_XY components_xy.csv components.geojson
ogr2ogr -f CSV -lco GEOMETRY=AS_WKT components_wkt.csv components.geojson
ogr2ogr -f GeoJSONSeq components.geojsonl components.geojson
ogr2ogr -f GeoJSON -t_srs EPSG:4547 components_4547.geojson components.geojson

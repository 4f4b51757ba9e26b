#!/usr/bin/env python3
"""Regenerates mapping.json from ../../../../shared/data/taipei_daan (run from this folder).

Derived codes (Taiwan has no GB/T 2260 codes, so these are stand-ins, documented in README.md):
  district  630003        = CPID 63003 (臺北市 63, 大安區 003) spread as 63 00 03
  street    630003 0NN    = police precincts (派出所) sorted by name, NN = 01..07
  community 630003 0NN VVV = the village's precinct + the last 3 digits of its CPTVID
  component 630003 MMmm SSSSSS = a CJ/T 214 class chosen per facility category + feature position
"""
import json, os

D = os.path.join(os.path.dirname(__file__) or ".", "../../../../shared/data/taipei_daan")
prec = json.load(open(os.path.join(D, "admin_police_precinct.geojson")))
vill = json.load(open(os.path.join(D, "admin_village.geojson")))
v2p = json.load(open(os.path.join(D, "village_to_precinct.json")))

district = "630003"
stations = sorted(f["properties"]["police_district_station_name"] for f in prec["features"])
street = {s: "%s%03d" % (district, i + 1) for i, s in enumerate(stations)}
community = {}
for f in vill["features"]:
    p = f["properties"]
    community[p["CPTVID"]] = street[v2p[p["VNAME"]][0]] + p["CPTVID"][-3:]

classes = {  # category → CJ/T 214-2007 major+minor (stand-ins where Taipei has no exact class)
    "bus_stop": "0203",                 # 公交站亭
    "cctv": "0136",                     # 监控电子眼
    "garbage_collection_point": "0305", # 垃圾箱 (collection point)
    "aed": "0113",                      # 消防设施 (emergency equipment)
    "refuge": "0502",                   # 人防工事 (refuge)
    "rain_sewer_station": "0310",       # 污水口监测站 (sewer level station)
    "metro_station": "0206",            # 地下通道 (station entrance)
    "fire_station": "0113",             # 消防设施
    "narrow_alley": "0601",             # 重大危险源 (fire-access hazard)
    "traffic_signal": "0210",           # 交通信号灯
    "crossing_signalized": "0214",      # 交通信号设施
    "crossing": "0209",                 # 交通标志牌 (marked crossing)
}

road_classes = {  # OSM highway → functional class (GB 50220: 快速路, 主干路, 次干路, 支路)
    "motorway": "expressway", "trunk": "expressway", "trunk_link": "expressway",
    "primary": "arterial", "primary_link": "arterial",
    "secondary": "secondary", "secondary_link": "secondary",
    "tertiary": "branch", "tertiary_link": "branch",
}

mapping = {
    "name": "臺北市大安區 (Taipei open data, derived codes)",
    "layers": [
        {"match": "*district*", "kind": "district",
         "fields": {"code": "CPTID", "name": "TNAME"},
         "values": {"code": {"6300300": district}}},
        {"match": "*precinct*", "kind": "street",
         "fields": {"code": "police_district_station_name|police_d_1", "name": "police_district_station_name|police_d_1"},
         "values": {"code": street},
         "const": {"derived": "true"}},
        {"match": "*village*", "kind": "community",
         "fields": {"code": "CPTVID", "name": "VNAME"},
         "values": {"code": community},
         "derive_grids": {"size_m": 100}},
        {"match": "*components*", "kind": "component",
         "templates": {"id": district + "{category}{seq:6}"},
         "fields": {"name": "name", "source": "source_layer|source_lay"},
         "values": {"category": classes}},
        # The city's geocoded addresses (house numbers in the register's forms: 1之6, 16-1)
        # and the OSM main roads: what house-number geocoding stands on.
        {"match": "*addresses*", "kind": "address",
         "fields": {"full": "normalized", "road": "road", "section": "section", "lane": "lane",
                    "alley": "alley", "number": "number", "community": "village_code",
                    "source": "source_layer|source_lay"},
         "values": {"community": community}},
        {"match": "*roads*", "kind": "road",
         "fields": {"name": "name", "class": "highway"},
         "values": {"class": road_classes}},
    ],
}
with open(os.path.join(os.path.dirname(__file__) or ".", "mapping.json"), "w") as out:
    json.dump(mapping, out, ensure_ascii=False, indent=2)
    out.write("\n")

-- The 2019 'left behind neighbourhoods' on the real published data:
-- CNI 2019 (wards) AND ward-level IMD 2019, top 10% each.
--   build/cnilua scripts/real/lbn2019.lua [--data DIR] [-o DIR]
-- The data root defaults to ../shared/data/real (relative to the working
-- folder, i.e. the repository root).
local base = require "cni.indices.cni2019"
return cni.variant(base, {
  name = "LBN 2019 (real data)",
  data_root = "../shared/data/real",
  -- the published list (Local Trust/OCSI, 225 wards) travels in the CNI file
  reference = {column = "Left Behind Area?", label = "published 2019 list"},
  -- maps: each LSOA coloured by its ward (best-fit lookup), districts on top
  map = {
    boundaries = "boundaries_lsoa11_england.geojson",
    via = {input = "lookup", from = "lsoa11_code", to = "ward17_code"},
    outline = "boundaries_ltla19_england.geojson", outline_label = "Local authority districts (2019)",
    note = "Source: OCSI/Local Trust CNI 2019; MHCLG IoD 2019; ONS boundaries (OGL v3.0), contains OS data (c) Crown copyright.",
  },
})

"""The catalogue of 311 service types the city handles (Open311 service codes)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    group: str
    #: Default priority for a new request (1 = emergency, 5 = planned).
    priority: int
    #: Service level: hours from report to resolution.
    sla_hours: int
    keywords: str = ""


SERVICES: tuple[Service, ...] = (
    Service("pothole", "Pothole", "Streets", 3, 72, "pothole road damage asphalt"),
    Service("sidewalk", "Damaged sidewalk or curb", "Streets", 4, 240, "sidewalk curb trip"),
    Service("streetlight", "Street light out", "Lighting", 3, 120, "street light lamp dark"),
    Service("traffic_signal", "Traffic signal fault", "Traffic", 1, 4, "traffic light signal"),
    Service("sign_damage", "Damaged or missing sign", "Traffic", 2, 48, "sign stop sign missing"),
    Service("graffiti", "Graffiti", "Cleaning", 4, 168, "graffiti tag vandalism"),
    Service("illegal_dumping", "Illegal dumping", "Cleaning", 3, 96, "dumping rubbish waste"),
    Service("overflowing_bin", "Overflowing litter bin", "Cleaning", 4, 48, "bin litter trash"),
    Service("fallen_tree", "Fallen tree or branch", "Parks", 2, 24, "tree branch fallen storm"),
    Service("park_damage", "Park furniture damage", "Parks", 4, 240, "bench playground park"),
    Service("water_leak", "Water leak in street", "Water", 1, 8, "water leak pipe burst"),
    Service("blocked_drain", "Blocked storm drain", "Water", 2, 48, "drain flooding gully"),
    Service("snow_ice", "Snow or ice on walkway", "Streets", 2, 24, "snow ice slippery sanding"),
    Service("abandoned_bike", "Abandoned bicycle", "Cleaning", 5, 336, "bicycle bike abandoned"),
)

BY_CODE: dict[str, Service] = {s.code: s for s in SERVICES}

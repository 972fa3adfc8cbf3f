"""Synthetic projects for `bench/search.py`: deterministic generation (one seeded
`random.Random`, precomputed cumulative weights) and a fast load into a migrated database
(binary COPY with psycopg 3, keys and indexes dropped during the load and rebuilt from
their own definitions, then VACUUM ANALYZE).

The text is built so that full-text queries have the spread of a real catalogue:
descriptions of 20-40 words drawn from a few hundred words with Zipf weights (1/rank),
so a handful of words are in a large share of the rows and most in few, plus a tail of
rare words (species, trees) found in a few dozen rows per million. With the default
mix, `forest` (names, the REDD methodology, descriptions) matches about 10% of the rows.
"""

from __future__ import annotations

import bisect
import contextlib
import itertools
import random
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg
from psycopg import sql

# Fixed, so that the same seed gives the same rows whatever the day.
ANCHOR = datetime(2026, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=5 * 365)
FIRST_VINTAGE, LAST_VINTAGE = 2015, 2026

# type: (weight, kinds used in names, methodologies)
PROJECT_TYPES: dict[str, tuple[float, list[str], list[str]]] = {
    "forestry": (
        25,
        ["Forest", "Reforestation", "Agroforestry", "Woodland", "Rainforest"],
        [
            "VM0047 Afforestation, Reforestation and Revegetation",
            "VM0048 Reducing Emissions from Deforestation and Forest Degradation",
            "AR-ACM0003 Afforestation and reforestation of lands except wetlands",
            "VM0042 Improved Agricultural Land Management",
        ],
    ),
    "renewable_energy": (
        22,
        ["Solar", "Wind", "Hydro", "Geothermal", "Biomass Power"],
        [
            "ACM0002 Grid-connected electricity generation from renewable sources",
            "AMS-I.D Grid connected renewable electricity generation",
            "AMS-I.F Renewable electricity generation for captive use and mini-grid",
        ],
    ),
    "cookstoves": (
        15,
        ["Cookstove", "Clean Cooking", "Efficient Stoves"],
        [
            "AMS-II.G Energy efficiency measures in thermal applications of non-renewable biomass",
            "TPDDTEC Technologies and Practices to Displace Decentralized Thermal Energy "
            "Consumption",
            "Metered and Measured Energy Cooking Devices",
        ],
    ),
    "methane_capture": (
        12,
        ["Landfill Gas", "Biogas", "Methane Recovery", "Rice Paddy"],
        [
            "ACM0001 Flaring or use of landfill gas",
            "AMS-III.D Methane recovery in animal manure management systems",
            "AMS-III.AU Methane emission reduction by adjusted water management practice "
            "in rice cultivation",
        ],
    ),
    "blue_carbon": (
        8,
        ["Mangrove", "Seagrass", "Tidal Marsh", "Coastal Wetland"],
        ["VM0033 Tidal Wetland and Seagrass Restoration", "VM0007 REDD+ Methodology Framework"],
    ),
    "direct_air_capture": (
        3,
        ["Direct Air Capture", "Carbon Removal", "DAC Hub"],
        ["Direct Air Capture Protocol", "Geologically Stored Carbon"],
    ),
    "other": (
        15,
        ["Soil Carbon", "Biochar", "Grassland", "Peatland Rewetting"],
        [
            "VM0044 Biochar Utilization in Soil and Non-Soil Applications",
            "VM0036 Rewetting Drained Temperate Peatlands",
            "VM0026 Sustainable Grassland Management",
        ],
    ),
}

STANDARDS = {
    "Verra VCS": 45,
    "Gold Standard": 25,
    "CDM": 10,
    "ACR": 6,
    "CAR": 5,
    "Plan Vivo": 4,
    "Puro.earth": 3,
    "Isometric": 2,
}
STANDARD_CODES = {
    "Verra VCS": "VCS",
    "Gold Standard": "GS",
    "CDM": "CDM",
    "ACR": "ACR",
    "CAR": "CAR",
    "Plan Vivo": "PV",
    "Puro.earth": "PURO",
    "Isometric": "ISO",
}
# Mostly public (registered, active, suspended, closed), some drafts and reviews.
STATUSES = {
    "active": 50,
    "registered": 30,
    "draft": 8,
    "submitted": 3,
    "under_review": 2,
    "approved": 2,
    "changes_requested": 1,
    "suspended": 2,
    "closed": 1.5,
    "rejected": 0.5,
}
# Countries where projects concentrate; every other ISO code gets a small weight.
COUNTRY_WEIGHTS = {
    "BR": 8, "IN": 8, "ID": 6, "KE": 6, "CN": 5, "US": 5, "CO": 4, "PE": 3, "MX": 3,
    "VN": 3, "UG": 3, "TZ": 3, "ET": 2, "GH": 2, "ZM": 2, "MZ": 2, "KH": 2, "BD": 2,
    "PH": 2, "TR": 2, "CL": 1.5, "AR": 1.5, "MW": 1.5, "RW": 1.5, "NG": 1.5, "CD": 1.5,
    "MG": 1, "SN": 1, "ZA": 1, "TH": 1, "LA": 1, "MM": 1, "NP": 1, "PK": 1, "GT": 1,
    "HN": 1, "NI": 1, "BO": 1, "EC": 1, "PG": 1, "AU": 1, "CA": 1,
}  # fmt: skip
OTHER_COUNTRY_WEIGHT = 0.05
REGIONS = [
    f"{side} {land}"
    for side in ("Northern", "Southern", "Eastern", "Western", "Central", "Upper", "Lower")
    for land in (
        "Highlands", "Lowlands", "Valley", "Delta", "Plateau", "Basin", "Savanna",
        "Hills", "Plains", "Lakes", "Uplands", "Floodplain",
    )
] + [
    "Rift Valley", "Amazonas", "Sumatra", "Kalimantan", "Mato Grosso", "Odisha", "Yucatan",
    "Mekong", "Sahel", "Andes", "Chaco", "Cerrado", "Pantanal", "Borneo", "Gujarat",
    "Rajasthan", "Sichuan", "Yunnan", "Mindanao", "Luzon", "Oromia", "Amhara", "Tigray",
    "Nyanza", "Kilimanjaro", "Zambezi", "Limpopo", "Katanga", "Kivu", "Antioquia",
    "Loreto", "Ucayali", "Chiapas", "Oaxaca", "Petén", "Darién", "Patagonia", "Gran Chaco",
]  # fmt: skip

# Description words by decreasing frequency: a few function words (dropped by the
# 'english' configuration, as in real prose), then content words.
_COMMON_TEXT = """
the and of to in for with on by from this their through will project community carbon
emissions local land households energy reduction water farmers sustainable management
climate restoration area program biodiversity monitoring families development soil
villages women income trees region planting conservation credits clean rural improved
protection health jobs training natural habitat livelihoods agriculture support
efficient species river schools cooperative verification district baseline degraded
fuel wood charcoal solar wind power grid electricity methane waste landfill biogas
manure livestock rice coastal mangrove wetland peat grassland savanna watershed
erosion drought rainfall flood resilience adaptation partners government municipal
capacity installation distribution maintenance operation technology stoves cooking
smoke indoor air pollution respiratory firewood collection time girls education
employment enterprise market value chain coffee cocoa cashew fruit nursery seedlings
native indigenous customary tenure rights consent benefit sharing revenue transparent
registry issuance vintage buffer permanence leakage additionality safeguards
stakeholder consultation grievance mechanism audit validation report satellite remote
sensing inventory plots biomass stock sequestration removal avoided deforestation
degradation logging illegal patrol rangers wildlife corridor elephant primate bird
fish reef seagrass marsh tidal estuary delta lake irrigation pump borehole filter
purification boiling hygiene sanitation latrine compost fertilizer yield crop maize
sorghum cassava beans groundnut millet pasture grazing rotation fencing fire
prevention firebreak season dry wet rain forest canopy understory shade timber sawmill
furniture bamboo rattan honey beekeeping mushrooms spices vanilla pepper tea rubber
palm oil plantation smallholder microfinance loan savings group association union
leader chief council ministry agency department province county ward municipality city
town urban peri settlement camp refugee displaced migration youth elderly disability
gender equity inclusion participation governance accountability reporting dashboard
data mobile app sms payment digital meter sensor tracking blockchain token retirement
buyer offset portfolio investor finance grant subsidy tariff contract agreement
license permit regulation policy framework strategy plan target pledge ambition
neutral zero
"""
COMMON_WORDS = _COMMON_TEXT.split()
_RARE_TEXT = """
pangolin okapi baobab kapok tamarind jatropha vetiver moringa teak mahogany ebony
sandalwood rosewood gmelina leucaena gliricidia faidherbia calliandra sesbania
tephrosia grevillea neem shea marula sago nipa avicennia rhizophora sonneratia
bruguiera ceriops posidonia zostera thalassia halophila cymodocea dugong manatee
orangutan gorilla chimpanzee bonobo tapir jaguar ocelot margay tamarin marmoset sloth
armadillo capybara anteater hornbill toucan macaw quetzal cassowary lemur fossa tenrec
chameleon axolotl salamander caecilian hellbender sturgeon arapaima pirarucu tambaqui
barramundi grouper snapper milkfish mudskipper fiddler horseshoe nautilus sponge
gorgonian anemone urchin sandpiper plover godwit curlew spoonbill ibis heron egret
stork crane bustard francolin guineafowl hoopoe kingfisher sunbird weaver bishop
whydah drongo shrike oriole bulbul babbler warbler flycatcher pitta broadbill trogon
barbet tinkerbird honeyguide woodpecker wryneck piculet swift treeswift nightjar
frogmouth potoo oilbird owlet scops eagle harrier kite buzzard falcon kestrel hobby
merlin osprey vulture condor caracara seriema trumpeter limpkin finfoot sungrebe
jacana painted snipe woodcock phalarope pratincole courser thickknee sheathbill skua
jaeger noddy tern skimmer auk guillemot puffin murrelet albatross petrel shearwater
prion storm diving penguin loon grebe flamingo tropicbird frigatebird gannet booby
cormorant shag darter pelican hamerkop shoebill bittern
"""
RARE_WORDS = _RARE_TEXT.split()
# Per-token probability of each rare word: ~2e-6, i.e. about 60 rows per million at 30
# words a description.
RARE_RATE = 2e-6


@dataclass(frozen=True)
class Weighted:
    """Values and cumulative weights for O(log n) draws with `random()`."""

    values: tuple[Any, ...]
    cum: tuple[float, ...]

    @classmethod
    def of(cls, weights: dict[Any, float] | Sequence[tuple[Any, float]]) -> Weighted:
        items = list(weights.items()) if isinstance(weights, dict) else list(weights)
        return cls(tuple(v for v, _ in items), tuple(itertools.accumulate(w for _, w in items)))

    def draw(self, rnd: random.Random) -> Any:
        return self.values[bisect.bisect_right(self.cum, rnd.random() * self.cum[-1])]


def vocabulary() -> tuple[list[str], list[float]]:
    """Description words and their cumulative weights (Zipf 1/rank, then the rare tail)."""
    words = list(dict.fromkeys(COMMON_WORDS))
    weights = [1.0 / rank for rank in range(1, len(words) + 1)]
    total = sum(weights)
    rare = [w for w in dict.fromkeys(RARE_WORDS) if w not in set(words)]
    words += rare
    weights += [RARE_RATE * total] * len(rare)
    return words, list(itertools.accumulate(weights))


@dataclass
class Generator:
    """Project rows (as COPY tuples) and their vintages, deterministic from the seed."""

    rows: int
    seed: int
    organizations: int

    def __post_init__(self) -> None:
        from app.domain.shared.countries import ISO_3166_ALPHA2

        self.rnd = random.Random(self.seed)
        self.words, self.word_cum = vocabulary()
        self.types = Weighted.of({t: w for t, (w, _, _) in PROJECT_TYPES.items()})
        self.standards = Weighted.of(STANDARDS)
        self.statuses = Weighted.of(STATUSES)
        unknown = set(COUNTRY_WEIGHTS) - ISO_3166_ALPHA2
        if unknown:
            raise ValueError(f"not ISO 3166 codes: {sorted(unknown)}")
        self.countries = Weighted.of(
            {
                code: COUNTRY_WEIGHTS.get(code, OTHER_COUNTRY_WEIGHT)
                for code in sorted(ISO_3166_ALPHA2)
            }
        )
        self.org_ids = [f"{self.rnd.getrandbits(128):032x}" for _ in range(self.organizations)]
        self.org_users = [f"{self.rnd.getrandbits(128):032x}" for _ in range(self.organizations)]

    def organization_rows(self) -> Iterator[tuple[Any, ...]]:
        start = ANCHOR - SPAN - timedelta(days=90)
        for n, (org_id, user_id) in enumerate(zip(self.org_ids, self.org_users, strict=True)):
            yield org_id, f"Organization {n + 1}", user_id, start + timedelta(hours=n)

    def projects(self) -> Iterator[tuple[tuple[Any, ...], range]]:
        """(projects row in `PROJECT_COLUMNS` order, vintage years) for each project."""
        rnd = self.rnd
        rand, randint, choices = rnd.random, rnd.randint, rnd.choices
        words, word_cum = self.words, self.word_cum
        start = ANCHOR - SPAN
        step_s = SPAN.total_seconds() / max(self.rows, 1)
        n_orgs = len(self.org_ids)
        for i in range(self.rows):
            ptype = self.types.draw(rnd)
            _, kinds, methodologies = PROJECT_TYPES[ptype]
            region = REGIONS[int(rand() * len(REGIONS))]
            name = f"{kinds[int(rand() * len(kinds))]} {region} {randint(1, 999)}"
            description = " ".join(choices(words, cum_weights=word_cum, k=randint(20, 40)))
            standard = self.standards.draw(rnd)
            org = int(rand() * n_orgs)
            if rand() < 0.85:
                latitude = Decimal(f"{rand() * 70 - 35:.6f}")
                longitude = Decimal(f"{rand() * 360 - 180:.6f}")
            else:
                latitude = longitude = None
            if rand() < 0.92:
                first = randint(FIRST_VINTAGE, LAST_VINTAGE)
                years = range(first, min(first + randint(1, 5), LAST_VINTAGE + 1))
            else:
                years = range(0)
            # Appended over five years: physical order follows created_at, with jitter.
            created = start + timedelta(seconds=i * step_s + rand() * 43_200)
            metadata: dict[str, Any] = {"registry_id": f"{STANDARD_CODES[standard]}-{1000 + i}"}
            if i % 5 == 0:
                metadata["sdgs"] = sorted(rnd.sample(range(1, 18), 3))
            row = (
                f"{rnd.getrandbits(128):032x}",
                self.org_ids[org],
                name,
                description.capitalize() + ".",
                ptype,
                methodologies[int(rand() * len(methodologies))],
                standard,
                self.countries.draw(rnd),
                region,
                latitude,
                longitude,
                int(rnd.lognormvariate(10, 1.2)) * 1000,
                metadata,
                self.statuses.draw(rnd),
                years[0] if years else None,
                self.org_users[org],
                created,
                created + timedelta(seconds=int(rand() * 30 * 86_400)),
            )
            yield row, years


PROJECT_COLUMNS = (
    "id", "organization_id", "name", "description", "type", "methodology", "standard",
    "country", "region", "latitude", "longitude", "expected_annual_reductions_kg",
    "metadata", "status", "first_vintage", "created_by", "created_at", "updated_at",
)  # fmt: skip
PROJECT_TYPES_SQL = (
    "varchar", "varchar", "varchar", "text", "varchar", "varchar", "varchar", "varchar",
    "varchar", "numeric", "numeric", "int8", "jsonb", "varchar", "int4", "varchar",
    "timestamptz", "timestamptz",
)  # fmt: skip
LOADED_TABLES = ["projects", "project_vintages"]


@dataclass
class LoadReport:
    projects: int
    vintages: int
    copy_s: float
    index_s: float
    vacuum_s: float

    @property
    def total_s(self) -> float:
        return self.copy_s + self.index_s + self.vacuum_s


# --- keys and indexes off during the load --------------------------------------------------


@dataclass
class Detached:
    """What was dropped before the load, as the statements that put it back."""

    keys: list[sql.Composable]  # primary keys and unique constraints
    indexes: list[tuple[str, sql.Composable]]  # (definition, statement)
    foreign_keys: list[sql.Composable]


def detach(conn: psycopg.Connection[Any], tables: list[str]) -> Detached:
    """Drop the tables' keys, indexes and the foreign keys from or to them; return how to
    recreate each from its catalogue definition."""
    foreign = conn.execute(
        """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
           FROM pg_constraint
           WHERE contype = 'f'
             AND (conrelid = ANY(%(t)s::regclass[]) OR confrelid = ANY(%(t)s::regclass[]))
           ORDER BY 1, 2""",
        {"t": tables},
    ).fetchall()
    keys = conn.execute(
        """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
           FROM pg_constraint
           WHERE contype IN ('p', 'u') AND conrelid = ANY(%(t)s::regclass[])
           ORDER BY 1, 2""",
        {"t": tables},
    ).fetchall()
    indexes = conn.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
           FROM pg_index i
           WHERE i.indrelid = ANY(%(t)s::regclass[])
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                             WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
           ORDER BY 1""",
        {"t": tables},
    ).fetchall()

    def drop(table: str, name: str) -> sql.Composable:
        return sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
            sql.SQL(table), sql.Identifier(name)
        )

    def add(table: str, name: str, definition: str) -> sql.Composable:
        return sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
            sql.SQL(table), sql.Identifier(name), sql.SQL(definition)
        )

    for table, name, _ in foreign:
        conn.execute(drop(table, name))
    for table, name, _ in keys:
        conn.execute(drop(table, name))
    for name, _ in indexes:
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.SQL(name)))
    return Detached(
        keys=[add(*k) for k in keys],
        indexes=[(definition, sql.SQL(definition)) for _, definition in indexes],
        foreign_keys=[add(*f) for f in foreign],
    )


def reattach(conninfo: str, detached: Detached, maintenance_mem: str) -> None:
    """Rebuild on two connections (the single-threaded GIN build beside the B-trees, which
    may use parallel workers), then the foreign keys."""
    gin = [stmt for definition, stmt in detached.indexes if " USING gin " in definition]
    others = [stmt for definition, stmt in detached.indexes if " USING gin " not in definition]
    lanes = [gin, detached.keys + others]

    opened: list[psycopg.Connection[Any]] = []

    def run(statements: list[sql.Composable]) -> None:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            opened.append(conn)
            conn.execute(sql.SQL("SET maintenance_work_mem = {}").format(maintenance_mem))
            for statement in statements:
                conn.execute(statement)

    pool = ThreadPoolExecutor(max_workers=len(lanes))
    try:
        for future in [pool.submit(run, lane) for lane in lanes if lane]:
            future.result()
    except BaseException:  # Ctrl-C included: stop the builds rather than wait for them
        for conn in opened:
            with contextlib.suppress(Exception):
                conn.cancel_safe()
        raise
    finally:
        pool.shutdown(wait=True)
    run(detached.foreign_keys)


# --- the load ------------------------------------------------------------------------------


def load(
    conninfo: str,
    rows: int,
    seed: int,
    progress: Callable[[str], None],
    maintenance_mem: str = "512MB",
) -> LoadReport:
    gen = Generator(rows=rows, seed=seed, organizations=max(10, min(1000, rows // 1000)))
    started = time.perf_counter()
    with psycopg.connect(conninfo) as conn:
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO organizations (id, name, created_by, created_at) "
                "VALUES (%s, %s, %s, %s)",
                list(gen.organization_rows()),
            )
        detached = detach(conn, LOADED_TABLES)
    vintages = copy_projects(conninfo, gen, progress)
    copied = time.perf_counter()
    progress(f"rebuilding keys and indexes ({len(detached.indexes)} indexes)")
    reattach(conninfo, detached, maintenance_mem)
    indexed = time.perf_counter()
    progress("VACUUM ANALYZE")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) organizations, projects, project_vintages")
    done = time.perf_counter()
    return LoadReport(rows, vintages, copied - started, indexed - copied, done - indexed)


def copy_projects(conninfo: str, gen: Generator, progress: Callable[[str], None]) -> int:
    """Binary COPY into projects and project_vintages at once (two connections)."""
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in PROJECT_COLUMNS)
    vintages = 0
    began = time.perf_counter()
    every = max(gen.rows // 10, 1)
    with (
        psycopg.connect(conninfo) as pconn,
        psycopg.connect(conninfo) as vconn,
        pconn.cursor() as pcur,
        vconn.cursor() as vcur,
    ):
        for conn in (pconn, vconn):
            conn.execute("SET synchronous_commit = off")
        with (
            pcur.copy(
                sql.SQL("COPY projects ({}) FROM STDIN (FORMAT BINARY)").format(columns)
            ) as pcopy,
            vcur.copy(
                "COPY project_vintages (project_id, year) FROM STDIN (FORMAT BINARY)"
            ) as vcopy,
        ):
            pcopy.set_types(list(PROJECT_TYPES_SQL))
            vcopy.set_types(["varchar", "int4"])
            write_project, write_vintage = pcopy.write_row, vcopy.write_row
            for n, (row, years) in enumerate(gen.projects(), start=1):
                write_project(row)
                project_id = row[0]
                for year in years:
                    write_vintage((project_id, year))
                vintages += len(years)
                if n % every == 0:
                    rate = n / (time.perf_counter() - began)
                    progress(f"  {n:,} projects sent ({rate:,.0f} rows/s)")
    return vintages

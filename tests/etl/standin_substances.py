"""A tiny stand-in for etl.substances (the dictionary helper's module), used only while that module is absent."""

import re

NAME_KEY_SQL = ("trim(regexp_replace(regexp_replace(lower(trim({col})), '\\s+', ' ', 'g'),"
                " '\\s*\\(\\s*trace\\s*\\)\\s*$', ''))")

ENTRIES = {  # raw name -> (substance, class); substance None = placeholder
    "fentanyl": ("fentanyl", "fentanyl"), "fentanyl hcl": ("fentanyl", "fentanyl"),
    "fentanyl or analog": ("fentanyl", "fentanyl"), "heroin": ("heroin", "opioid"),
    "caffeine": ("caffeine", "cut"), "cocaine": ("cocaine", "stimulant"), "cocaine hcl": ("cocaine", "stimulant"),
    "mdma": ("mdma", "stimulant"), "xylazine": ("xylazine", "alpha2_sedative"),
    "etizolam": ("etizolam", "benzodiazepine"),
    "down (unknown opioid)": ("unknown opioid", "opioid"),
    "uncertain match": (None, None), "no library match": (None, None),
}


def name_key(raw: str) -> str:
    key = " ".join(raw.lower().split())
    return re.sub(r"\s*\(\s*trace\s*\)\s*$", "", key).strip()


def is_trace(raw: str) -> bool:
    return bool(re.search(r"\(\s*trace\s*\)\s*$", raw.lower()))


def install_dictionary(con) -> None:
    con.execute("DELETE FROM substance_names")
    con.execute("DELETE FROM substances")
    subs = {s: c for s, c in ENTRIES.values() if s}
    con.executemany("INSERT INTO substances (substance, class) VALUES (?, ?)", list(subs.items()))
    con.executemany("INSERT INTO substance_names VALUES (?, ?, ?)",
                    [(k, s, s is None) for k, (s, _) in ENTRIES.items()])


def unknown_names(con):
    return con.execute("SELECT substance_raw, count(*) AS n FROM detections WHERE substance IS NULL"
                       " AND class = 'unclassified' GROUP BY 1 ORDER BY n DESC, 1").fetchall()

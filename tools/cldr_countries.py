"""Add the UN member states missing from pipeline/lexicon/data/countries.json, with CLDR's Korean names.

CLDR (Unicode Common Locale Data Repository, Unicode License v3) names every territory in Korean; Babel
ships that data. Korean news writes multi-word country names without spaces (트리니다드토바고): the entry's
canonical name is that form and CLDR's spaced form is an alias. Names that are also common Korean words
(수단 "means", 오만 "arrogance", 부탄 "butane", 피지 "sebum", 말리- "to dry", 차드) go to ``prefix_only``:
they count only right before an organisation, title or name (수단 외교장관). Run once by hand:

    .venv/bin/python tools/cldr_countries.py            # prints what it would add
    .venv/bin/python tools/cldr_countries.py --write    # rewrites countries.json
"""
import argparse
import json
from pathlib import Path

from babel import Locale

PATH = Path(__file__).resolve().parents[1] / "pipeline" / "lexicon" / "data" / "countries.json"

# UN member states (ISO 3166-1 alpha-2) plus Kosovo; territories and dependencies stay out (places, not states)
STATES = """AD AE AF AG AL AM AO AR AT AU AZ BA BB BD BE BF BG BH BI BJ BN BO BR BS BT BW BY BZ CA CD CF CG CH
CI CL CM CN CO CR CU CV CY CZ DE DJ DK DM DO DZ EC EE EG ER ES ET FI FJ FM FR GA GB GD GE GH GM GN GQ GR GT GW
GY HN HR HT HU ID IE IL IN IQ IR IS IT JM JO JP KE KG KH KI KM KN KP KR KW KZ LA LB LC LI LK LR LS LT LU LV LY
MA MC MD ME MG MH MK ML MM MN MR MT MU MV MW MX MY MZ NA NE NG NI NL NO NP NR NZ OM PA PE PG PH PK PL PT PW PY
QA RO RS RU RW SA SB SC SD SE SG SI SK SL SM SN SO SR SS ST SV SY SZ TD TG TH TJ TL TM TN TO TR TT TV TZ UA UG
US UY UZ VC VE VN VU WS YE ZA ZM ZW XK""".split()

# Korean press forms where CLDR's differs (CLDR's stays an alias)
PRESS = {"CD": ("콩고민주공화국", ["민주콩고"]), "CG": ("콩고공화국", ["콩고"]),
         "DM": ("도미니카연방", []), "DO": ("도미니카공화국", ["도미니카"]),
         "MK": ("북마케도니아", ["마케도니아"]), "SZ": ("에스와티니", ["스와질란드"]),
         "BA": ("보스니아헤르체고비나", ["보스니아"]), "ZA": ("남아프리카공화국", ["남아프리카"])}
AMBIGUOUS = {"수단", "오만", "부탄", "피지", "말리", "차드"}


def additions(data: dict) -> tuple[list[dict], dict, dict]:
    """New country entries, new prefix-only forms, and new aliases of entries already listed."""
    names = Locale("ko").territories
    known = {n: c["canonical"] for c in data["countries"] for n in [c["canonical"], *c.get("aliases", [])]}
    new, short, aliases = [], {}, {}
    for code in STATES:
        cldr = names[code]
        canonical, extra = PRESS.get(code, (cldr.replace(" ", ""), []))
        forms = [f for f in dict.fromkeys([canonical, cldr, *extra]) if f != canonical]
        if canonical in known or cldr in known:
            listed = known.get(canonical) or known[cldr]
            aliases.setdefault(listed, []).extend(f for f in [canonical, *forms] if f not in known)
        elif canonical in AMBIGUOUS:
            short[canonical] = canonical
        else:
            new.append({"canonical": canonical, "aliases": forms})
    return new, short, {k: v for k, v in aliases.items() if v}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--write", action="store_true", help="rewrite countries.json")
    args = ap.parse_args()
    data = json.loads(PATH.read_text(encoding="utf-8"))
    new, short, aliases = additions(data)
    print(f"{len(new)} new countries: " + " ".join(e["canonical"] for e in new))
    print(f"prefix only: {sorted(short)}; new aliases: {aliases}")
    if args.write:
        for entry in data["countries"]:
            if entry["canonical"] in aliases:
                entry.setdefault("aliases", []).extend(aliases[entry["canonical"]])
        data["countries"].extend(new)
        data["prefix_only"].update(short)
        PATH.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

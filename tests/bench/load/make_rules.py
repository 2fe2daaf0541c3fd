#!/usr/bin/env python3
"""Writes a large rule file for load tests: the two demo brands (the ones vigie-load's corpus names) plus invented
brands, and topics over French and English risk words, with every query shape the language has (phrases,
wildcards, hashtags and mentions, NOT, NEAR, field filters, excludes, topics restricted to brands). Deterministic.

    python3 tests/bench/load/make_rules.py --rules 1000 > /tmp/rules-1000.yaml
    build/tests/bench/vigie-load --spawn --rules /tmp/rules-1000.yaml ...

A tenth of the rules are brands, the rest topics (as a real file is: a few brands, many topics each).
"""
import argparse
import random

SYLLABLES = ["zor", "vex", "bal", "imo", "ku", "tra", "nel", "qui", "dax", "ofa",
             "ryn", "pel", "sko", "ute", "wam", "gri", "hol", "jin", "cyr", "fen"]
RISK_FR = ["panne", "arnaque", "remboursement", "scandale", "boycott", "plainte", "rappel", "fuite", "piratage",
           "grève", "retard", "annulé", "inadmissible", "honteux", "toxique", "escroquerie", "facture", "résiliation",
           "bug", "service client", "mise à jour", "hors service", "frais cachés", "fuite de données"]
RISK_EN = ["outage", "refund", "scam", "lawsuit", "recall", "fraud", "hack", "breach", "leak", "strike", "delay",
           "cancelled", "shame", "toxic", "overcharged", "customer service", "data breach", "not working",
           "charged twice", "class action"]
PRODUCTS = ["app", "appli", "carte", "card", "compte", "account", "livraison", "delivery", "batterie", "battery",
            "site", "website", "abonnement", "subscription", "agence", "store"]
SEVERITIES = ["info", "info", "warning", "warning", "critical"]


def brand_name(i):
    s, n = "", i
    for _ in range(3):
        s += SYLLABLES[n % len(SYLLABLES)]
        n //= len(SYLLABLES)
    return s + str(i % 7)


def term(rng, words):
    w = rng.choice(words)
    if " " in w:
        return '"%s"' % w
    if rng.random() < 0.2 and len(w) > 5:
        return w[:-2] + "*"
    return w


def topic_query(rng, shape):
    if shape == 0:  # alternatives
        return " OR ".join(sorted({term(rng, RISK_FR + RISK_EN) for _ in range(rng.randint(2, 5))}))
    if shape == 1:  # a product and a risk
        return "(%s) AND (%s)" % (" OR ".join({term(rng, PRODUCTS) for _ in range(2)}),
                                  " OR ".join({term(rng, RISK_FR + RISK_EN) for _ in range(3)}))
    if shape == 2:  # proximity
        return "%s NEAR/4 %s" % (term(rng, PRODUCTS), term(rng, RISK_FR + RISK_EN))
    if shape == 3:  # with a negation
        return "(%s OR %s) AND NOT %s" % (term(rng, RISK_FR), term(rng, RISK_EN), term(rng, ["test", "film", "jeu"]))
    return "%s lang:%s" % (term(rng, RISK_FR if shape % 2 else RISK_EN), "fr" if shape % 2 else "en")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rules", type=int, default=1000, help="brands and topics in all (default 1000)")
    ap.add_argument("--seed", type=int, default=1000)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    brands = max(2, args.rules // 10)
    topics = max(0, args.rules - brands)

    print("# %d rules (%d brands, %d topics), written by tests/bench/load/make_rules.py --rules %d --seed %d"
          % (brands + topics, brands, topics, args.rules, args.seed))
    print("brands:")
    print("  - id: acme\n    name: Acme Bank\n    query: '\"acme bank\" OR #acmebank OR @acmebank'")
    print("    exclude: '\"acme bank robbery\" AND (film OR movie)'")
    print("  - id: volta\n    name: Volta\n    query: 'volta AND (trottinette* OR scooter* OR vélo OR bike* OR "
          "batterie OR battery OR sav OR livraison OR \"customer service\")'")
    ids = ["acme", "volta"]
    for i in range(brands - 2):
        name = brand_name(i + 11)
        ids.append(name)
        q = '%s OR #%s OR @%s_fr OR "%s %s"' % (name, name, name, name, rng.choice(["bank", "mobile", "energie",
                                                                                     "air", "shop"]))
        print("  - id: %s\n    name: %s\n    query: '%s'" % (name, name.capitalize(), q))
        if rng.random() < 0.2:
            print("    exclude: '%s NEAR/2 (film OR jeu OR game)'" % name)
    print("topics:")
    for i in range(topics):
        q = topic_query(rng, i % 6).replace("'", "''")
        print("  - id: topic-%d\n    query: '%s'\n    severity: %s" % (i, q, SEVERITIES[i % len(SEVERITIES)]))
        if rng.random() < 0.3:
            print("    brands: [%s]" % ", ".join(sorted({rng.choice(ids) for _ in range(rng.randint(1, 3))})))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes deploy/demo/feed.ndjson: three days and three hours of invented social posts about two invented brands,
in French and English. The three days are a quiet baseline, history for the crisis detectors to learn what is
normal (the demo stores them at once); the three hours are replayed at 20x (nine minutes) and tell a crisis at
Acme Bank early enough to be seen in the demo's first minutes:

  +10 min   an outage: complaints about the app and cards surge (the volume detector opens an incident about a
            minute after the demo starts)
  +40 min   customers report seeing other people's accounts: the critical topic data-breach escalates it
  +100 min  the surge slows down but does not stop, so the incident is still open when the replay ends

Deterministic (seeded), so the committed file can be regenerated identically:
python3 deploy/demo/make_feed.py > deploy/demo/feed.ndjson
"""
import json
import random
from datetime import datetime, timedelta, timezone

rng = random.Random(20261122)
START = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
HOURS = 3
HISTORY_DAYS = 3

PLATFORMS = ["mastodon", "bluesky", "x", "reddit", "rss"]
AUTHORS = [("camille_r", "Camille R.", 320), ("jdupont", "J. Dupont", 1200), ("techwatcher", "Tech Watcher", 48000),
           ("marie.l", "Marie L.", 90), ("sam_k", "Sam K.", 2100), ("lea_martin", "Léa Martin", 640),
           ("newsdesk_fr", "Newsdesk FR", 152000), ("ops_guy", "Ops Guy", 75), ("anna.b", "Anna B.", 5100),
           ("tom_h", "Tom H.", 410), ("quentin", "Quentin", 33), ("financeweekly", "Finance Weekly", 88000)]

BASE = {
    "acme": {
        "fr": {
            "pos": ["Super accueil à l'agence Acme Bank ce matin, merci ! 😊", "L'appli Acme Bank est vraiment pratique, j'adore",
                    "Virement instantané chez #AcmeBank, rapide et efficace 👍", "Conseiller Acme Bank très sympa, problème réglé en 5 min"],
            "neu": ["Quelqu'un sait à quelle heure ferme l'agence Acme Bank de Lyon ?", "Nouvelle carte Acme Bank reçue aujourd'hui",
                    "Acme Bank change ses frais de tenue de compte en janvier", "Rendez-vous chez Acme Bank demain pour mon prêt"],
            "neg": ["Franchement déçu par le service client d'Acme Bank", "Encore des frais cachés chez Acme Bank, c'est nul",
                    "Acme Bank ne répond jamais au téléphone 😡"],
        },
        "en": {
            "pos": ["Acme Bank's new app update is great, love the budgeting tool", "Shoutout to @acmebank support, fixed my card in minutes!",
                    "Really happy with my Acme Bank savings account"],
            "neu": ["Does Acme Bank have a branch near Lille?", "Acme Bank announced its quarterly results today",
                    "Switching my salary account to Acme Bank next month"],
            "neg": ["Acme Bank charged me twice for the same transfer, not happy", "Waited 40 minutes on hold with Acme Bank support"],
        },
    },
    "volta": {
        "fr": {
            "pos": ["Ma trottinette Volta tient super bien la charge, top 🔋", "Livraison Volta en avance, très content",
                    "Le nouveau vélo Volta est génial pour aller au boulot"],
            "neu": ["Volta ouvre un magasin à Bordeaux", "Des avis sur les trottinettes Volta ?", "Volta annonce un nouveau modèle pour le printemps"],
            "neg": ["La batterie de ma Volta a lâché après 3 mois, bof", "SAV Volta injoignable, pas terrible"],
        },
        "en": {
            "pos": ["My Volta e-bike is awesome, best purchase this year", "Volta customer service was super helpful"],
            "neu": ["Volta is launching a new scooter in spring", "Anyone tried the Volta city bike?"],
            "neg": ["Volta scooter broke down again, really disappointed"],
        },
    },
    None: {
        "fr": {"pos": ["Belle journée à Paris aujourd'hui ☀️", "Trop bien ce concert hier soir"], "neu": ["Réunion à 14h, quelqu'un a le lien ?"],
               "neg": ["Encore du retard sur la ligne 13, ras le bol"]},
        "en": {"pos": ["What a lovely morning for a run"], "neu": ["Meeting moved to 3pm"], "neg": ["Traffic is terrible today"]},
    },
}

OUTAGE = {
    "fr": ["Panne générale chez Acme Bank ?? Impossible de me connecter #AcmeBank", "Acme Bank en panne depuis une heure, aucune info, inadmissible",
           "Plus de paiement par carte Acme Bank au supermarché, la honte 😡", "@acmebank c'est une blague ? Appli HS, site HS, téléphone saturé",
           "Je quitte Acme Bank après cette panne, trop c'est trop", "L'appli Acme Bank ne charge plus chez vous aussi ?",
           "Acme Bank : site inaccessible depuis 10h, quelqu'un a des infos ?", "Impossible de me connecter à Acme Bank ce matin",
           "Acme Bank dit sur son site que l'appli est en maintenance"],
    "en": ["Is Acme Bank down? Can't log in to the app #AcmeBank", "Anyone else unable to reach Acme Bank's website?",
           "Acme Bank app not loading for me either", "Acme Bank status page says they are investigating", "Acme Bank outage for an hour now and zero communication. Terrible.",
           "Card declined everywhere, Acme Bank systems are down 😡"],
}
BREACH = {
    "fr": ["Fuite de données chez Acme Bank ? Des clients voient les comptes des autres !!"],
    "en": ["Acme Bank customers seeing other people's accounts?! Possible data breach"],
}


def surge_posts(minute):
    """How many outage posts join each baseline post at `minute` of the paced part, and whether the data-breach
    reports have started."""
    if minute < 10:
        return 0, False
    if minute < 40:
        return rng.randint(1, 2), False
    if minute < 100:
        return rng.randint(2, 4), True
    return rng.randint(0, 1), True


def post(i, t, text, lang, brand_hint):
    platform = rng.choice(PLATFORMS)
    handle, name, followers = rng.choice(AUTHORS)
    followers = max(0, int(followers * rng.uniform(0.9, 1.1)))
    uid = f"{platform}:demo-{i:05d}"
    return {"uid": uid, "platform": platform, "kind": "post" if rng.random() > 0.25 else "comment",
            "author": {"handle": handle, "name": name, "followers": followers}, "text": text,
            "url": f"https://{platform}.example/{handle}/{i}", "lang": lang,
            "created_at": t.strftime("%Y-%m-%dT%H:%M:%SZ")}


def main():
    out, i = [], 0
    t = START - timedelta(days=HISTORY_DAYS)
    end = START + timedelta(hours=HOURS)
    while t < end:
        # Baseline: about one post every 40 s; the surge adds up to four for each of them about Acme Bank.
        t += timedelta(seconds=rng.expovariate(1 / 40))
        brand = rng.choices(["acme", "volta", None], [0.45, 0.30, 0.25])[0]
        lang = rng.choices(["fr", "en"], [0.65, 0.35])[0]
        tone = rng.choices(["pos", "neu", "neg"], [0.35, 0.45, 0.20])[0]
        out.append(post(i, t, rng.choice(BASE[brand][lang][tone]), lang, brand))
        i += 1
        count, breach = surge_posts((t - START).total_seconds() / 60)
        for _ in range(count):
            lang = rng.choices(["fr", "en"], [0.7, 0.3])[0]
            texts = OUTAGE[lang] + (BREACH[lang] if breach else [])
            ts = t + timedelta(seconds=rng.uniform(0, 40))
            out.append(post(i, ts, rng.choice(texts), lang, "acme"))
            i += 1
    out.sort(key=lambda p: p["created_at"])
    for p in out:
        print(json.dumps(p, ensure_ascii=False))


if __name__ == "__main__":
    main()

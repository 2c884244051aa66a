"""A year's ratings into a pandas DataFrame, and one organisation's report card."""

import os

import pandas as pd
import requests

API = os.environ.get("RATINGS_API", "http://127.0.0.1:8000/api/v1")
session = requests.Session()


def every_row(url, **params):
    """Follow the pages (`next`) of a list to its end."""
    while url:
        page = session.get(url, params=params, timeout=30)
        page.raise_for_status()
        body = page.json()
        yield from body["results"]
        url, params = body["next"], None  # `next` carries the parameters


year = session.get(f"{API}/years/", timeout=30).json()[0]["year"]  # the latest published year
ratings = pd.DataFrame(every_row(f"{API}/ratings/", year=year, page_size=1000))
print(f"{year}: {len(ratings)} ratings")
print(ratings.groupby(["type", "band"]).size().unstack(fill_value=0))

best = ratings.sort_values("rank").iloc[0]
card = session.get(f"{API}/organisations/{best.organisation}/report-cards/{year}/", timeout=30).json()
print(f"{card['organisation']['name']}: {card['band_word']} ({card['reason']['rule']})")
indicators = pd.DataFrame(card["indicators"])[["code", "value", "median", "core_result"]]
print(indicators.to_string(index=False))

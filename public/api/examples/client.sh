# The years with published ratings
curl -s "$RATINGS_API/years/"

# 2000-01's red acute trusts, 1,000 a page, best ranked first
curl -s "$RATINGS_API/ratings/?year=2000-01&type=TRUST&band=red&sort=rank&page_size=1000"

# One organisation's report card as data; ask again with the ETag to get a 304 when nothing changed
curl -s -i "$RATINGS_API/organisations/RAE/report-cards/2000-01/"
curl -s -i -H 'If-None-Match: "the ETag from the answer above"' "$RATINGS_API/organisations/RAE/report-cards/2000-01/"

"""The measurement behind the API's choice of library (docs/api.md): 1,000
rating rows (plain dicts, as a values() query gives them) to JSON bytes,
through Django REST framework's serializer and renderer, and through
django-ninja's Schema (pydantic 2) and renderer, the two candidates the
issue names, each declaring the same 20 typed fields.

django-ninja is not a dependency of the project: run this in a scratch
environment with both installed:

    python3 -m venv /tmp/libbench && /tmp/libbench/bin/pip install "Django>=5.2,<5.3" \
        djangorestframework drf-spectacular django-ninja orjson
    /tmp/libbench/bin/python bench/api_libraries.py
"""
import time, statistics, random
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework", "ninja"], REST_FRAMEWORK={})
django.setup()
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from ninja import Schema
from ninja.renderers import JSONRenderer as NinjaJSON
from typing import Optional, Literal
import orjson, json

rows = [dict(organisation_code=f"Q{i:05d}", organisation_name=f"Organisation {i}", type="HA", region="NY", year="2000-01",
             band=random.choice(["green","yellow","red","not_rated"]), score=random.random(), level_score=random.random(),
             improvement_score=random.random(), rank=i, rated_count=1000, core_targets_failed=random.randint(0,3),
             green_cutoff=0.5, gap_to_green=random.random()-0.5, coverage=0.9, not_rated_reason="", band_without_adjustment="green",
             improvement_measured=True, candidate_position=i, run_id=7) for i in range(1000)]

class RatingSerializer(serializers.Serializer):
    organisation_code = serializers.CharField(); organisation_name = serializers.CharField(); type = serializers.CharField()
    region = serializers.CharField(); year = serializers.CharField()
    band = serializers.ChoiceField(choices=["green","yellow","red","not_rated"]); score = serializers.FloatField(allow_null=True)
    level_score = serializers.FloatField(allow_null=True); improvement_score = serializers.FloatField(allow_null=True)
    rank = serializers.IntegerField(allow_null=True); rated_count = serializers.IntegerField()
    core_targets_failed = serializers.IntegerField(allow_null=True); green_cutoff = serializers.FloatField(allow_null=True)
    gap_to_green = serializers.FloatField(allow_null=True); coverage = serializers.FloatField(); not_rated_reason = serializers.CharField(allow_blank=True)
    band_without_adjustment = serializers.CharField(); improvement_measured = serializers.BooleanField(allow_null=True)
    candidate_position = serializers.IntegerField(allow_null=True); run_id = serializers.IntegerField()

class RatingSchema(Schema):
    organisation_code: str; organisation_name: str; type: str; region: str; year: str
    band: Literal["green","yellow","red","not_rated"]; score: Optional[float]; level_score: Optional[float]; improvement_score: Optional[float]
    rank: Optional[int]; rated_count: int; core_targets_failed: Optional[int]; green_cutoff: Optional[float]; gap_to_green: Optional[float]
    coverage: float; not_rated_reason: str; band_without_adjustment: str; improvement_measured: Optional[bool]; candidate_position: Optional[int]; run_id: int

from pydantic import TypeAdapter
adapter = TypeAdapter(list[RatingSchema])

def drf(): return JSONRenderer().render({"results": RatingSerializer(rows, many=True).data})
def ninja_(): return NinjaJSON().render(None, {"results": [RatingSchema.model_validate(r).model_dump() for r in rows]}, response_status=200)
def ninja_adapter(): return orjson.dumps({"results": adapter.dump_python(adapter.validate_python(rows), mode="json")})

for name, f in [("DRF Serializer + JSONRenderer", drf), ("ninja Schema + JSONRenderer", ninja_), ("pydantic TypeAdapter + orjson", ninja_adapter)]:
    f()
    times = []
    for _ in range(30):
        t = time.perf_counter(); f(); times.append((time.perf_counter()-t)*1000)
    print(f"{name}: median {statistics.median(times):.1f} ms, best {min(times):.1f} ms")
from pydantic import BaseModel
class Plain(BaseModel):
    __annotations__ = dict(RatingSchema.__annotations__)
pa = TypeAdapter(list[Plain])
def plain(): return orjson.dumps({"results": pa.dump_python(pa.validate_python(rows), mode="json")})
def justjson(): return orjson.dumps({"results": rows})
def stdjson(): return json.dumps({"results": rows}).encode()
for name, f in [("plain pydantic BaseModel + orjson", plain), ("orjson of the dicts alone", justjson), ("json of the dicts alone", stdjson), ("DRF again", drf)]:
    f(); times=[]
    for _ in range(30):
        t = time.perf_counter(); f(); times.append((time.perf_counter()-t)*1000)
    print(f"{name}: median {statistics.median(times):.1f} ms, best {min(times):.1f} ms")

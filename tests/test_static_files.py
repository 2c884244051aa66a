"""The vendored design system survives collectstatic with WhiteNoise's manifest
storage (what `make run` and production use)."""

from django.core.management import call_command
from django.test import override_settings


def test_collectstatic_with_manifest_storage(tmp_path, settings):
    storages = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", "--noinput", verbosity=0)
    css = next(tmp_path.glob("nhsuk/nhsuk-frontend.min.*.css"))
    assert "url(/assets/" not in css.read_text(encoding="utf-8")
    assert list(tmp_path.glob("nhsuk/init.*.mjs"))


def test_pages_render_with_manifest_storage(tmp_path, settings, client, db):
    """Under manifest storage a {% static %} path that does not exist fails the
    page outright: render one after a real collectstatic."""
    storages = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", "--noinput", verbosity=0)
        html = client.get("/").content.decode()
    assert "nhsuk/nhsuk-frontend.min." in html and "nhsuk/assets/images/favicon." in html
